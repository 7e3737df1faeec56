"""conformance/behaviours/previous_response.py's deriver: the second turn names the first turn's response by its id.

Its check is judged in the checks' table (tests/data/exchanges/responses_stream.yaml); the deriver has no recorded
exchange to be judged on there, so it is tested here on the generated openai-responses case."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conformance.cases import generate_cases
from conformance.behaviours.previous_response import BEHAVIOUR
from conformance.checks import Inconclusive, derive
from conformance.engine import Exchange
from conformance.spec import load_profile
from conformance.vocabulary import RECALL_PROMPT

CASE_ID = "openai-responses/responses/behaviour/previous_response_id/keeps-earlier-turn"


@pytest.fixture(scope="module")
def case():
    return next(c for c in generate_cases(load_profile("openai-responses"), "m") if c.id == CASE_ID)


def answered(case, status: int = 200, body=None) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(case.request, "http://127.0.0.1:9", status=status, headers={"content-type": "application/json"},
                    body=raw)


def evidence(case) -> dict:
    (name, second), = case.evidence
    assert name == "without-previous"
    return {name: Exchange(second, "http://127.0.0.1:9", status=200)}


def test_the_case_sends_the_marker_then_the_recall_prompt_with_and_without_the_id(case):
    assert case.derive == "previous_turn" and case.check == "continues_conversation"
    assert case.request.body["input"] == [{"role": "user", "content": "Remember this word: quince."}]
    assert case.request.body["store"] is True and case.request.body["max_output_tokens"] == 32
    (_, second), = case.evidence
    assert second.body["input"] == [{"role": "user", "content": RECALL_PROMPT}] and "previous_response_id" not in second.body


def test_the_second_turn_is_the_control_with_the_first_response_id(case):
    (_, second), = case.evidence
    derived = derive(case, answered(case, body={"id": "resp_1", "object": "response"}), evidence(case))
    assert derived.body == {**second.body, "previous_response_id": "resp_1"}
    assert replace(derived, body=second.body) == second  # path, headers, surface: the control's


@pytest.mark.parametrize("status, body, message", [
    (400, {"error": {"message": "bad"}}, "the first turn gave no response to continue: the request was not accepted: 400"),
    (200, b"not json", "the first turn gave no response to continue: the 2xx answer is not JSON"),
    (200, {"object": "response"}, "the first turn's response has no id to continue from: None"),
    (200, {"id": ""}, "the first turn's response has no id to continue from: ''"),
    (200, {"id": 7}, "the first turn's response has no id to continue from: 7"),
])
def test_without_a_first_response_id_there_is_nothing_to_continue(case, status, body, message):
    with pytest.raises(Inconclusive) as raised:
        derive(case, answered(case, status, body), evidence(case))
    assert str(raised.value).startswith(message)


def test_store_is_sent_only_where_the_profile_documents_it():
    profile = load_profile("openai-responses")
    unstored = replace(profile, params={k: v for k, v in profile.params.items() if k != "store"})
    case = next(c for c in generate_cases(unstored, "m") if c.id == CASE_ID)
    (_, second), = case.evidence
    assert "store" not in case.request.body and "store" not in second.body
    assert case.request.body["input"] == [{"role": "user", "content": "Remember this word: quince."}]


def test_the_fault_drops_every_turn_up_to_the_last_assistant_message_and_keeps_the_rest():
    (fault,) = BEHAVIOUR.faults
    user = [{"role": "user", "content": "first"}, {"role": "user", "content": "second"}]
    assistant = {"role": "assistant", "content": "answer"}
    params = {"model": "m", "max_tokens": 32}
    assert fault.params(dict(params, messages=user)) == dict(params, messages=user)  # no earlier turn: all kept
    assert fault.params(dict(params, messages=[user[0], assistant, "odd", user[1]])) == dict(params, messages=["odd", user[1]])
    assert fault.params(dict(params, messages=[assistant, user[0], assistant, user[1]])) == dict(params, messages=[user[1]])
    assert fault.params(params) == dict(params, messages=[])
