"""Chat completions answers as the normalised views (conformance/surfaces/views.py): each choice an output."""

from __future__ import annotations

import json
from typing import Any

from ..views import Answer, Output, StreamView, ToolCall

CUT, TOOL = "length", "tool_calls"  # the finish_reasons of a choice a token cap cut, of a tool call
NAMES = {"text": "message.content", "tool_calls": "message.tool_calls", "tool_call": "tool_calls[0].function",
         "stop_reason": "finish_reason"}


def _tool_calls(calls: Any) -> tuple[ToolCall, ...]:
    if calls and not isinstance(calls, list):  # something came back, but not as a list of calls
        return (ToolCall(None, None, f"no message.tool_calls list: {json.dumps(calls)[:120]}", calls),)
    out = []
    for i, call in enumerate(calls if isinstance(calls, list) else []):
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict):
            out.append(ToolCall(None, None, f"tool_calls[{i}].function missing: {call!r}", call))
        else:
            out.append(ToolCall(function.get("name"), function.get("arguments"), None, call))
    return tuple(out)


def _output(choice: Any) -> Output:
    choice = choice if isinstance(choice, dict) else {}
    msg = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    return Output(msg.get("content"), _tool_calls(msg.get("tool_calls")), choice.get("finish_reason"),
                  {"message": msg, "choice": choice})


def answer(data: Any) -> Answer:
    data = data if isinstance(data, dict) else {}
    choices = data.get("choices")
    problem = None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        problem = f"the completion has no choices: {json.dumps(data)[:200]}"
    elif not isinstance(choices[0].get("message"), dict):
        problem = "choices[0].message is missing"
    outputs = tuple(_output(c) for c in choices) if isinstance(choices, list) else ()
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    tokens = usage.get("completion_tokens")
    tokens = tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None
    return Answer(outputs, tokens, problem, CUT, TOOL, NAMES)


def stream(chunks: list[tuple[int, Any]]) -> StreamView:
    view = StreamView()
    for _, chunk in chunks:
        if not isinstance(chunk, dict):
            continue
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0)
            delta = choice.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                view.deltas.append((index, delta["content"]))
            if choice.get("finish_reason"):
                view.stop_reasons[index] = choice["finish_reason"]
        usage = chunk.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
            view.output_tokens = usage["completion_tokens"]
    return view
