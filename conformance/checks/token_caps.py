"""Token-cap checks: a cap bounds the completion, judged against a control that went past it.

A stream is judged on what a client assembles as well as on its usage chunk: usage that stays within
the cap while the text holds more words than the cap allows tokens is a cap that did not hold. A content
chunk is not a token, so a stream without usage is judged on its words (a lower bound on its tokens)
and, where they cannot show it, is inconclusive.
"""

from __future__ import annotations

from ..case import Case
from ..exchange import Exchange
from .common import (Inconclusive, NotAccepted, answer, fixed_reply, reads_evidence, stream_view, word_count)


def _count(ex: Exchange) -> tuple[int | None, int]:
    """(output tokens the answer reports, or None; words of the text a client assembles)."""
    view = stream_view(ex) if ex.request.stream else answer(ex)
    return view.output_tokens, word_count(view.text)


def control_went_past(evidence: dict[str, Exchange], cap: int) -> None:
    """Evidence for a cap: the control, allowed more, went past it. Inconclusive otherwise."""
    control = evidence["control"]
    try:
        used, words = _count(control)
    except NotAccepted as exc:
        raise Inconclusive(f"the control (the same request with a larger cap) gave no usable answer: {exc}") from None
    reason = fixed_reply(evidence)
    if reason:
        raise Inconclusive(reason)
    if used is None and words <= cap:
        raise Inconclusive(f"the control reports no completion_tokens and its text has {words} words, no more than "
                           f"the cap of {cap}: nothing shows it went past the cap")
    if used is not None and used <= cap:
        raise Inconclusive(f"the control, allowed more, ended after {used} completion tokens, within the cap of {cap}: "
                           "the cap had nothing to cut")


def _over_cap(used: int | None, words: int, cap: int, where: str) -> str | None:
    if used is not None and used > cap:
        return f"{where}: completion_tokens {used} > {cap}"
    if words > cap:  # each word is a token at least, whatever the usage says
        said = f"completion_tokens {used}" if used is not None else "no completion_tokens"
        return f"{where}: {said}, but its text has {words} words, so at least {words} tokens > {cap}"
    return None


def _judge(ex: Exchange, evidence: dict[str, Exchange], cap: int, where: str) -> str | None:
    used, words = _count(ex)
    over = _over_cap(used, words, cap, where)
    if over:  # the answer itself is the evidence, unless nothing the request says can steer it
        reason = fixed_reply(evidence)
        if reason:
            raise Inconclusive(f"{over}; but {reason}")
        return over
    if used is None:
        used = _same_text_counted(ex, evidence.get("capped-plain"))
    if used is None:
        raise Inconclusive(f"{where} reports no completion_tokens; its {words} words are within the cap of {cap}, "
                           "but words only bound tokens from below (a content chunk is not a token either), and "
                           "the same request unstreamed gave other text or no usage to count it by")
    control_went_past(evidence, cap)
    return None


def _same_text_counted(stream: Exchange, plain: Exchange | None) -> int | None:
    """A stream without usage has the completion_tokens of the same capped request unstreamed when both
    gave the same text (the same tokens); None when they differ or the plain answer counts nothing."""
    if plain is None or not stream.request.stream:
        return None
    try:
        view = answer(plain)
    except NotAccepted:
        return None
    plain_used, plain_text = view.output_tokens, " ".join(view.text.split())
    same = plain_text == " ".join(stream_view(stream).text.split())
    return plain_used if same and plain_text else None


@reads_evidence
def token_cap(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    return _judge(ex, evidence, case.args["cap"], "the completion")


@reads_evidence
def token_cap_stream(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    return _judge(ex, evidence, case.args["cap"], "the stream")


CHECKS = {f.__name__: f for f in (token_cap, token_cap_stream)}
