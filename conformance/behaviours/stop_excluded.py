"""stop: a stop sequence the model said is not in the returned text, plain or streamed, alone or
the third of three.

No pass without evidence: the stop sequence is a word the model really said in two controls (the
same request without stop, plain and streamed), chosen at run time (the `stop_probe` deriver). A
model that never says it, or a fixed reply (the same text for another prompt), gives an
inconclusive verdict rather than a vacuous pass.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..checks.common import Inconclusive, answer_text, first_output, reads_evidence, same_reply, streamed_text
from . import Behaviour, GatewayFault
from ..vocabulary import control as cap_control

if TYPE_CHECKING:
    from ..case import Case
    from ..engine import Exchange
    from ..request import Request

ABSENT_STOPS = ("<rc-absent-1>", "<rc-absent-2>")  # listed before the real one: only a later sequence occurs
FEATURES = ("behaviour",)
_WORD = re.compile(r"\S+")


def _stop_name(case: Case) -> str:
    """The surface's name of the stop parameter, which the case names (chat's stop, Messages' stop_sequences)."""
    return case.parameter or "stop"


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
    if same_reply(plain, different):
        raise Inconclusive(f"the model answers two different prompts alike ({own[:80]!r}): a fixed reply shows no "
                           "generation for a stop sequence to cut")
    word = stop_word(plain, streamed)
    if word is None:
        raise Inconclusive(f"the controls share no usable word in the second half of the answer "
                           f"(plain: {plain[:100]!r}, streamed: {streamed[:100]!r})")
    stops = [*ABSENT_STOPS, word] if case.args.get("later") else [word]
    return replace(case.request, body={**case.request.body, _stop_name(case): stops})


def _stop_verdict(text: str, ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    stops = ex.request.body[_stop_name(case)]
    found = [s for s in stops if s in text]
    if found:
        return f"the content contains {found[0]!r}, which the controls said without stop: {text[:200]!r}"
    # the answer cut by stop is the start of what the model says without it: its first words (up to three:
    # a stream of cumulative deltas assembles "Name Name the") follow one of the controls
    words = text.split()[:3]
    controls = [answer_text(ex, "the control").split() for name, ex in evidence.items() if name.startswith("control")]
    if not words or not any(c[:len(words)] == words for c in controls):
        raise Inconclusive(f"the answer with stop does not start like the controls ({text[:80]!r}): "
                           "cannot tell that the stop sequence cut it")
    return None


@reads_evidence
def stop_excluded(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    return _stop_verdict(first_output(ex).content, ex, case, evidence)


@reads_evidence
def stop_excluded_stream(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    return _stop_verdict(streamed_text(ex), ex, case, evidence)


def generate(b, rule) -> list:
    plain, streamed = b.stop_control(), b.stop_control(stream=True)
    other_prompt = cap_control(b)  # another prompt's answer: tells a fixed reply
    cases = []
    for variant, control, other, later, check, how in (
            ("excluded", plain, streamed, False, "stop_excluded", "a stop sequence"),
            ("excluded-stream", streamed, plain, False, "stop_excluded_stream", "a stop sequence in a stream"),
            ("later-in-list", plain, streamed, True, "stop_excluded", "the third of three stop sequences"),
            ("later-in-list-stream", streamed, plain, True, "stop_excluded_stream",
             "the third of three stop sequences in a stream")):
        name = "control-plain" if control is streamed else "control-stream"
        cases.append(b.case(
            "behaviour", "stop", variant, rule,
            title=f"{how}, a word the model said in the controls, is not in the returned text",
            expected="the word in both controls (sent without stop), and not in the answer sent with it",
            request=control, check=check, args={"later": later}, parameter=b.surface.param("stop"), features=FEATURES,
            evidence=((name, other), ("other-prompt", other_prompt)), derive="stop_probe"))
    return cases


def _stop_kept(params: dict, generation):
    """The stop sequence that ended the output is left at its end (on the last streamed piece too)."""
    hit = generation.stop_sequence
    if generation.finish_reason != "stop" or not hit:
        return generation
    pieces = generation.pieces[:-1] + [generation.pieces[-1] + hit] if generation.pieces else [hit]
    return replace(generation, content=(generation.content or "") + hit, pieces=pieces)


BEHAVIOUR = Behaviour(
    name="stop_excluded", needs="stop", generate=generate,
    checks={"stop_excluded": stop_excluded, "stop_excluded_stream": stop_excluded_stream},
    derivers={"stop_probe": stop_probe},
    faults=(GatewayFault("behaviour.stop-in-output", "the stop sequence is left in the output",
                         generation=_stop_kept),),
)
