"""logprobs and top_logprobs: asked for, they come back, with as many alternatives as asked.

`logprobs: true` answered with `"logprobs": null` shows the parameter was dropped: a failure at the
parameter's level. A refusal drops nothing (see n_choices), so it is inconclusive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..checks.common import completion, reads_evidence
from . import Behaviour, GatewayFault
from .n_choices import fixed_reply_evidence, params_without, refusal_drops_nothing, unless_fixed_reply

if TYPE_CHECKING:
    from ..case import Case
    from ..engine import Exchange

TOP = 2


def _entries(ex: Exchange) -> tuple[list | None, str]:
    """The first choice's logprobs.content entries, or None with what came instead."""
    choices = completion(ex).get("choices")
    first = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    logprobs = first.get("logprobs")
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not isinstance(content, list) or not content:
        return None, f"choices[0].logprobs is {str(logprobs)[:120] if 'logprobs' in first else 'missing'}"
    return content, ""


@reads_evidence
def logprobs_returned(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    refusal_drops_nothing(ex, "logprobs: true")
    entries, instead = _entries(ex)
    if entries is None:
        return unless_fixed_reply(evidence, f"logprobs: true was accepted, but {instead}: the parameter logprobs had no effect")
    bad = [e for e in entries if not (isinstance(e, dict) and isinstance(e.get("logprob"), (int, float)))]
    return f"{len(bad)} of {len(entries)} logprobs.content entries have no numeric logprob" if bad else None


@reads_evidence
def top_logprobs_returned(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    top = case.args["top"]
    refusal_drops_nothing(ex, f"top_logprobs: {top}")
    entries, instead = _entries(ex)
    if entries is None:
        return unless_fixed_reply(evidence, f"top_logprobs: {top} (with logprobs: true) was accepted, but {instead}")
    counts = [len(e.get("top_logprobs")) if isinstance(e, dict) and isinstance(e.get("top_logprobs"), list) else 0
              for e in entries]
    if all(c >= top for c in counts):
        return None
    return unless_fixed_reply(evidence, f"top_logprobs: {top} asked for {top} alternatives per token; the tokens carry "
                              f"{counts[:8]}: the parameter top_logprobs had no effect")


def generate(b, rule) -> list:
    cases = [b.case("behaviour", "logprobs", "returned", rule, title="logprobs: true returns the log probabilities",
                    expected="choices[0].logprobs.content: one entry per token, each with a logprob",
                    request=b.post(b.body(logprobs=True)), check="logprobs_returned", parameter="logprobs",
                    features=("behaviour",), evidence=fixed_reply_evidence(b))]
    if "top_logprobs" in b.profile.params:
        cases.append(b.case("behaviour", "top_logprobs", "returned", rule,
                            title=f"top_logprobs {TOP} returns {TOP} alternatives at each token",
                            expected=f"{TOP} top_logprobs entries for every token of logprobs.content",
                            request=b.post(b.body(logprobs=True, top_logprobs=TOP)), check="top_logprobs_returned",
                            args={"top": TOP}, parameter="top_logprobs", features=("behaviour",),
                            evidence=fixed_reply_evidence(b)))
    return cases


BEHAVIOUR = Behaviour(
    name="logprobs_returned", needs="logprobs", generate=generate,
    checks={"logprobs_returned": logprobs_returned, "top_logprobs_returned": top_logprobs_returned},
    faults=(GatewayFault("behaviour.logprobs-dropped", "logprobs is dropped on the way to the model: logprobs null",
                         params=params_without("logprobs", "top_logprobs")),
            GatewayFault("behaviour.top-logprobs-dropped",
                         "top_logprobs is dropped on the way to the model: no alternatives per token",
                         params=params_without("top_logprobs"))),
    surfaces=("chat_completions",),  # reads choices on the wire
)
