"""Status-code checks: rejected, accepted, never a 5xx, an exact status, the error body."""

from __future__ import annotations

from ..case import Case
from ..engine import Exchange
from .common import Inconclusive, brief


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
    return f"error.{' and error.'.join(missing)} not a string: {brief(ex)}" if missing else None


CHECKS = {f.__name__: f for f in (rejected, accepted, not_server_error, status_is, error_body)}
