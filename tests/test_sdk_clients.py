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
