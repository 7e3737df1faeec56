"""A forced tool_choice gives tool_calls whose function arguments are a JSON string holding an object.

The check reads only the shape of the call (name and arguments), never what the model chose to put
in the arguments, so any model that calls tools can pass it.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ..checks.common import Inconclusive, answer, brief, first_output, json_object_prefix
from . import Behaviour, GatewayFault

TOOL = "get_order"  # the function the case's tool_body forces (conformance/cases/builder.py)


def tool_call(ex, case) -> str | None:
    output, names = first_output(ex), answer(ex).names
    if not output.tool_calls:
        return f"no {names['tool_calls']}: {brief(ex)}"
    call = output.tool_calls[0]
    if call.problem:
        return call.problem
    if call.name != case.args["name"]:
        return f"{names['tool_call']}.name is {call.name!r}"
    arguments = call.arguments
    if not isinstance(arguments, str):
        return f"arguments is a JSON {type(arguments).__name__}, not a string: {json.dumps(arguments)[:120]}"
    try:
        parsed = json.loads(arguments)
    except ValueError:
        cut = answer(ex).cut
        if cut and json_object_prefix(arguments):  # the cap cut a JSON object: nothing to judge
            raise Inconclusive(f"the cap cut the arguments (finish_reason length), which start a JSON object: "
                               f"{arguments[:120]!r}") from None
        return f"arguments is not {'the start of any ' if cut else ''}JSON: {arguments[:120]!r}"
    return None if isinstance(parsed, dict) else f"arguments is JSON but not an object: {arguments[:120]!r}"


def generate(b, rule) -> list:
    return [b.case("behaviour", "tools", "forced-call", rule,
                   title=f"a forced tool_choice gives {b.surface.words['tool_call']}",
                   expected=b.surface.words["forced_call"].format(tool=TOOL),
                   request=b.post(b.tool_body()), check="tool_call", args={"name": TOOL}, parameter="tool_choice",
                   features=("behaviour",))]


def _arguments_as_object(params: dict, doc: dict) -> None:
    for choice in doc.get("choices") or []:
        for call in (choice.get("message") or {}).get("tool_calls") or []:
            function = call.get("function") or {}
            if isinstance(function.get("arguments"), str):  # the faithful gateway's are always JSON
                function["arguments"] = json.loads(function["arguments"])


def _double_encoded(params: dict, generation):
    """The arguments JSON-encoded twice (a string holding the JSON text): chat's arguments parse to a string,
    Messages' input is a string, not an object."""
    call = generation.tool_call
    return replace(generation, tool_call=replace(call, arguments=json.dumps(call.arguments))) if call else generation


BEHAVIOUR = Behaviour(
    name="tool_calls", needs="tools", generate=generate, checks={"tool_call": tool_call},
    faults=(GatewayFault("behaviour.tool-args-object", "tool call arguments sent as a JSON object, not a string",
                         completion=_arguments_as_object),
            GatewayFault("behaviour.tool-args-double-encoded", "tool call arguments JSON-encoded twice: a string, not an object",
                         generation=_double_encoded)),
)
