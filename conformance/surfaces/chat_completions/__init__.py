"""Chat completions (`POST /v1/chat/completions`): the surface every bundled profile documents.

Its parts: requests.py (bodies), views.py (answers and streams as the normalised views),
stream_rules.py (its stream rules, checks and stream faults), wire.py (the reference gateway's wire format)."""

from __future__ import annotations

from .. import Surface
from . import requests, stream_rules, views

SURFACE = Surface(
    name="chat_completions", segment="chat", path="/v1/chat/completions", title="Chat Completions",
    body=requests.body, tool_body=requests.tool_body, answer=views.answer, stream=views.stream,
    stream_rules=stream_rules.RULES, checks=stream_rules.CHECKS,
    json_mode={"response_format": {"type": "json_object"}}, stream_error=stream_rules.stream_error,
)
