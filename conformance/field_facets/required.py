"""required: the field is present (a facet of the object holding it)."""

from __future__ import annotations

from . import FieldFacet


def _leave_out(parent: dict, key: str, field, override) -> None:
    parent.pop(key, None)


FACET = FieldFacet(
    name="required", spec={"type": "boolean"},
    describe=lambda path, value: f"`{path}` is present",
    leaf=None,  # checked on the parent: {"required": [key]}
    fault="field {path} left out", breaks=_leave_out,
)
