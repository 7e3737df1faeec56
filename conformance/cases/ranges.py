"""ranges: every documented bound accepted and just past it rejected, and far past it too; integers
where numbers are documented. Enums, list limits and object value ranges are their facets' own
(conformance/param_facets/)."""

from __future__ import annotations

import math
from typing import Any

from ..case import Case
from ..spec import Param
from .builder import Builder

ACCEPTED = "a 2xx completion"
REJECTED = "a 4xx answer"
STEP = 0.01  # just past a fractional bound (temperature 2.01)
LARGE_VALID = 2 ** 31


def _fmt(value: Any) -> str:
    return repr(value) if not isinstance(value, float) else f"{value:g}"


def _bound_cases(b: Builder, param: Param) -> list[Case]:
    cases = []
    step = 1 if param.get("integer") else STEP
    for facet, sign, word in (("minimum", -1, "below"), ("maximum", 1, "above")):
        rule = param.facets.get(facet)
        if rule is None:
            continue
        bound = rule.value
        beyond = round(bound + sign * step, 6)
        if not (facet == "maximum" and param.multiplies_output):
            cases.append(b.case(
                "ranges", param.name, f"at-{facet[:3]}", rule, title=f"{param.name} {_fmt(bound)} (the {facet}, inclusive) is accepted",
                expected=ACCEPTED, request=b.chat(b.param_body(param, bound)), check="accepted", parameter=param.name))
        cases.append(b.case(
            "ranges", param.name, f"{word}-{facet[:3]}", rule,
            title=f"{param.name} {_fmt(beyond)} (just {word} the {facet} {_fmt(bound)}) is rejected",
            expected=REJECTED, request=b.chat(b.param_body(param, beyond)), check="rejected", parameter=param.name))
        for suffix, far in _far_values(param, facet, bound, beyond):
            cases.append(b.case(
                "ranges", param.name, f"far-{word}-{facet[:3]}{suffix}", rule,
                title=f"{param.name} {_fmt(far)} (far {word} the {facet} {_fmt(bound)}) is rejected",
                expected=REJECTED, request=b.chat(b.param_body(param, far)), check="rejected", parameter=param.name))
    type_rule = param.facets.get("type")
    if type_rule is not None and "number" in param.types and not param.get("integer"):
        lo, hi = param.get("minimum"), param.get("maximum")
        # 1 where the range holds it: 0 is OpenAI's minimum, a value the document may never state
        whole = 1 if (lo is None or lo <= 1) and (hi is None or hi >= 1) else math.ceil(lo)
        if hi is None or whole <= hi:
            cases.append(b.case(
                "ranges", param.name, "json-integer", type_rule,
                title=f"{param.name} as the JSON integer {whole} is accepted (a number may be written without a fraction)",
                expected=ACCEPTED, request=b.chat(b.param_body(param, int(whole))), check="accepted", parameter=param.name))
    return cases


def _far_values(param: Param, facet: str, bound: float, beyond: float) -> list[tuple[str, float]]:
    """Values far past a bound, where parsers overflow: a negative below a bound of 0 or more (an unsigned
    parse), 2^31 and 2^53+1 above an integer bound (int32, doubles), 1e308 above a fractional one."""
    integer = bool(param.get("integer"))
    if facet == "maximum" and param.multiplies_output:
        return []  # n 2^31 through a broken gateway to a paid provider is a bill nobody wants
    if facet == "maximum":
        return [("", 2 ** 31), ("-2p53", 2 ** 53 + 1)] if integer else [("", 1e308)]
    far = -1 if bound >= 0 and beyond != -1 else -(2 ** 31) if integer else -1e308
    return [("", far)]


def _large_valid_cases(b: Builder, param: Param) -> list[Case]:
    """A token cap with no documented maximum: 2^31 is valid. It may be refused (a model has a context
    window), never with a 5xx: an int32 parse overflows there. No document says so: SHOULD."""
    rule = param.facets.get("minimum")
    if rule is None or param.get("maximum") is not None or param.name not in b.profile.token_caps:
        return []
    return [b.case("ranges", param.name, "large-valid", rule,
                   title=f"{param.name} {LARGE_VALID} (valid: no maximum is documented) is never a 5xx",
                   expected="a 2xx or 4xx answer, never 5xx", request=b.chat(b.param_body(param, LARGE_VALID)),
                   check="not_server_error", parameter=param.name, weaker=True)]


def generate(b: Builder) -> list[Case]:
    cases: list[Case] = []
    for param in b.profile.params.values():
        cases += _bound_cases(b, param) + _large_valid_cases(b, param)
    return cases
