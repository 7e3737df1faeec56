"""nullable: null is accepted (and means "not sent"), or rejected."""

from __future__ import annotations

from . import ACCEPTED, REJECTED, ParamFacet, fault


def cases(b, param, rule) -> list:
    request = b.post(b.param_body(param, None))
    if rule.value:
        return [b.case("validation", param.name, "null-accepted", rule, title=f"{param.name}: null is accepted",
                       expected=ACCEPTED, request=request, check="accepted", parameter=param.name)]
    return [b.case("validation", param.name, "null-rejected", rule, title=f"{param.name}: null is rejected",
                   expected=REJECTED, request=request, check="rejected", parameter=param.name)]


def null(param, fault_of) -> str | None:
    nullable = param.get("nullable")
    if (nullable is False and not fault_of("null-accepted")) or (nullable is True and fault_of("null-rejected")):
        return "may not be null"
    return None


def faults(profile, param, value) -> list:
    if value:
        return [fault(param, "null-rejected", "null-rejected", f"{param.name}: null is rejected with 400")]
    return [fault(param, "null-accepted", "null-accepted", f"{param.name}: null is accepted")]


FACET = ParamFacet(
    name="nullable", spec={"type": "boolean"}, text=lambda value: "nullable" if value else "not nullable",
    cases=cases, null=null, faults=faults, kinds=("null-rejected", "null-accepted"),
)
