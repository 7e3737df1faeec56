"""Checks: pure functions from (exchange, case) to a verdict. Registered by name so cases stay data.

A check returns None when the answer meets the requirement, or a one-line
description of what came back instead. It raises Inconclusive when the answer
cannot show either (e.g. no usage to count), which skips the case with a reason.
"""

from __future__ import annotations

from typing import Callable

from ..case import Case
from ..engine import Exchange
from .common import Inconclusive, NotAccepted
from . import behaviour, shape, status, stream

Check = Callable[[Exchange, Case], "str | None"]

CHECKS: dict[str, Check] = {}
for _module in (status, shape, stream, behaviour):
    CHECKS.update(_module.CHECKS)

__all__ = ["CHECKS", "Inconclusive", "evaluate"]


def evaluate(exchange: Exchange, case: Case) -> str | None:
    """None when met; otherwise what came back. Raises Inconclusive."""
    try:
        return CHECKS[case.check](exchange, case)
    except NotAccepted as exc:
        return str(exc)
