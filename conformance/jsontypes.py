"""JSON types of decoded values, strict where Python is lax (a bool is not a number)."""

from __future__ import annotations

import math
from typing import Any


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int subclass in Python
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def is_number(value: Any) -> bool:
    return json_type(value) == "number" and math.isfinite(value)


def is_integral(value: Any) -> bool:
    return is_number(value) and (isinstance(value, int) or value.is_integer())


def matches(value: Any, type_name: str) -> bool:
    """`value` has JSON type `type_name` ("integer" meaning an integral number)."""
    if type_name == "integer":
        return is_integral(value)
    return json_type(value) == type_name


def type_list(value: Any) -> list[str]:
    """A `type` facet as a list (facets may hold one name or a list)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values: true is not 1, 1 is 1.0."""
    if json_type(a) != json_type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b
