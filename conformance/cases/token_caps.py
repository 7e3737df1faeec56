"""token caps: a cap bounds usage.completion_tokens, in a completion and in a stream.

No pass without evidence: a cap is judged only when a control (the same request with a larger
cap) went past it, so a model whose answer is short anyway gives an inconclusive verdict rather
than a vacuous pass. The capped request and the control are built here for the behaviours that
read them too (finish_reason "length", the stop and explicit-values controls).
"""

from __future__ import annotations

from ..case import Case
from ..request import Request
from .builder import LONG_PROMPT, Builder

CAP = 3
CONTROL_CAP = 8  # the control's cap: room to go past CAP, few tokens
FEATURES = ("behaviour",)


def usage_options(b: Builder) -> dict:
    """stream_options only where the profile's own document has include_usage (never an undocumented value at MUST)."""
    rule = b.profile.behaviours.get("include_usage")
    return {"stream_options": {"include_usage": True}} if rule is not None and not rule.inherited else {}


def capped_body(b: Builder, name: str) -> dict:
    """The long prompt with `name` at CAP, the only cap, so nothing else bounds it."""
    return b.body(prompt=LONG_PROMPT, cap=None, **{name: CAP})


def control(b: Builder, **fields) -> Request:
    """The long prompt allowed CONTROL_CAP tokens: it goes past CAP unless the model stops early."""
    return b.chat(b.body(prompt=LONG_PROMPT, cap=CONTROL_CAP, **fields))


def evidence(b: Builder, **fields) -> tuple[tuple[str, Request], ...]:
    """What a cap is judged against: the control, and another prompt's answer, which tells a fixed reply (as for stop)."""
    return ("control", control(b, **fields)), ("other-prompt", b.stop_control())


def generate(b: Builder) -> list[Case]:
    cases = []
    usage = usage_options(b)
    for name, rule in b.profile.token_caps.items():
        body = capped_body(b, name)
        cases.append(b.case("behaviour", name, "bounds-completion", rule,
                            title=f"{name} {CAP} bounds usage.completion_tokens (the control without it went past {CAP})",
                            expected=f"usage.completion_tokens <= {CAP}, and no more than {CAP} words of text",
                            request=b.chat(body), check="token_cap",
                            args={"cap": CAP}, parameter=name, features=FEATURES, evidence=evidence(b)))
        cases.append(b.case("behaviour", name, "bounds-stream", rule,
                            title=f"{name} {CAP} bounds a streamed completion too",
                            expected=f"at most {CAP} completion tokens (usage chunk), and no more than {CAP} words "
                                     "in the text the chunks assemble",
                            request=b.chat(dict(body, stream=True, **usage)), check="token_cap_stream",
                            args={"cap": CAP}, parameter=name, features=FEATURES,
                            evidence=evidence(b, stream=True, **usage) + (("capped-plain", b.chat(body)),),
                            weaker=not usage))
    return cases
