"""JSON mode (chat's response_format, Responses' text.format json_object): the output text parses as a JSON object.

Inconclusive, not failed, when the cap cut the output (finish_reason "length") and what came is the start
of a JSON object: a cut object does not parse, whatever the gateway did. Cut prose (or a code fence) is the
start of no JSON object, so it fails all the same.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ..checks.common import Inconclusive, answer, first_output, json_object_prefix
from . import Behaviour, GatewayFault
from ..echo import json_mode  # what the reference model reads as JSON mode (chat's response_format)
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
    fields = b.surface.json_mode
    if fields is None:  # the surface has no JSON mode (Messages)
        return []
    body = b.body(prompt=JSON_PROMPT, cap=JSON_CAP, **fields)
    name = b.surface.param("response_format")
    return [b.case("behaviour", "json-mode", "parses", rule,
                   title=f"{name} json_object gives content that parses as a JSON object",
                   expected=f"{b.surface.words['text']} is a JSON object (unless cut by the cap)",
                   request=b.post(body), check="json_output", parameter=name, features=("behaviour",))]


def _plain_text(params: dict, generation):
    """The answer the object wraps, as plain text: JSON mode ignored."""
    if not json_mode(params) or generation.content is None:
        return generation
    try:
        wrapped = json.loads(generation.content)
    except ValueError:  # cut by the cap: the behaviour's case is inconclusive then, fault or not
        return generation
    if not isinstance(wrapped, dict):  # not the object the model wraps its answer in
        return generation
    text = str(wrapped.get("answer", ""))
    return replace(generation, content=text, pieces=[text])


def _prose_cut(params: dict, generation):
    """A chatty model behind a gateway that drops the JSON mode: prose, cut by the cap."""
    if not json_mode(params) or generation.content is None:
        return generation
    prose = "Sure! Here is the JSON you asked for: it holds the"
    return replace(generation, content=prose, pieces=[prose], finish_reason="length")


BEHAVIOUR = Behaviour(
    name="json_mode", needs="response_format", generate=generate, checks={"json_output": json_output},
    faults=(GatewayFault("behaviour.json-mode-ignored", "JSON mode answers plain text", generation=_plain_text),
            GatewayFault("behaviour.json-mode-prose-cut", "JSON mode answers prose, which the token cap cuts",
                         generation=_prose_cut)),
)
