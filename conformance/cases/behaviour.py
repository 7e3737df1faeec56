"""behaviour: what the model's answer must do: caps bound completion_tokens (finish_reason
"length" when they cut), stop sequences stay out of the text, forced tool calls carry JSON-string
arguments, JSON mode gives JSON, explicit 0/false are honoured. Nothing depends on the model's text."""

from __future__ import annotations

from ..case import Case
from .builder import JSON_PROMPT, LONG_PROMPT, STOP_PROMPT, STOP_WORD, TOOL, TOOL_PROMPT, Builder

CAP = 3


def _cap_cases(b: Builder) -> list[Case]:
    p = b.profile
    cases = []
    length = p.behaviours.get("finish_reason_length")
    usage_in_stream = "include_usage" in p.behaviours
    for name, rule in p.token_caps.items():
        body = b.body(prompt=LONG_PROMPT, cap=None, **{name: CAP})  # the only cap, so nothing else bounds it
        request = b.chat(body)
        cases.append(b.case("behaviour", name, "bounds-completion", rule,
                            title=f"{name} {CAP} bounds usage.completion_tokens", expected=f"usage.completion_tokens <= {CAP}",
                            request=request, check="token_cap", args={"cap": CAP}, parameter=name))
        if length is not None:
            cases.append(b.case("behaviour", name, "finish-length", length,
                                title=f"when {name} {CAP} cuts the output, finish_reason is \"length\"",
                                expected='finish_reason "length" whenever completion_tokens reached the cap',
                                request=request, check="finish_length", args={"cap": CAP}, parameter=name))
        stream_body = dict(body, stream=True)
        if usage_in_stream:
            stream_body["stream_options"] = {"include_usage": True}
        cases.append(b.case("behaviour", name, "bounds-stream", rule,
                            title=f"{name} {CAP} bounds a streamed completion too",
                            expected=f"at most {CAP} completion tokens (usage chunk) or content chunks",
                            request=b.chat(stream_body), check="token_cap_stream", args={"cap": CAP}, parameter=name,
                            weaker=not usage_in_stream))
    return cases


def _explicit_cases(b: Builder) -> list[Case]:
    rule = b.profile.behaviours.get("explicit_values")
    if rule is None:
        return []
    return [
        b.case("behaviour", "explicit-values", "max-tokens-zero", rule,
               title="max_tokens 0 is a user value: rejected or honoured, never replaced by a default",
               expected="a 4xx, or a completion with 0 completion tokens", request=b.chat(b.body(prompt=LONG_PROMPT, cap=0)),
               check="explicit_zero_cap", parameter="max_tokens"),
        b.case("behaviour", "explicit-values", "temperature-zero", rule, title="temperature 0 is accepted as a user value",
               expected="a 2xx completion", request=b.chat(b.body(temperature=0)), check="accepted", parameter="temperature"),
    ]


def generate(b: Builder) -> list[Case]:
    p = b.profile
    cases = _cap_cases(b) + _explicit_cases(b)
    stop = p.behaviours.get("stop_excluded")
    if stop is not None:
        body = b.body(prompt=STOP_PROMPT, cap=16, stop=[STOP_WORD])
        for variant, request, check in (("excluded", b.chat(body), "stop_excluded"),
                                        ("excluded-stream", b.chat(dict(body, stream=True)), "stop_excluded_stream")):
            cases.append(b.case("behaviour", "stop", variant, stop, title=f"the stop sequence {STOP_WORD!r} is not in the returned text",
                                expected=f"no {STOP_WORD!r} in the content", request=request, check=check,
                                args={"stop": [STOP_WORD]}, parameter="stop"))
    tools = p.behaviours.get("tool_calls")
    if tools is not None:
        body = b.body(prompt=TOOL_PROMPT, cap=32, tools=[TOOL],
                      tool_choice={"type": "function", "function": {"name": "get_order"}})
        cases.append(b.case("behaviour", "tools", "forced-call", tools,
                            title="a forced tool_choice gives tool_calls whose arguments are a JSON string",
                            expected="message.tool_calls[].function.name get_order, arguments a string holding a JSON object",
                            request=b.chat(body), check="tool_call", args={"name": "get_order"}, parameter="tool_choice"))
    json_mode = p.behaviours.get("json_mode")
    if json_mode is not None:
        body = b.body(prompt=JSON_PROMPT, cap=24, response_format={"type": "json_object"})
        cases.append(b.case("behaviour", "json-mode", "parses", json_mode,
                            title="response_format json_object gives content that parses as a JSON object",
                            expected="message.content is a JSON object (unless cut by the cap)",
                            request=b.chat(body), check="json_output", parameter="response_format"))
    return cases
