"""enum: the field's value is one of the documented values (finish_reason, role)."""

from __future__ import annotations

from . import FieldFacet

UNKNOWN_ENUM_VALUE = "done"


def _unlisted(parent: dict, key: str, field, override) -> None:
    if parent.get(key) is not None:  # a null is the nullability's business
        parent[key] = override if override is not None else UNKNOWN_ENUM_VALUE


FACET = FieldFacet(
    name="enum", spec={"type": "array", "minItems": 1},
    describe=lambda path, value: f"`{path}` is one of {', '.join(map(repr, value))}",
    leaf=lambda value: {"enum": value},
    fault="field {path} sent with a value outside {value}", breaks=_unlisted,
)
