"""integer: a number parameter documented as an integer rejects a fraction (derived from `type: integer`)."""

from __future__ import annotations

from . import REJECTED, ParamFacet, fault
from ..jsontypes import is_integral, is_number  # strict JSON types: a bool is not a number; 1 == 1.0


def fraction(param) -> float:
    """1.5, or a fraction inside the documented range (16.5 for a minimum of 16), so only the integer rule refuses it."""
    lo, hi = param.get("minimum"), param.get("maximum")
    value = 1.5
    if lo is not None and value < lo:
        value = lo + 0.5
    if hi is not None and value > hi:
        value = hi - 0.5
    return value


def cases(b, param, rule) -> list:
    value = fraction(param)
    return [b.case("validation", param.name, "non-integer", rule,
                   title=f"{param.name} {value} (not an integer) is rejected",
                   expected=REJECTED, request=b.post(b.param_body(param, value)), check="rejected", parameter=param.name)]


def validate(param, value, fault_of) -> str | None:
    if param.get("integer") and is_number(value) and not is_integral(value) and not fault_of("integer-unchecked"):
        return "must be an integer"
    return None


FACET = ParamFacet(
    name="integer", spec=None, text=lambda value: "integer" if value else None,
    cases=cases, validate=validate, kinds=("integer-unchecked",),
    faults=lambda profile, param, value: [
        fault(param, "integer-unchecked", "integer-unchecked", f"a fractional {param.name} ({fraction(param)}) is accepted")],
)
