"""min_items: a list parameter needs at least so many items (messages: at least one)."""

from __future__ import annotations

from . import ACCEPTED, REJECTED, ParamFacet, fault, list_of


def cases(b, param, rule) -> list:
    n = rule.value
    if n <= 0:
        return []  # nothing is below 0 items
    out = [b.case("ranges", param.name, "below-min-items", rule,
                  title=f"{param.name} with {n - 1} items (under the minimum of {n}) is rejected",
                  expected=REJECTED, request=b.post(b.param_body(param, list_of(param, n - 1))), check="rejected",
                  parameter=param.name)]
    if n > 1:  # one item is every base request's
        out.append(b.case("ranges", param.name, "at-min-items", rule, title=f"{param.name} with {n} items is accepted",
                          expected=ACCEPTED, request=b.post(b.param_body(param, list_of(param, n))), check="accepted",
                          parameter=param.name))
    return out


def validate(param, value, fault_of) -> str | None:
    low = param.get("min_items")
    if isinstance(value, list) and len(value) < low and not fault_of("min-items-ignored"):
        return f"needs at least {low} items"
    return None


FACET = ParamFacet(
    name="min_items", spec={"type": "integer", "minimum": 0}, text=lambda value: f"≥ {value} items",
    cases=cases, validate=validate, kinds=("min-items-ignored",),
    faults=lambda profile, param, value: [fault(param, "min-items-ignored", "min-items-ignored", f"{param.name} with fewer than {value} items is accepted")],
)
