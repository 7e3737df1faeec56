"""Responses requests: the prompt as `input` text, the token cap, a function tool forced by name."""

from __future__ import annotations

from typing import Any


def body(model: str, prompt: str, cap_param: str, cap: int | None, fields: dict) -> dict:
    """The prompt as one user message item (the text form is a case of its own, so a gateway refusing it does
    not block every case), then the cap; `fields` last, over any of those."""
    out: dict[str, Any] = {"model": model, "input": [{"role": "user", "content": prompt}]}
    if cap is not None:
        out[cap_param] = cap
    out.update(fields)
    return out


def tool_body(base: dict, tool: dict, tool_choice: Any = None) -> dict:
    """`base` with the function `tool` (chat's definition) in Responses' flat form, forced by name unless another
    tool_choice is given (a bare mode, "none" or "auto", is sent as is)."""
    function = tool["function"]
    defined = {"type": "function", "name": function["name"], "description": function.get("description", ""),
               "parameters": function.get("parameters", {"type": "object"}), "strict": False}
    forced = {"type": "function", "name": function["name"]}
    return {**base, "tools": [defined], "tool_choice": forced if tool_choice is None else tool_choice}
