"""stream_options.include_usage: one chunk, the last before the end, carries the usage (with empty
choices); the other chunks carry usage null. A streaming case (streaming/stream/include-usage)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..checks.common import chunks
from . import Behaviour, GatewayFault
from ..vocabulary import LONG_PROMPT, STREAM_CAP

if TYPE_CHECKING:
    from ..case import Case
    from ..engine import Exchange


def stream_usage_chunk(ex: Exchange, case: Case) -> str | None:
    with_usage = []
    for number, chunk in chunks(ex):
        usage = chunk.get("usage") if isinstance(chunk, dict) else None
        if usage is not None:
            with_usage.append((number, chunk))
    if not with_usage:
        return "no chunk carried a usage object"
    if len(with_usage) > 1:
        return f"{len(with_usage)} chunks carry usage (chunks {', '.join(str(n) for n, _ in with_usage[:5])}); one is expected"
    number, chunk = with_usage[0]
    usage = chunk["usage"]
    if chunk.get("choices") != []:
        return f"the usage chunk {number} has choices {chunk.get('choices')!r}, expected []"
    counts = [k for k in ("prompt_tokens", "completion_tokens", "total_tokens") if not isinstance(usage.get(k), int)]
    if counts:
        return f"the usage chunk {number} lacks integer {', '.join(counts)}"
    last_chunk = chunks(ex)[-1][0]
    return None if number == last_chunk else f"the usage chunk is event {number}, not the last before the end"


def generate(b, rule) -> list:
    request = b.post(b.body(prompt=LONG_PROMPT, cap=STREAM_CAP, stream=True, stream_options={"include_usage": True}))
    return [b.case("streaming", "stream", "include-usage", rule,
                   title="with stream_options.include_usage, one chunk before the end carries the usage",
                   expected="one chunk with empty choices and a usage object; usage null on the others",
                   request=request, check="stream_usage_chunk", parameter="stream_options")]


def _usage_chunk_dropped(params: dict, docs: list[dict]) -> None:
    docs[:] = [d for d in docs if not (d.get("choices") == [] and d.get("usage") is not None)]


BEHAVIOUR = Behaviour(
    name="include_usage", needs="stream_options", generate=generate, checks={"stream_usage_chunk": stream_usage_chunk},
    faults=(GatewayFault("stream.usage-ignored", "stream_options.include_usage sends no usage chunk",
                         chunks=_usage_chunk_dropped),),
    surfaces=("chat_completions",),  # reads choices on the wire
)
