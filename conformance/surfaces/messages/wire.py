"""The reference gateway's Messages wire format: requests translated for the reference model, messages,
stream events (each named by its type), errors. The surface's reference half: only the gateway imports it."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timezone
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...gateway.model import Generation

DONE = None  # a Messages stream ends with message_stop, not a terminator line
STOP_REASONS = {"length": "max_tokens", "tool_calls": "tool_use"}  # the model's finish reasons, as Messages says them
STREAM_KINDS = ("messages-no-event-names", "messages-duplicate-start", "messages-block-index-minus-one",
                "messages-thinking-delta-in-text", "messages-no-stop-reason", "messages-no-message-stop",
                "messages-event-after-stop")


def model_params(params: dict) -> dict:
    """The request as the reference model reads every surface's: stop_sequences as stop, the tools and
    tool_choice in their function form."""
    out = dict(params)
    if "stop_sequences" in params:
        out["stop"] = params["stop_sequences"]
    tools = params.get("tools") if isinstance(params.get("tools"), list) else []
    out["tools"] = [{"type": "function", "function": {"name": t.get("name"), "parameters": t.get("input_schema")}}
                    for t in tools if isinstance(t, dict)]
    choice = params.get("tool_choice") if isinstance(params.get("tool_choice"), dict) else {}
    out["tool_choice"] = ({"type": "function", "function": {"name": choice.get("name")}} if choice.get("type") == "tool"
                          else "required" if choice.get("type") == "any" else choice.get("type"))
    return out


@dataclass(frozen=True)
class Reply:
    id: str
    model: str
    generation: Generation
    prompt_tokens: int

    @staticmethod
    def new(model: str, generation: Generation, n: int, prompt_tokens: int, created: int) -> Reply:
        return Reply(f"msg_{uuid.uuid4().hex[:24]}", model, generation, prompt_tokens)

    def stop(self) -> tuple[str, str | None]:
        """(stop_reason, stop_sequence)."""
        reason = self.generation.finish_reason
        if reason == "stop" and self.generation.stop_sequence:
            return "stop_sequence", self.generation.stop_sequence
        return STOP_REASONS.get(reason, "end_turn"), None


def _blocks(gen: Generation) -> list[dict]:
    if gen.tool_call:
        call = gen.tool_call
        return [{"type": "tool_use", "id": f"toolu_{call.id}", "name": call.name, "input": json.loads(call.arguments)}]
    return [{"type": "text", "text": gen.content or ""}]


def completion_body(reply: Reply) -> dict:
    reason, sequence = reply.stop()
    return {"id": reply.id, "type": "message", "role": "assistant", "model": reply.model,
            "content": _blocks(reply.generation), "stop_reason": reason, "stop_sequence": sequence,
            "usage": {"input_tokens": reply.prompt_tokens, "output_tokens": reply.generation.completion_tokens}}


def chunk_bodies(reply: Reply, include_usage: bool = False) -> list[dict]:
    """Every event's data in order: message_start, the block's start, deltas and stop, message_delta, message_stop."""
    gen = reply.generation
    start = dict(completion_body(reply), content=[], stop_reason=None, stop_sequence=None)
    start["usage"] = dict(start["usage"], output_tokens=1)
    events = [{"type": "message_start", "message": start}]
    if gen.tool_call:
        block = _blocks(gen)[0]
        events += [{"type": "content_block_start", "index": 0, "content_block": dict(block, input={})},
                   {"type": "content_block_delta", "index": 0,
                    "delta": {"type": "input_json_delta", "partial_json": gen.tool_call.arguments}}]
    else:
        events.append({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
        events += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
                   for piece in gen.pieces]
        events.insert(1, {"type": "ping"})
    reason, sequence = reply.stop()
    events += [{"type": "content_block_stop", "index": 0},
               {"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": sequence},
                "usage": {"output_tokens": gen.completion_tokens}},
               {"type": "message_stop"}]
    return events


def break_stream(events: list[dict], kind: str | None) -> list[dict]:
    """The event list as a faulty gateway sends it (`kind`: one of STREAM_KINDS, or None)."""
    if kind == "messages-duplicate-start":
        events.insert(1, copy.deepcopy(events[0]))
    elif kind == "messages-block-index-minus-one":
        for event in events:
            if "index" in event:
                event["index"] = -1
    elif kind == "messages-thinking-delta-in-text":
        at = next(i for i, e in enumerate(events) if e["type"] == "content_block_start")
        events.insert(at + 1, {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Hm."}})
    elif kind == "messages-no-stop-reason":
        for event in events:
            if event["type"] == "message_delta":
                event["delta"]["stop_reason"] = None
    elif kind == "messages-no-message-stop":
        events = [e for e in events if e["type"] != "message_stop"]
    elif kind == "stream-error-event":  # an overloaded upstream, mid-stream: the error event ends the stream
        events = events[:2] + [error_body("Overloaded", "overloaded_error", status=529)]
    elif kind == "messages-event-after-stop":
        events.append({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " more"}})
    return events


def event_name(data: Any, kind: str | None) -> str | None:
    return None if kind == "messages-no-event-names" else data.get("type")


def error_body(message: str, error_type: str, param: str | None = None, code: str | None = None,
               status: int | None = None) -> dict:
    """Messages' error object: its type follows the HTTP status, as the errors page lists them."""
    kind = ERROR_TYPES.get(status) or ("api_error" if (status or 500) >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": message}}


ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error",
               529: "overloaded_error"}


def models_body(models: tuple[str, ...], created: int) -> dict:
    stamp = datetime.fromtimestamp(created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = [{"type": "model", "id": m, "display_name": m, "created_at": stamp} for m in models]
    return {"data": data, "has_more": False, "first_id": models[0] if models else None,
            "last_id": models[-1] if models else None}
