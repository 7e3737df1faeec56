"""API surfaces: one package per kind of API a gateway serves, behind one interface.

A surface owns all that is particular to its wire format:
- building its requests (a prompt with a token cap, a forced tool call);
- a normalised view of an answer (text, tool calls, stop reason, usage) and of a stream (text deltas
  per output, stop reasons, usage), conformance/surfaces/views.py;
- its stream rules: a registry of spec keys, each with its case, its check and its gateway faults;
- the reference gateway's wire format for it (its `wire` module, which only the gateway imports).

Checks, behaviours and token accounting read the views, so a behaviour is written once and applies to
every surface whose document lists its parameter. Adding a surface is one package listed in MODULES,
plus its spec files and its faults. A spec names its surface (`surface:`, chat_completions when absent),
and every case ID names it too: `profile/SEGMENT/category/subject/variant`.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..request import DEFAULT_SURFACE as DEFAULT

if TYPE_CHECKING:
    from .views import Answer, StreamView

MODULES = ("chat_completions", "messages", "responses")


CHAT_WORDS = {
    "text": "message.content",  # an answer's text
    "usage": "usage.completion_tokens",  # the field of the tokens an answer used
    "used": "completion_tokens",
    "cut": 'finish_reason "length"',  # what an answer a token cap cut says
    "cut_is": 'finish_reason is "length"',
    "tool_call": "tool_calls whose arguments are a JSON string",
    "forced_call": "message.tool_calls[].function.name {tool}, arguments a string holding a JSON object",
    "no_call": 'no message.tool_calls, finish_reason not "tool_calls"',
}


@dataclass(frozen=True)
class StreamFault:
    """A fault of the reference gateway's stream that breaks one stream rule (applied by the gateway's
    wire code for this surface through its `kind`)."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class StreamRule:
    """One rule a spec may state under `stream:`: its key there, its case and check, and its faults."""

    key: str
    variant: str  # the case ID's last part: PROFILE/SEGMENT/streaming/stream/VARIANT
    title: str  # may name {terminator}
    expected: str
    check: str  # a check of this surface's `checks`
    valued: bool = False  # the spec gives a value (the content type, the terminator), not only a rule
    plain: bool = False  # judged on the stream:false request, not the plain stream
    needs_value: bool = False  # the case is only made when the rule's value is a string (the terminator)
    tools: bool = False  # judged on a streamed forced tool call (made only where the profile documents tools)
    faults: tuple[StreamFault, ...] = ()


@dataclass(frozen=True)
class Surface:
    name: str  # as a spec names it (`surface:`)
    segment: str  # as case IDs name it
    path: str  # the request path its documents use
    title: str
    body: Callable[..., dict]  # (model, prompt, cap_param, cap, fields) -> a request body
    tool_body: Callable[..., dict]  # (body, tool, tool_choice|None) -> the body with the tool (forced by name)
    answer: Callable[[Any], Answer]  # a 2xx JSON answer's normalised view
    stream: Callable[[list], StreamView]  # the parsed chunks' normalised view
    stream_rules: tuple[StreamRule, ...]
    checks: dict[str, Callable[..., Any]]  # its stream checks, by name
    # a terminator line its clients accept where the profile documents none (Responses' `[DONE]`, on which its
    # sources disagree): read as the end of the stream, never required
    tolerated_end: str | None = None
    # its own names of the parameters behaviours are written for (chat's names): Messages' stop is stop_sequences
    aliases: dict = field(default_factory=dict)
    prompt_param: str = "messages"  # the parameter that carries the prompt
    # a value of it every document of the surface refuses, and how to say it ("messages as a string")
    invalid_prompt: tuple[Any, str] = ("Say hello.", "as a string")
    # the error a 200 stream reports inside it ((event number, data) of its JSON events -> what it says), or None
    stream_error: Callable[[list], str | None] | None = None
    json_mode: dict | None = None  # the fields that ask for JSON mode (chat's response_format json_object)
    # what its documents call the parts a behaviour's title and expectation name (chat's words by default)
    words: dict = field(default_factory=lambda: dict(CHAT_WORDS))
    error_param: bool = True  # its error object names the parameter at fault (chat's error.param)

    def param(self, name: str) -> str:
        """This surface's name of the parameter chat calls `name`."""
        return self.aliases.get(name, name)


@functools.cache
def registry() -> dict[str, Surface]:
    found = {}
    for name in MODULES:
        surface = importlib.import_module(f"{__name__}.{name}").SURFACE
        if surface.name in found or surface.segment in {s.segment for s in found.values()}:
            raise ValueError(f"surface {surface.name!r} is defined twice")
        found[surface.name] = surface
    return found


def surface_named(name: str) -> Surface:
    return registry()[name]


@functools.cache  # the gateway asks per request and per parameter: resolve each module once
def reference_wire(name: str, part: str = "wire") -> Any:
    """The surface's reference half: its `wire` module (answer bodies, stream chunks, its terminator) or its
    `shapes` (what a valid parameter looks like inside). Only the reference gateway asks for them, so the
    suite's own side never loads the gateway's code."""
    return importlib.import_module(f"{__name__}.{name}.{part}")


def stream_keys() -> dict[str, StreamRule]:
    """Every key a spec may give under `stream:` (besides `fields`), over every surface."""
    return {rule.key: rule for s in registry().values() for rule in s.stream_rules}


def checks() -> dict[str, Callable[..., Any]]:
    return {name: check for s in registry().values() for name, check in s.checks.items()}
