"""The reference gateway's Responses wire format: requests translated for the reference model, response objects,
the semantic stream events, errors. The surface's reference half: only the gateway imports it."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# OpenAI's error object and model list are the same on every OpenAI surface
from ..chat_completions.wire import error_body, models_body  # noqa: F401 - the wire interface

if TYPE_CHECKING:
    from ...gateway.model import Generation

DONE = None  # a Responses stream ends with its terminal event; a profile may document a `[DONE]` line after it
CUT = "max_output_tokens"
CONTINUES = "previous_response_id"  # the parameter that names a stored response to continue (the gateway keeps them)


def _text(content: Any) -> Any:
    """An input message's content as chat's: a string, or its input_text parts as text parts."""
    if isinstance(content, list):
        return [{"type": "text", "text": p.get("text")} for p in content
                if isinstance(p, dict) and p.get("type") in ("input_text", "output_text")]
    return content


def input_messages(params: dict) -> list[dict]:
    """The request's instructions and input as chat messages (a text input is a user message)."""
    messages = [{"role": "system", "content": params["instructions"]}] if isinstance(params.get("instructions"), str) else []
    given = params.get("input")
    if isinstance(given, str):
        return messages + [{"role": "user", "content": given}]
    for item in given if isinstance(given, list) else []:
        if isinstance(item, dict) and item.get("role") in ("user", "assistant", "system", "developer"):
            messages.append({"role": item["role"], "content": _text(item.get("content"))})
    return messages


def model_params(params: dict) -> dict:
    """The request as the reference model reads every surface's: the input as messages, text.format as
    response_format, the tools in chat's form."""
    out = dict(params, messages=input_messages(params))
    text = params.get("text") if isinstance(params.get("text"), dict) else {}
    if isinstance(text.get("format"), dict):
        out["response_format"] = text["format"]
    tools = params.get("tools") if isinstance(params.get("tools"), list) else []
    out["tools"] = [{"type": "function", "function": {"name": t.get("name"), "parameters": t.get("parameters")}}
                    for t in tools if isinstance(t, dict) and t.get("type") == "function"]
    choice = params.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        out["tool_choice"] = {"type": "function", "function": {"name": choice.get("name")}}
    return out


@dataclass(frozen=True)
class Reply:
    id: str
    created: int
    model: str
    generation: Generation
    prompt_tokens: int
    item_id: str

    @staticmethod
    def new(model: str, generation: Generation, n: int, prompt_tokens: int, created: int) -> Reply:
        return Reply(f"resp_{uuid.uuid4().hex}", created, model, generation, prompt_tokens, uuid.uuid4().hex[:24])

    @property
    def cut(self) -> bool:
        return self.generation.finish_reason == "length"


def output_items(reply: Reply, status: str = "completed") -> list[dict]:
    gen = reply.generation
    if gen.tool_call:
        call = gen.tool_call
        return [{"id": f"fc_{reply.item_id}", "type": "function_call", "call_id": call.id, "name": call.name,
                 "arguments": call.arguments, "status": status}]
    part = {"type": "output_text", "text": gen.content or "", "annotations": [], "logprobs": []}
    return [{"id": f"msg_{reply.item_id}", "type": "message", "role": "assistant", "status": status, "content": [part]}]


def completion_body(reply: Reply, in_progress: bool = False) -> dict:
    gen = reply.generation
    status = "in_progress" if in_progress else "incomplete" if reply.cut else "completed"
    usage = {"input_tokens": reply.prompt_tokens, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": gen.completion_tokens, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": reply.prompt_tokens + gen.completion_tokens}
    return {"id": reply.id, "object": "response", "created_at": reply.created, "status": status, "error": None,
            "incomplete_details": {"reason": CUT} if reply.cut and not in_progress else None, "instructions": None,
            "model": reply.model, "output": [] if in_progress else output_items(reply, "incomplete" if reply.cut else "completed"),
            "parallel_tool_calls": True, "metadata": {}, "tool_choice": "auto", "tools": [], "temperature": 1.0,
            "top_p": 1.0, "usage": None if in_progress else usage}


def _item_events(reply: Reply) -> list[dict]:
    gen, done = reply.generation, output_items(reply, "incomplete" if reply.cut else "completed")[0]
    added = dict(done, status="in_progress", **({"arguments": ""} if gen.tool_call else {"content": []}))
    where = {"item_id": done["id"], "output_index": 0}
    events = [{"type": "response.output_item.added", "output_index": 0, "item": added}]
    if gen.tool_call:
        events += [{"type": "response.function_call_arguments.delta", **where, "delta": gen.tool_call.arguments},
                   {"type": "response.function_call_arguments.done", **where, "name": gen.tool_call.name,
                    "arguments": gen.tool_call.arguments}]
    else:
        part, at = done["content"][0], dict(where, content_index=0)
        events += [{"type": "response.content_part.added", **at, "part": dict(part, text="")},
                   *({"type": "response.output_text.delta", **at, "delta": piece, "logprobs": []} for piece in gen.pieces),
                   {"type": "response.output_text.done", **at, "text": part["text"], "logprobs": []},
                   {"type": "response.content_part.done", **at, "part": part}]
    return events + [{"type": "response.output_item.done", "output_index": 0, "item": done}]


def chunk_bodies(reply: Reply, include_usage: bool = False) -> list[dict]:
    """Every event's data in order, each with its sequence_number: created, in_progress, the item's events, the
    terminal event."""
    start = completion_body(reply, in_progress=True)
    final = completion_body(reply)
    events = [{"type": "response.created", "response": start},
              {"type": "response.in_progress", "response": copy.deepcopy(start)},
              *_item_events(reply),
              {"type": "response.incomplete" if reply.cut else "response.completed", "response": final}]
    return [dict(event, sequence_number=number) for number, event in enumerate(events)]


def break_stream(events: list[dict], kind: str | None) -> list[dict]:
    """The event list as a faulty gateway sends it (`kind`: a `responses-*` stream fault, or None)."""
    if kind == "stream-error-event":  # an error, then a clean finish: the failure reported as complete
        error = {"type": "error", "code": "server_error", "message": "upstream failed mid-stream", "param": None}
        return events[:3] + [dict(error, sequence_number=3)] + [dict(e, sequence_number=e["sequence_number"] + 1)
                                                              for e in events[3:]]
    if not kind or not kind.startswith("responses-"):
        return events
    name = kind.removeprefix("responses-")
    of = {  # the events a fault drops
        "no-created": "response.created", "no-content-part": "response.content_part.added",
        "no-item-done": "response.output_item.done", "no-arguments-done": "response.function_call_arguments.done",
    }
    terminal = next(i for i, e in enumerate(events) if e["type"] in ("response.completed", "response.incomplete"))
    if name in of:
        return [e for e in events if e["type"] != of[name]]
    if name == "no-terminal":
        return events[:terminal] + events[terminal + 1:]
    if name == "two-terminals":
        return events + [copy.deepcopy(events[terminal])]
    if name == "in-progress-late":
        moved = events.pop(1)
        events.insert(next(i for i, e in enumerate(events) if e["type"] == "response.output_item.added") + 1, moved)
    for event in events:
        if event["type"] == "response.output_text.delta":
            if name == "no-sequence-number":
                del event["sequence_number"]
            elif name == "no-item-id":
                del event["item_id"]
        if name == "sequence-repeats":
            event["sequence_number"] = 0
        elif name == "done-text-differs" and event["type"] == "response.output_text.done":
            event["text"] += " (edited)"
        elif name == "final-text-differs" and event["type"] in ("response.completed", "response.incomplete"):
            for item in event["response"]["output"]:
                for part in item.get("content") or []:
                    part["text"] = ""
    return events


def event_name(data: Any, kind: str | None) -> str | None:
    return None if kind == "responses-no-event-names" else data.get("type")
