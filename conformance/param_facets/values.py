"""values: the range of an object parameter's values (logit_bias: each bias from -100 to 100)."""

from __future__ import annotations

from . import ACCEPTED, REJECTED, ParamFacet, fault
from ..jsontypes import is_number  # strict JSON types: a bool is not a number; 1 == 1.0


def cases(b, param, rule) -> list:
    out = []
    for facet, sign, word in (("minimum", -1, "below"), ("maximum", 1, "above")):
        bound = rule.value.get(facet)
        if bound is None:
            continue
        out.append(b.case("ranges", param.name, f"value-at-{facet[:3]}", rule, title=f"{param.name} value {bound} (the {facet}) is accepted",
                          expected=ACCEPTED, request=b.post(b.param_body(param, {"1": bound})), check="accepted",
                          parameter=param.name))
        out.append(b.case("ranges", param.name, f"value-{word}-{facet[:3]}", rule,
                          title=f"{param.name} value {bound + sign} (past the {facet} {bound}) is rejected",
                          expected=REJECTED, request=b.post(b.param_body(param, {"1": bound + sign})), check="rejected",
                          parameter=param.name))
    return out


def validate(param, value, fault_of) -> str | None:
    limits = param.get("values")
    if not isinstance(value, dict) or not limits or fault_of("values-unchecked"):
        return None
    low, high = limits.get("minimum"), limits.get("maximum")
    for item in value.values():
        if not is_number(item) or (low is not None and item < low) or (high is not None and item > high):
            return f"every value must be a number from {low} to {high}"
    return None


def _text(value: dict) -> str:
    low, high = value.get("minimum"), value.get("maximum")
    return f"values {'' if low is None else f'≥ {low}'}{' and ' if None not in (low, high) else ''}{'' if high is None else f'≤ {high}'}"


FACET = ParamFacet(
    name="values",
    spec={"type": "object", "description": "Range of an object's values (logit_bias).",
          "properties": {"minimum": {"type": "number"}, "maximum": {"type": "number"}}, "additionalProperties": False},
    text=_text, cases=cases, validate=validate, kinds=("values-unchecked",),
    faults=lambda profile, param, value: [fault(param, "values-unchecked", "values-unchecked", f"values of {param.name} outside their range are accepted")],
)
