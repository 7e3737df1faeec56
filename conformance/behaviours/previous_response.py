"""previous_response_id: a response created with the id of an earlier one continues that conversation.

Evidence first: the first turn says a marker word; the second turn, sent with the first response's id
(derived at run time: the `previous_turn` deriver), asks for the first message again. Its answer must hold
the marker. The same second turn sent without the id is the control: if its answer holds the marker too,
the model guessed it, and nothing is shown (inconclusive).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..checks.common import Inconclusive, NotAccepted, answer_text, completion, reads_evidence
from . import Behaviour, GatewayFault
from ..vocabulary import RECALL_PROMPT

if TYPE_CHECKING:
    from ..case import Case
    from ..engine import Exchange
    from ..request import Request

MARKER = "quince"
FIRST_TURN = f"Remember this word: {MARKER}."
CAP = 32


def previous_turn(case: Case, first: Exchange, evidence: dict[str, Exchange]) -> Request:
    """The second turn, naming the first turn's response by its id."""
    try:
        response_id = completion(first).get("id")
    except NotAccepted as exc:
        raise Inconclusive(f"the first turn gave no response to continue: {exc}") from None
    if not isinstance(response_id, str) or not response_id:
        raise Inconclusive(f"the first turn's response has no id to continue from: {response_id!r}")
    second = evidence["without-previous"].request
    return replace(second, body={**second.body, "previous_response_id": response_id})


@reads_evidence
def continues_conversation(ex: Exchange, case: Case, evidence: dict[str, Exchange]) -> str | None:
    alone = answer_text(evidence["without-previous"], "the second turn sent without previous_response_id")
    if MARKER in alone.lower():
        raise Inconclusive(f"the second turn without previous_response_id says {MARKER!r} too ({alone[:80]!r}): the "
                           "marker does not show the earlier turn was kept")
    try:
        completion(ex)
    except NotAccepted as exc:
        return f"the second turn, sent with the first response's id, was not answered: {exc}"
    said = answer_text(ex, "the second turn sent with previous_response_id")
    if MARKER not in said.lower():
        return (f"asked for the first message again with previous_response_id {ex.request.body['previous_response_id']!r},"
                f" the answer does not hold {MARKER!r} from the earlier turn: {said[:160]!r}")
    return None


def generate(b, rule) -> list:
    store = {"store": True} if "store" in b.profile.params else {}
    first = b.post(b.body(prompt=FIRST_TURN, cap=CAP, **store))
    second = b.post(b.body(prompt=RECALL_PROMPT, cap=CAP, **store))
    return [b.case("behaviour", "previous_response_id", "keeps-earlier-turn", rule,
                   title="a response sent with previous_response_id continues the earlier conversation",
                   expected=f"asked for the first message again, the answer holds {MARKER!r} (the second turn "
                            "without the id does not)",
                   request=first, check="continues_conversation", parameter="previous_response_id",
                   features=("behaviour",), evidence=(("without-previous", second),), derive="previous_turn")]


def _forget(params: dict) -> dict:
    """The earlier turns dropped: only what follows the last assistant message is kept."""
    messages = params.get("messages") or []
    last = max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "assistant"), default=-1)
    return dict(params, messages=messages[last + 1:])


BEHAVIOUR = Behaviour(
    name="previous_response", needs="previous_response_id", generate=generate,
    checks={"continues_conversation": continues_conversation}, derivers={"previous_turn": previous_turn},
    faults=(GatewayFault("behaviour.previous-response-ignored", "previous_response_id is accepted but the earlier "
                         "turns are not given to the model", params=_forget),),
    surfaces=("responses",),
)
