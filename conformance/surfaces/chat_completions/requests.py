"""Chat completions requests: a user message, a token cap, a function tool forced by name."""

from __future__ import annotations

from typing import Any


def body(model: str, prompt: str, cap_param: str, cap: int | None, fields: dict) -> dict:
    """One user message and the cap; `fields` last, over any of those (a case may send another model)."""
    out: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    if cap is not None:
        out[cap_param] = cap
    out.update(fields)
    return out


def tool_body(base: dict, tool: dict, tool_choice: Any = None) -> dict:
    """`base` with `tool`, forced by name unless another tool_choice is given."""
    forced = {"type": "function", "function": {"name": tool["function"]["name"]}}
    return {**base, "tools": [tool], "tool_choice": forced if tool_choice is None else tool_choice}
