"""OpenAI Responses (`POST /v1/responses`): input text or items, output items, semantic stream events.

Its parts: requests.py (bodies, tools in Responses' flat form), views.py (a response as the normalised views),
stream_rules.py (the event grammar, its checks and stream faults), wire.py and shapes.py (the reference
gateway's)."""

from __future__ import annotations

from .. import Surface
from . import requests, stream_rules, views

SURFACE = Surface(
    name="responses", segment="responses", path="/v1/responses", title="OpenAI Responses",
    body=requests.body, tool_body=requests.tool_body, answer=views.answer, stream=views.stream,
    stream_rules=stream_rules.RULES, checks=stream_rules.CHECKS, tolerated_end="[DONE]",
    prompt_param="input", invalid_prompt=(42, "as a number"), stream_error=stream_rules.stream_error, words={
        "text": "the output text", "usage": "usage.output_tokens", "used": "output_tokens",
        "cut": 'status "incomplete" with incomplete_details.reason "max_output_tokens"',
        "cut_is": 'status is "incomplete" (reason "max_output_tokens")',
        "tool_call": "a function_call item whose arguments are a JSON string",
        "forced_call": "a function_call item named {tool}, arguments a string holding a JSON object",
        "no_call": "no function_call item"},
    aliases={"response_format": "text"}, json_mode={"text": {"format": {"type": "json_object"}}},
)
