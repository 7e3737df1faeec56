"""n: the number of choices asked for is the number that comes back.

A documented parameter that demonstrably had no effect is a failure, not inconclusive: `n: 2` answered
with one choice shows `n` was dropped. A refusal drops nothing (whether the model can sample twice is the
accept cases' question), and a fixed reply steers nothing, so both are inconclusive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..checks.common import Inconclusive, completion, fixed_reply, reads_evidence
from . import Behaviour, GatewayFault
from ..vocabulary import control

if TYPE_CHECKING:
    from ..case import Case
    from ..engine import Exchange

N = 2


def refusal_drops_nothing(ex: Exchange, what: str) -> None:
    """Inconclusive when the probe was refused with a 4xx: the parameter was not dropped but declined."""
    if ex.status is not None and 400 <= ex.status < 500:
        raise Inconclusive(f"{what} was refused ({ex.status}): declined, not dropped; the accept cases judge a refusal")


@reads_evidence
def n_choices(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    wanted = case.args["n"]
    refusal_drops_nothing(ex, f"n={wanted}")
    choices = completion(ex).get("choices")
    count = len(choices) if isinstance(choices, list) else 0
    if count == wanted:
        return None
    effect = "the parameter n had no effect" if count <= 1 else "the parameter n was not honoured"
    return unless_fixed_reply(evidence, f"n={wanted} asked for {wanted} choices and {count} came back: {effect}")


def unless_fixed_reply(evidence: dict[str, Exchange], problem: str) -> str:
    """`problem`, unless a fixed reply shows no parameter could steer the answer (as for stop and caps)."""
    reason = fixed_reply(evidence)
    if reason:
        raise Inconclusive(reason)
    return problem


def generate(b, rule) -> list:
    return [b.case("behaviour", "n", "gives-n-choices", rule, title=f"n={N} gives {N} choices",
                   expected=f"{N} choices (a 4xx is for the accept cases to judge)", request=b.post(b.body(n=N)),
                   check="n_choices", args={"n": N}, parameter="n", features=("behaviour",),
                   evidence=fixed_reply_evidence(b))]


def fixed_reply_evidence(b) -> tuple:
    """Two prompts' answers: alike, they give a fixed reply away (checks.common.fixed_reply)."""
    return ("control", control(b)), ("other-prompt", b.stop_control())


def params_without(*names: str):
    def params(given: dict) -> dict:
        return {k: v for k, v in given.items() if k not in names}
    return params


BEHAVIOUR = Behaviour(
    name="n_choices", needs="n", generate=generate, checks={"n_choices": n_choices},
    faults=(GatewayFault("behaviour.n-dropped", "n is dropped on the way to the model: one choice comes back",
                         params=params_without("n")),),
    surfaces=("chat_completions",),  # reads choices on the wire
)
