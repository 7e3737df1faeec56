"""Messages requests: a user message with the required max_tokens, a tool forced by name."""

from __future__ import annotations

from typing import Any

from ..prompt import user_prompt_body

body = user_prompt_body  # Messages bodies are chat's shape here: model, messages, then the cap (max_tokens)


def tool_body(base: dict, tool: dict, tool_choice: Any = None) -> dict:
    """`base` with the function `tool` (an OpenAI-style definition) as a Messages tool, forced by name unless
    another tool_choice is given; a bare choice ("none", "auto") is Messages' `{"type": ...}`."""
    function = tool["function"]
    defined = {"name": function["name"], "description": function.get("description", ""),
               "input_schema": function.get("parameters", {"type": "object"})}
    if tool_choice is None:
        tool_choice = {"type": "tool", "name": function["name"]}
    elif isinstance(tool_choice, str):
        tool_choice = {"type": tool_choice}
    return {**base, "tools": [defined], "tool_choice": tool_choice}
