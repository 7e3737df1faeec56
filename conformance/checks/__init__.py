"""Checks: pure functions from (exchange, case) to a verdict. Registered by name so cases stay data.

A check returns None when the answer meets the requirement, or a one-line
description of what came back instead. It raises Inconclusive when the answer
cannot show either (e.g. no usage to count): the case is then inconclusive, never passed.
A check that reads the case's evidence (controls) is marked with `@reads_evidence`
and gets it as a third argument. A behaviour module's derivers build a probe from a control's answer.
"""

from __future__ import annotations

from typing import Callable

from ..case import Case
from ..exchange import Exchange
from ..request import Request
from .common import Inconclusive, NotAccepted
from . import shape, status, token_caps
from .. import behaviours, surfaces

Check = Callable[..., "str | None"]

CHECKS: dict[str, Check] = {}
for _module in (status, shape, token_caps):
    CHECKS.update(_module.CHECKS)
CHECKS.update(surfaces.checks())  # each surface's stream checks (conformance/surfaces/*/stream_rules.py)

__all__ = ["CHECKS", "Inconclusive", "check_named", "derive", "evaluate"]


def check_named(name: str) -> Check:
    """A check by name: the core ones above, or one a behaviour module owns (conformance/behaviours/)."""
    return CHECKS.get(name) or behaviours.checks()[name]


def evaluate(exchange: Exchange, case: Case, evidence: dict[str, Exchange] | None = None) -> str | None:
    """None when met; otherwise what came back. Raises Inconclusive."""
    check = check_named(case.check)
    try:
        if getattr(check, "reads_evidence", False):
            return check(exchange, case, evidence or {})
        return check(exchange, case)
    except NotAccepted as exc:
        return str(exc)


def derive(case: Case, control: Exchange, evidence: dict[str, Exchange]) -> Request:
    """The probe request of a derived case, from its control's answer. Raises Inconclusive."""
    return behaviours.derivers()[case.derive](case, control, evidence)
