"""type: the field's JSON type is one of the documented ones."""

from __future__ import annotations

from typing import Any

from . import FieldFacet
from ..jsontypes import matches, type_list  # strict JSON types: a bool is not a number; 1 == 1.0


def wrong_type(current: Any, types: list[str]) -> Any:
    """A value of none of `types`: the current scalar as a string where that is wrong."""

    scalar = [str(current)] if current is not None and not isinstance(current, (dict, list)) else []
    candidates = scalar + ["routecheck", 123, 1.5, [], {}, True]
    return next(c for c in candidates if not any(matches(c, t) for t in types))


def _wrong_type(parent: dict, key: str, field, override) -> None:
    # set even where absent, so any answer shows it
    parent[key] = override if override is not None else wrong_type(parent.get(key), type_list(field.get("type")))


def _describe(path: str, value: Any) -> str:
    kinds = value if isinstance(value, list) else [value]
    return f"`{path}` is {' or '.join(map(str, kinds))}"


FACET = FieldFacet(
    name="type", spec={"$ref": "#/$defs/types"}, describe=_describe, leaf=lambda value: {"type": value},
    fault="field {path} sent with a JSON type it does not have", breaks=_wrong_type,
)
