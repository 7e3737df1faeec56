"""Reading an exchange's answer, whatever the surface: its status, its JSON, its events.

The core below the surfaces and the checks: a surface's views and stream rules read answers with these,
and the checks re-export them (conformance/checks/common.py)."""

from __future__ import annotations

import json
from typing import Any

from .exchange import Exchange


class Inconclusive(Exception):
    """The answer can neither meet nor break the requirement (the case is skipped)."""


class Unobserved(Exception):
    """What the rule needs never came (a forced tool call, not streamed), and another case's rule requires it:
    this case is blocked by that case (`root`, a case ID) when it did not pass, and fails when it did."""

    def __init__(self, root: str | None, message: str) -> None:
        super().__init__(message)
        self.root = root


class NotAccepted(Exception):
    """A valid request that the check needs answered was not: the message says how."""


def brief(ex: Exchange, limit: int = 300) -> str:
    """Status and the start of the body, on one line."""
    text = " ".join(ex.body[:limit * 4].decode("utf-8", errors="replace").split())  # not all of a huge body
    if len(text) > limit or (text and len(ex.body) > limit * 4):
        text = text[:limit] + "..."
    ctype = ex.content_type.split(";")[0] or "no content-type"
    return f"{ex.status} ({ctype}) {text or '<empty body>'}"


def completion(ex: Exchange) -> dict:
    """The JSON object of a 2xx non-stream answer; raises NotAccepted otherwise."""
    if ex.status is None or not 200 <= ex.status < 300:
        raise NotAccepted(f"the request was not accepted: {brief(ex)}")
    try:
        data = ex.json()
    except ValueError:
        raise NotAccepted(f"the 2xx answer is not JSON: {brief(ex)}") from None
    if not isinstance(data, dict):
        raise NotAccepted(f"the 2xx answer is not a JSON object: {brief(ex)}")
    return data


def stream_events(ex: Exchange) -> list:
    if ex.status is None or not 200 <= ex.status < 300:
        raise NotAccepted(f"the stream request was not accepted: {brief(ex)}")
    if not ex.events:
        raise NotAccepted(f"no SSE events came back: {brief(ex)}")
    return ex.events


def is_terminator(data: str, terminator: str | None) -> bool:
    """The profile's documented end of a stream (conformance/request.py carries it with the request)."""
    return terminator is not None and data.strip() == terminator


def chunks(ex: Exchange) -> list[tuple[int, Any]]:
    """(event number, parsed JSON) for every data event but the terminator; NotAccepted on a non-JSON one."""
    out = []
    for i, event in enumerate(stream_events(ex), start=1):
        if is_terminator(event.data, ex.request.terminator):
            continue
        try:
            out.append((i, json.loads(event.data)))
        except ValueError:
            raise NotAccepted(f"event {i} is not JSON: {event.data[:120]!r}") from None
    if not out:
        raise NotAccepted("the stream carried no chunk before its end")
    return out


def usage_int(data: Any, name: str) -> int | None:
    usage = data.get("usage") if isinstance(data, dict) else None
    if not isinstance(usage, dict):
        return None
    value = usage.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
