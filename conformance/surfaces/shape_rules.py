"""What the reference gateways of several surfaces check alike inside a parameter's value: a list of role
messages whose content is a string or typed parts (Messages' messages, Responses' input)."""

from __future__ import annotations

from typing import Any


def content_problem(content: Any, parts: str = "content blocks") -> str | None:
    if isinstance(content, str):
        return None
    if isinstance(content, list):
        if all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in content):
            return None
        return f"each of the {parts} must be an object with a type"
    return f"content must be a string or an array of {parts}"


def role_message_problem(name: str, i: int, message: dict, roles: tuple[str, ...], parts: str) -> str | None:
    """Why `message` (item `i` of parameter `name`) is not a message of one of `roles`, or None."""
    if message.get("role") not in roles:
        return f"{name}[{i}].role must be one of {', '.join(roles)}"
    problem = content_problem(message.get("content"), parts)
    return f"{name}[{i}]: {problem}" if problem else None
