"""Messages stream rules: the event grammar of Anthropic's streaming Messages API.

message_start (its message's content empty), then per content block content_block_start,
content_block_delta+ of the block's own kind, content_block_stop, each block's index its position;
message_delta with the stop_reason; message_stop last. `ping` may come anywhere; every event's SSE
name is its data's `type`. Each rule names the reference gateway's faults that break it (RULES)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...answers import NotAccepted, brief, stream_events
from .. import StreamFault, StreamRule
from ..sse_rules import plain_answer, reported_error, sse_rules, stream_content_type, stream_framing

if TYPE_CHECKING:
    from ...case import Case
    from ...exchange import Exchange

DELTA_OF = {"text": "text_delta", "tool_use": "input_json_delta", "thinking": ("thinking_delta", "signature_delta")}


def _events(ex: Exchange) -> list[tuple[int, str, Any]]:
    """(event number, SSE event name, parsed data) of every event; NotAccepted on data that is not JSON."""
    out = []
    for number, event in enumerate(stream_events(ex), start=1):
        try:
            out.append((number, event.event, json.loads(event.data)))
        except ValueError:
            raise NotAccepted(f"event {number} is not JSON: {event.data[:120]!r}") from None
    return out


def _typed(ex: Exchange) -> list[tuple[int, str]]:
    """(event number, data type) of every event but pings."""
    return [(n, d.get("type")) for n, _, d in _events(ex) if isinstance(d, dict) and d.get("type") != "ping"]


def messages_event_names(ex: Exchange, case: Case) -> str | None:
    for number, name, data in _events(ex):
        kind = data.get("type") if isinstance(data, dict) else None
        if name != kind:
            return f"event {number} is named {name!r} but its data's type is {kind!r}"
    return None


def messages_start_first(ex: Exchange, case: Case) -> str | None:
    events = _events(ex)
    typed = [(n, d) for n, _, d in events if isinstance(d, dict) and d.get("type") != "ping"]
    if not typed or typed[0][1].get("type") != "message_start":
        first = typed[0][1].get("type") if typed else None
        return f"the first event (but pings) is {first!r}, not message_start"
    starts = [n for n, d in typed if d.get("type") == "message_start"]
    if len(starts) > 1:
        return f"message_start comes {len(starts)} times (events {starts[:4]})"
    message = typed[0][1].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return None if content == [] else f"message_start's message.content is {json.dumps(content)[:80]}, not []"


def messages_blocks(ex: Exchange, case: Case) -> str | None:
    """Each block: started at the next index, deltas of its own kind while open, then stopped."""
    open_blocks: dict[int, str] = {}
    started = 0
    for number, _, data in _events(ex):
        kind = data.get("type") if isinstance(data, dict) else None
        index = data.get("index") if isinstance(data, dict) else None
        if kind == "content_block_start":
            block = data.get("content_block") if isinstance(data.get("content_block"), dict) else {}
            if index != started:
                return f"event {number}: content_block_start has index {index!r}, but its position is {started}"
            open_blocks[index], started = str(block.get("type")), started + 1
        elif kind == "content_block_delta":
            if index not in open_blocks:
                return f"event {number}: a content_block_delta for index {index!r}, which is not an open block"
            delta = data.get("delta") if isinstance(data.get("delta"), dict) else {}
            allowed = DELTA_OF.get(open_blocks[index])
            allowed = (allowed,) if isinstance(allowed, str) else allowed or ()
            if allowed and delta.get("type") not in allowed:
                return (f"event {number}: a {delta.get('type')!r} delta inside the {open_blocks[index]!r} block "
                        f"{index} (expected {' or '.join(allowed)})")
        elif kind == "content_block_stop":
            if index not in open_blocks:
                return f"event {number}: content_block_stop for index {index!r}, which is not an open block"
            del open_blocks[index]
        elif kind in ("message_delta", "message_stop") and open_blocks:
            return f"event {number}: {kind} while block {min(open_blocks)} is still open (no content_block_stop)"
    return None if started else "no content block came"


def messages_stop_reason(ex: Exchange, case: Case) -> str | None:
    reasons = [d.get("delta", {}).get("stop_reason") for _, _, d in _events(ex)
               if isinstance(d, dict) and d.get("type") == "message_delta" and isinstance(d.get("delta"), dict)]
    if not reasons:
        return "no message_delta came"
    return None if any(reasons) else f"no message_delta carries a stop_reason: {reasons[:3]!r}"


def messages_stop_last(ex: Exchange, case: Case) -> str | None:
    typed = _typed(ex)
    stops = [n for n, kind in typed if kind == "message_stop"]
    if not stops:
        return f"no message_stop: the stream ended after {len(ex.events or [])} events ({ex.ended})"
    if len(stops) > 1 or typed[-1][1] != "message_stop":
        after = [kind for n, kind in typed if n > stops[0]]
        return f"after message_stop (event {stops[0]}) came {', '.join(map(str, after[:3]))}"
    return None


def messages_non_stream_json(ex: Exchange, case: Case) -> str | None:
    data, problem = plain_answer(ex)
    if problem:
        return problem
    return None if isinstance(data, dict) and data.get("type") == "message" else f"not a message: {brief(ex)}"


def stream_error(events: list[tuple[int, dict]]) -> str | None:
    """An `error` event ("we may occasionally send errors in the event stream")."""
    return next((reported_error(n, d) for n, d in events if d.get("type") == "error"), None)


CHECKS = {f.__name__: f for f in (stream_content_type, stream_framing, messages_event_names, messages_start_first,
                                   messages_blocks, messages_stop_reason, messages_stop_last, messages_non_stream_json)}


RULES = (
    *sse_rules("one JSON message", "fields", "`event:` and `data:` fields"),
    StreamRule("event_names", "event-names", "every event's SSE name is its data's type",
               "`event: X` where the data's type is X", "messages_event_names",
               faults=(StreamFault("stream.no-event-names", "messages-no-event-names", "events come without `event:` lines"),)),
    StreamRule("message_start_first", "message-start-first", "message_start comes first, once, with empty content",
               "one message_start before anything else (pings aside), its content []", "messages_start_first",
               faults=(StreamFault("stream.duplicate-message-start", "messages-duplicate-start",
                          "message_start is sent twice (a translated stream's bug)"),)),
    StreamRule("block_order", "block-order", "each content block starts at its position, gets its own kind of "
               "deltas, and stops", "content_block_start (index = position), deltas of its kind, content_block_stop",
               "messages_blocks", faults=(
                   StreamFault("stream.block-index-minus-one", "messages-block-index-minus-one",
                      "the content block's events carry index -1"),
                   StreamFault("stream.thinking-delta-in-text", "messages-thinking-delta-in-text",
                      "a thinking_delta is sent inside the text block"))),
    StreamRule("stop_reason_delta", "stop-reason", "a message_delta carries the stop_reason",
               "message_delta with a non-null delta.stop_reason", "messages_stop_reason",
               faults=(StreamFault("stream.no-stop-reason", "messages-no-stop-reason", "message_delta's stop_reason is null"),)),
    StreamRule("message_stop_last", "message-stop-last", "message_stop ends the stream; nothing follows it",
               "one message_stop, the last event", "messages_stop_last", faults=(
                   StreamFault("stream.no-message-stop", "messages-no-message-stop", "the stream ends without message_stop"),
                   StreamFault("stream.event-after-stop", "messages-event-after-stop",
                      "one more content_block_delta follows message_stop"))),
    StreamRule("non_stream_json", "stream-false-json", "stream:false is answered with one JSON message, not SSE",
               "an application/json message", "messages_non_stream_json", plain=True,
               faults=(StreamFault("stream.false-gives-sse", "stream-false-gives-sse", "an explicit stream: false is answered as SSE"),)),
)
