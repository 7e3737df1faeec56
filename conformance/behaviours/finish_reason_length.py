"""finish_reason "length": when a token cap cuts the output, the answer says so.

Judged on the token caps' own request (the same cap, the same control, sent once for both): only
an answer that used exactly the cap, where the control allowed more went past it, was cut by it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..checks.common import Inconclusive, answer, reads_evidence
from ..checks.token_caps import control_went_past
from . import Behaviour, GatewayFault
from .. import vocabulary  # the caps' request and control

if TYPE_CHECKING:
    from ..case import Case
    from ..engine import Exchange


@reads_evidence
def finish_length(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    view = answer(ex)
    used = view.output_tokens
    cap = case.args["cap"]
    reason = view.outputs[0].stop_reason if view.outputs else None
    if used is None:
        raise Inconclusive("no usage.completion_tokens: cannot tell whether the cap cut the output")
    if used > cap:  # the cap was not applied: the bounds case reports that; "length" may be the context's
        raise Inconclusive(f"completion_tokens {used} exceed the cap {cap}, so it did not cut the output")
    if used < cap:
        raise Inconclusive(f"the answer ended after {used} tokens, before the cap of {cap}: the cap did not cut it")
    control_went_past(evidence, cap)  # else the answer may simply have ended at the cap
    return None if view.cut else f"the cap cut the output ({cap} completion tokens) but {view.names['stop_reason']} is {reason!r}"


def generate(b, rule) -> list:
    return [b.case("behaviour", name, "finish-length", rule,
                   title=f"when {name} {vocabulary.cap_at(b, name)} cuts the output, {b.surface.words['cut_is']}",
                   expected=f"{b.surface.words['cut']} whenever {b.surface.words['used']} reached the cap",
                   request=b.post(vocabulary.capped_body(b, name)), check="finish_length",
                   args={"cap": vocabulary.cap_at(b, name)},
                   parameter=name, features=vocabulary.FEATURES, evidence=vocabulary.evidence(b))
            for name in b.profile.token_caps]


def _stop_for_length(params: dict, generation):
    """An output the cap cut says it ended on its own ("stop"; Messages' end_turn)."""
    return replace(generation, finish_reason="stop") if generation.finish_reason == "length" else generation


BEHAVIOUR = Behaviour(
    name="finish_reason_length", needs=None, generate=generate, checks={"finish_length": finish_length},
    faults=(GatewayFault("behaviour.finish-stop-when-cut", "finish_reason is 'stop' when the token cap cut the output",
                         generation=_stop_for_length),),
)
