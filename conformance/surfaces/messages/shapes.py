"""Messages: inner structure of the parameters whose values are objects with a documented shape (the reference
gateway's half of the surface). Each check returns why the value is invalid, or None."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..shape_rules import role_message_problem

ROLES = ("user", "assistant")  # "there is no "system" role for input messages in the Messages API"
TOOL_CHOICES = ("auto", "any", "tool", "none")


def messages_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    problems = (role_message_problem("messages", i, m, ROLES, "content blocks") for i, m in enumerate(value)
                if isinstance(m, dict))
    return next((p for p in problems if p), None)


def tools_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    for i, tool in enumerate(value):
        if not isinstance(tool, dict):
            continue
        if not isinstance(tool.get("name"), str) or not tool["name"]:
            return f"tools[{i}].name must be a non-empty string"
        if not isinstance(tool.get("input_schema"), dict):
            return f"tools[{i}].input_schema must be an object"
    return None


def tool_choice_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if value.get("type") not in TOOL_CHOICES:
        return f"tool_choice.type must be one of {', '.join(TOOL_CHOICES)}"
    if value["type"] == "tool" and not isinstance(value.get("name"), str):
        return "tool_choice of type tool needs a name"
    return None


SHAPE_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "messages": messages_problem,
    "tools": tools_problem,
    "tool_choice": tool_choice_problem,
}
