"""The correlation marker: a short token per request that survives a gateway, so the recording upstream's record of
a request is matched to the case that sent it.

A header may be stripped by a gateway that rebuilds headers, so the token travels in the message content (appended
to the last user message's text) and, as a fallback for bodies with no text to carry it, in a header too. The
token is derived from the request's fingerprint (conformance/engine.py): identical requests, sent once and shared by
several cases, carry one token, and the judging side finds it again from the request alone. The recording upstream
strips it before its model answers, so answers are what they would be without --upstream.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

HEADER = "X-Routecheck-Marker"
TOKEN = re.compile(r"rc[0-9a-f]{10}")
# ASCII only, nothing JSON escapes: the tag stands in the raw body as it does in the text
IN_TEXT = re.compile(r" ?\[(rc[0-9a-f]{10})\]")


def token(fingerprint: str) -> str:
    return "rc" + hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()[:10]


def outgoing(fingerprint: str, request: Any, content: bytes | None, headers: dict[str, str]) -> tuple[bytes | None, dict[str, str]]:
    """The engine's `mark` under --upstream: a request as sent, marked with its exchange's token."""
    return marked(content, request.body, headers, token(fingerprint))


def tag(marker: str) -> str:
    return f" [{marker}]"


def marked(content: bytes | None, body: Any, headers: dict[str, str], marker: str) -> tuple[bytes | None, dict[str, str]]:
    """The bytes and headers to send: the marker in the last user message's text where the body has one, and in
    the header always. A body without messages (a raw or malformed one) goes as it is."""
    headers = {**headers, HEADER: marker}
    if not isinstance(body, dict) or _target(body.get("messages")) is None:
        return content, headers
    return json.dumps(_with_tag(body, tag(marker)), ensure_ascii=False).encode(), headers


def _target(messages: Any) -> tuple[int, int | None] | None:
    """(message index, content part index or None) of the last user text, or None."""
    if not isinstance(messages, list):
        return None
    for i in range(len(messages) - 1, -1, -1):
        message = messages[i]
        if not (isinstance(message, dict) and message.get("role") == "user"):
            continue
        content = message.get("content")
        if isinstance(content, str):
            return i, None
        if isinstance(content, list):
            for j in range(len(content) - 1, -1, -1):
                part = content[j]
                if isinstance(part, dict) and part.get("type") in ("text", "input_text") and isinstance(part.get("text"), str):
                    return i, j
        return None
    return None


def _with_tag(body: dict, text: str) -> dict:
    """A copy of `body` with `text` appended to the last user text (the case's own body is never changed)."""
    i, j = _target(body["messages"])
    messages = list(body["messages"])
    message = dict(messages[i])
    if j is None:
        message["content"] = message["content"] + text
    else:
        parts = list(message["content"])
        parts[j] = dict(parts[j], text=parts[j]["text"] + text)
        message["content"] = parts
    messages[i] = message
    return {**body, "messages": messages}


def found(raw: bytes, headers: dict[str, str]) -> tuple[str | None, str | None]:
    """The marker a received request carries and how it came (`content` or `header`), or (None, None)."""
    tags = IN_TEXT.findall(raw.decode("utf-8", errors="replace"))
    if tags:
        return tags[-1], "content"
    value = headers.get(HEADER.lower(), "").strip()
    return (value, "header") if TOKEN.fullmatch(value) else (None, None)


def stripped(raw: bytes) -> bytes:
    """The body without its markers, byte for byte otherwise: what the upstream's model reads."""
    return IN_TEXT.sub("", raw.decode("utf-8", errors="surrogateescape")).encode("utf-8", errors="surrogateescape")
