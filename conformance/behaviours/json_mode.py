"""response_format json_object: the message content parses as a JSON object.

Inconclusive, not failed, when the cap cut the output (finish_reason "length") and what came is the start
of a JSON object: a cut object does not parse, whatever the gateway did. Cut prose (or a code fence) is the
start of no JSON object, so it fails all the same.
"""

from __future__ import annotations

import json

from ..checks.common import Inconclusive, answer, first_output, json_object_prefix
from . import Behaviour, GatewayFault
from ..vocabulary import JSON_PROMPT

JSON_CAP = 24  # room for a small object; the reference model's answer to JSON_PROMPT fits


def json_output(ex, case) -> str | None:
    content = first_output(ex).text
    if not isinstance(content, str):
        return f"{answer(ex).names['text']} is {content!r}"
    try:
        parsed = json.loads(content)
    except ValueError:
        if not answer(ex).cut:
            return f"content is not JSON: {content[:160]!r}"
        if json_object_prefix(content):
            raise Inconclusive(f"the cap cut the output (finish_reason length), which starts a JSON object: "
                               f"{content[:160]!r}") from None
        return f"content, cut by the cap, is not the start of any JSON object: {content[:160]!r}"
    return None if isinstance(parsed, dict) else f"content is JSON but not an object: {content[:160]!r}"


def generate(b, rule) -> list:
    body = b.body(prompt=JSON_PROMPT, cap=JSON_CAP, response_format={"type": "json_object"})
    return [b.case("behaviour", "json-mode", "parses", rule,
                   title="response_format json_object gives content that parses as a JSON object",
                   expected="message.content is a JSON object (unless cut by the cap)",
                   request=b.post(body), check="json_output", parameter="response_format", features=("behaviour",))]


def _plain_text(params: dict, doc: dict) -> None:
    """The answer the object wraps, as plain text: JSON mode ignored."""
    response_format = params.get("response_format")
    if not (isinstance(response_format, dict) and response_format.get("type") in ("json_object", "json_schema")):
        return
    for choice in doc.get("choices") or []:
        msg = choice.get("message") or {}
        try:
            wrapped = json.loads(msg.get("content") or "")
        except ValueError:  # cut by the cap: the behaviour's case is inconclusive then, fault or not
            continue
        if isinstance(wrapped, dict):
            msg["content"] = str(wrapped.get("answer", ""))


def _prose_cut(params: dict, doc: dict) -> None:
    """A chatty model behind a gateway that drops response_format: prose, cut by the cap."""
    response_format = params.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") in ("json_object", "json_schema"):
        for choice in doc.get("choices") or []:
            (choice.get("message") or {})["content"] = "Sure! Here is the JSON you asked for: it holds the"
            choice["finish_reason"] = "length"


BEHAVIOUR = Behaviour(
    name="json_mode", needs="response_format", generate=generate, checks={"json_output": json_output},
    faults=(GatewayFault("behaviour.json-mode-ignored", "JSON mode answers plain text", completion=_plain_text),
            GatewayFault("behaviour.json-mode-prose-cut", "JSON mode answers prose, which the token cap cuts",
                         completion=_prose_cut)),
)
