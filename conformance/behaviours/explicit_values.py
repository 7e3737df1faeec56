"""Explicit values: max_tokens 0 and temperature 0 are the user's values, rejected or honoured,
never dropped for a default.

temperature 0 is judged by sampling: two answers at 0 must agree where two without it differ.
That is a heuristic (sampling is not exactly reproducible everywhere), so it is reported at SHOULD.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..checks.common import Inconclusive, answer, answer_text, first_output, reads_evidence
from . import Behaviour, GatewayFault
from ..vocabulary import CONTROL_CAP, LONG_PROMPT

if TYPE_CHECKING:
    from ..case import Case
    from ..engine import Exchange

SAMPLED_PROMPT = "Write one short sentence about the sea."  # an answer with room to vary when sampled
FEATURES = ("behaviour",)


def explicit_zero_cap(ex: Exchange, case: Case) -> str | None:
    if 400 <= ex.status < 500:
        return None
    view = answer(ex)
    used = view.output_tokens
    if used is None:
        content = first_output(ex).text or ""
        return None if content == "" else f"max_tokens 0 answered with content {content[:120]!r}"
    return None if used == 0 else f"max_tokens 0 answered with {used} completion tokens (treated as absent?)"


@reads_evidence
def explicit_zero_temperature(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    if ex.status is not None and 400 <= ex.status < 500:
        return None  # refused: validated as a value, not dropped
    zero = [answer_text(x, "an answer at temperature 0") for x in (ex, evidence["temperature-0-again"])]
    default = [answer_text(evidence[n], "an answer without temperature") for n in ("default-1", "default-2")]
    if default[0] == default[1]:
        raise Inconclusive("the model answered the same twice without temperature: its sampling shows nothing, "
                           "so a dropped 0 could not be told")
    if zero[0] != zero[1]:
        return (f"two answers at temperature 0 differ ({zero[0][:60]!r} / {zero[1][:60]!r}), as the answers without "
                "it do: the 0 looks dropped and the default sampling used")
    return None


def generate(b, rule) -> list:
    def sampled(n: int, **fields):  # the same request again: a header keeps it from being shared
        request = b.post(b.body(prompt=SAMPLED_PROMPT, cap=CONTROL_CAP, **fields))
        return replace(request, headers=request.headers + (("X-Routecheck-Sample", str(n)),))

    return [
        b.case("behaviour", "explicit-values", "max-tokens-zero", rule,
               title="max_tokens 0 is a user value: rejected or honoured, never replaced by a default",
               expected="a 4xx, or a completion with 0 completion tokens",
               request=b.post(b.body(prompt=LONG_PROMPT, cap=None, max_tokens=0)),
               check="explicit_zero_cap", parameter="max_tokens", features=FEATURES),
        b.case("behaviour", "explicit-values", "temperature-zero", rule,
               title="temperature 0 is a user value: two answers at 0 agree where two without it differ",
               expected="a 4xx, or the same text twice at temperature 0", request=sampled(1, temperature=0),
               check="explicit_zero_temperature", parameter="temperature", features=FEATURES, weaker=True,
               evidence=(("temperature-0-again", sampled(2, temperature=0)), ("default-1", sampled(1)),
                         ("default-2", sampled(2)))),
    ]


def _zeros_dropped(params: dict) -> dict:
    """What the model gets from a gateway that takes 0 and false for "not set"."""
    def zero(value) -> bool:
        return value is False or (type(value) in (int, float) and value == 0)

    return {name: value for name, value in params.items() if not zero(value)}


BEHAVIOUR = Behaviour(
    name="explicit_values", needs=None, generate=generate,
    checks={"explicit_zero_cap": explicit_zero_cap, "explicit_zero_temperature": explicit_zero_temperature},
    faults=(GatewayFault("behaviour.explicit-zero-ignored",
                         "parameters sent as 0 or false are treated as absent (max_tokens: 0 gives the full output)",
                         params=_zeros_dropped),),
)
