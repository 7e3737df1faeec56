"""Stream rules every SSE surface shares: the content type, and well-formed events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..answers import brief, stream_events
from . import StreamFault, StreamRule

if TYPE_CHECKING:
    from ..case import Case
    from ..exchange import Exchange


def stream_content_type(ex: Exchange, case: Case) -> str | None:
    if not 200 <= ex.status < 300:
        return f"not accepted: {brief(ex)}"
    return None if ex.is_sse else f"Content-Type is {ex.content_type or 'missing'!r}"


def stream_framing(ex: Exchange, case: Case) -> str | None:
    stream_events(ex)  # no events at all is not framing: it says so (NotAccepted)
    return "; ".join(ex.anomalies[:3]) or None


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
                   f"{expected_fields}, each event closed by a blank line", "stream_framing", valued=True),
    )
