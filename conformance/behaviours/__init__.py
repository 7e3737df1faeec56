"""Behaviours: what an answer must do, one module each, owning all of its rule.

A behaviour module defines `BEHAVIOUR`: the key under `behaviours:` in a spec, the
parameter a profile must document for it to be asked at all, the cases it
generates, the checks those cases name, and its faults in the reference gateway
(each one breaks a faithful answer). A behaviour that reads only the
normalised views (conformance/surfaces/views.py) applies to every surface; one that reads a surface's own
wire format names it (`surfaces`). Adding a behaviour is one module listed in
MODULES, plus the spec entry that quotes its rule: the spec schema, the case
generators, the check registry and the gateway's faults all read this registry.

The registry is filled on first use: behaviour modules use the case builder and
the checks, which use the spec loader, which asks the registry for names.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..surfaces import surface_named  # the surfaces' names of the parameters (surfaces never import behaviours)

if TYPE_CHECKING:
    from ..case import Case
    from ..cases.builder import Builder
    from ..spec import Rule

MODULES = ("finish_reason_length", "explicit_values", "stop_excluded", "include_usage", "choices_indexed",
           "tool_choice_none", "tool_calls", "json_mode", "n_choices", "logprobs_returned",
           "image_output", "previous_response")


@dataclass(frozen=True)
class GatewayFault:
    """A fault of the reference gateway that breaks this behaviour: it edits a faithful answer in place,
    changes the parameters the model gets, or edits the model's generation (on every surface)."""

    name: str  # unique within a profile
    description: str
    completion: Callable[[dict, dict], None] | None = None  # (request parameters, completion body)
    chunks: Callable[[dict, list[dict]], None] | None = None  # (request parameters, chunk bodies)
    # the effective parameters as a faulty gateway passes them on to the model (after validation)
    params: Callable[[dict], dict] | None = None
    # (request parameters, the model's generation) -> the generation a faulty gateway renders: an edit of what
    # was said, before any surface's wire format, so one fault breaks the behaviour on every surface
    generation: Callable[[dict, Any], Any] | None = None


@dataclass(frozen=True)
class Behaviour:
    name: str  # its key under `behaviours:` in a spec
    needs: str | None  # a parameter the profile must document, else the behaviour is not asked for
    generate: Callable[[Builder, Rule], list[Case]]
    checks: dict[str, Callable[..., Any]]
    faults: tuple[GatewayFault, ...] = ()
    derivers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # the surfaces whose wire format has what it judges (choices, logprobs); () for every surface: such a
    # behaviour reads only the normalised views (conformance/surfaces/views.py)
    surfaces: tuple[str, ...] = ()


@functools.cache
def registry() -> dict[str, Behaviour]:
    found = {}
    for name in MODULES:
        behaviour = importlib.import_module(f"{__name__}.{name}").BEHAVIOUR
        if behaviour.name in found:
            raise ValueError(f"behaviour {behaviour.name!r} is defined twice")
        found[behaviour.name] = behaviour
    return found


def names() -> dict[str, str | None]:
    """Every behaviour a spec may name, with the parameter it needs."""
    return {b.name: b.needs for b in registry().values()}


def applies(name: str, surface: str, params) -> bool:
    """Whether behaviour `name` is asked of a profile of `surface` documenting `params`."""
    behaviour = registry().get(name)
    if behaviour is None:
        return True  # not a behaviour module's: the spec validator has said so already
    needs = behaviour.needs and surface_named(surface).param(behaviour.needs)
    return (needs is None or needs in params) and (not behaviour.surfaces or surface in behaviour.surfaces)


def checks() -> dict[str, Callable[..., Any]]:
    return {name: check for b in registry().values() for name, check in b.checks.items()}


def derivers() -> dict[str, Callable[..., Any]]:
    return {name: d for b in registry().values() for name, d in b.derivers.items()}
