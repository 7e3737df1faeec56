"""Messages answers as the normalised views: the message is the one output, its text blocks its text,
its tool_use blocks its tool calls (their `input` object as the JSON text a chat client would get)."""

from __future__ import annotations

import json
from typing import Any

from ..views import Answer, Output, StreamView, ToolCall

CUT, TOOL = "max_tokens", "tool_use"  # the stop_reasons of a message a token cap cut, of a tool call
NAMES = {"text": "the text blocks", "tool_calls": "tool_use block", "tool_call": "the first tool_use block",
         "stop_reason": "stop_reason"}


def _tool_call(block: dict) -> ToolCall:
    arguments = block.get("input")
    if not isinstance(arguments, dict):
        return ToolCall(block.get("name"), None, f"tool_use.input is {json.dumps(arguments)[:80]}, not an object", block)
    return ToolCall(block.get("name"), json.dumps(arguments), None, block)


def answer(data: Any) -> Answer:
    data = data if isinstance(data, dict) else {}
    content = data.get("content")
    if not isinstance(content, list):
        return Answer((), None, f"the message has no content array: {json.dumps(data)[:200]}", CUT, TOOL, NAMES)
    blocks = [b for b in content if isinstance(b, dict)]
    texts = [b.get("text") for b in blocks if b.get("type") == "text"]
    text = "".join(t for t in texts if isinstance(t, str)) if texts else None
    calls = tuple(_tool_call(b) for b in blocks if b.get("type") == "tool_use")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    tokens = usage.get("output_tokens")
    tokens = tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None
    return Answer((Output(text, calls, data.get("stop_reason"), {"message": data}),), tokens, None, CUT, TOOL, NAMES)


def stream(chunks: list[tuple[int, Any]]) -> StreamView:
    view = StreamView()
    for _, event in chunks:
        if not isinstance(event, dict):
            continue
        kind, delta = event.get("type"), event.get("delta")
        if kind == "content_block_delta" and isinstance(delta, dict) and delta.get("type") == "text_delta":
            if isinstance(delta.get("text"), str):
                view.deltas.append((0, delta["text"]))
        elif kind == "message_delta" and isinstance(delta, dict) and delta.get("stop_reason"):
            view.stop_reasons[0] = delta["stop_reason"]
        usage = event.get("usage")
        if kind == "message_delta" and isinstance(usage, dict) and isinstance(usage.get("output_tokens"), int):
            view.output_tokens = usage["output_tokens"]  # cumulative: the last one counts, never a sum
    return view
