"""The official openai SDK as the client of the reference gateway: it parses every answer routecheck's
gateway gives, plain and streamed, with the parameters the behaviour cases rely on. A gateway the SDK
cannot read would make every verdict on it worthless."""

from __future__ import annotations

import json

import openai
import pytest

MODEL = "routecheck-echo-1"
PROMPT = [{"role": "user", "content": "Repeat these words: one two three four five"}]


@pytest.fixture()
def client(gateway):
    with openai.OpenAI(base_url=f"{gateway.root}/p/openai/f/none/v1", api_key=gateway.key, max_retries=0,
                       timeout=30) as sdk:
        yield sdk


def test_a_completion_with_n_logprobs_and_a_cap(client):
    completion = client.chat.completions.create(model=MODEL, messages=PROMPT, max_tokens=3, n=2, logprobs=True,
                                                top_logprobs=2)
    assert [c.index for c in completion.choices] == [0, 1]
    assert completion.choices[0].message.content == "Repeat these words: "
    assert completion.choices[0].finish_reason == "length" and completion.usage.completion_tokens == 6
    entries = completion.choices[0].logprobs.content
    assert len(entries) == 3 and all(len(e.top_logprobs) == 2 for e in entries)


def test_a_stream_with_its_usage_chunk(client):
    chunks = list(client.chat.completions.create(model=MODEL, messages=PROMPT, max_tokens=3, stream=True,
                                                 stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Repeat these words: "
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 3
    assert len({c.id for c in chunks}) == 1


def test_a_forced_tool_call_and_the_models_list(client):
    tool = {"type": "function", "function": {"name": "get_order", "parameters": {
        "type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}}
    completion = client.chat.completions.create(model=MODEL, messages=PROMPT, tools=[tool],
                                                tool_choice={"type": "function", "function": {"name": "get_order"}})
    call = completion.choices[0].message.tool_calls[0]
    assert call.function.name == "get_order" and json.loads(call.function.arguments) == {"order_id": "123"}
    assert MODEL in [m.id for m in client.models.list()]


def test_refusals_map_to_the_sdks_errors(client, gateway):
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="routecheck-no-such-model", messages=PROMPT)
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model=MODEL, messages=PROMPT, temperature=2.5)
    assert refused.value.body["param"] == "temperature"
    with openai.OpenAI(base_url=f"{gateway.root}/p/openai/f/none/v1", api_key="sk-wrong", max_retries=0) as wrong:
        with pytest.raises(openai.AuthenticationError):
            wrong.chat.completions.create(model=MODEL, messages=PROMPT)


# -- the official anthropic SDK on the Messages surface (the anthropic profile)

import anthropic  # noqa: E402 - this half of the module is the Messages surface's

ANTHROPIC_TOOL = {"name": "get_order", "description": "Look an order up.", "input_schema": {
    "type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}


@pytest.fixture()
def messages_client(gateway):
    with anthropic.Anthropic(base_url=f"{gateway.root}/p/anthropic/f/none", api_key=gateway.key, max_retries=0,
                             timeout=30) as sdk:
        yield sdk


def test_a_message_cut_by_max_tokens_and_one_stopped_by_a_sequence(messages_client):
    cut = messages_client.messages.create(model=MODEL, max_tokens=3, messages=PROMPT)
    assert cut.type == "message" and cut.role == "assistant" and cut.stop_reason == "max_tokens"
    assert cut.content[0].text == "Repeat these words: " and cut.usage.output_tokens == 3
    stopped = messages_client.messages.create(model=MODEL, max_tokens=50, messages=PROMPT, stop_sequences=["three"])
    assert stopped.stop_reason == "stop_sequence" and stopped.stop_sequence == "three"
    assert stopped.content[0].text == "Repeat these words: one two "


def test_a_messages_stream_parses_event_by_event_and_assembles_the_text(messages_client):
    with messages_client.messages.stream(model=MODEL, max_tokens=4, messages=PROMPT) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop" and "content_block_delta" in kinds
    assert final.content[0].text == "Repeat these words: one " and final.stop_reason == "max_tokens"
    assert final.usage.output_tokens == 4


def test_a_forced_tool_use_streamed_and_not(messages_client):
    forced = {"type": "tool", "name": "get_order"}
    message = messages_client.messages.create(model=MODEL, max_tokens=64, messages=PROMPT, tools=[ANTHROPIC_TOOL],
                                              tool_choice=forced)
    block = message.content[0]
    assert block.type == "tool_use" and block.name == "get_order" and block.input == {"order_id": "123"}
    assert message.stop_reason == "tool_use"
    with messages_client.messages.stream(model=MODEL, max_tokens=64, messages=PROMPT, tools=[ANTHROPIC_TOOL],
                                         tool_choice=forced) as stream:
        final = stream.get_final_message()
    assert final.content[0].input == {"order_id": "123"}


def test_messages_refusals_map_to_the_sdks_errors(messages_client, gateway):
    with pytest.raises(anthropic.NotFoundError) as missing:
        messages_client.messages.create(model="routecheck-no-such-model", max_tokens=3, messages=PROMPT)
    assert missing.value.body["type"] == "error" and missing.value.body["error"]["type"]
    with pytest.raises(anthropic.BadRequestError):
        # newer SDKs drop temperature (API version 2026-10-21 removes it): sent as the 2023-06-01 body field
        messages_client.messages.create(model=MODEL, max_tokens=3, messages=PROMPT, extra_body={"temperature": 1.5})
    with anthropic.Anthropic(base_url=f"{gateway.root}/p/anthropic/f/none", api_key="sk-wrong", max_retries=0) as wrong:
        with pytest.raises(anthropic.AuthenticationError):
            wrong.messages.create(model=MODEL, max_tokens=3, messages=PROMPT)
    assert MODEL in [m.id for m in messages_client.models.list()]


# -- the official openai SDK on the Responses surface (the openai-responses profile)

RESPONSES_TOOL = {"type": "function", "name": "get_order", "strict": False, "parameters": {
    "type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}


@pytest.fixture()
def responses_client(gateway):
    with openai.OpenAI(base_url=f"{gateway.root}/p/openai-responses/f/none/v1", api_key=gateway.key, max_retries=0,
                       timeout=30) as sdk:
        yield sdk


def test_a_response_cut_by_max_output_tokens_and_one_complete(responses_client):
    words = "Repeat these numbers: " + " ".join(str(n) for n in range(1, 30))
    cut = responses_client.responses.create(model=MODEL, input=words, max_output_tokens=16)
    assert cut.object == "response" and cut.status == "incomplete"
    assert cut.incomplete_details.reason == "max_output_tokens" and cut.usage.output_tokens == 16
    assert cut.output_text == " ".join(words.split()[:16]) + " "  # each echoed word with its following space
    whole = responses_client.responses.create(model=MODEL, input=[{"role": "user", "content": "Say hello."}],
                                              instructions="Answer briefly.")
    assert whole.status == "completed" and whole.output_text == "Say hello."
    assert whole.usage.total_tokens == whole.usage.input_tokens + whole.usage.output_tokens


def test_a_responses_stream_parses_event_by_event_and_assembles_the_text(responses_client):
    events = list(responses_client.responses.create(model=MODEL, input=PROMPT, max_output_tokens=20, stream=True))
    kinds = [e.type for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"] and kinds[-1] == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == PROMPT[0]["content"] == events[-1].response.output_text
    with responses_client.responses.stream(model=MODEL, input=PROMPT, max_output_tokens=20) as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    assert final.output_text == PROMPT[0]["content"] and final.status == "completed"


def test_a_forced_function_call_streamed_and_not(responses_client):
    forced = {"type": "function", "name": "get_order"}
    response = responses_client.responses.create(model=MODEL, input=PROMPT, tools=[RESPONSES_TOOL], tool_choice=forced)
    call = response.output[0]
    assert call.type == "function_call" and call.name == "get_order" and json.loads(call.arguments) == {"order_id": "123"}
    events = list(responses_client.responses.create(model=MODEL, input=PROMPT, tools=[RESPONSES_TOOL],
                                                    tool_choice=forced, stream=True))
    done = [e for e in events if e.type == "response.function_call_arguments.done"]
    assert len(done) == 1 and json.loads(done[0].arguments) == {"order_id": "123"}


def test_a_json_mode_response_parses(responses_client):
    response = responses_client.responses.create(model=MODEL, input="Reply in JSON: an object whose key answer holds hello.",
                                                 text={"format": {"type": "json_object"}})
    assert isinstance(json.loads(response.output_text), dict)


def test_responses_refusals_map_to_the_sdks_errors(responses_client, gateway):
    with pytest.raises(openai.NotFoundError):
        responses_client.responses.create(model="routecheck-no-such-model", input="Say hello.")
    with pytest.raises(openai.BadRequestError) as refused:
        responses_client.responses.create(model=MODEL, input="Say hello.", max_output_tokens=15)
    assert refused.value.body["param"] == "max_output_tokens"
    with openai.OpenAI(base_url=f"{gateway.root}/p/openai-responses/f/none/v1", api_key="sk-wrong", max_retries=0) as wrong:
        with pytest.raises(openai.AuthenticationError):
            wrong.responses.create(model=MODEL, input="Say hello.")
