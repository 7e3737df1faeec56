"""What the reference model says to a request: it echoes the last user message, word by word.

The reference gateway's model (conformance/gateway/model.py) answers with these words; the stop behaviour's
fault (conformance/behaviours/stop_excluded.py) reads them to tell which stop sequence cut an answer. Both
depend on this module, never on each other.
"""

from __future__ import annotations

import json
from typing import Any

from .vocabulary import RECALL_PROMPT

MAX_WORDS = 64
FALLBACK_WORD = "hello"


def message_text(message: Any) -> str:
    """The text of a message: string content or its text parts."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        return "\n".join(t for t in texts if isinstance(t, str))
    return ""


def messages(params: dict) -> list:
    found = params.get("messages")
    return found if isinstance(found, list) else []


def prompt_words(params: dict) -> list[str]:
    """Words of the last user message (the fallback word when there are none), or of the first one when the
    last asks for it (RECALL_PROMPT: a model that was given the earlier turns can answer it)."""
    users = [m for m in messages(params) if isinstance(m, dict) and m.get("role") == "user"]
    said = users[0] if users and message_text(users[-1]).strip() == RECALL_PROMPT else users[-1] if users else None
    words = message_text(said).split() if said else []
    return words[:MAX_WORDS] or [FALLBACK_WORD]


def stop_sequences(stop: Any) -> list[str]:
    items = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    return [s for s in items if isinstance(s, str) and s]


def json_mode(params: dict) -> bool:
    response_format = params.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    return kind in ("json_object", "json_schema")


def echo(params: dict) -> str:
    """The whole text the model says to `params` (before a stop sequence or a cap cuts it)."""
    text = " ".join(prompt_words(params))
    return json.dumps({"answer": text}) if json_mode(params) else text
