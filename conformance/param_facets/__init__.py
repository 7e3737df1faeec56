"""Request parameter facets, one module each, owning all of that facet:
- `spec`: its JSON Schema fragment in a spec file's param entry (added to spec.schema.json on load);
- `text`: how the report's Documented parameters view states it;
- `cases`: the cases it generates (accepted at the limit, rejected past it...);
- `faults`: the reference gateway's faults that break it, each (name suffix, kind, description, arg);
- `validate`: how the reference gateway enforces it, and how each of its faults bends that.
The spec loader, the case generators, the gateway's faults and validation and the report read this
registry. Facets not yet moved here (type, bounds, nullability...) are still handled where
they always were; a new facet is a module listed in MODULES.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..case import Case
    from ..cases.builder import Builder
    from ..profile import Param, Profile, Rule

MODULES = ("enum", "min_items", "max_items", "items", "values")

FaultOf = Callable[[str], Any]  # the gateway's fault of this kind on this parameter (its .arg too), or None


@dataclass(frozen=True)
class ParamFacet:
    name: str  # the key in a spec's param entry
    spec: dict
    text: Callable[[Any], str | None]
    cases: Callable[[Builder, Param, Rule], list[Case]]
    faults: Callable[[Profile, Param, Any], list[tuple[str, str, str, Any]]]  # (name suffix, kind, description, arg)
    validate: Callable[[Param, Any, FaultOf], str | None]  # (param, value sent, fault_of) -> why it is invalid, or None
    kinds: tuple[str, ...] = ()  # the fault kinds it owns


@functools.cache
def registry() -> dict[str, ParamFacet]:
    facets = [importlib.import_module(f"{__name__}.{name}").FACET for name in MODULES]
    return {facet.name: facet for facet in facets}


def kinds() -> tuple[str, ...]:
    return tuple(kind for facet in registry().values() for kind in facet.kinds)


def list_of(param: Param, count: int) -> list:
    """`count` valid items of a list parameter: user messages, or stop sequences no answer contains."""
    if param.name == "messages":
        return [{"role": "user", "content": "Say hello."} for _ in range(count)]
    return [f"<rc-stop-{i}>" for i in range(count)]
