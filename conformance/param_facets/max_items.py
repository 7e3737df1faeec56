"""max_items: a list parameter takes at most so many items (stop: 4 sequences)."""

from __future__ import annotations

from . import ACCEPTED, REJECTED, ParamFacet, fault, list_of


def cases(b, param, rule) -> list:
    n = rule.value
    return [
        b.case("ranges", param.name, "at-max-items", rule, title=f"{param.name} with {n} items (the documented limit) is accepted",
               expected=ACCEPTED, request=b.post(b.param_body(param, list_of(param, n))), check="accepted",
               parameter=param.name),
        b.case("ranges", param.name, "above-max-items", rule, title=f"{param.name} with {n + 1} items (over the limit of {n}) is rejected",
               expected=REJECTED, request=b.post(b.param_body(param, list_of(param, n + 1))), check="rejected",
               parameter=param.name),
    ]


def validate(param, value, fault_of) -> str | None:
    high = param.get("max_items")
    if not isinstance(value, list) or fault_of("max-items-ignored"):
        return None
    if len(value) > high or (fault_of("max-items-exclusive") and len(value) == high):
        return f"takes at most {high} items"
    return None


FACET = ParamFacet(
    name="max_items", spec={"type": "integer", "minimum": 1}, text=lambda value: f"≤ {value} items",
    cases=cases, validate=validate, kinds=("max-items-ignored", "max-items-exclusive"),
    faults=lambda profile, param, value: [
        fault(param, "max-items-ignored", "max-items-ignored", f"{param.name} with more than {value} items is accepted"),
        fault(param, "max-items-exclusive", "max-items-exclusive", f"{param.name} with exactly {value} items is rejected"),
    ],
)
