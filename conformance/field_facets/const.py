"""const: the field always has the one documented value (`object: chat.completion`)."""

from __future__ import annotations

from . import FieldFacet


def _other_value(parent: dict, key: str, field, override) -> None:
    parent[key] = override if override is not None else f"{field.get('const')}.wrong"


FACET = FieldFacet(
    name="const", spec={}, describe=lambda path, value: f"`{path}` is {value!r}",
    leaf=lambda value: {"const": value},
    fault="field {path} sent with another value than {value!r}", breaks=_other_value,
)
