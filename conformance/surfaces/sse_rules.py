"""Stream rules every SSE surface shares: the content type, and well-formed events."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..answers import Inconclusive, brief, stream_events
from . import StreamFault, StreamRule, surface_named

if TYPE_CHECKING:
    from ..case import Case
    from ..exchange import Exchange


ENDINGS = {
    "idle-timeout": "the stream went silent and never ended (idle deadline)",
    "total-timeout": "the stream did not end within the total deadline",
    "body-limit": "the stream exceeded the body size limit",
}


def stream_content_type(ex: Exchange, case: Case) -> str | None:
    if not 200 <= ex.status < 300:
        return f"not accepted: {brief(ex)}"
    return None if ex.is_sse else f"Content-Type is {ex.content_type or 'missing'!r}"


def stream_framing(ex: Exchange, case: Case) -> str | None:
    """Well-formed events, and no error reported inside the 200 stream: an error event is the stream root's
    failure (the request was not served), so every case reading the stream is blocked by it, not failed."""
    events = stream_events(ex)  # no events at all is not framing: it says so (NotAccepted)
    problem = "; ".join(ex.anomalies[:3])
    if problem:
        return problem
    reported = surface_named(ex.request.surface).stream_error
    return reported(data_events(events)) if reported is not None else None


def data_events(events: list) -> list[tuple[int, dict]]:
    """(event number, data) of every event whose data is a JSON object (the others are framing's concern)."""
    out = []
    for number, event in enumerate(events, start=1):
        try:
            data = json.loads(event.data)
        except ValueError:
            continue
        if isinstance(data, dict):
            out.append((number, data))
    return out


def reported_error(number: int, data: dict) -> str:
    return f"the stream reported an error (event {number}): {json.dumps(data, ensure_ascii=False)[:200]}"


def plain_answer(ex: Exchange) -> tuple[object, str | None]:
    """(the JSON body, None) of a stream:false answer, or (None, why it is no plain JSON answer)."""
    if not 200 <= ex.status < 300:
        return None, f"not accepted: {brief(ex)}"
    if ex.is_sse or ex.events:
        return None, f"an event stream came back: {brief(ex)}"
    try:
        return ex.json(), None
    except ValueError:
        return None, f"not JSON: {brief(ex)}"


def sse_rules(answer: str, fields: str, expected_fields: str, *more: StreamFault) -> tuple[StreamRule, StreamRule]:
    """The content-type and framing rules of a surface whose stream:true answer is `answer` as one JSON body
    when a gateway gets it wrong; `more` are the surface's own faults of the content type."""
    return (
        StreamRule("content_type", "content-type", "stream:true is answered as Server-Sent Events",
                   "Content-Type text/event-stream", "stream_content_type", valued=True, faults=(
                       StreamFault("stream.json-content-type", "stream-json-content-type",
                                   "SSE bytes are sent as application/json"),
                       StreamFault("stream.plain-json", "stream-plain-json", f"stream: true is answered with {answer}"),
                       *more)),
        StreamRule("content_type", "framing", f"every event is well-formed SSE ({fields}, a blank line after each event)",
                   f"{expected_fields}, each event closed by a blank line, no error reported mid-stream", "stream_framing",
                   valued=True, faults=(StreamFault("stream.error-event", "stream-error-event",
                                                    "a valid request's 200 stream reports an error mid-stream"),)),
    )


def _terminator_index(ex: Exchange, terminator: str) -> int | None:
    for i, event in enumerate(stream_events(ex)):
        if event.data.strip() == terminator:
            return i
    return None


def stream_terminator(ex: Exchange, case: Case) -> str | None:
    term = case.args["terminator"]
    index = _terminator_index(ex, term)
    if index is None:
        ending = ENDINGS.get(ex.ended, "the stream ended")
        last = ex.events[-1].data[:100] if ex.events else ""
        return f"no `data: {term}`: {ending} after {len(ex.events or [])} events (last: {last!r})"
    return None


def stream_nothing_after(ex: Exchange, case: Case) -> str | None:
    index = _terminator_index(ex, case.args["terminator"])
    if index is None:
        raise Inconclusive("the stream has no terminator; its absence is the terminator case's finding")
    extra = ex.events[index + 1:]
    if extra:
        return f"{len(extra)} event(s) after the terminator, first: {extra[0].data[:120]!r}"
    if ex.ended in ENDINGS:
        return ENDINGS[ex.ended] + " after the terminator"
    return None


def terminator_rules() -> tuple[StreamRule, StreamRule]:
    """The rules of a terminator line (`data: [DONE]`) where a profile documents one: it comes, nothing after it."""
    return (
        StreamRule("terminator", "terminator", "the stream ends with `data: {terminator}`",
                   "a final `data: {terminator}` event, then the end", "stream_terminator", valued=True, needs_value=True,
                   faults=(StreamFault("stream.no-terminator", "stream-no-terminator", "the stream closes without data: [DONE]"),
                           StreamFault("stream.after-terminator", "stream-after-terminator", "one more data chunk follows data: [DONE]"),
                           StreamFault("stream.never-ends", "stream-never-ends", "after the last chunk the stream stays open, "
                              "silent, without [DONE] (for up to 10 minutes)"))),
        StreamRule("terminator", "nothing-after-terminator", "nothing follows `data: {terminator}`",
                   "no event after `data: {terminator}`", "stream_nothing_after", valued=True, needs_value=True),
    )
