"""Behaviour checks on the model's answer; none depends on what the model says."""

from __future__ import annotations

import re
from dataclasses import replace

from ..case import Case
from ..engine import Exchange
from ..request import Request
from .common import (Inconclusive, NotAccepted, answer_text, chunks, completion, message, reads_evidence,
                     streamed_text, usage_int)


ABSENT_STOPS = ("<rc-absent-1>", "<rc-absent-2>")  # listed before the real one: only a later sequence occurs
_WORD = re.compile(r"\S+")


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


def _same_reply(a: str, b: str) -> bool:
    """Two answers to different prompts that are the same text (or one the start of the other)."""
    a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
    if a == b:
        return bool(a)
    short = min(a, b, key=len)
    return len(short.split()) >= 3 and (a.startswith(b) or b.startswith(a))


def stop_word(plain: str, streamed: str) -> str | None:
    """A word from the second half of the plain control whose first occurrence is there, also in the streamed one."""
    words = list(_WORD.finditer(plain))
    for match in words[max(1, len(words) // 2):]:
        word = match.group().strip(".,;:!?\"'()[]")
        if len(word) >= 3 and word.isalpha() and plain.find(word) >= match.start() and streamed.find(word) > 0:
            return word
    return None


def stop_probe(case: Case, control: Exchange, evidence: dict[str, Exchange]) -> Request:
    """The control with a stop sequence the model said in both controls (a list where only the last occurs)."""
    own = answer_text(control, "the control (the request without stop)")
    other_name = "control-stream" if "control-stream" in evidence else "control-plain"
    other = answer_text(evidence[other_name], "the other control")
    plain, streamed = (other, own) if control.request.stream else (own, other)
    different = answer_text(evidence["other-prompt"], "the control of another prompt")
    if _same_reply(plain, different):
        raise Inconclusive(f"the model answers two different prompts alike ({own[:80]!r}): a fixed reply shows no "
                           "generation for a stop sequence to cut")
    word = stop_word(plain, streamed)
    if word is None:
        raise Inconclusive(f"the controls share no usable word in the second half of the answer "
                           f"(plain: {plain[:100]!r}, streamed: {streamed[:100]!r})")
    stops = [*ABSENT_STOPS, word] if case.args.get("later") else [word]
    return replace(case.request, body=dict(case.request.body, stop=stops))


def _stop_verdict(text: str, ex: Exchange, evidence: dict[str, Exchange]) -> str | None:
    stops = ex.request.body["stop"]
    found = [s for s in stops if s in text]
    if found:
        return f"the content contains {found[0]!r}, which the controls said without stop: {text[:200]!r}"
    opening = answer_text(evidence["control"], "the control").split()[:1]
    if opening and not text.split()[:1] == opening:
        raise Inconclusive(f"the answer with stop does not start like the controls ({text[:80]!r}): "
                           "cannot tell that the stop sequence cut it")
    return None


@reads_evidence
def stop_excluded(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    content = message(completion(ex)).get("content")
    return _stop_verdict(content if isinstance(content, str) else "", ex, evidence)


@reads_evidence
def stop_excluded_stream(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    return _stop_verdict(streamed_text(ex), ex, evidence)


CHECKS = {f.__name__: f for f in (token_cap, token_cap_stream, stop_excluded, stop_excluded_stream)}
DERIVERS = {"stop_probe": stop_probe}
