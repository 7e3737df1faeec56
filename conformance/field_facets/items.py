"""items: every item of the list has the documented shape (`choices` is a list of objects)."""

from __future__ import annotations

from . import FieldFacet


def _scalars(parent: dict, key: str, field, override) -> None:
    if isinstance(parent.get(key), list):
        parent[key] = ["routecheck" for _ in parent[key]] or ["routecheck"]


FACET = FieldFacet(
    name="items", spec={"type": "object", "properties": {"type": {"$ref": "#/$defs/types"}}, "required": ["type"],
                        "additionalProperties": False},
    describe=lambda path, value: f"every item of `{path}` is {value['type'] if isinstance(value['type'], str) else ' or '.join(value['type'])}",
    leaf=lambda value: {"items": {"type": value["type"]}}, whole_list=True,
    fault="field {path} sent as a list of strings", breaks=_scalars,
)
