"""The behaviour modules (conformance/behaviours/): each check on recorded answers, and the registry's wiring."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conformance.behaviours import names, registry
from conformance.cases import generate_cases
from conformance.cases.builder import LONG_PROMPT, STOP_PROMPT
from conformance.checks import Inconclusive, evaluate
from conformance.engine import Exchange
from conformance.gateway.faults import faults_for
from conformance.gateway.model import Generation, generate
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
            # an edit of chat completions' bodies is not made to another surface's answer
            expected = {f.name for f in behaviour.faults
                        if profile.surface == "chat_completions" or not (f.completion or f.chunks)}
            assert {f.name for f in faults if f.rule == f"behaviours.{name}"} == expected
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
    one, two = cases["openai/chat/behaviour/choices/index-is-position"], cases["openai/chat/behaviour/choices/index-is-position-n"]
    assert evaluate(answer(one.request, choices=[choice(0)]), one) is None
    assert "are [1]" in evaluate(answer(one.request, choices=[choice(1)]), one)
    assert evaluate(answer(two.request, choices=[choice(0), choice(1)]), two) is None
    assert "are [0, 0]" in evaluate(answer(two.request, choices=[choice(0), choice(0)]), two)
    with pytest.raises(Inconclusive, match="1 choice"):
        evaluate(answer(two.request, choices=[choice(0)]), two)
    with pytest.raises(Inconclusive, match="integer index"):  # a missing index is the field rule's failure
        evaluate(answer(one.request, choices=[{"message": {}}]), one)


def test_choices_indexed_in_a_stream():
    case = cases_of("openai")["openai/chat/behaviour/choices/index-is-position-stream"]
    delta = {"choices": [{"index": 0, "delta": {"content": "a"}}]}
    assert evaluate(stream(case.request, delta, {"choices": [], "usage": {}}), case) is None
    assert "chunk 2: choices[].index is 1" in evaluate(stream(case.request, delta, {"choices": [{"index": 1, "delta": {}}]}), case)


def test_tool_choice_none_needs_a_control_that_called_a_tool():
    case = cases_of("openai")["openai/chat/behaviour/tool-choice/none-calls-no-tool"]
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
    ("openai/chat/behaviour/tools/forced-call", "a forced tool_choice gives tool_calls whose arguments are a JSON string",
     "message.tool_calls[].function.name get_order, arguments a string holding a JSON object", "tool_call",
     {"name": "get_order"}, "tool_choice", {"max_tokens": 32, "tool_choice": {"type": "function", "function": {"name": "get_order"}}}),
    ("openai/chat/behaviour/json-mode/parses", "response_format json_object gives content that parses as a JSON object",
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
    case = cases_of("openai")["openai/chat/behaviour/tools/forced-call"]
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
    # an edit of what the model said, so it breaks JSON mode on every surface (Responses' text.format too)
    assert fault.name == "behaviour.json-mode-ignored" and fault.chunks is None and fault.completion is None
    edited = fault.generation(params, Generation(content, [content], "stop", 3))
    assert edited.content == after and "".join(edited.pieces) == after
    assert fault.generation(params, Generation(None, [], "tool_calls", 3)).content is None


# ------------------------------------------------------------------ the behaviours that read the caps' controls

def described(case) -> tuple:
    return (case.rule.id, case.category, case.title, case.expected, case.check, case.args, case.parameter,
            case.features, case.weaker, case.derive)


def chat_body(prompt: str, **fields) -> dict:
    return {"model": "m-1", "messages": [{"role": "user", "content": prompt}], **fields}


def test_finish_length_is_judged_on_the_caps_own_request_and_control():
    cases = cases_of("routeapi")
    for cap in ("max_tokens", "max_completion_tokens"):
        finish, bounds = cases[f"routeapi/chat/behaviour/{cap}/finish-length"], cases[f"routeapi/chat/behaviour/{cap}/bounds-completion"]
        assert described(finish) == (
            "behaviours.finish_reason_length", "behaviour", f'when {cap} 3 cuts the output, finish_reason is "length"',
            'finish_reason "length" whenever completion_tokens reached the cap', "finish_length", {"cap": 3}, cap,
            ("behaviour",), False, None)
        assert (finish.request, finish.evidence) == (bounds.request, bounds.evidence)  # sent once for both


def test_the_explicit_values_cases_as_generated():
    cases = cases_of("routeapi")
    cap, temperature = (cases[f"routeapi/chat/behaviour/explicit-values/{v}"] for v in ("max-tokens-zero", "temperature-zero"))
    assert described(cap) == (
        "behaviours.explicit_values", "behaviour",
        "max_tokens 0 is a user value: rejected or honoured, never replaced by a default",
        "a 4xx, or a completion with 0 completion tokens", "explicit_zero_cap", {}, "max_tokens", ("behaviour",), False, None)
    assert cap.request.body == chat_body(LONG_PROMPT, max_tokens=0) and cap.evidence == ()
    other_cap = {c.id: c for c in generate_cases(load_profile("routeapi"), "m-1", "max_completion_tokens")}
    assert other_cap[cap.id].request.body == cap.request.body  # max_tokens 0 the only cap, whichever base requests use
    assert described(temperature) == (
        "behaviours.explicit_values", "behaviour",
        "temperature 0 is a user value: two answers at 0 agree where two without it differ",
        "a 4xx, or the same text twice at temperature 0", "explicit_zero_temperature", {}, "temperature",
        ("behaviour",), True, None)
    sampled = chat_body("Write one short sentence about the sea.", max_tokens=8)
    sent = [("probe", temperature.request), *temperature.evidence]
    # the same request twice apart by a header: the engine would otherwise send it once
    assert [(name, r.body, dict(r.headers).get("X-Routecheck-Sample")) for name, r in sent] == [
        ("probe", dict(sampled, temperature=0), "1"), ("temperature-0-again", dict(sampled, temperature=0), "2"),
        ("default-1", sampled, "1"), ("default-2", sampled, "2")]


@pytest.mark.parametrize("variant, stream, later, how", [
    ("excluded", False, False, "a stop sequence"),
    ("excluded-stream", True, False, "a stop sequence in a stream"),
    ("later-in-list", False, True, "the third of three stop sequences"),
    ("later-in-list-stream", True, True, "the third of three stop sequences in a stream"),
])
def test_the_stop_cases_as_generated(variant, stream, later, how):
    case = cases_of("routeapi")[f"routeapi/chat/behaviour/stop/{variant}"]
    assert described(case) == (
        "behaviours.stop_excluded", "behaviour", f"{how}, a word the model said in the controls, is not in the returned text",
        "the word in both controls (sent without stop), and not in the answer sent with it",
        "stop_excluded_stream" if stream else "stop_excluded", {"later": later}, "stop", ("behaviour",), False, "stop_probe")
    plain, streamed = chat_body(STOP_PROMPT, max_tokens=12), chat_body(STOP_PROMPT, max_tokens=12, stream=True)
    assert case.request.body == (streamed if stream else plain)
    assert [(name, r.body) for name, r in case.evidence] == [
        ("control-plain", plain) if stream else ("control-stream", streamed),
        ("other-prompt", chat_body(LONG_PROMPT, max_tokens=8))]  # the caps' control: another prompt's answer


def test_the_include_usage_case_as_generated():
    case = cases_of("routeapi")["routeapi/chat/streaming/stream/include-usage"]
    assert described(case) == (
        "behaviours.include_usage", "streaming", "with stream_options.include_usage, one chunk before the end carries the usage",
        "one chunk with empty choices and a usage object; usage null on the others", "stream_usage_chunk", {},
        "stream_options", (), False, None)
    assert case.request.body == chat_body(LONG_PROMPT, max_tokens=4, stream=True, stream_options={"include_usage": True})


def fault_of(behaviour: str, name: str):
    (fault,) = registry()[behaviour].faults
    assert fault.name == name
    return fault


def test_the_finish_fault_says_stop_where_the_cap_cut_and_nothing_else():
    """A generation-level edit: every surface renders it (chat's finish_reason, Messages' stop_reason)."""
    fault = fault_of("finish_reason_length", "behaviour.finish-stop-when-cut")
    cut = generate({**PROMPT_PARAMS, "max_tokens": 1}, ("max_tokens",))
    assert cut.finish_reason == "length" and fault.generation({}, cut) == replace(cut, finish_reason="stop")
    ended = generate(PROMPT_PARAMS, ("max_tokens",))
    assert fault.generation({}, ended) is ended


PROMPT_PARAMS = {"messages": [{"role": "user", "content": "one  two three four"}]}  # the model says "one two three four"


@pytest.mark.parametrize("fields, after", [
    ({"stop": ["three"]}, "one two three"),
    ({"stop": "three"}, "one two three"),
    ({"stop": ["zzz", "four", "three"]}, "one two three"),  # the earliest the model hit
    ({"stop": ["three"], "max_tokens": 1}, None),  # the cap cut it before the stop
    ({"stop": ["zzz"]}, None),  # no stop hit
    ({}, None),
    ({"stop": ["three"], "response_format": {"type": "json_object"}}, '{"answer": "one two three'),  # JSON mode
    ({"stop": ["one"]}, "one"),  # hit at once: nothing was said, the sequence alone is
])
def test_the_stop_fault_leaves_in_the_sequence_the_model_hit(fields, after):
    """A generation-level edit: the text and its last streamed piece end with the sequence, on every surface."""
    fault = fault_of("stop_excluded", "behaviour.stop-in-output")
    params = {**PROMPT_PARAMS, **fields}
    faithful = generate(params, ("max_tokens",))
    broken = fault.generation(params, faithful)
    if after is None:
        assert broken is faithful
        return
    assert broken.content == after and "".join(broken.pieces) == after
    assert broken.pieces[:-1] == faithful.pieces[:-1] and broken.finish_reason == "stop"


def test_the_usage_fault_drops_only_the_usage_chunk():
    fault = fault_of("include_usage", "stream.usage-ignored")
    chunks = [{"choices": [{"index": 0, "delta": {"content": "a"}}], "usage": None}, {"choices": [], "usage": None},
              {"choices": [], "usage": {"total_tokens": 1}}]
    fault.chunks({}, chunks)
    assert chunks == [{"choices": [{"index": 0, "delta": {"content": "a"}}], "usage": None}, {"choices": [], "usage": None}]
    assert fault.completion is None and fault.params is None


def test_the_explicit_zero_fault_drops_zeros_and_false_before_the_model():
    fault = fault_of("explicit_values", "behaviour.explicit-zero-ignored")
    params = {"max_tokens": 0, "temperature": 0.0, "logprobs": False, "stream": True, "n": 1, "seed": -1, "top_p": 0.5,
              "stop": [], "user": "", "metadata": {}}
    assert fault.params(params) == {"stream": True, "n": 1, "seed": -1, "top_p": 0.5, "stop": [], "user": "", "metadata": {}}
    assert fault.completion is None and fault.chunks is None


# ------------------------------------------------------------------ which behaviours a profile is asked

@pytest.mark.parametrize("name, surface, params, asked", [
    ("finish_reason_length", "messages", (), True),  # needs nothing, any surface
    ("stop_excluded", "chat_completions", ("stop",), True),
    ("stop_excluded", "chat_completions", ("stop_sequences",), False),
    ("stop_excluded", "messages", ("stop_sequences",), True),  # the surface's own name of the parameter
    ("stop_excluded", "messages", ("stop",), False),
    ("n_choices", "chat_completions", ("n",), True),
    ("n_choices", "chat_completions", ("tools",), False),  # the parameter it needs is not documented
    ("n_choices", "messages", ("n",), False),  # reads choices on the wire: chat completions only
    ("choices_indexed", "chat_completions", (), True),
    ("choices_indexed", "messages", (), False),
    ("no_such_behaviour", "messages", (), True),  # the spec validator names it
])
def test_a_behaviour_applies_where_its_parameter_is_documented_on_a_surface_it_reads(name, surface, params, asked):
    from conformance.behaviours import applies
    assert applies(name, surface, params) is asked


def test_the_tool_choice_none_fault_forces_the_first_tool():
    fault = fault_of("tool_choice_none", "behaviour.tool-choice-none-ignored")
    tools = [{"type": "function", "function": {"name": "get_order"}}, {"function": {"name": "other"}}]
    assert fault.params({"tool_choice": "none", "tools": tools, "n": 1}) == {
        "tool_choice": {"type": "function", "function": {"name": "get_order"}}, "tools": tools, "n": 1}
    assert fault.params({"tool_choice": "none", "tools": [{}]})["tool_choice"] == {
        "type": "function", "function": {"name": "tool"}}  # a tool without a name: called by a name all the same
    for params in ({"tool_choice": "auto", "tools": tools}, {"tool_choice": "none"}, {"tool_choice": "none", "tools": []}):
        assert fault.params(params) == params


def test_the_n_fault_drops_only_n():
    fault = fault_of("n_choices", "behaviour.n-dropped")
    assert fault.params({"n": 2, "model": "m", "stream": False}) == {"model": "m", "stream": False}
    from conformance.behaviours.n_choices import params_without  # the fault's maker runs at import: called here
    assert params_without("n", "seed")({"n": 2, "seed": 1, "model": "m"}) == {"model": "m"}


def test_the_one_based_fault_counts_chunks_from_1_even_without_an_index():
    fault = fault_of("choices_indexed", "behaviour.choices-one-based")
    chunks = [{"choices": [{"index": 0, "delta": {}}]}, {"choices": [{"delta": {}}]}, {"choices": []}, {}]
    fault.chunks({}, chunks)
    assert chunks == [{"choices": [{"index": 1, "delta": {}}]}, {"choices": [{"index": 1, "delta": {}}]}, {"choices": []}, {}]


def test_the_json_mode_fault_leaves_a_cut_object_as_it_is():
    fault = registry()["json_mode"].faults[0]
    cut = Generation('{"answ', ['{"answ'], "length", 3)
    assert fault.generation({"response_format": {"type": "json_object"}}, cut) is cut


@pytest.mark.parametrize("response_format, cut", [
    ({"type": "json_object"}, True), ({"type": "json_schema"}, True), ({"type": "text"}, False), ("json_object", False),
])
def test_the_prose_fault_answers_cut_prose_only_in_json_mode(response_format, cut):
    fault = registry()["json_mode"].faults[1]
    assert fault.name == "behaviour.json-mode-prose-cut"
    said = Generation("{}", ["{}"], "stop", 3)
    edited = fault.generation({"response_format": response_format}, said)
    prose = "Sure! Here is the JSON you asked for: it holds the"
    expected = (prose, [prose], "length") if cut else ("{}", ["{}"], "stop")
    assert (edited.content, edited.pieces, edited.finish_reason) == expected
    assert fault.generation({"response_format": response_format}, Generation(None, [], "tool_calls", 3)).content is None
