"""unix_seconds: a timestamp is plausible Unix time in seconds (within a day of now), not milliseconds."""

from __future__ import annotations

import time

from . import FieldFacet
from ..jsontypes import is_number  # strict JSON types: a bool is not a number; 1 == 1.0

DAY = 86400


def _plausible(value) -> dict:
    now = time.time()
    return {"type": "number", "minimum": now - DAY, "maximum": now + DAY}


def _milliseconds(parent: dict, key: str, field, override) -> None:
    if is_number(parent.get(key)):
        parent[key] = int(parent[key] * 1000)


FACET = FieldFacet(
    name="unix_seconds", spec={"type": "boolean"},
    describe=lambda path, value: f"`{path}` is a plausible Unix time in seconds (within a day of now)",
    leaf=_plausible, fault="field {path} sent in milliseconds", breaks=_milliseconds,
)
