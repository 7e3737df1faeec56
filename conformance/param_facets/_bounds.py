"""What the minimum and maximum facets share: the bound accepted, just past it rejected, far past it
(where parsers overflow) rejected too, and the faults that bend each."""

from __future__ import annotations

from . import ACCEPTED, REJECTED, fault
from ..jsontypes import is_number  # strict JSON types: a bool is not a number; 1 == 1.0

STEP = 0.01  # just past a fractional bound (temperature 2.01)
SIDES = {"minimum": (-1, "below", "at least"), "maximum": (1, "above", "at most")}


def _fmt(value) -> str:
    return repr(value) if not isinstance(value, float) else f"{value:g}"


def cases(b, param, rule, facet: str) -> list:
    sign, word, _ = SIDES[facet]
    bound = rule.value
    beyond = round(bound + sign * (1 if param.get("integer") else STEP), 6)
    out = []
    if not (facet == "maximum" and param.multiplies_output):
        out.append(b.case(
            "ranges", param.name, f"at-{facet[:3]}", rule, title=f"{param.name} {_fmt(bound)} (the {facet}, inclusive) is accepted",
            expected=ACCEPTED, request=b.post(b.param_body(param, bound)), check="accepted", parameter=param.name))
    out.append(b.case(
        "ranges", param.name, f"{word}-{facet[:3]}", rule,
        title=f"{param.name} {_fmt(beyond)} (just {word} the {facet} {_fmt(bound)}) is rejected",
        expected=REJECTED, request=b.post(b.param_body(param, beyond)), check="rejected", parameter=param.name))
    for suffix, far in far_values(param, facet, bound, beyond):
        out.append(b.case(
            "ranges", param.name, f"far-{word}-{facet[:3]}{suffix}", rule,
            title=f"{param.name} {_fmt(far)} (far {word} the {facet} {_fmt(bound)}) is rejected",
            expected=REJECTED, request=b.post(b.param_body(param, far)), check="rejected", parameter=param.name))
    return out


def far_values(param, facet: str, bound: float, beyond: float) -> list[tuple[str, float]]:
    """Values far past a bound, where parsers overflow: a negative below a bound of 0 or more (an unsigned
    parse), 2^31 and 2^53+1 above an integer bound (int32, doubles), 1e308 above a fractional one."""
    integer = bool(param.get("integer"))
    if facet == "maximum" and param.multiplies_output:
        return []  # n 2^31 through a broken gateway to a paid provider is a bill nobody wants
    if facet == "maximum":
        return [("", 2 ** 31), ("-2p53", 2 ** 53 + 1)] if integer else [("", 1e308)]
    far = -1 if bound >= 0 and beyond != -1 else -(2 ** 31) if integer else -1e308
    return [("", far)]


def validate(param, value, fault_of, facet: str) -> str | None:
    if not is_number(value):
        return None
    bound = param.get(facet)
    outside = value < bound if facet == "minimum" else value > bound
    # the overflow fault: far past the bound, a wrapped-round parse sees a value inside it
    far = value >= 2 ** 31 or value <= -(2 ** 31) or (bound >= 0 and value <= -1)
    ignored = fault_of(f"{facet}-ignored") or (fault_of(f"{facet}-overflow") and far)
    if (outside and not ignored) or (fault_of(f"{facet}-exclusive") and value == bound):
        return f"must be {SIDES[facet][2]} {bound}"
    return None


def faults(profile, param, value, facet: str) -> list:
    name = param.name
    out = [fault(param, f"{facet}-ignored", f"{facet}-ignored", f"the {facet} {value} of {name} is not enforced")]
    # no client asks for the maximum of a parameter that multiplies the output, so no one could notice
    if not (facet == "maximum" and param.multiplies_output):
        out.append(fault(param, f"{facet}-exclusive", f"{facet}-exclusive", f"{name} equal to its {facet} {value} is rejected"))
        # no far probe past the maximum of what multiplies the output (it could cost a fortune)
        out.append(fault(param, f"{facet}-overflow", f"{facet}-overflow",
                         f"{name} far past its {facet} {value} is accepted (an int32 or unsigned parse wraps it round)"))
    return out


def kinds(facet: str) -> tuple[str, ...]:
    return tuple(f"{facet}-{what}" for what in ("ignored", "exclusive", "overflow"))
