"""The behaviour modules (conformance/behaviours/): each check on recorded answers, and the registry's wiring."""

from __future__ import annotations

import json

import pytest

from conformance.behaviours import names, registry
from conformance.cases import generate_cases
from conformance.checks import Inconclusive, evaluate
from conformance.engine import Exchange
from conformance.gateway.faults import faults_for
from conformance.spec import SpecError, load_profile, profile_names
from conformance.sse import SseEvent


def cases_of(profile: str) -> dict:
    return {c.id: c for c in generate_cases(load_profile(profile), "m-1")}


def answer(request, status: int = 200, **doc) -> Exchange:
    return Exchange(request, "http://127.0.0.1", status=status, headers={"content-type": "application/json"},
                    body=json.dumps(doc).encode())


def stream(request, *chunk_docs) -> Exchange:
    events = [SseEvent(data=json.dumps(c)) for c in chunk_docs] + [SseEvent(data="[DONE]")]
    return Exchange(request, "http://127.0.0.1", status=200, headers={"content-type": "text/event-stream"},
                    events=events)


def choice(index, **message):
    return {"index": index, "message": {"role": "assistant", "content": "hi", **message}, "finish_reason": "stop"}


def test_every_registered_behaviour_has_cases_checks_and_a_fault_where_a_profile_documents_it():
    documented = set()
    for profile in map(load_profile, profile_names()):
        cases = generate_cases(profile, "m-1")
        faults = faults_for(profile)
        for name in profile.behaviours:
            behaviour = registry()[name]
            documented.add(name)
            assert {c.check for c in cases if c.rule.id == f"behaviours.{name}"} == set(behaviour.checks)
            assert {f.name for f in faults if f.rule == f"behaviours.{name}"} == {f.name for f in behaviour.faults}
    assert documented == set(registry()) == set(names())


def test_a_spec_naming_an_unknown_behaviour_fails_loading(tmp_path):
    import shutil
    from conformance.spec import DEFAULT_SPECS_DIR
    shutil.copytree(DEFAULT_SPECS_DIR, tmp_path / "specs")
    path = tmp_path / "specs" / "openai.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  choices_indexed:", "  choices_indexd:"), encoding="utf-8")
    with pytest.raises(SpecError, match="choices_indexd"):
        load_profile("openai", tmp_path / "specs")


def test_choices_indexed_judges_positions_and_needs_two_choices_for_n():
    cases = cases_of("openai")
    one, two = cases["openai/behaviour/choices/index-is-position"], cases["openai/behaviour/choices/index-is-position-n"]
    assert evaluate(answer(one.request, choices=[choice(0)]), one) is None
    assert "are [1]" in evaluate(answer(one.request, choices=[choice(1)]), one)
    assert evaluate(answer(two.request, choices=[choice(0), choice(1)]), two) is None
    assert "are [0, 0]" in evaluate(answer(two.request, choices=[choice(0), choice(0)]), two)
    with pytest.raises(Inconclusive, match="1 choice"):
        evaluate(answer(two.request, choices=[choice(0)]), two)
    with pytest.raises(Inconclusive, match="integer index"):  # a missing index is the field rule's failure
        evaluate(answer(one.request, choices=[{"message": {}}]), one)


def test_choices_indexed_in_a_stream():
    case = cases_of("openai")["openai/behaviour/choices/index-is-position-stream"]
    delta = {"choices": [{"index": 0, "delta": {"content": "a"}}]}
    assert evaluate(stream(case.request, delta, {"choices": [], "usage": {}}), case) is None
    assert "chunk 2: choices[].index is 1" in evaluate(stream(case.request, delta, {"choices": [{"index": 1, "delta": {}}]}), case)


def test_tool_choice_none_needs_a_control_that_called_a_tool():
    case = cases_of("openai")["openai/behaviour/tool-choice/none-calls-no-tool"]
    control_request = dict(case.evidence)["control"]
    assert case.request.body["tool_choice"] == "none" and control_request.body["tool_choice"]["type"] == "function"
    called = answer(control_request, choices=[choice(0, content=None, tool_calls=[{"id": "c", "type": "function"}])])
    plain = answer(case.request, choices=[choice(0)])
    assert evaluate(plain, case, {"control": called}) is None
    tool_call = answer(case.request, choices=[choice(0, content=None, tool_calls=[{"id": "c"}])])
    assert "tool_calls came back" in evaluate(tool_call, case, {"control": called})
    finish = answer(case.request, choices=[dict(choice(0), finish_reason="tool_calls")])
    assert "finish_reason" in evaluate(finish, case, {"control": called})
    with pytest.raises(Inconclusive, match="made no tool call"):
        evaluate(plain, case, {"control": answer(control_request, choices=[choice(0)])})
    with pytest.raises(Inconclusive, match="not accepted"):
        evaluate(answer(case.request, status=400, error={}), case, {"control": called})


@pytest.mark.parametrize("case_id, title, expected, check, args, parameter, body", [
    ("openai/behaviour/tools/forced-call", "a forced tool_choice gives tool_calls whose arguments are a JSON string",
     "message.tool_calls[].function.name get_order, arguments a string holding a JSON object", "tool_call",
     {"name": "get_order"}, "tool_choice", {"max_tokens": 32, "tool_choice": {"type": "function", "function": {"name": "get_order"}}}),
    ("openai/behaviour/json-mode/parses", "response_format json_object gives content that parses as a JSON object",
     "message.content is a JSON object (unless cut by the cap)", "json_output", {}, "response_format",
     {"max_tokens": 24, "response_format": {"type": "json_object"},
      "messages": [{"role": "user", "content": "Reply in JSON: an object whose key answer holds the word hello."}]}),
])
def test_the_tool_call_and_json_mode_cases_as_generated(case_id, title, expected, check, args, parameter, body):
    case = cases_of("openai")[case_id]
    assert (case.title, case.expected, case.check, case.args, case.parameter) == (title, expected, check, args, parameter)
    assert case.category == "behaviour" and "behaviour" in case.features
    assert {k: case.request.body[k] for k in body} == body


def test_the_tool_arguments_fault_turns_every_call_s_arguments_into_an_object():
    fault = registry()["tool_calls"].faults[0]
    assert fault.name == "behaviour.tool-args-object" and fault.chunks is None
    call = {"id": "c", "type": "function", "function": {"name": "get_order", "arguments": '{"order_id": "1"}'}}
    doc = {"choices": [{"message": {"tool_calls": [call, json.loads(json.dumps(call))]}}, {"message": {"content": "hi"}}]}
    fault.completion({}, doc)
    assert [c["function"]["arguments"] for c in doc["choices"][0]["message"]["tool_calls"]] == [{"order_id": "1"}] * 2
    assert doc["choices"][1] == {"message": {"content": "hi"}}
    case = cases_of("openai")["openai/behaviour/tools/forced-call"]
    broken = answer(case.request, choices=[{"index": 0, "message": doc["choices"][0]["message"], "finish_reason": "tool_calls"}])
    assert evaluate(broken, case) == 'arguments is a JSON dict, not a string: {"order_id": "1"}'


@pytest.mark.parametrize("params, content, after", [
    ({"response_format": {"type": "json_object"}}, '{"answer": "hello"}', "hello"),
    ({"response_format": {"type": "json_schema"}}, '{"answer": "hello"}', "hello"),
    ({"response_format": {"type": "json_object"}}, '{"other": 1}', ""),  # the object without its answer
    ({"response_format": {"type": "json_object"}}, '{"answ', '{"answ'),  # cut by the cap: left as it is
    ({"response_format": {"type": "json_object"}}, "[1]", "[1]"),  # not the object the model wraps
    ({"response_format": {"type": "text"}}, '{"answer": "hello"}', '{"answer": "hello"}'),
    ({"response_format": "json_object"}, '{"answer": "hello"}', '{"answer": "hello"}'),
    ({}, '{"answer": "hello"}', '{"answer": "hello"}'),
])
def test_the_json_mode_fault_answers_plain_text_only_in_json_mode(params, content, after):
    fault = registry()["json_mode"].faults[0]
    assert fault.name == "behaviour.json-mode-ignored" and fault.chunks is None
    doc = {"choices": [{"message": {"content": content}}, {"message": {}}]}
    fault.completion(params, doc)
    assert doc["choices"][0]["message"]["content"] == after and doc["choices"][1] == {"message": {}}
