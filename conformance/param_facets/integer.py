"""integer: a number parameter documented as an integer rejects a fraction (derived from `type: integer`)."""

from __future__ import annotations

from . import REJECTED, ParamFacet, fault
from ..jsontypes import is_integral, is_number  # strict JSON types: a bool is not a number; 1 == 1.0


def cases(b, param, rule) -> list:
    return [b.case("validation", param.name, "non-integer", rule, title=f"{param.name} 1.5 (not an integer) is rejected",
                   expected=REJECTED, request=b.post(b.param_body(param, 1.5)), check="rejected", parameter=param.name)]


def validate(param, value, fault_of) -> str | None:
    if param.get("integer") and is_number(value) and not is_integral(value) and not fault_of("integer-unchecked"):
        return "must be an integer"
    return None


FACET = ParamFacet(
    name="integer", spec=None, text=lambda value: "integer" if value else None,
    cases=cases, validate=validate, kinds=("integer-unchecked",),
    faults=lambda profile, param, value: [
        fault(param, "integer-unchecked", "integer-unchecked", f"a fractional {param.name} (1.5) is accepted")],
)
