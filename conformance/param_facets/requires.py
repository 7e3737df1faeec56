"""requires: the parameter needs companions (tool_choice needs tools; top_logprobs needs logprobs: true)."""

from __future__ import annotations

import json

from . import ABSENT, REJECTED, ParamFacet, fault
from ..jsontypes import json_type, same  # strict JSON types: a bool is not a number; 1 == 1.0


def cases(b, param, rule) -> list:
    body = b.param_body(param, b.sample(param))
    for companion in param.companions:
        body.pop(companion, None)
    names = ", ".join(f"{k}={v!r}" for k, v in param.companions.items())
    return [b.case("validation", param.name, "without-companion", rule, title=f"{param.name} without {names} is rejected",
                   expected=REJECTED, request=b.post(body), check="rejected", parameter=param.name)]


def request(param, effective: dict, fault_of, models) -> str | None:
    if param.name not in effective or fault_of("requires-ignored"):
        return None
    for companion, wanted in param.companions.items():
        if not _enables(effective.get(companion, ABSENT), wanted):
            return f"needs {companion if isinstance(wanted, (list, dict)) else f'{companion}: {json.dumps(wanted)}'}"
    return None


def _enables(have, wanted) -> bool:
    """A scalar companion must match exactly; a list or object (tools) must be there, of that JSON type, not empty."""

    if have is ABSENT:
        return False
    if isinstance(wanted, (list, dict)):
        return json_type(have) == json_type(wanted) and len(have) > 0
    return same(have, wanted)


FACET = ParamFacet(
    name="requires", spec={"type": "object", "description": "Other fields this one needs, with the value that enables it."},
    text=lambda value: "needs " + ", ".join(value), cases=cases, request=request, kinds=("requires-ignored",),
    faults=lambda profile, param, value: [
        fault(param, "requires-ignored", "requires-ignored", f"{param.name} is accepted without {', '.join(value)}")],
)
