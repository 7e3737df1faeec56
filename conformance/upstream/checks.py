"""The forwarding checks: what the recording upstream received for a case's request, against what the client sent.

Evidence before verdict: a request that never reached the upstream fails only when the client got a 2xx (the
gateway answered it itself, or lost the marker); when the gateway refused it, the client-side cases judge that
refusal and these are inconclusive. Registered by name in the checks' table (conformance/checks/), as every check.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ..answers import Inconclusive, NotAccepted, brief
from ..case import Case
from ..checks import CHECKS
from ..exchange import Exchange

UPSTREAM_AUTH = "Bearer [upstream key]"  # what the recording upstream (OpenAI's contract) must receive


def _records(ex: Exchange) -> list[dict]:
    if ex.upstream is None:
        raise Inconclusive("no upstream view of this request (the recording upstream runs with --upstream)")
    return ex.upstream


def _accepted(ex: Exchange) -> bool:
    return ex.status is not None and 200 <= ex.status < 300


def _bodies(ex: Exchange) -> list[dict]:
    """The JSON bodies the upstream received for this request (several if the gateway retried)."""
    got = _records(ex)
    if not got:
        if _accepted(ex):
            raise NotAccepted(f"accepted ({brief(ex, 120)}), yet it never reached the upstream with its marker: "
                              "the gateway answered it itself, or rewrote the message that carried the marker")
        raise Inconclusive(f"the gateway refused it before the upstream ({brief(ex, 120)}): "
                           "its client-side cases judge that refusal")
    bodies = [r["body"] for r in got if isinstance(r.get("body"), dict)]
    if not bodies:
        raise NotAccepted(f"the upstream received no JSON object: {str(got[0].get('raw_body', got[0].get('body')))[:200]}")
    return bodies


def same(a: Any, b: Any) -> bool:
    """JSON equality: a boolean is no number, 1 and 1.0 are one number, objects compare by key."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def shown(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def changes(sent: dict, received: dict, keys: Iterable[str]) -> list[str]:
    """How each of `keys` of the client's body arrived: dropped, renamed, or changed (clamped, defaulted)."""
    found = []
    for key in keys:
        if key in received:
            if not same(sent[key], received[key]):
                found.append(f"{key} changed: sent {shown(sent[key])}, the upstream received {shown(received[key])}")
            continue
        renamed, unchanged = _renamed(key, sent, received)
        if renamed is None:
            found.append(f"{key} dropped: sent {shown(sent[key])}, the upstream received none")
        elif unchanged:
            found.append(f"{key} renamed to {renamed} ({shown(sent[key])})")
        else:
            found.append(f"{key} renamed to {renamed} and changed: sent {shown(sent[key])}, the upstream received "
                         f"{renamed}: {shown(received[renamed])}")
    return found


def _renamed(key: str, sent: dict, received: dict) -> tuple[str | None, bool]:
    """The field `key` arrived under instead, and whether its value is the one sent: a new field with that value, else
    the one new field of the same JSON kind whose name shares a word with it (max_completion_tokens, max_tokens)."""
    new = [k for k in received if k not in sent]
    exact = [k for k in new if same(received[k], sent[key])]
    if exact:
        return exact[0], True
    words = set(key.lower().split("_"))
    alike = [k for k in new if _kind(received[k]) == _kind(sent[key]) and words & set(k.lower().split("_"))]
    return (alike[0], False) if len(alike) == 1 else (None, False)


def _kind(value: Any) -> str:
    return "boolean" if isinstance(value, bool) else "number" if isinstance(value, (int, float)) else type(value).__name__


def forwarded_as_sent(ex: Exchange, case: Case) -> str | None:
    """`keys` of the client's body arrive unchanged: not dropped, renamed, clamped or defaulted."""
    for body in _bodies(ex):
        found = changes(case.request.body, body, case.args["keys"])
        if found:
            return "; ".join(found)
    return None


def not_added(ex: Exchange, case: Case) -> str | None:
    """A parameter the client did not send is not added on the way."""
    key = case.args["key"]
    for body in _bodies(ex):
        if key in body:
            return f"{key} added: the client sent none, the upstream received {key}: {shown(body[key])}"
    return None


def _refused(ex: Exchange) -> None:
    """Only a 4xx answer is the refusal these judge; anything else is the client-side case's failure."""
    if ex.status is None or not 400 <= ex.status < 500:
        raise Inconclusive(f"not refused ({brief(ex, 120)}): its client-side case judges that")


def refused_here(ex: Exchange, case: Case) -> str | None:
    """A request the document says is refused is refused by the gateway itself, never forwarded."""
    _refused(ex)
    got = _records(ex)
    if got:
        statuses = ", ".join(str(r.get("status")) for r in got)
        return (f"forwarded: the upstream received it and answered {statuses}, and the client's {ex.status} is that "
                "answer, not the gateway's own refusal")
    return None


def refused_not_rewritten(ex: Exchange, case: Case) -> str | None:
    """Whatever a gateway forwards of a request it should refuse carries the offending values as sent: a
    rewritten value (-1 to 0, a default put in) hides the request behind the upstream's answer."""
    got = _records(ex)
    if not got:
        if _accepted(ex):
            raise Inconclusive(f"accepted without reaching the upstream ({brief(ex, 120)}): its client-side case judges that")
        return None  # refused by the gateway itself: nothing was rewritten
    return forwarded_as_sent(ex, case)


def upstream_credential(ex: Exchange, case: Case) -> str | None:
    """The client's credential, in whichever documented header, reaches the upstream as the upstream's own auth:
    never an empty or `undefined` one, never another header the upstream does not read."""
    got = _records(ex)
    if not got:
        raise Inconclusive(f"it never reached the upstream ({brief(ex, 120)}): no credential to see")
    for record in got:
        credentials = record.get("credentials") or {}
        if credentials.get("authorization") != UPSTREAM_AUTH:
            arrived = ", ".join(f"{k}: {v}" for k, v in credentials.items()) or "no credential header"
            return f"the upstream received {arrived}; it reads Authorization: {UPSTREAM_AUTH}"
    return None


FORWARDING_CHECKS = {f.__name__: f for f in (forwarded_as_sent, not_added, refused_here, refused_not_rewritten,
                                             upstream_credential)}
CHECKS.update(FORWARDING_CHECKS)  # found by name like every check; only runs with --upstream import this module
