"""Chat completions requests: a user message, a token cap, a function tool forced by name."""

from __future__ import annotations

from typing import Any

from ..prompt import user_prompt_body


body = user_prompt_body  # the shared one: a user message, then the cap


def tool_body(base: dict, tool: dict, tool_choice: Any = None) -> dict:
    """`base` with `tool`, forced by name unless another tool_choice is given."""
    forced = {"type": "function", "function": {"name": tool["function"]["name"]}}
    return {**base, "tools": [tool], "tool_choice": forced if tool_choice is None else tool_choice}
