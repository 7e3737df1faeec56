"""items: the JSON type of a list parameter's items (stop: strings)."""

from __future__ import annotations

import json

from . import REJECTED, ParamFacet, fault
from ..jsontypes import matches  # strict JSON types: a bool is not a number; 1 == 1.0


def _types(param) -> list[str]:
    declared = (param.get("items") or {}).get("type")
    return [] if declared is None else declared if isinstance(declared, list) else [declared]


def cases(b, param, rule) -> list:
    item_types = _types(param)
    if not item_types:
        return []
    wrong = next(t for t in ("number", "string") if t not in item_types)
    value = [1] if wrong == "number" else ["routecheck"]
    return [b.case("validation", param.name, f"item-type-{wrong}", rule,
                   title=f"{param.name} holding a {wrong} item is rejected; items are {' or '.join(item_types)}",
                   expected=REJECTED, request=b.post(b.param_body(param, value)), check="rejected", parameter=param.name)]


def validate(param, value, fault_of) -> str | None:
    item_types = _types(param)
    if not isinstance(value, list) or not item_types or fault_of("items-unchecked"):
        return None
    for i, item in enumerate(value):
        if not any(matches(item, t) for t in item_types):
            return f"item {i} must be of type {' or '.join(item_types)}"
    return None


FACET = ParamFacet(
    name="items", spec={"type": "object", "properties": {"type": {"$ref": "#/$defs/types"}}, "additionalProperties": False},
    text=lambda value: f"items: {json.dumps(value, ensure_ascii=False)}",
    cases=cases, validate=validate, kinds=("items-unchecked",),
    faults=lambda profile, param, value: [fault(param, "items-unchecked", "items-unchecked", f"items of {param.name} of any JSON type are accepted")],
)
