"""The upstream-fault checks: how the gateway relayed a fault the recording upstream served on purpose (faults.py).

Evidence before verdict: a case is judged only when the upstream's record shows its fault was served for the
case's request; a request that never reached the upstream, or reached it without its fault directive, says
nothing of how the gateway relays faults (inconclusive). Each check reads what finally came back to the client,
after routecheck's own retries (every attempt was served the fault).
"""

from __future__ import annotations

import json
from typing import Any

from ..answers import Inconclusive, brief
from ..case import Case
from ..checks import CHECKS
from ..exchange import Exchange
from .faults import FAULTS, Fault

COMPLETED = ("stop", "length", "tool_calls", "function_call")  # finish reasons of an answer that ended as it should


def _served(ex: Exchange, case: Case) -> Fault:
    fault = FAULTS[case.args["fault"]]
    if ex.upstream is None:
        raise Inconclusive("no upstream view of this request (the recording upstream runs with --upstream)")
    if not ex.upstream:
        raise Inconclusive(f"it never reached the upstream ({brief(ex, 120)}): no fault was served, none relayed")
    if not any(r.get("fault") == fault.name for r in ex.upstream):
        raise Inconclusive(f"the upstream received it {len(ex.upstream)} time(s), never with its fault directive "
                           f"{fault.directive} (the gateway rewrote the message): no fault was served")
    return fault


def _served_as(fault: Fault, ex: Exchange) -> str:
    times = sum(1 for r in ex.upstream or () if r.get("fault") == fault.name)
    tries = f", after {ex.attempts} attempts by routecheck" if ex.attempts > 1 else ""
    return f"the upstream answered {fault.status} ({fault.error['type']}) {times} time(s){tries}"


def _relayed_status(fault: Fault, ex: Exchange, wanted: range, name: str) -> str | None:
    if ex.status is None:
        return f"{_served_as(fault, ex)}; the client got no answer"
    if 200 <= ex.status < 300:
        return f"{_served_as(fault, ex)}; turned into a success: the client got {brief(ex, 160)}"
    if ex.status not in wanted:
        return f"{_served_as(fault, ex)}; rewritten into a {ex.status}, not {name}: {brief(ex, 160)}"
    return None


def relays_client_error(ex: Exchange, case: Case) -> str | None:
    """The provider's 4xx stays a 4xx, carrying the provider's message."""
    fault = _served(ex, case)
    missing = fault.message not in ex.text() and f"lacks the provider's message {fault.message!r}: {brief(ex, 160)}"
    return _relayed_status(fault, ex, range(400, 500), "a 4xx") or _lacking(fault, ex, missing)


def relays_rate_limit(ex: Exchange, case: Case) -> str | None:
    """The provider's 429 stays a 429 with its Retry-After, so the client backs off."""
    fault = _served(ex, case)
    missing = "retry-after" not in ex.headers and "carries no Retry-After (the upstream sent one)"
    return _relayed_status(fault, ex, range(429, 430), "a 429") or _lacking(fault, ex, missing)


def _lacking(fault: Fault, ex: Exchange, missing: str | bool) -> str | None:
    return f"{_served_as(fault, ex)}; the client's {ex.status} {missing}" if missing else None


def relays_server_error(ex: Exchange, case: Case) -> str | None:
    """The provider's 5xx stays a 5xx: never a success, never the client's fault."""
    fault = _served(ex, case)
    return _relayed_status(fault, ex, range(500, 600), "a 5xx")


def _stream_ending(ex: Exchange) -> tuple[bool, list[str]]:
    """(whether the client saw an error, what in its stream says the answer completed)."""
    if ex.events is None:
        return False, []
    errored, completed = False, []
    for event in ex.events:
        data = event.data.strip()
        if event.event == "error":
            errored = True
        if data == (ex.request.terminator or "[DONE]"):
            completed.append(f"the terminator {data}")
            continue
        try:
            chunk: Any = json.loads(data)
        except ValueError:
            continue
        if not isinstance(chunk, dict):
            continue
        errored = errored or "error" in chunk
        for choice in chunk.get("choices") or ():
            reason = choice.get("finish_reason") if isinstance(choice, dict) else None
            if reason in COMPLETED:
                completed.append(f"finish_reason {reason!r}")
    return errored, completed


def _stream_verdict(ex: Exchange, case: Case, what: str) -> str | None:
    fault = _served(ex, case)
    if ex.status is None:
        raise Inconclusive(f"the client got no answer ({ex.error or ex.dropped or 'none'})")
    if not 200 <= ex.status < 300:
        return None  # refused outright: the client is told the answer failed
    errored, completed = _stream_ending(ex)
    if errored or not completed:
        return None  # the error relayed, or the stream left unfinished: the client can tell
    broke = "ended it, with no [DONE]" if fault.stream == "cut" else \
        f"sent an error chunk ({fault.error['type']}), with no [DONE]"
    ending = ", ".join(dict.fromkeys(completed))
    return f"the upstream answered 200, streamed one chunk and {broke}; {what}: the client's stream has {ending} and no error"


def stream_error_relayed(ex: Exchange, case: Case) -> str | None:
    """An error in the middle of a 200 stream reaches the client; it never becomes a clean finish."""
    return _stream_verdict(ex, case, "the error was swallowed and the stream finished cleanly")


def stream_cut_not_completed(ex: Exchange, case: Case) -> str | None:
    """A stream the upstream cut is not completed with a finish or a terminator the upstream never sent."""
    return _stream_verdict(ex, case, "completed with what the upstream never sent")


FAULT_CHECKS = {f.__name__: f for f in (relays_client_error, relays_rate_limit, relays_server_error,
                                        stream_error_relayed, stream_cut_not_completed)}
CHECKS.update(FAULT_CHECKS)  # found by name like every check; only runs with --upstream import this module
