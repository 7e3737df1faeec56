"""The reference gateway's chat completions wire format: completions, stream chunks, the models list, errors.

The surface's reference half: only the gateway (conformance/gateway/) imports it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...gateway.model import Generation

FINGERPRINT = "fp_routecheck"
OWNER = "routecheck"
DONE = "[DONE]"


@dataclass(frozen=True)
class Reply:
    """What every body of one answer shares (the same id and created on every chunk)."""

    id: str
    created: int
    model: str
    generation: Generation
    n: int
    prompt_tokens: int

    @staticmethod
    def new(model: str, generation: Generation, n: int, prompt_tokens: int, created: int) -> Reply:
        return Reply(f"chatcmpl-{uuid.uuid4().hex}", created, model, generation, n, prompt_tokens)

    def usage(self) -> dict:
        completion = self.generation.completion_tokens * self.n
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        }

    def envelope(self, object_name: str) -> dict:
        return {"id": self.id, "object": object_name, "created": self.created, "model": self.model,
                "system_fingerprint": FINGERPRINT}


def _tool_calls(generation: Generation) -> list[dict]:
    call = generation.tool_call
    return [{"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}]


def _message(gen: Generation) -> dict:
    message = {"role": "assistant", "content": gen.content, "refusal": None}
    if gen.tool_call:
        message["tool_calls"] = _tool_calls(gen)
    if gen.images:
        message["images"] = [{"type": "image_url", "image_url": {"url": url}} for url in gen.images]
    return message


def completion_body(reply: Reply) -> dict:
    gen = reply.generation
    choices = [{"index": i, "message": _message(gen), "logprobs": gen.logprobs, "finish_reason": gen.finish_reason}
               for i in range(reply.n)]
    return {**reply.envelope("chat.completion"), "choices": choices, "usage": reply.usage()}


def _deltas(gen: Generation) -> list[tuple[dict, dict | None]]:
    """(delta, logprobs) of one choice's chunks between the role chunk and the finish chunk."""
    call = gen.tool_call
    if call:
        head = {"index": 0, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
        return [({"tool_calls": [head]}, None), ({"tool_calls": [{"index": 0, "function": {"arguments": call.arguments}}]}, None)]
    entries = (gen.logprobs or {}).get("content") or []
    return [({"content": piece}, {"content": [entries[i]]} if gen.logprobs else None) for i, piece in enumerate(gen.pieces)]


def chunk_bodies(reply: Reply, include_usage: bool) -> list[dict]:
    """Every chunk of a stream in order (without the [DONE] terminator)."""
    def chunk(index: int, delta: dict, logprobs: dict | None = None, finish: str | None = None) -> dict:
        body = {**reply.envelope("chat.completion.chunk"),
                "choices": [{"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}]}
        if include_usage:
            body["usage"] = None
        return body

    gen = reply.generation
    chunks = []
    for index in range(reply.n):
        chunks.append(chunk(index, {"role": "assistant", "content": ""}))
        chunks += [chunk(index, delta, logprobs) for delta, logprobs in _deltas(gen)]
        chunks.append(chunk(index, {}, None, gen.finish_reason))
    if include_usage:
        chunks.append({**reply.envelope("chat.completion.chunk"), "choices": [], "usage": reply.usage()})
    return chunks


def sse_event(data: dict | str, name: str | None = None) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return (f"event: {name}\n" if name else "").encode("utf-8") + f"data: {text}\n\n".encode("utf-8")


# the wire interface every surface's wire module offers the gateway (conformance/surfaces/messages/wire.py too)
def model_params(params: dict) -> dict:
    """The request as the reference model reads it: chat's own parameters are the model's."""
    return params


def break_stream(chunks: list[dict], kind: str | None) -> list[dict]:
    """Chat's stream faults live in the gateway's chunk edits (conformance/gateway/mutate.py), but for the error
    chunk an OpenAI-compatible gateway sends mid-stream."""
    if kind == "stream-error-event":
        return chunks[:1] + [error_body("upstream failed mid-stream", "server_error")]
    return chunks


def event_name(data: dict, kind: str | None) -> str | None:
    """Chat's events are unnamed `data:` lines."""
    return None


def models_body(models: tuple[str, ...], created: int) -> dict:
    return {"object": "list", "data": [{"id": m, "object": "model", "created": created, "owned_by": OWNER} for m in models]}


def error_body(message: str, error_type: str, param: str | None = None, code: str | None = None,
               status: int | None = None) -> dict:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}
