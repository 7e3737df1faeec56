"""The deterministic fake model: it echoes the last user message, word by word.

Pure functions from validated parameters to a `Generation`; no HTTP here. The token-cap fault
is applied here; a behaviour module's faults (finish reason, stop, tool arguments, JSON mode...)
edit the finished answer (conformance/behaviours/).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .faults import Fault, hits
from ..echo import echo, message_text, messages, stop_sequences
from ..jsontypes import is_number, type_list

MAX_CHOICES = 128  # bounds the work of one request even when a fault lifts n's maximum
TOOL_CALL_TOKENS = 8
LOGPROB = -0.1
PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
PLACEHOLDERS = {"string": "123", "number": 1, "integer": 1, "boolean": True, "array": [], "object": {}}


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # a JSON string


@dataclass(frozen=True)
class Generation:
    """One choice: its content (None for a tool call), the streamed pieces that make it up."""

    content: str | None
    pieces: list[str]
    finish_reason: str
    completion_tokens: int
    tool_call: ToolCall | None = None
    logprobs: dict | None = None
    images: tuple[str, ...] = ()  # data URLs, where modalities asked for images
    stop_sequence: str | None = None  # the stop sequence that ended the output (Messages names it)


# ------------------------------------------------------------------ prompt

def prompt_tokens(params: dict) -> int:
    return max(1, sum(len(message_text(m).split()) for m in messages(params)))


# ------------------------------------------------------------------ controls

def _count(value: Any, low: int, high: int | None = None) -> int | None:
    """A numeric control as an int within bounds (faults may let odd numbers through)."""
    if not is_number(value):
        return None
    count = max(low, int(value))
    return count if high is None else min(count, high)


def token_cap(params: dict, cap_names: Iterable[str], fault: Fault | None = None) -> int | None:
    streamed = params.get("stream") is True
    caps = [_count(params.get(name), 0) for name in cap_names
            if not (hits(fault, "cap-ignored", name) or (streamed and hits(fault, "cap-ignored-in-streams", name)))]
    caps = [c for c in caps if c is not None]
    return min(caps) if caps else None


def choice_count(params: dict) -> int:
    return _count(params.get("n"), 1, MAX_CHOICES) or 1


def forced_tool(params: dict) -> dict | None:
    """The function a tool_choice forces ({name, parameters}), or None for plain text."""
    tools = [t["function"] for t in params.get("tools") or [] if isinstance(t, dict) and isinstance(t.get("function"), dict)]
    choice = params.get("tool_choice")
    if not tools:
        return None
    if choice == "required":
        return tools[0]
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        name = choice["function"].get("name")
        return next((t for t in tools if t.get("name") == name), {"name": name})
    return None


def placeholder_arguments(schema: Any) -> dict:
    """Each required property of a parameters schema, filled with a placeholder of its type."""
    if not isinstance(schema, dict):
        return {}
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    arguments = {}
    for name in (r for r in required if isinstance(r, str)):
        spec = properties.get(name)
        types = [t for t in type_list(spec.get("type") if isinstance(spec, dict) else None) if t != "null"]
        arguments[name] = PLACEHOLDERS.get(types[0] if types else "string", "123")
    return arguments


# ------------------------------------------------------------------ generation

def _tokens(text: str) -> list[str]:
    """Whitespace-separated pieces, each but the last with its following space."""
    words = text.split()
    return [w + " " for w in words[:-1]] + words[-1:]


def _earliest_stop(text: str, stops: list[str]) -> int | None:
    found = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(found) if found else None


def _clip(pieces: list[str], length: int) -> list[str]:
    """The pieces that make up the first `length` characters."""
    clipped, used = [], 0
    for piece in pieces:
        part = piece[: max(0, length - used)]
        used += len(part)
        if part:
            clipped.append(part)
    return clipped


def _run(tokens: list[str], cap: int | None, stops: list[str]) -> tuple[list[str], str, int]:
    """Emit tokens until a stop sequence, the cap, or the end: (pieces, finish_reason, tokens emitted)."""
    pieces: list[str] = []
    for emitted, token in enumerate(tokens):
        if cap is not None and emitted >= cap:
            return pieces, "length", emitted
        pieces.append(token)
        cut = _earliest_stop("".join(pieces), stops)
        if cut is not None:
            return _clip(pieces, cut), "stop", emitted + 1
    return pieces, "stop", len(tokens)


def _logprobs(pieces: list[str], top: int) -> dict:
    def entry(token: str, rank: int) -> dict:
        return {"token": token, "logprob": LOGPROB - rank, "bytes": list(token.encode("utf-8"))}

    return {"content": [{**entry(t, 0), "top_logprobs": [entry(t, r) for r in range(top)]} for t in pieces]}


def generate(params: dict, cap_names: Iterable[str], fault: Fault | None = None) -> Generation:
    """One choice for validated `params`; `cap_names` are the profile's token-cap parameters."""
    cap = token_cap(params, cap_names, fault)
    wants_logprobs = params.get("logprobs") is True
    top = _count(params.get("top_logprobs"), 0, 20) or 0
    tool = forced_tool(params)
    if tool is not None:
        arguments = placeholder_arguments(tool.get("parameters"))
        call = ToolCall("call_1", str(tool.get("name")), json.dumps(arguments))
        tokens = max(1, min(cap, TOOL_CALL_TOKENS)) if cap is not None else TOOL_CALL_TOKENS
        return Generation(None, [], "tool_calls", tokens, call, {"content": []} if wants_logprobs else None)
    stops = stop_sequences(params.get("stop"))
    pieces, finish, emitted = _run(_tokens(echo(params)), cap, stops)
    said = "".join(pieces)
    hit = next((s for s in stops if echo(params).startswith(said + s)), None) if finish == "stop" else None
    if fault is not None and fault.kind == "cap-ignored-in-streams":  # the usage it reports still keeps to the cap
        emitted = min([emitted] + [c for c in (token_cap(dict(params, stream=False), cap_names),) if c is not None])
    logprobs = _logprobs(pieces, top) if wants_logprobs else None
    modalities = params.get("modalities")
    images = (PIXEL,) if isinstance(modalities, list) and "image" in modalities else ()
    return Generation(said, pieces, finish, emitted, None, logprobs, images, hit)
