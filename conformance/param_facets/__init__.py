"""Request parameter facets, one module each, owning all of that facet:
- `spec`: its JSON Schema fragment in a spec file's param entry (added to spec.schema.json on load);
  None for a facet no spec writes (integer: derived from `type: integer`);
- `text`: how the report's Documented parameters view states it;
- `cases`: the cases it generates (accepted at the limit, rejected past it...);
- `faults`: the reference gateway's faults that break it;
- how the reference gateway enforces it, bent by its own faults: `validate` a value sent,
  `null` a null sent, `absent` a parameter not sent, `request` the whole request once every
  parameter passed (a companion it needs, an id that must exist).
The spec loader, the case generators, the gateway's faults and validation and the report read this
registry; the gateway runs the hooks in MODULES order. A new facet is a module listed there.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Union

if TYPE_CHECKING:
    from ..case import Case
    from ..cases.builder import Builder
    from ..profile import Param, Profile, Rule

# the order the gateway checks them in: the type before what reads a value of that type
MODULES = ("required", "nullable", "type", "integer", "minimum", "maximum", "enum", "min_items", "max_items",
           "items", "values", "requires", "must_exist")

ACCEPTED, REJECTED = "a 2xx completion", "a 4xx answer"
ABSENT = object()  # a parameter the gateway goes on without: not sent, null, or a wrong value a fault drops
FILL = object()  # what a lenient gateway puts in place of a missing value (a default model; else nothing)


@dataclass(frozen=True)
class Use:
    """A faulty gateway's leniency: go on with `value` instead (ABSENT or FILL: stop checking, use that)."""

    value: Any


class RequestError(Exception):
    """A request the gateway answers with an error; `kind` selects the errors.* rule it falls under."""

    def __init__(self, status: int, message: str, *, param: str | None = None, kind: str = "validation",
                 error_type: str = "invalid_request_error", code: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.kind = kind
        self.error_type = error_type
        self.code = code


# a check's outcome: None (fine), the problem (answered 400), or Use; a check may also raise RequestError
# for another status (a 404 for an unknown model)
Outcome = Union[None, str, Use]
FaultOf = Callable[[str], Any]  # the gateway's fault of this kind on this parameter (its .arg too), or None


@dataclass(frozen=True)
class FacetFault:
    name: str  # unique within a profile: "<param>.<what breaks>" (see `fault`)
    kind: str  # one of the facet's `kinds`, the hook its checks look for
    description: str
    arg: Any = None
    level: str | None = None  # when the case that catches it checks less than the rule's level


def fault(param: Param, suffix: str, kind: str, description: str, arg: Any = None, level: str | None = None) -> FacetFault:
    return FacetFault(f"{param.name}.{suffix}", kind, description, arg, level)


def _fine(*_: Any) -> Outcome:
    return None


@dataclass(frozen=True)
class ParamFacet:
    name: str  # the key in a spec's param entry
    spec: dict | None
    text: Callable[[Any], str | None]
    cases: Callable[[Builder, Param, Rule], list[Case]]
    faults: Callable[[Profile, Param, Any], list[FacetFault]]
    validate: Callable[[Param, Any, FaultOf], Outcome] = _fine  # (param, value sent, fault_of)
    null: Callable[[Param, FaultOf], Outcome] = _fine
    absent: Callable[[Param, FaultOf], Outcome] = _fine
    request: Callable[[Param, dict, FaultOf, tuple], str | None] = _fine  # (param, effective params, fault_of, models)
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
