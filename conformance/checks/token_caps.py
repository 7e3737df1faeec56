"""Token-cap checks: a cap bounds the completion, judged against a control that went past it."""

from __future__ import annotations

from ..case import Case
from ..engine import Exchange
from .common import Inconclusive, NotAccepted, chunks, completion, reads_evidence, usage_int


def _count(ex: Exchange) -> tuple[int | None, str]:
    """Completion tokens of an answer (usage), or for a stream without usage its non-empty content deltas."""
    if not ex.request.stream:
        return usage_int(completion(ex), "completion_tokens"), "completion tokens"
    used, pieces = None, 0
    for _, chunk in chunks(ex):
        if not isinstance(chunk, dict):
            continue
        usage = chunk.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
            used = usage["completion_tokens"]
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if isinstance(delta, dict) and delta.get("content"):
                pieces += 1
    return (used, "completion tokens (usage chunk)") if used is not None else (pieces, "content chunks")


def control_went_past(evidence: dict[str, Exchange], cap: int) -> None:
    """Evidence for a cap: the control, allowed more, went past it. Inconclusive otherwise."""
    control = evidence["control"]
    try:
        used, unit = _count(control)
    except NotAccepted as exc:
        raise Inconclusive(f"the control (the same request with a larger cap) gave no usable answer: {exc}") from None
    if used is None:
        raise Inconclusive("the control reports no usage.completion_tokens: nothing to compare the cap with")
    if used <= cap:
        raise Inconclusive(f"the control, allowed more, ended after {used} {unit}, within the cap of {cap}: "
                           "the cap had nothing to cut")


@reads_evidence
def token_cap(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    cap = case.args["cap"]
    used = usage_int(completion(ex), "completion_tokens")
    if used is None:
        raise Inconclusive("the completion reports no usage.completion_tokens to compare with the cap")
    if used > cap:  # the answer itself is the evidence
        return f"usage.completion_tokens {used} > {cap}"
    control_went_past(evidence, cap)
    return None


@reads_evidence
def token_cap_stream(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    cap = case.args["cap"]
    used, unit = _count(ex)
    if used > cap:
        return f"the stream carried {used} {unit} for a cap of {cap} tokens"
    control_went_past(evidence, cap)
    return None


CHECKS = {f.__name__: f for f in (token_cap, token_cap_stream)}
