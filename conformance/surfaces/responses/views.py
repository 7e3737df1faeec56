"""Responses answers as the normalised views: the response is the one output; its text is the output_text of
its message items, its tool calls its function_call items, its stop reason its status (the incomplete_details
reason when incomplete, so a cut output reads "max_output_tokens")."""

from __future__ import annotations

import json
from typing import Any

from ..views import Answer, Output, StreamView, ToolCall

CUT = "max_output_tokens"  # incomplete_details.reason of a response the token cap cut
NO_TOOL_REASON = "(Responses has no stop reason for a tool call)"  # never a status: tool_stop is never true
NAMES = {"text": "the output_text of the message items", "tool_calls": "function_call output item",
         "tool_call": "the first function_call item", "stop_reason": "status (incomplete_details.reason when incomplete)"}
TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def stop_reason(response: dict) -> Any:
    """The status, or why the response is incomplete."""
    details = response.get("incomplete_details")
    if response.get("status") == "incomplete" and isinstance(details, dict):
        return details.get("reason")
    return response.get("status")


def _tool_call(item: dict) -> ToolCall:
    return ToolCall(item.get("name"), item.get("arguments"), None, item)


def output_text(items: list) -> str | None:
    """The text of every output_text part of every message item, in order; None when there is none."""
    texts = [part.get("text") for item in items if isinstance(item, dict) and item.get("type") == "message"
             for part in (item.get("content") if isinstance(item.get("content"), list) else [])
             if isinstance(part, dict) and part.get("type") == "output_text"]
    return "".join(t for t in texts if isinstance(t, str)) if texts else None


def _tokens(response: dict) -> int | None:
    usage = response.get("usage") if isinstance(response.get("usage"), dict) else {}
    tokens = usage.get("output_tokens")
    return tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None


def answer(data: Any) -> Answer:
    data = data if isinstance(data, dict) else {}
    items = data.get("output")
    if not isinstance(items, list):
        return Answer((), None, f"the response has no output array: {json.dumps(data)[:200]}", CUT, NO_TOOL_REASON, NAMES)
    calls = tuple(_tool_call(i) for i in items if isinstance(i, dict) and i.get("type") == "function_call")
    output = Output(output_text(items), calls, stop_reason(data), {"response": data})
    return Answer((output,), _tokens(data), None, CUT, NO_TOOL_REASON, NAMES)


def stream(chunks: list[tuple[int, Any]]) -> StreamView:
    view = StreamView()
    for _, event in chunks:
        if not isinstance(event, dict):
            continue
        kind = event.get("type")
        if kind == "response.output_text.delta" and isinstance(event.get("delta"), str):
            view.deltas.append((0, event["delta"]))
        elif kind in TERMINAL and isinstance(event.get("response"), dict):
            view.stop_reasons[0] = stop_reason(event["response"])
            view.output_tokens = _tokens(event["response"])
    return view
