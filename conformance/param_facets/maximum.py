"""maximum: the largest value accepted (inclusive); just above it and far above it are rejected."""

from __future__ import annotations

from . import ParamFacet, _bounds

FACET = ParamFacet(
    name="maximum", spec={"type": "number"}, text=lambda value: f"≤ {value}",
    cases=lambda b, param, rule: _bounds.cases(b, param, rule, "maximum"),
    validate=lambda param, value, fault_of: _bounds.validate(param, value, fault_of, "maximum"),
    faults=lambda profile, param, value: _bounds.faults(profile, param, value, "maximum"),
    kinds=_bounds.kinds("maximum"),
)
