"""behaviour: what the model's answer must do: caps bound completion_tokens, stop sequences stay
out of the text. These share their controls; the behaviours that own a module
(conformance/behaviours/: finish_reason "length", explicit values, forced tool calls, JSON mode,
choices[].index, tool_choice "none"...) are generated through the registry below, finish_reason
"length" from the caps' own request and control.

No pass without evidence: a cap is judged only when a control (the same request with a larger
cap) went past it, and the stop sequence is a word the model really said in two controls (the
same request without stop, plain and streamed), so a model that never says it, or a fixed reply,
gives an inconclusive verdict rather than a vacuous pass.
"""

from __future__ import annotations

from ..case import Case
from ..request import Request
from ..behaviours import registry
from .builder import LONG_PROMPT, STOP_PROMPT, Builder

CAP = 3
CONTROL_CAP = 8  # the control's cap: room to go past CAP, few tokens
STOP_CAP = 12
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


def _cap_cases(b: Builder) -> list[Case]:
    cases = []
    usage = usage_options(b)
    plain, streamed = control(b), control(b, stream=True, **usage)
    for name, rule in b.profile.token_caps.items():
        body = capped_body(b, name)
        cases.append(b.case("behaviour", name, "bounds-completion", rule,
                            title=f"{name} {CAP} bounds usage.completion_tokens (the control without it went past {CAP})",
                            expected=f"usage.completion_tokens <= {CAP}", request=b.chat(body), check="token_cap",
                            args={"cap": CAP}, parameter=name, features=FEATURES, evidence=(("control", plain),)))
        cases.append(b.case("behaviour", name, "bounds-stream", rule,
                            title=f"{name} {CAP} bounds a streamed completion too",
                            expected=f"at most {CAP} completion tokens (usage chunk) or content chunks",
                            request=b.chat(dict(body, stream=True, **usage)), check="token_cap_stream",
                            args={"cap": CAP}, parameter=name, features=FEATURES,
                            evidence=(("control", streamed),), weaker=not usage))
    return cases


def _stop_cases(b: Builder) -> list[Case]:
    stop = b.profile.behaviours.get("stop_excluded")
    if stop is None:
        return []
    plain = b.chat(b.body(prompt=STOP_PROMPT, cap=STOP_CAP))
    streamed = b.chat(b.body(prompt=STOP_PROMPT, cap=STOP_CAP, stream=True))
    other_prompt = b.chat(b.body(prompt=LONG_PROMPT, cap=CONTROL_CAP))  # the cap control: tells a fixed reply
    cases = []
    for variant, control, other, later, check, how in (
            ("excluded", plain, streamed, False, "stop_excluded", "a stop sequence"),
            ("excluded-stream", streamed, plain, False, "stop_excluded_stream", "a stop sequence in a stream"),
            ("later-in-list", plain, streamed, True, "stop_excluded", "the third of three stop sequences"),
            ("later-in-list-stream", streamed, plain, True, "stop_excluded_stream",
             "the third of three stop sequences in a stream")):
        name = "control-plain" if control is streamed else "control-stream"
        cases.append(b.case(
            "behaviour", "stop", variant, stop,
            title=f"{how}, a word the model said in the controls, is not in the returned text",
            expected="the word in both controls (sent without stop), and not in the answer sent with it",
            request=control, check=check, args={"later": later}, parameter="stop", features=FEATURES,
            evidence=((name, other), ("other-prompt", other_prompt)), derive="stop_probe"))
    return cases


def generate(b: Builder) -> list[Case]:
    p = b.profile
    cases = _cap_cases(b) + _stop_cases(b)
    for name, rule in p.behaviours.items():  # the behaviours that own a module (conformance/behaviours/)
        if name in registry():
            cases += registry()[name].generate(b, rule)
    return cases
