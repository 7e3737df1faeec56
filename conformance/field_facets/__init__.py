"""Field facets: what a documented response, stream-chunk or /v1/models field must be, one module each.

A field facet module defines `FACET`, owning all of that facet:
- `spec`: its JSON Schema fragment in a spec file's field entry (added to spec.schema.json on load);
- `describe`: the case's expectation, in words;
- `leaf`: the JSON Schema its check applies to the field's value (None: a facet of the parent object);
- `fault` and `breaks`: how the reference gateway breaks it in an answer, and that fault's description.
The case generator (cases/fields.py), the check (checks/shape.py), the spec loader, the gateway's
faults and its body mutation read this registry; a new facet is a module listed in MODULES.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any, Callable

MODULES = ("required", "type", "const", "enum", "min_items", "items", "unix_seconds")


@dataclass(frozen=True)
class FieldFacet:
    name: str  # the key in a spec's field entry
    spec: dict  # JSON Schema of the facet's value in a spec file
    describe: Callable[[str, Any], str]  # (path, documented value) -> the expectation
    leaf: Callable[[Any], dict] | None  # documented value -> schema of the field's value; None: see parent
    fault: str  # the reference gateway's fault, a format of {path} and {value}
    breaks: Callable[[dict, str, Any, Any], None]  # (parent object, key, field entry, override): in place
    whole_list: bool = False  # on a `[]` path, the facet is of the list itself, not of each item


@functools.cache
def registry() -> dict[str, FieldFacet]:
    facets = [importlib.import_module(f"{__name__}.{name}").FACET for name in MODULES]
    return {facet.name: facet for facet in facets}


def names() -> tuple[str, ...]:
    return tuple(registry())
