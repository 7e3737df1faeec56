"""minimum: the smallest value accepted (inclusive); just below it and far below it are rejected. A token
cap with a minimum and no maximum also takes a huge valid value without a 5xx."""

from __future__ import annotations

from . import ParamFacet, _bounds, fault

LARGE_VALID = 2 ** 31


def cases(b, param, rule) -> list:
    return _bounds.cases(b, param, rule, "minimum") + _large_valid_cases(b, param, rule)


def _large_valid_cases(b, param, rule) -> list:
    """A token cap with no documented maximum: 2^31 is valid. It may be refused (a model has a context
    window), never with a 5xx: an int32 parse overflows there. No document says so: SHOULD."""
    if not _uncapped_token_cap(b.profile, param):
        return []
    return [b.case("ranges", param.name, "large-valid", rule,
                   title=f"{param.name} {LARGE_VALID} (valid: no maximum is documented) is never a 5xx",
                   expected="a 2xx or 4xx answer, never 5xx", request=b.chat(b.param_body(param, LARGE_VALID)),
                   check="not_server_error", parameter=param.name, weaker=True)]


def _uncapped_token_cap(profile, param) -> bool:
    return param.get("maximum") is None and param.name in profile.token_caps


def validate(param, value, fault_of) -> str | None:
    from ..gateway.jsontypes import is_number
    from ..gateway.validate import RequestError

    if fault_of("large-value-500") and is_number(value) and value >= LARGE_VALID:
        raise RequestError(500, "internal error", kind="server", error_type="server_error")  # an int32 parse
    return _bounds.validate(param, value, fault_of, "minimum")


def faults(profile, param, value) -> list:
    out = _bounds.faults(profile, param, value, "minimum")
    if _uncapped_token_cap(profile, param):
        out.append(fault(param, "large-value-500", "large-value-500",
                         f"{param.name} 2^31 or more (valid: no maximum) is answered 500 (an int32 overflow)", level="SHOULD"))
    return out


FACET = ParamFacet(
    name="minimum", spec={"type": "number"}, text=lambda value: f"≥ {value}", cases=cases, validate=validate,
    faults=faults, kinds=(*_bounds.kinds("minimum"), "large-value-500"),
)
