"""Responses: inner structure of the parameters whose values have a documented shape (the reference gateway's
half of the surface). Each check returns why the value is invalid, or None."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..shape_rules import role_message_problem

ROLES = ("user", "assistant", "system", "developer")  # EasyInputMessage.role
ITEM_TYPES = ("message", "function_call", "function_call_output")  # the input items the reference model reads
TOOL_CHOICES = ("none", "auto", "required")  # ToolChoiceOptions
FORMATS = ("text", "json_object", "json_schema")  # TextResponseFormatConfiguration


def input_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            return f"input[{i}] must be an object"
        kind = item.get("type", "message")
        if kind not in ITEM_TYPES:
            return f"input[{i}].type {kind!r} is not an input item type this gateway knows"
        problem = role_message_problem("input", i, item, ROLES, "content parts") if kind == "message" else None
        if problem:
            return problem
    return None


def tools_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    for i, tool in enumerate(value):
        if not isinstance(tool, dict):
            continue  # the items facet's: an item that is not an object
        if not isinstance(tool.get("type"), str):
            return f"tools[{i}] must be an object with a type"
        if tool["type"] == "function" and (not isinstance(tool.get("name"), str) or not tool["name"]):
            return f"tools[{i}].name must be a non-empty string"
    return None


def tool_choice_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return None if value in TOOL_CHOICES else f"tool_choice must be one of {', '.join(TOOL_CHOICES)} or an object"
    if isinstance(value, dict) and value.get("type") == "function" and not isinstance(value.get("name"), str):
        return "a function tool_choice needs a name"
    return None


def text_problem(value: Any) -> str | None:
    if not isinstance(value, dict) or "format" not in value:
        return None
    fmt = value["format"]
    if not isinstance(fmt, dict) or fmt.get("type") not in FORMATS:
        return f"text.format.type must be one of {', '.join(FORMATS)}"
    if fmt["type"] == "json_schema" and not (isinstance(fmt.get("name"), str) and isinstance(fmt.get("schema"), dict)):
        return "a json_schema format needs a name and a schema"
    return None


SHAPE_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "input": input_problem,
    "tools": tools_problem,
    "tool_choice": tool_choice_problem,
    "text": text_problem,
}
