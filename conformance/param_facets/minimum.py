"""minimum: the smallest value accepted (inclusive); just below it and far below it are rejected."""

from __future__ import annotations

from . import ParamFacet, _bounds


def cases(b, param, rule) -> list:
    return _bounds.cases(b, param, rule, "minimum")


def validate(param, value, fault_of) -> str | None:
    return _bounds.validate(param, value, fault_of, "minimum")


def faults(profile, param, value) -> list:
    return _bounds.faults(profile, param, value, "minimum")


FACET = ParamFacet(
    name="minimum", spec={"type": "number"}, text=lambda value: f"≥ {value}", cases=cases, validate=validate,
    faults=faults, kinds=_bounds.kinds("minimum"),
)
