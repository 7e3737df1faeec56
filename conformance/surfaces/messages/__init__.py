"""Anthropic Messages (`POST /v1/messages`): message content blocks, named stream events.

Its parts: requests.py (bodies, tools in Messages' form), views.py (a message as the normalised views),
stream_rules.py (the event grammar, its checks and stream faults), wire.py (the reference gateway's)."""

from __future__ import annotations

from .. import Surface
from . import requests, stream_rules, views

SURFACE = Surface(
    name="messages", segment="messages", path="/v1/messages", title="Anthropic Messages",
    body=requests.body, tool_body=requests.tool_body, answer=views.answer, stream=views.stream,
    stream_rules=stream_rules.RULES, checks=stream_rules.CHECKS, aliases={"stop": "stop_sequences"},
    error_param=False, stream_error=stream_rules.stream_error, words={
        "text": "the text blocks", "usage": "usage.output_tokens", "used": "output_tokens", "cut": 'stop_reason "max_tokens"',
        "cut_is": 'stop_reason is "max_tokens"', "tool_call": "a tool_use block whose input is an object",
        "forced_call": "a tool_use block named {tool}, its input an object",
        "no_call": 'no tool_use block, stop_reason not "tool_use"'},
)
