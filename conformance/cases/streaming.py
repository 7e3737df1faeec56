"""streaming: the surface's stream rules (its registry: SSE framing, one id, the stop reason, the terminator and
nothing after it, stream:false giving plain JSON...) and the chunk fields. The usage chunk is a behaviour's
(conformance/behaviours/include_usage.py)."""

from __future__ import annotations

from ..case import Case
from .builder import Builder
from .fields import field_cases


def generate(b: Builder) -> list[Case]:
    p, s = b.profile, b.profile.stream
    stream = b.stream_request()
    cases: list[Case] = []
    for rule in b.surface.stream_rules:  # the surface's registry: the rules its documents may state, in order
        if rule.key not in s or (rule.needs_value and not isinstance(s[rule.key].value, str)):
            continue
        value = s[rule.key].value
        args = {rule.key: value} if rule.needs_value else None
        if rule.tools and "tools" not in p.params:
            continue
        if rule.tools:  # no call at all is the forced-call behaviour's failure (verdicts: Unobserved)
            args = {**(args or {}), "root": f"{b.prefix}/behaviour/tools/forced-call"}
        if rule.plain:
            request = b.post(b.body(stream=False))
        elif rule.tools:
            request = b.post(dict(b.tool_body(), stream=True))
        else:
            request = stream
        cases.append(b.case("streaming", "stream", rule.variant, s[rule.key], title=rule.title.format(**{rule.key: value}),
                            expected=rule.expected.format(**{rule.key: value}), request=request, check=rule.check, args=args,
                            features=("tools",) if rule.tools else ()))
    plain = {k: f for k, f in p.stream_fields.items() if "tool_calls" not in k}
    cases += field_cases(b, plain, category="streaming", subject="chunk", where="chunks",
                         request=stream, check_title="in every chunk")
    tool_fields = {k: f for k, f in p.stream_fields.items() if "tool_calls" in k}
    if tool_fields:
        tool_stream = b.post(dict(b.tool_body(), stream=True))
        cases += field_cases(b, tool_fields, category="streaming", subject="tool-chunk", where="chunks",
                             request=tool_stream, check_title="in every chunk of a streamed tool call",
                             features=("tools",))
    return cases
