"""The body every surface built on a `messages` list shares: one user message, then the token cap."""

from __future__ import annotations

from typing import Any


def user_prompt_body(model: str, prompt: str, cap_param: str, cap: int | None, fields: dict) -> dict:
    """One user message and the cap; `fields` last, over any of those (a case may send another model)."""
    out: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    if cap is not None:
        out[cap_param] = cap
    out.update(fields)
    return out
