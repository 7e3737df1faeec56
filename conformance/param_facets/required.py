"""required: a request without the parameter, or with it null, is rejected."""

from __future__ import annotations

from . import FILL, REJECTED, ParamFacet, Use, fault


def cases(b, param, rule) -> list:
    if not rule.value:
        return []
    body = b.body()
    body.pop(param.name, None)
    out = [b.case("validation", param.name, "missing", rule, title=f"a request without {param.name} is rejected",
                  expected=REJECTED, request=b.post(body), check="rejected", parameter=param.name)]
    if "nullable" not in param.facets:  # null stands for "not sent": required rules it out too
        out.append(b.case("validation", param.name, "null-rejected", rule, title=f"{param.name}: null is rejected",
                          expected=REJECTED, request=b.post(b.param_body(param, None)), check="rejected",
                          parameter=param.name))
    return out


def _missing(why: str):
    def check(param, fault_of):
        if not param.get("required"):
            return None
        return Use(FILL) if fault_of("not-required") else why  # the fault: a default instead of a 400
    return check


FACET = ParamFacet(
    name="required", spec={"type": "boolean"}, text=lambda value: "required" if value else "optional",
    cases=cases, absent=_missing("is required"), null=_missing("is required and may not be null"),
    kinds=("not-required",),
    faults=lambda profile, param, value: [
        fault(param, "not-required", "not-required", f"a request without {param.name} is accepted (a default is used)")],
)
