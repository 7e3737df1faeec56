"""min_items: the list has at least so many items (`choices` is never empty)."""

from __future__ import annotations

from . import FieldFacet


def _empty(parent: dict, key: str, field, override) -> None:
    if key in parent:
        parent[key] = []


FACET = FieldFacet(
    name="min_items", spec={"type": "integer", "minimum": 0},
    describe=lambda path, value: f"`{path}` has at least {value} item(s)",
    leaf=lambda value: {"minItems": value}, whole_list=True,
    fault="field {path} sent as an empty list", breaks=_empty,
)
