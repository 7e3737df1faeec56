"""streaming: SSE framing, chunk shape, one id, finish_reason, the terminator and nothing after it,
and stream:false giving plain JSON. The usage chunk is a behaviour's (conformance/behaviours/include_usage.py)."""

from __future__ import annotations

from ..case import Case
from .builder import Builder
from .fields import field_cases


def generate(b: Builder) -> list[Case]:
    p, s = b.profile, b.profile.stream
    stream = b.stream_request()
    cases: list[Case] = []

    def add(variant: str, key: str, title: str, expected: str, check: str, request=stream, args=None) -> None:
        if key in s:
            cases.append(b.case("streaming", "stream", variant, s[key], title=title, expected=expected,
                                request=request, check=check, args=args))

    add("content-type", "content_type", "stream:true is answered as Server-Sent Events",
        "Content-Type text/event-stream", "stream_content_type")
    add("framing", "content_type", "every event is well-formed SSE (`data:` lines, a blank line after each event)",
        "only `data:` fields, each event closed by a blank line", "stream_framing")
    if "terminator" in s:
        term = s["terminator"].value
        add("terminator", "terminator", f"the stream ends with `data: {term}`", f"a final `data: {term}` event, then the end",
            "stream_terminator", args={"terminator": term})
        add("nothing-after-terminator", "terminator", f"nothing follows `data: {term}`", f"no event after `data: {term}`",
            "stream_nothing_after", args={"terminator": term})
    add("one-id", "one_id", "every chunk of one stream carries the same id (and created)",
        "one id for the whole stream", "stream_one_id")
    add("final-finish-reason", "final_finish_reason", "the last chunk with a choice carries a finish_reason",
        "a non-null finish_reason on the last choice chunk", "stream_final_finish_reason")
    add("deltas-incremental", "deltas_incremental", "each streamed delta carries only what is new, not the text so far",
        "content deltas that are increments (judged on 3 or more)", "stream_deltas_incremental")
    add("finish-last", "finish_last", "after a choice's finish_reason nothing more of that choice comes",
        "no chunk of a choice after its finish_reason (a usage chunk with empty choices may follow)",
        "stream_nothing_after_finish")
    add("stream-false-json", "non_stream_json", "stream:false is answered with one JSON completion, not SSE",
        "an application/json completion", "non_stream_json", request=b.chat(b.body(stream=False)))
    plain = {k: f for k, f in p.stream_fields.items() if "tool_calls" not in k}
    cases += field_cases(b, plain, category="streaming", subject="chunk", where="chunks",
                         request=stream, check_title="in every chunk")
    tool_fields = {k: f for k, f in p.stream_fields.items() if "tool_calls" in k}
    if tool_fields:
        tool_stream = b.chat(dict(b.tool_body(), stream=True))
        cases += field_cases(b, tool_fields, category="streaming", subject="tool-chunk", where="chunks",
                             request=tool_stream, check_title="in every chunk of a streamed tool call",
                             features=("tools",))
    return cases
