"""Status-code checks: rejected, accepted, never a 5xx, an exact status, the error body."""

from __future__ import annotations

import re

from ..case import Case
from ..engine import Exchange
from ..features import CAPABILITY_EVIDENCE
from .common import Inconclusive, brief, reads_evidence, surface_of

STRINGIFIED_NULLS = ("none", "null", "nil", "undefined", "")


def rejected(ex: Exchange, case: Case) -> str | None:
    if 400 <= ex.status < 500:
        return None
    if ex.status >= 500:
        return f"a server error, not a rejection: {brief(ex)}"
    return f"accepted: {brief(ex)}"


def accepted(ex: Exchange, case: Case) -> str | None:
    if not 200 <= ex.status < 300:
        return f"not accepted: {brief(ex)}"
    if case.request.stream:
        return None if ex.is_sse or ex.events else f"a stream was asked for and this came back: {brief(ex)}"
    try:
        data = ex.json()  # strict: NaN and Infinity are not JSON
    except ValueError:
        return f"the 2xx answer is not JSON: {brief(ex)}"
    return None if isinstance(data, dict) else f"the 2xx answer is not a JSON object: {brief(ex)}"


# how a refusal says the model, not the gateway, lacks this value
UNSUPPORTED = re.compile(r"not supported|unsupported|does not support|doesn't support|not available|only supports?\b", re.I)


def accepted_unless_unsupported(ex: Exchange, case: Case) -> str | None:
    """A documented value of a model-bound control: accepted, or refused because this model lacks it."""
    if ex.status is not None and 400 <= ex.status < 500 and UNSUPPORTED.search(ex.text()):
        raise Inconclusive(f"refused as unsupported by the model: {brief(ex)}")
    return accepted(ex, case)


@reads_evidence
def one_value_accepted(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    """At least one documented value of the parameter is taken (the case's own, or another's probe)."""
    probes = [ex] + [e for name, e in evidence.items() if name.startswith(CAPABILITY_EVIDENCE)]
    if any(probe.status is not None and accepted(probe, case) is None for probe in probes):
        return None
    if any(probe.status is None for probe in probes):  # a probe that got no answer cannot show a refusal
        raise Inconclusive("a documented value's probe got no answer: "
                           + "; ".join(p.error or p.dropped or "no answer" for p in probes if p.status is None)[:200])
    shown = "; ".join(f"{p.request.body.get(case.parameter)!r}: {brief(p, 80)}" for p in probes[:6])
    return f"no documented value of {case.parameter} was accepted: {shown}"


def not_server_error(ex: Exchange, case: Case) -> str | None:
    """Accepted or rejected: a 5xx is a server error, and a 3xx (a redirect) is no answer either."""
    if 200 <= ex.status < 300 or 400 <= ex.status < 500:
        return None
    return f"a server error: {brief(ex)}" if ex.status >= 500 else f"neither accepted nor rejected: {brief(ex)}"


def status_is(ex: Exchange, case: Case) -> str | None:
    return None if ex.status == case.args["status"] else brief(ex)


def error_body(ex: Exchange, case: Case) -> str | None:
    if ex.status < 400:
        raise Inconclusive(f"the request was not rejected ({ex.status}), so there is no error body to check")
    try:
        data = ex.json()
    except ValueError:
        return f"the error body is not JSON: {brief(ex)}"
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return f"no `error` object: {brief(ex)}"
    missing = [k for k in ("message", "type") if not isinstance(error.get(k), str)]
    if missing:
        return f"error.{' and error.'.join(missing)} not a string: {brief(ex)}"
    if not surface_of(ex).error_param:
        return None  # the surface's error object names no parameter (Messages)
    param = error.get("param")  # a parameter's name or null: a null printed as a string names no parameter
    if param is not None and not isinstance(param, str):
        return f"error.param is {type(param).__name__} {str(param)[:40]!r}, not a parameter name or null: {brief(ex)}"
    if isinstance(param, str) and param.strip().lower() in STRINGIFIED_NULLS:
        return f"error.param is the string {param!r}, a null printed as text, not a parameter name or null: {brief(ex)}"
    return None


CHECKS = {f.__name__: f for f in (rejected, accepted, accepted_unless_unsupported, one_value_accepted, not_server_error,
                                   status_is, error_body)}
