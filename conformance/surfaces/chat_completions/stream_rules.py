"""Chat completions stream rules: SSE content type and framing, terminator, ids, finish_reason, increments.

Each rule is a key a spec may state under `stream:`, with its case, its check and the reference gateway's
faults that break it (RULES, the surface's registry). The usage chunk is a behaviour's
(conformance/behaviours/include_usage.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...answers import Inconclusive, brief, chunks
from .. import StreamFault, StreamRule
from ..sse_rules import (plain_answer, reported_error, sse_rules, stream_content_type, stream_framing,
                         stream_nothing_after, stream_terminator, terminator_rules)

if TYPE_CHECKING:
    from ...case import Case
    from ...exchange import Exchange


def stream_one_id(ex: Exchange, case: Case) -> str | None:
    seen: dict[str, set] = {"id": set(), "created": set()}
    for _, chunk in chunks(ex):
        if isinstance(chunk, dict):
            for key in seen:
                if key in chunk:
                    seen[key].add(repr(chunk[key]))
    varied = {k: v for k, v in seen.items() if len(v) > 1}
    return "; ".join(f"{k} takes {len(v)} values: {', '.join(sorted(v)[:3])}" for k, v in varied.items()) or None


def stream_final_finish_reason(ex: Exchange, case: Case) -> str | None:
    last = None
    for number, chunk in chunks(ex):
        if isinstance(chunk, dict) and chunk.get("choices"):
            last = (number, chunk)
    if last is None:
        return "no chunk carried a choice"
    number, chunk = last
    reasons = [c.get("finish_reason") if isinstance(c, dict) else None for c in chunk["choices"]]
    return None if all(reasons) else f"chunk {number}, the last with a choice, has finish_reason {reasons!r}"


def non_stream_json(ex: Exchange, case: Case) -> str | None:
    data, problem = plain_answer(ex)
    if problem:
        return problem
    return None if isinstance(data, dict) and "choices" in data else f"not a completion: {brief(ex)}"


def _content_deltas(ex: Exchange) -> dict[int, list[str]]:
    """Each choice's content deltas up to its finish_reason (what some gateways repeat there is not a
    delta), a delta equal to the one before it counted once: a repeat is no evidence of increments."""
    texts: dict[int, list[str]] = {}
    finished: set = set()
    for _, chunk in chunks(ex):
        for choice in (chunk.get("choices") or []) if isinstance(chunk, dict) else []:
            if not isinstance(choice, dict) or choice.get("index", 0) in finished:
                continue
            index, delta = choice.get("index", 0), choice.get("delta")
            content = delta.get("content") if isinstance(delta, dict) else None
            seen = texts.setdefault(index, [])
            if isinstance(content, str) and content and (not seen or content != seen[-1]):
                seen.append(content)
            if choice.get("finish_reason"):
                finished.add(index)
    return texts


def stream_deltas_incremental(ex: Exchange, case: Case) -> str | None:
    judged = {i: t for i, t in _content_deltas(ex).items() if len(t) >= 3}
    if not judged:
        most = max((len(t) for t in _content_deltas(ex).values()), default=0)
        raise Inconclusive(f"{most} content deltas (repeats counted once) in any choice: too few to tell "
                           "increments from the text so far")
    # cumulative: every delta is the one before it plus more (a real model never streams like that 3 times)
    for index, texts in sorted(judged.items()):
        if all(later.startswith(earlier) and len(later) > len(earlier) for earlier, later in zip(texts, texts[1:])):
            return (f"every delta of choice {index} repeats the text so far: "
                    f"{', '.join(repr(t[:40]) for t in texts[:4])}")
    return None


def stream_nothing_after_finish(ex: Exchange, case: Case) -> str | None:
    finished: dict[int, int] = {}
    for number, chunk in chunks(ex):
        for choice in (chunk.get("choices") or []) if isinstance(chunk, dict) else []:
            index = choice.get("index", 0) if isinstance(choice, dict) else 0
            if index in finished:
                return f"chunk {number} carries choice {index} after its finish_reason (chunk {finished[index]})"
            if isinstance(choice, dict) and choice.get("finish_reason"):
                finished[index] = number
    if not finished:
        raise Inconclusive("no chunk carried a finish_reason: the final-finish-reason case reports that")
    return None


def stream_error(events: list[tuple[int, dict]]) -> str | None:
    """A chunk that is an error object (`{"error": {...}}`), as OpenAI-compatible gateways send one mid-stream."""
    return next((reported_error(n, d) for n, d in events if d.get("error") and not d.get("choices")), None)


CHECKS = {f.__name__: f for f in (stream_content_type, stream_framing, stream_terminator, stream_nothing_after,
                                   stream_one_id, stream_final_finish_reason, non_stream_json,
                                   stream_deltas_incremental, stream_nothing_after_finish)}



RULES = (
    *sse_rules("one JSON completion", "`data:` lines", "only `data:` fields", StreamFault(
        "stream.json-lines", "stream-json-lines",
        "stream: true is answered text/event-stream, but as bare JSON lines without `data:` framing")),
    *terminator_rules(),
    StreamRule("one_id", "one-id", "every chunk of one stream carries the same id (and created)",
               "one id for the whole stream", "stream_one_id",
               faults=(StreamFault("stream.ids-differ", "stream-ids-differ", "each chunk of a stream has another id"),)),
    StreamRule("final_finish_reason", "final-finish-reason", "the last chunk with a choice carries a finish_reason",
               "a non-null finish_reason on the last choice chunk", "stream_final_finish_reason",
               faults=(StreamFault("stream.no-finish-reason", "stream-no-finish-reason", "every finish_reason of a stream is null"),)),
    StreamRule("deltas_incremental", "deltas-incremental", "each streamed delta carries only what is new, not the text so far",
               "content deltas that are increments (judged on 3 or more)", "stream_deltas_incremental", faults=(
                   StreamFault("stream.cumulative-deltas", "stream-cumulative-deltas",
                      "each delta carries the text so far instead of what is new"),
                   StreamFault("stream.cumulative-deltas-repeated", "stream-cumulative-deltas-repeated",
                      "each delta carries the text so far, and the chunk with the finish_reason repeats the whole text"))),
    StreamRule("finish_last", "finish-last", "after a choice's finish_reason nothing more of that choice comes",
               "no chunk of a choice after its finish_reason (a usage chunk with empty choices may follow)",
               "stream_nothing_after_finish", faults=(StreamFault("stream.chunk-after-finish", "stream-chunk-after-finish",
                                                          "one more content chunk of the choice follows its finish_reason"),)),
    StreamRule("non_stream_json", "stream-false-json", "stream:false is answered with one JSON completion, not SSE",
               "an application/json completion", "non_stream_json", plain=True,
               faults=(StreamFault("stream.false-gives-sse", "stream-false-gives-sse", "an explicit stream: false is answered as SSE"),)),
)
