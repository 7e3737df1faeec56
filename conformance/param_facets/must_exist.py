"""must_exist: an id the target does not offer (an unknown model) is rejected: 404, code model_not_found."""

from __future__ import annotations

from . import FacetFault, ParamFacet, REJECTED, RequestError, fault
from ..vocabulary import UNKNOWN_MODEL


def cases(b, param, rule) -> list:
    return [b.case("validation", param.name, "unknown-id", rule,
                   title=f"an unknown {param.name} id ({UNKNOWN_MODEL}) is rejected", expected=REJECTED,
                   request=b.post(b.param_body(param, UNKNOWN_MODEL)), check="rejected", parameter=param.name)]


def request(param, effective: dict, fault_of, models) -> str | None:
    name = param.name
    if param.get("must_exist") and name in effective and not fault_of("must-exist-ignored") and effective[name] not in models:
        raise RequestError(404, f"{name}: the requested {name} does not exist", param=name,
                           kind="unknown_model", code="model_not_found")
    return None


def faults(profile, param, value) -> list:
    description = f"an unknown {param.name} id is served"
    if param.name == "model":  # the name the docs and the collateral table know it by
        return [FacetFault("unknown-model-accepted", "must-exist-ignored", description)]
    return [fault(param, "must-exist-ignored", "must-exist-ignored", description)]


FACET = ParamFacet(
    name="must_exist", spec={"type": "boolean", "description": "An id not offered by the target is rejected (model)."},
    text=lambda value: "must name an existing model" if value else None, cases=cases, request=request,
    faults=faults, kinds=("must-exist-ignored",),
)
