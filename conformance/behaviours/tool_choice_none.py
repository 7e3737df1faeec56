"""tool_choice "none": the model calls no tool and answers with a message.

Evidence first: the control is the same prompt and tool with the tool forced. Unless the control
made a tool call, nothing shows this model (through this gateway) calls tools at all, and a plain
answer to "none" proves nothing: inconclusive. A refused "none" is inconclusive here too: whether
the value must be accepted is the documented value's own case.
"""

from __future__ import annotations

import json

from ..checks.common import Inconclusive, NotAccepted, answer, brief, first_output, reads_evidence
from . import Behaviour, GatewayFault


@reads_evidence
def no_tool_call(ex, case, evidence) -> str | None:
    try:
        called = first_output(evidence["control"]).tool_calls
    except NotAccepted as exc:
        raise Inconclusive(f"the control (the tool forced) gave no usable answer: {exc}") from None
    if not called:
        raise Inconclusive("the control, with the tool forced, made no tool call: nothing shows this model calls tools")
    if ex.status is None or not 200 <= ex.status < 300:
        raise Inconclusive(f"tool_choice \"none\" was not accepted: {brief(ex)}")
    view = answer(ex)
    output = first_output(ex)
    if output.tool_calls:
        return f"{view.names['tool_calls']} came back: {json.dumps([c.raw for c in output.tool_calls])[:200]}"
    return f'{view.names["stop_reason"]} is "{output.stop_reason}" with no call' if view.tool_stop else None


def generate(b, rule) -> list:
    probe = b.post(b.tool_body(tool_choice="none", cap=8))
    return [b.case("behaviour", "tool-choice", "none-calls-no-tool", rule,
                   title='tool_choice "none" gives a message, no tool call (the control, the tool forced, made one)',
                   expected=b.surface.words["no_call"], request=probe,
                   check="no_tool_call", parameter="tool_choice", features=("tools", "behaviour"),
                   evidence=(("control", b.post(b.tool_body())),))]


def _call_anyway(params: dict) -> dict:
    """tool_choice "none" passed on as the first tool forced: the model calls it, on every surface."""
    if params.get("tool_choice") != "none" or not params.get("tools"):
        return params
    name = ((params["tools"][0] or {}).get("function") or {}).get("name", "tool")
    return dict(params, tool_choice={"type": "function", "function": {"name": name}})


BEHAVIOUR = Behaviour(
    name="tool_choice_none", needs="tool_choice", generate=generate, checks={"no_tool_call": no_tool_call},
    faults=(GatewayFault("behaviour.tool-choice-none-ignored", 'tool_choice "none" still calls the first tool',
                         params=_call_anyway),),
)
