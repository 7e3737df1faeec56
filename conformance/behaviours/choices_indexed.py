"""choices[].index is the choice's position in `choices`: 0 for the only one, 0 and 1 for n=2.

Observable on any answer (an index of 1 for a single choice breaks it), so it needs no control.
Where the profile documents `n`, two choices are asked for too; fewer coming back is inconclusive here
(no position past 0 to check) and a failure of n's own case (conformance/behaviours/n_choices.py).
"""

from __future__ import annotations

from ..checks.common import Inconclusive, chunks, completion
from . import Behaviour, GatewayFault

N = 2


def choices_indexed(ex, case) -> str | None:
    if ex.request.stream:
        for number, chunk in chunks(ex):
            for choice in (chunk.get("choices") or []) if isinstance(chunk, dict) else []:
                index = choice.get("index") if isinstance(choice, dict) else None
                if isinstance(index, int) and not isinstance(index, bool) and index != 0:
                    return f"chunk {number}: choices[].index is {index}; one choice was asked for, so it is 0"
        return None
    choices = completion(ex).get("choices")
    if not isinstance(choices, list) or not choices:
        raise Inconclusive("the completion has no choices to check")
    wanted = case.args.get("n", 1)
    if len(choices) < wanted:
        raise Inconclusive(f"n={wanted} was asked for and {len(choices)} choice(s) came back: no position past 0 to "
                           "check (behaviour/n/gives-n-choices judges the count, where the document lists n)")
    indexes = [c.get("index") if isinstance(c, dict) else None for c in choices]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in indexes):
        raise Inconclusive(f"not every choice has an integer index ({indexes}): the field rules judge that")
    positions = list(range(len(choices)))
    return None if indexes == positions else f"choices[].index are {indexes}; their positions are {positions}"


def generate(b, rule) -> list:
    def case(variant, request, title, **args):
        return b.case("behaviour", "choices", variant, rule, title=title, expected="choices[i].index == i",
                      request=request, check="choices_indexed", args=args, parameter="choices[].index")

    cases = [case("index-is-position", b.post(), "the only choice of a completion has index 0")]
    if "content_type" in b.profile.stream:
        cases.append(case("index-is-position-stream", b.stream_request(),
                          "every chunk of a one-choice stream carries choices[].index 0"))
    if "n" in b.profile.params:
        cases.append(case("index-is-position-n", b.post(b.body(n=N)), f"with n={N}, choices[i].index is i", n=N))
    return cases


def _one_based(params: dict, doc: dict) -> None:
    for position, choice in enumerate(doc.get("choices") or []):
        choice["index"] = position + 1


def _one_based_chunks(params: dict, docs: list[dict]) -> None:
    for doc in docs:
        for choice in doc.get("choices") or []:
            choice["index"] = choice.get("index", 0) + 1


BEHAVIOUR = Behaviour(
    name="choices_indexed", needs=None, generate=generate, checks={"choices_indexed": choices_indexed},
    faults=(GatewayFault("behaviour.choices-one-based", "choices[].index counts from 1, not from 0",
                         completion=_one_based, chunks=_one_based_chunks),),
    surfaces=("chat_completions",),  # reads choices on the wire
)
