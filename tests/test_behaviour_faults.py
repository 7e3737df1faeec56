"""Every behaviour's gateway fault, and the token-cap faults, applied to a faithful answer of the reference
gateway: each must make exactly its edit and nothing else (the kill matrix only shows that some case notices).

The answer is built in process as the gateway's chat handler builds it (gateway/app.py): the fault's
parameter hook, the reference model, the wire bodies, then the fault's completion or chunks hook."""

from __future__ import annotations

import copy
import json

import pytest

from conformance.gateway.faults import faults_for
from conformance.gateway.model import PIXEL, choice_count, generate, prompt_tokens
from conformance.surfaces.chat_completions.wire import Reply, chunk_bodies, completion_body
from conformance.spec import load_profile
from conformance.vocabulary import RECALL_PROMPT

# between them, every behaviour's faults (routmy alone documents image output; openai-responses previous_response_id)
PROFILES = ("routeapi", "routmy", "openai-responses")
FAULTS: dict = {}
for _name in PROFILES:  # a fault two profiles share is tested as the first has it
    for _fault in faults_for(load_profile(_name)):
        FAULTS.setdefault(_fault.name, (_fault, load_profile(_name)))
PROMPT = "one two three four five six"
TOOLS = [{"type": "function", "function": {"name": "get_order", "parameters": {
    "type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}}]


def params(**fields) -> dict:
    return {"model": "m-1", "messages": [{"role": "user", "content": PROMPT}], **fields}


def answer(fields: dict, fault_name: str | None = None, created: int = 1):
    """The completion body (or, for a stream, the chunk bodies) the gateway sends for `fields`, with the
    named fault, or faithful (None)."""
    fault, profile = FAULTS[fault_name] if fault_name else (None, load_profile("routeapi"))
    return gateway_answer(profile, fields, fault, created)


def gateway_answer(profile, fields: dict, fault=None, created: int = 1):
    hooks = fault.arg if fault is not None and fault.kind == "behaviour" else None
    given = copy.deepcopy(fields)
    if hooks and hooks.params:
        given = hooks.params(given)
    generation = generate(given, profile.token_caps, fault)
    if hooks and hooks.generation:
        generation = hooks.generation(given, generation)
    reply = Reply("chatcmpl-1", created, "m-1", generation, choice_count(given), prompt_tokens(given))
    if given.get("stream") is True:
        options = given.get("stream_options")
        chunks = chunk_bodies(reply, isinstance(options, dict) and options.get("include_usage") is True)
        if hooks and hooks.chunks:
            hooks.chunks(given, chunks)
        return chunks
    doc = completion_body(reply)
    if hooks and hooks.completion:
        hooks.completion(given, doc)
    return doc


def test_every_behaviour_fault_and_token_cap_fault_is_tested_here():
    behavioural = {name for name, (f, _) in FAULTS.items() if f.kind in ("behaviour", "cap-ignored", "cap-ignored-in-streams")}
    assert behavioural == set(EDITS) | {"behaviour.cap-ignored.max_output_tokens",  # as max_tokens's
                                        "behaviour.cap-ignored-in-streams.max_output_tokens",
                                        "behaviour.previous-response-ignored"}  # tested below


def test_the_previous_response_fault_drops_the_earlier_turns_only():
    """The reference model, given the earlier turns, answers RECALL_PROMPT with the first message: the fault
    leaves it only the last turn, so it repeats the recall prompt itself."""
    turns = [{"role": "user", "content": "Remember this word: quince."}, {"role": "assistant", "content": "Remember"},
             {"role": "user", "content": RECALL_PROMPT}]
    fault = FAULTS["behaviour.previous-response-ignored"][0]
    faithful = answer(dict(params(), messages=turns))
    assert choices(faithful)[0]["message"]["content"] == "Remember this word: quince."
    assert choices(answer(dict(params(), messages=turns), fault.name))[0]["message"]["content"] == RECALL_PROMPT
    single = params()
    assert answer(single, fault.name) == answer(single)  # one turn: nothing to drop


def choices(doc: dict) -> list[dict]:
    return doc["choices"]


def contents(chunks: list[dict], index: int = 0) -> list:
    return [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"] and c["choices"][0]["index"] == index]


# each fault: the request it is shown on, and the exact edit it makes to the faithful answer (a deep copy)
def _one_based(doc):
    for position, choice in enumerate(choices(doc)):
        choice["index"] = position + 1


def _one_based_chunks(chunks):
    for chunk in chunks:
        for choice in chunk["choices"]:
            choice["index"] += 1


def _tool_called(doc):
    """The first tool forced in its place: the model's call with its placeholder arguments."""
    for choice in choices(doc):
        choice["message"] = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_order", "arguments": '{"order_id": "123"}'}}]}
        choice["finish_reason"] = "tool_calls"
    doc["usage"].update(completion_tokens=8, total_tokens=14)


def _double_encoded(doc):
    for choice in choices(doc):
        for call in choice["message"]["tool_calls"]:
            call["function"]["arguments"] = json.dumps(call["function"]["arguments"])


def _arguments_object(doc):
    for choice in choices(doc):
        for call in choice["message"]["tool_calls"]:
            call["function"]["arguments"] = {"order_id": "123"}


def _plain_text(doc):
    for choice in choices(doc):
        choice["message"]["content"] = PROMPT


def _prose_cut(doc):
    for choice in choices(doc):
        choice["message"]["content"] = "Sure! Here is the JSON you asked for: it holds the"
        choice["finish_reason"] = "length"


def _stop_left_in(doc):
    choices(doc)[0]["message"]["content"] = "one two three"


def _stop_left_in_chunks(chunks):
    chunks[2]["choices"][0]["delta"]["content"] = "two three"


def _finish_stop(doc):
    choices(doc)[0]["finish_reason"] = "stop"


def _finish_stop_chunks(chunks):
    chunks[-1]["choices"][0]["finish_reason"] = "stop"


def _no_usage_chunk(chunks):
    assert chunks.pop()["usage"]["completion_tokens"] == 6


def _bare_base64(doc):
    choices(doc)[0]["message"]["images"] = [PIXEL.split(",", 1)[1]]


def _one_choice(doc):
    del doc["choices"][1]
    doc["usage"].update(completion_tokens=6, total_tokens=12)


def _no_logprobs(doc):
    choices(doc)[0]["logprobs"] = None


def _no_alternatives(doc):
    for entry in choices(doc)[0]["logprobs"]["content"]:
        entry["top_logprobs"] = []


def _uncapped(doc):
    choice = choices(doc)[0]
    choice["message"]["content"], choice["finish_reason"] = PROMPT, "stop"
    doc["usage"].update(completion_tokens=6, total_tokens=12)


def _uncapped_text_only(chunks):
    """The whole text streams, finish "stop", while the usage chunk still reports the cap's 3 tokens."""
    body = [copy.deepcopy(chunks[1]) for _ in range(6)]
    for chunk, word in zip(body, PROMPT.split()):
        chunk["choices"][0]["delta"]["content"] = word if word == "six" else word + " "
    chunks[4]["choices"][0]["finish_reason"] = "stop"
    chunks[1:4] = body


def _uncapped_stream(chunks):
    _uncapped_text_only(chunks)
    chunks[-1]["usage"].update(completion_tokens=6, total_tokens=12)


CAPPED = {"max_tokens": 3}
USAGE = {"stream": True, "stream_options": {"include_usage": True}}
EDITS = {
    "behaviour.choices-one-based": [(params(n=2), _one_based), (params(n=2, stream=True), _one_based_chunks)],
    "behaviour.tool-choice-none-ignored": [(params(tools=TOOLS, tool_choice="none"), _tool_called),
                                           (params(tools=TOOLS, tool_choice="auto"), None), (params(tool_choice="none"), None)],
    "behaviour.tool-args-object": [(params(tools=TOOLS, tool_choice="required"), _arguments_object)],
    "behaviour.tool-args-double-encoded": [(params(tools=TOOLS, tool_choice="required"), _double_encoded),
                                           (params(), None)],
    "behaviour.json-mode-ignored": [(params(response_format={"type": "json_object"}), _plain_text),
                                    (params(response_format={"type": "text"}), None)],
    "behaviour.json-mode-prose-cut": [(params(response_format={"type": "json_schema"}), _prose_cut),
                                      (params(response_format={"type": "text"}), None), (params(), None)],
    "behaviour.stop-in-output": [(params(stop=["three"]), _stop_left_in), (params(stop=["three"], stream=True), _stop_left_in_chunks),
                                 (params(stop=["seven"]), None)],
    "behaviour.finish-stop-when-cut": [(params(**CAPPED), _finish_stop), (params(**CAPPED, stream=True), _finish_stop_chunks),
                                       (params(), None)],
    "stream.usage-ignored": [(params(stream=True, stream_options={"include_usage": True}), _no_usage_chunk),
                             (params(stream=True), None)],
    "behaviour.explicit-zero-ignored": [(params(max_tokens=0), _uncapped), (params(max_tokens=3), None)],
    "behaviour.images-bare-base64": [(params(modalities=["image", "text"]), _bare_base64), (params(), None)],
    "behaviour.n-dropped": [(params(n=2), _one_choice), (params(), None)],
    "behaviour.logprobs-dropped": [(params(logprobs=True, top_logprobs=2), _no_logprobs)],
    "behaviour.top-logprobs-dropped": [(params(logprobs=True, top_logprobs=2), _no_alternatives),
                                       (params(logprobs=True), None)],
    "behaviour.cap-ignored.max_tokens": [(params(**CAPPED), _uncapped), (params(**CAPPED, **USAGE), _uncapped_stream),
                                         (params(max_completion_tokens=3), None)],
    "behaviour.cap-ignored.max_completion_tokens": [(params(max_completion_tokens=3), _uncapped),
                                                    (params(max_tokens=3, max_completion_tokens=3), None)],
    "behaviour.cap-ignored-in-streams.max_tokens": [(params(**CAPPED, **USAGE), _uncapped_text_only),
                                                    (params(**CAPPED), None)],
    "behaviour.cap-ignored-in-streams.max_completion_tokens": [
        (params(max_completion_tokens=3, **USAGE), _uncapped_text_only), (params(max_completion_tokens=3), None),
        (params(max_completion_tokens=3, max_tokens=3, **USAGE), None)],
}


@pytest.mark.parametrize("fault, fields, edit", [(name, fields, edit) for name, shown in EDITS.items()
                                                 for fields, edit in shown],
                         ids=[f"{name}-{i}" for name, shown in EDITS.items() for i in range(len(shown))])
def test_the_fault_makes_exactly_its_edit_to_a_faithful_answer(fault, fields, edit):
    faithful = answer(fields)
    expected = copy.deepcopy(faithful)
    if edit is not None:
        edit(expected)
        assert expected != faithful  # the request shows the fault
    assert answer(fields, fault) == expected


def test_the_faithful_answers_the_edits_start_from():
    """The edits above index into these answers: pin what they look like."""
    capped = answer(params(**CAPPED))
    assert (choices(capped)[0]["message"]["content"], choices(capped)[0]["finish_reason"]) == ("one two three ", "length")
    assert capped["usage"]["completion_tokens"] == 3
    stopped = answer(params(stop=["three"], stream=True))
    assert contents(stopped) == ["", "one ", "two ", None]
    assert [c["choices"][0]["finish_reason"] for c in answer(params(**CAPPED, stream=True))] == [None] * 4 + ["length"]
    assert choices(answer(params(modalities=["image"])))[0]["message"]["images"] == [{"type": "image_url", "image_url": {"url": PIXEL}}]
    assert "usage" not in answer(params(stream=True))[-1]


def test_the_bare_base64_fault_leaves_an_image_url_without_its_wrapper():
    fault = FAULTS["behaviour.images-bare-base64"][0].arg
    doc = {"choices": [{"message": {"images": ["https://cdn.example.invalid/a.png", {"url": "https://cdn.example.invalid/b.png"},
                                               {"image_url": {"url": "data:image/png;base64,AAAA"}}]}},
                       {"message": {"content": "hi"}}, {}]}
    fault.completion({}, doc)
    assert doc == {"choices": [{"message": {"images": ["https://cdn.example.invalid/a.png", "https://cdn.example.invalid/b.png",
                                                       "AAAA"]}}, {"message": {"content": "hi"}}, {}]}
    assert fault.chunks is None and fault.params is None


def test_the_bare_base64_fault_cuts_at_the_first_comma_only():
    fault = FAULTS["behaviour.images-bare-base64"][0].arg
    doc = {"choices": [{"message": {"images": ["data:image/png;base64,AA,BB,CC"]}}]}
    fault.completion({}, doc)
    assert doc["choices"][0]["message"]["images"] == ["AA,BB,CC"]
