"""Helpers shared by the checks: reading an answer (conformance/answers.py) and its surface's normalised views."""

from __future__ import annotations

import jiter

from ..answers import Inconclusive, NotAccepted, Unobserved, brief, chunks, completion, is_terminator, stream_events, usage_int  # noqa: F401 - the checks' vocabulary
from ..exchange import Exchange
from ..surfaces import Surface, surface_named
from ..surfaces.views import Answer, Output, StreamView, Unreadable


def reads_evidence(check):
    """Marks a check that takes the case's evidence exchanges (controls) as a third argument."""
    check.reads_evidence = True
    return check


def surface_of(ex: Exchange) -> Surface:
    return surface_named(ex.request.surface)


def answer(ex: Exchange) -> Answer:
    """The normalised view of a 2xx JSON answer (its surface's); NotAccepted when there is none."""
    return surface_of(ex).answer(completion(ex))


def first_output(ex: Exchange) -> Output:
    """The first output of a 2xx JSON answer; NotAccepted when the answer has none to read."""
    try:
        return answer(ex).first()
    except Unreadable as exc:
        raise NotAccepted(str(exc)) from None


def stream_view(ex: Exchange) -> StreamView:
    """The normalised view of a stream's chunks; NotAccepted when there are none to read."""
    return surface_of(ex).stream(chunks(ex))


def streamed_text(ex: Exchange) -> str:
    return stream_view(ex).text


def answer_text(ex: Exchange, what: str) -> str:
    """The text of a completion or a stream; Inconclusive when `what` (a control) gave none."""
    try:
        if ex.request.stream:
            return streamed_text(ex)
        content = first_output(ex).text
    except NotAccepted as exc:
        raise Inconclusive(f"{what} gave no usable answer: {exc}") from None
    return content if isinstance(content, str) else ""


def same_reply(a: str, b: str) -> bool:
    """Two answers to different prompts that are the same text (or one the start of the other)."""
    a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
    if a == b:
        return bool(a)
    short = min(a, b, key=len)
    return len(short.split()) >= 3 and (a.startswith(b) or b.startswith(a))


def fixed_reply(evidence: dict[str, Exchange]) -> str | None:
    """Why the target evidently answers with a fixed reply (its `control` and `other-prompt` controls, two
    different prompts, got the same text), or None. Then no parameter can be seen to steer the output, so a
    behaviour case is inconclusive, whichever way the answer looks: the same rule for stop and caps."""
    if "other-prompt" not in evidence or "control" not in evidence:
        return None
    try:
        one = answer_text(evidence["control"], "the control")
        other = answer_text(evidence["other-prompt"], "the control of another prompt")
    except Inconclusive:
        return None
    if not same_reply(one, other):
        return None
    return (f"the model answers two different prompts alike ({one[:80]!r}): a fixed reply, not a generation "
            "a parameter could steer")


def word_count(text: str) -> int:
    """A lower bound on the tokens of `text`: the tokenizers in use split at whitespace first, so
    every word is at least one token (the reference model's tokens are its words)."""
    return len(text.split())


def json_object_prefix(text: str) -> bool:
    """Whether `text` is the start of some JSON object: all a token cap may leave of one. Prose or a code
    fence is not, wherever the cap cut it, so only a valid prefix earns an inconclusive verdict."""
    stripped = text.strip()
    if not stripped:
        return True
    if not stripped.startswith("{"):
        return False
    try:
        jiter.from_json(stripped.encode("utf-8"), partial_mode="trailing-strings")
    except ValueError:
        return False
    return True
