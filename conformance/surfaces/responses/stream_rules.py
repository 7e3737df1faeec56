"""Responses stream rules: the semantic events of OpenAI's streaming Responses API.

response.created and response.in_progress before any output; per output item output_item.added, then (a message)
content_part.added, output_text.delta*, output_text.done, content_part.done, or (a function call)
function_call_arguments.delta* and .done, then output_item.done; exactly one terminal event (completed,
incomplete or failed), last. Every event carries a sequence_number; deltas add up to the done text, and that
to the final response's. A `[DONE]` line after the terminal event is read as the end where the profile is
silent on it (its sources disagree) and required where the profile documents it (the terminator rules)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...answers import Inconclusive, NotAccepted, Unobserved, brief, is_terminator, stream_events
from .. import StreamFault, StreamRule
from ..sse_rules import (plain_answer, reported_error, sse_rules, stream_content_type, stream_framing,
                         stream_nothing_after, stream_terminator, terminator_rules)
from .views import TERMINAL, output_text

if TYPE_CHECKING:
    from ...case import Case
    from ...exchange import Exchange

LIFECYCLE = ("response.created", "response.in_progress")
ITEM_EVENTS = ("response.output_item.added", "response.output_item.done", "response.content_part.added",
               "response.content_part.done", "response.output_text.delta", "response.output_text.done",
               "response.function_call_arguments.delta", "response.function_call_arguments.done")


def _events(ex: Exchange) -> list[tuple[int, str | None, dict]]:
    """(event number, SSE event name, data) of every event but the terminator line; NotAccepted on data that is
    not a JSON object."""
    out = []
    for number, event in enumerate(stream_events(ex), start=1):
        if is_terminator(event.data, ex.request.terminator):
            continue
        try:
            data = json.loads(event.data)
        except ValueError:
            raise NotAccepted(f"event {number} is not JSON: {event.data[:120]!r}") from None
        if not isinstance(data, dict):
            raise NotAccepted(f"event {number} is not a JSON object: {event.data[:120]!r}")
        out.append((number, event.event, data))
    if not out:
        raise NotAccepted("the stream carried no event before its end")
    return out


def responses_event_names(ex: Exchange, case: Case) -> str | None:
    for number, name, data in _events(ex):
        if name != data.get("type"):
            return f"event {number} is named {name!r} but its data's type is {data.get('type')!r}"
    return None


def _sequence(ex: Exchange) -> list[tuple[int, Any, Any]]:
    return [(n, d.get("type"), d.get("sequence_number")) for n, _, d in _events(ex)]


def responses_sequence_numbers(ex: Exchange, case: Case) -> str | None:
    for number, kind, value in _sequence(ex):
        if not isinstance(value, int) or isinstance(value, bool):
            return f"event {number} ({kind}) has sequence_number {json.dumps(value)}, not an integer"
    return None


def responses_sequence_order(ex: Exchange, case: Case) -> str | None:
    sequence = _sequence(ex)
    if any(not isinstance(v, int) or isinstance(v, bool) for _, _, v in sequence):
        raise Inconclusive("an event has no integer sequence_number: the sequence-number case reports that")
    for (_, _, before), (number, kind, value) in zip(sequence, sequence[1:]):
        if value <= before:
            return f"event {number} ({kind}) has sequence_number {value}, after {before}: not increasing"
    return None


def responses_lifecycle(ex: Exchange, case: Case) -> str | None:
    """response.created, then response.in_progress, each once, before any output item event."""
    kinds = [(n, d.get("type")) for n, _, d in _events(ex)]
    first_item = next((n for n, kind in kinds if kind in ITEM_EVENTS), None)
    for expected in LIFECYCLE:
        seen = [n for n, kind in kinds if kind == expected]
        if len(seen) != 1:
            return f"{expected} comes {len(seen)} times{f' (events {seen[:4]})' if seen else ''}, not once"
        if first_item is not None and seen[0] > first_item:
            return f"{expected} (event {seen[0]}) comes after the first output item event (event {first_item})"
    created, progress = (next(n for n, kind in kinds if kind == k) for k in LIFECYCLE)
    first = kinds[0][0]
    if created != first:
        return f"the first event is {kinds[0][1]!r}, not response.created"
    return None if progress > created else f"response.in_progress (event {progress}) comes before response.created"


class _Items:
    """The output items as the events open and close them, and the text and arguments they carry."""

    def __init__(self) -> None:
        self.items: list[dict] = []  # {"id", "type", "open", "parts": {content_index: [open, deltas, done]}, ...}

    def item(self, number: int, data: dict) -> dict:
        index, item_id = data.get("output_index"), data.get("item_id")
        if not isinstance(index, int) or not 0 <= index < len(self.items):
            raise _Broken(f"event {number} ({data.get('type')}) names output_index {index!r}, which no "
                          "output_item.added opened")
        item = self.items[index]
        if not item["open"]:
            raise _Broken(f"event {number} ({data.get('type')}) comes after output item {index}'s output_item.done")
        if item_id != item["id"]:
            raise _Broken(f"event {number} ({data.get('type')}) has item_id {item_id!r}, but output item {index}'s id "
                          f"is {item['id']!r}")
        return item

    def feed(self, number: int, data: dict) -> None:
        kind = data.get("type")
        if kind == "response.output_item.added":
            added = data.get("item") if isinstance(data.get("item"), dict) else {}
            if data.get("output_index") != len(self.items):
                raise _Broken(f"event {number}: output_item.added has output_index {data.get('output_index')!r}, but "
                              f"its position is {len(self.items)}")
            if not isinstance(added.get("id"), str) or not added["id"]:
                raise _Broken(f"event {number}: the added item has no id: {json.dumps(added)[:120]}")
            self.items.append({"id": added["id"], "type": added.get("type"), "open": True, "parts": {},
                               "arguments": [], "arguments_done": None})
        elif kind == "response.output_item.done":
            done = data.get("item") if isinstance(data.get("item"), dict) else {}
            item = self.item(number, dict(data, item_id=done.get("id")))
            still = [i for i, part in item["parts"].items() if part["open"]]
            if still:
                raise _Broken(f"event {number}: output_item.done while content part {still[0]} is still open")
            item["open"] = False
        elif kind in ("response.content_part.added", "response.content_part.done", "response.output_text.delta",
                      "response.output_text.done"):
            self._part(number, kind, data, self.item(number, data))
        elif kind in ("response.function_call_arguments.delta", "response.function_call_arguments.done"):
            item = self.item(number, data)
            if kind.endswith("delta"):
                item["arguments"].append(data.get("delta") if isinstance(data.get("delta"), str) else "")
            else:
                item["arguments_done"] = data.get("arguments")
        elif kind in TERMINAL:
            still = [i for i, item in enumerate(self.items) if item["open"]]
            if still:
                raise _Broken(f"event {number}: {kind} while output item {still[0]} is still open (no output_item.done)")

    @staticmethod
    def _part(number: int, kind: str, data: dict, item: dict) -> None:
        index = data.get("content_index")
        part = item["parts"].get(index)
        if kind == "response.content_part.added":
            if index != len(item["parts"]):
                raise _Broken(f"event {number}: content_part.added has content_index {index!r}, but its position "
                              f"is {len(item['parts'])}")
            item["parts"][index] = {"open": True, "deltas": [], "done": None}
            return
        if part is None or not part["open"]:
            raise _Broken(f"event {number} ({kind}) for content part {index!r} of item {item['id']!r}, which is not "
                          "an open part (no content_part.added before it)")
        if kind == "response.output_text.delta":
            part["deltas"].append(data.get("delta") if isinstance(data.get("delta"), str) else "")
        elif kind == "response.output_text.done":
            part["done"] = data.get("text")
        else:
            part["open"] = False


class _Broken(Exception):
    pass


def _walk(ex: Exchange) -> tuple[_Items, str | None]:
    items = _Items()
    try:
        for number, _, data in _events(ex):
            items.feed(number, data)
    except _Broken as exc:
        return items, str(exc)
    return items, None


def responses_items(ex: Exchange, case: Case) -> str | None:
    items, problem = _walk(ex)
    if problem:
        return problem
    return None if items.items else "no output_item.added came"


def _terminals(ex: Exchange) -> list[tuple[int, dict]]:
    return [(n, d) for n, _, d in _events(ex) if d.get("type") in TERMINAL]


def responses_terminal(ex: Exchange, case: Case) -> str | None:
    events = _events(ex)
    terminals = _terminals(ex)
    if not terminals:
        return f"no terminal event ({', '.join(TERMINAL)}): the stream ended after {len(ex.events or [])} events ({ex.ended})"
    if len(terminals) > 1:
        named = ", ".join(f"{d.get('type')} (event {n})" for n, d in terminals[:3])
        return f"{len(terminals)} terminal events: {named}"
    number, data = terminals[0]
    if events[-1][0] != number:
        after = [d.get("type") for n, _, d in events if n > number]
        return f"after {data.get('type')} (event {number}) came {', '.join(map(str, after[:3]))}"
    return None if isinstance(data.get("response"), dict) else f"{data.get('type')} carries no response object"


def responses_text(ex: Exchange, case: Case) -> str | None:
    """Each text part's deltas add up to its output_text.done text; the done texts to the final response's text."""
    items, problem = _walk(ex)
    if problem:
        raise Inconclusive(f"the item events are out of order ({problem}): the item-events case reports that")
    done_texts = []
    for item in items.items:
        for index, part in sorted(item["parts"].items()):
            streamed = "".join(part["deltas"])
            if part["done"] is None:
                return f"item {item['id']!r} part {index}: no output_text.done"
            if part["done"] != streamed:
                return (f"item {item['id']!r} part {index}: the deltas add up to {streamed[:80]!r}, but output_text.done "
                        f"says {str(part['done'])[:80]!r}")
            done_texts.append(part["done"])
    if not done_texts:
        return "no output_text part came"
    terminals = _terminals(ex)
    if len(terminals) != 1 or not isinstance(terminals[0][1].get("response"), dict):
        raise Inconclusive("no single terminal event with a response: the terminal-event case reports that")
    final = output_text(terminals[0][1]["response"].get("output") or [])
    streamed = "".join(done_texts)
    if final != streamed:
        return f"the stream's text is {streamed[:80]!r}, but the final response's output text is {str(final)[:80]!r}"
    return None


def responses_arguments(ex: Exchange, case: Case) -> str | None:
    """A streamed function call: its argument deltas add up to function_call_arguments.done's, and those to the
    final response's function_call item."""
    items, problem = _walk(ex)
    if problem:
        raise Inconclusive(f"the item events are out of order ({problem}): the item-events case reports that")
    calls = [item for item in items.items if item["type"] == "function_call"]
    if not calls:  # the forced call's own case (args["root"]) reports a tool_choice that is ignored altogether
        raise Unobserved(case.args.get("root"), f"no function_call item came: {brief(ex)}")
    call = calls[0]
    if call["arguments_done"] is None:
        return f"item {call['id']!r}: no function_call_arguments.done"
    streamed = "".join(call["arguments"])
    if call["arguments_done"] != streamed:
        return (f"item {call['id']!r}: the argument deltas add up to {streamed[:80]!r}, but function_call_arguments.done "
                f"says {str(call['arguments_done'])[:80]!r}")
    terminals = _terminals(ex)
    if len(terminals) != 1 or not isinstance(terminals[0][1].get("response"), dict):
        raise Inconclusive("no single terminal event with a response: the terminal-event case reports that")
    final = [i for i in terminals[0][1]["response"].get("output") or [] if isinstance(i, dict) and i.get("id") == call["id"]]
    if not final or final[0].get("arguments") != streamed:
        found = final[0].get("arguments") if final else "no such item"
        return f"the streamed arguments are {streamed[:80]!r}, but the final response's item {call['id']!r} has {str(found)[:80]!r}"
    return None


def responses_non_stream_json(ex: Exchange, case: Case) -> str | None:
    data, problem = plain_answer(ex)
    if problem:
        return problem
    # a response object by its object or its output (each field's own case judges its value)
    is_response = isinstance(data, dict) and (data.get("object") == "response" or isinstance(data.get("output"), list))
    return None if is_response else f"not a response object: {brief(ex)}"


def stream_error(events: list[tuple[int, dict]]) -> str | None:
    """An `error` event or response.failed; an error followed by response.completed is named as such (a failure
    reported as a clean finish)."""
    failed = [(n, d) for n, d in events if d.get("type") in ("error", "response.failed")]
    if not failed:
        return None
    number, data = failed[0]
    after = [d.get("type") for n, d in events if n > number and d.get("type") in TERMINAL]
    clean = " (then response.completed: a failed response reported as complete)" if "response.completed" in after else ""
    return reported_error(number, data) + clean


CHECKS = {f.__name__: f for f in (stream_content_type, stream_framing, stream_terminator, stream_nothing_after,
                                   responses_event_names, responses_sequence_numbers, responses_sequence_order,
                                   responses_lifecycle, responses_items, responses_terminal, responses_text,
                                   responses_arguments, responses_non_stream_json)}


def _fault(name: str, description: str) -> StreamFault:
    return StreamFault(f"stream.{name}", f"responses-{name}", description)


RULES = (
    *sse_rules("one JSON response", "`event:` and `data:` fields", "`event:` and `data:` fields"),
    *terminator_rules(),
    StreamRule("event_names", "event-names", "every event's SSE name is its data's type",
               "`event: X` where the data's type is X", "responses_event_names",
               faults=(_fault("no-event-names", "events come without `event:` lines"),)),
    StreamRule("sequence_number", "sequence-number", "every event carries an integer sequence_number",
               "sequence_number on every event", "responses_sequence_numbers",
               faults=(_fault("no-sequence-number", "the text deltas carry no sequence_number"),)),
    StreamRule("sequence_order", "sequence-order", "sequence_number increases from event to event",
               "each event's sequence_number above the one before", "responses_sequence_order",
               faults=(_fault("sequence-repeats", "every event carries sequence_number 0"),)),
    StreamRule("lifecycle", "lifecycle", "response.created comes first, then response.in_progress, each once, "
               "before any output", "response.created, response.in_progress, then the output items", "responses_lifecycle",
               faults=(_fault("no-created", "the stream starts without response.created"),
                       _fault("in-progress-late", "response.in_progress comes after the first output item"))),
    StreamRule("item_events", "item-events", "each output item is added, gets its parts and deltas under its own "
               "item_id, and is done before the terminal event",
               "output_item.added, content_part.added, output_text.delta*, output_text.done, content_part.done, "
               "output_item.done (item_id and indexes consistent)", "responses_items",
               faults=(_fault("no-content-part", "the text deltas come without content_part.added"),
                       _fault("no-item-id", "the text deltas carry no item_id"),
                       _fault("no-item-done", "output_item.done never comes"))),
    StreamRule("terminal_event", "terminal-event", "exactly one terminal event (completed, incomplete or failed) "
               "ends the stream", "one response.completed / incomplete / failed, the last event", "responses_terminal",
               faults=(_fault("no-terminal", "the stream ends without response.completed"),
                       _fault("two-terminals", "response.completed is sent twice"))),
    StreamRule("text_assembles", "text-assembles", "the text deltas add up to output_text.done, and that to the "
               "final response's text", "deltas = done text = the completed response's output text", "responses_text",
               faults=(_fault("done-text-differs", "output_text.done carries another text than the deltas"),
                       _fault("final-text-differs", "the completed response's output text is empty"))),
    StreamRule("arguments_assemble", "arguments-assemble", "a streamed function call's argument deltas add up to "
               "function_call_arguments.done and the final item's arguments",
               "argument deltas = function_call_arguments.done = the final function_call item's arguments",
               "responses_arguments", tools=True,
               faults=(_fault("no-arguments-done", "function_call_arguments.done never comes"),)),
    StreamRule("non_stream_json", "stream-false-json", "stream:false is answered with one JSON response, not SSE",
               "an application/json response object", "responses_non_stream_json", plain=True,
               faults=(StreamFault("stream.false-gives-sse", "stream-false-gives-sse", "an explicit stream: false is answered as SSE"),)),
)
