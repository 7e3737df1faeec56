"""Chat completions: inner structure of the parameters whose values are objects with a documented shape (the
reference gateway's half of the surface, read through conformance.surfaces.reference_wire).

Each check returns why the value is invalid, or None. Only object items are
examined: whether items must be objects at all is the `items` facet's business.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
TOOL_CHOICE_MODES = ("none", "auto", "required")
RESPONSE_FORMATS = ("text", "json_object", "json_schema")
IMAGE_URL_SCHEMES = ("data:", "http://", "https://")  # accepted, never fetched


def _part_problem(part: Any) -> str | None:
    if not isinstance(part, dict):
        return "a content part must be an object"
    kind = part.get("type")
    if kind == "text":
        return None if isinstance(part.get("text"), str) else "a text part needs a string 'text'"
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else None
        if isinstance(url, str) and url.startswith(IMAGE_URL_SCHEMES):
            return None
        return "an image_url part needs image_url.url, a data: or http(s) URL"
    return "a content part's type must be text or image_url"


def _content_problem(content: Any, may_be_null: bool) -> str | None:
    if content is None:
        return None if may_be_null else "content is required"
    if isinstance(content, str):
        return None
    if isinstance(content, list):
        return next(filter(None, map(_part_problem, content)), None)
    return "content must be a string or an array of content parts"


def message_problem(message: dict) -> str | None:
    role = message.get("role")
    if role not in ROLES:
        return f"role must be one of {', '.join(ROLES)}"
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        return "a tool message needs a string tool_call_id"
    # an assistant message that carries tool calls (or a legacy function message) may have no content
    return _content_problem(message.get("content"), may_be_null=role in ("assistant", "function"))


def messages_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    for i, message in enumerate(value):
        problem = message_problem(message) if isinstance(message, dict) else None
        if problem:
            return f"messages[{i}]: {problem}"
    return None


def tools_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    for i, tool in enumerate(value):
        if not isinstance(tool, dict):
            continue
        function = tool.get("function")
        if tool.get("type") != "function" or not isinstance(function, dict):
            return f"tools[{i}] must be {{type: function, function: {{name, ...}}}}"
        if not isinstance(function.get("name"), str) or not function["name"]:
            return f"tools[{i}].function.name must be a non-empty string"
        if "parameters" in function and not isinstance(function["parameters"], dict):
            return f"tools[{i}].function.parameters must be an object"
    return None


def tool_choice_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return None if value in TOOL_CHOICE_MODES else f"tool_choice must be one of {', '.join(TOOL_CHOICE_MODES)}"
    if isinstance(value, dict):
        function = value.get("function")
        if value.get("type") == "function" and isinstance(function, dict) and isinstance(function.get("name"), str):
            return None
        return "tool_choice must be {type: function, function: {name}}"
    return None


def response_format_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind not in RESPONSE_FORMATS:
        return f"response_format.type must be one of {', '.join(RESPONSE_FORMATS)}"
    if kind == "json_schema" and not isinstance(value.get("json_schema"), dict):
        return "response_format json_schema needs a json_schema object"
    return None


SHAPE_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "messages": messages_problem,
    "tools": tools_problem,
    "tool_choice": tool_choice_problem,
    "response_format": response_format_problem,
}
