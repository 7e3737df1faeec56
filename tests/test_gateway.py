"""The reference gateway over real HTTP: faithful behaviour, faults, and the CLI."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from conformance.gateway import create_multi_app, faults_for, find_fault, start_in_thread
from conformance.gateway.faults import FAULT_KINDS
from conformance.spec import load_profile, profile_names

KEY = "rc-test-key-0123456789"
MODEL = "routecheck-echo-1"
PROMPT = "one two three four five six seven eight nine ten eleven twelve"
TOOL = {"type": "function", "function": {"name": "get_order", "parameters": {
    "type": "object", "properties": {"order_id": {"type": "string"}, "count": {"type": "integer"}},
    "required": ["order_id", "count"]}}}
READY_SECONDS = 10.0


@pytest.fixture(scope="session")
def client() -> Iterator[httpx.Client]:
    server = start_in_thread(create_multi_app(KEY))
    try:
        with httpx.Client(base_url=server.url, timeout=10.0, trust_env=False) as http:
            deadline = time.monotonic() + READY_SECONDS
            while True:  # the server is started; wait until it answers
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass  # not accepting yet: poll again
                assert time.monotonic() < deadline, "the gateway never answered /healthz"
                time.sleep(0.02)
            yield http
    finally:
        server.stop()


def body(**fields) -> dict:
    return {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}], **fields}


def chat(client: httpx.Client, profile: str, payload, fault: str = "none", headers: dict | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {KEY}"} if headers is None else headers
    path = f"/p/{profile}/f/{fault}/v1/chat/completions"
    if isinstance(payload, bytes):
        return client.post(path, content=payload, headers=headers)
    return client.post(path, json=payload, headers=headers)


def events(response: httpx.Response) -> list[str]:
    blocks = [b for b in response.text.split("\n\n") if b]
    assert all(b.startswith("data: ") for b in blocks), blocks
    return [b[len("data: "):] for b in blocks]


def message(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]


# ------------------------------------------------------------------ auth

@pytest.mark.parametrize("headers, status", [
    ({"Authorization": f"Bearer {KEY}"}, 200),
    ({"authorization": f"bearer {KEY}"}, 200),  # header name and scheme word are case-insensitive
    ({}, 401),
    ({"Authorization": "Bearer wrong-key"}, 401),
    ({"Authorization": f"Basic {KEY}"}, 401),
    ({"Authorization": KEY}, 401),
])
def test_auth(client, headers, status):
    response = chat(client, "openai", body(), headers=headers)
    assert response.status_code == status
    assert KEY not in response.text
    if status == 401:
        assert response.json()["error"]["type"] == "authentication_error"


def test_second_scheme_and_models_need_auth(client):
    assert chat(client, "routeway", body(), headers={"x-api-key": KEY}).status_code == 200
    assert client.get("/p/openai/f/none/v1/models").status_code == 401
    listing = client.get("/p/openai/f/none/v1/models", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert listing["object"] == "list" and listing["data"][0]["id"] == MODEL


# ------------------------------------------------------------------ answers

def test_completion_shape(client):
    data = chat(client, "openai", body()).json()
    assert data["object"] == "chat.completion" and data["id"].startswith("chatcmpl-")
    assert abs(data["created"] - time.time()) < 600 and data["model"] == MODEL
    choice = data["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": PROMPT, "refusal": None}
    assert choice["finish_reason"] == "stop" and choice["logprobs"] is None
    usage = data["usage"]
    assert usage["completion_tokens"] == 12 and usage["total_tokens"] == usage["prompt_tokens"] + 12


def test_stream_framing_and_usage(client):
    response = chat(client, "openai", body(stream=True, max_tokens=3, stream_options={"include_usage": True}))
    assert response.headers["content-type"].startswith("text/event-stream")
    data = events(response)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert len({c["id"] for c in chunks}) == 1 and {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]) == "one two three "
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 3
    assert all(c["usage"] is None for c in chunks[:-1])


def test_stream_false_is_json(client):
    response = chat(client, "openai", body(stream=False))
    assert response.headers["content-type"].startswith("application/json")


def test_cap_gives_length(client):
    data = chat(client, "openai", body(max_tokens=3)).json()
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["choices"][0]["message"]["content"] == "one two three "
    assert data["usage"]["completion_tokens"] == 3


def test_stop_excluded(client):
    data = chat(client, "openai", body(stop=["five"])).json()
    assert data["choices"][0]["message"]["content"] == "one two three four "
    assert data["choices"][0]["finish_reason"] == "stop" and data["usage"]["completion_tokens"] == 5


def test_forced_tool_call(client):
    choice = {"type": "function", "function": {"name": "get_order"}}
    response = chat(client, "openai", body(tools=[TOOL], tool_choice=choice))
    call = message(response)["tool_calls"][0]
    assert message(response)["content"] is None and response.json()["choices"][0]["finish_reason"] == "tool_calls"
    assert isinstance(call["function"]["arguments"], str)
    assert json.loads(call["function"]["arguments"]) == {"order_id": "123", "count": 1}


def test_json_mode(client):
    content = message(chat(client, "openai", body(response_format={"type": "json_object"})))["content"]
    assert json.loads(content) == {"answer": PROMPT}


def test_n_and_logprobs(client):
    data = chat(client, "openai", body(n=2, max_tokens=2, logprobs=True, top_logprobs=2)).json()
    assert [c["index"] for c in data["choices"]] == [0, 1] and data["usage"]["completion_tokens"] == 4
    entries = data["choices"][0]["logprobs"]["content"]
    assert [e["token"] for e in entries] == ["one ", "two "] and len(entries[0]["top_logprobs"]) == 2


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("profile, fields, status", [
    ("routify", {"temperature": 2.01}, 400),
    ("routify", {"temperature": 2}, 200),
    ("routify", {"temperature": True}, 400),
    ("routify", {"temperature": "0.5"}, 400),
    ("routify-mvp", {"routecheck_unknown": 1}, 400),
    ("routify-mvp", {"tools": [TOOL]}, 400),
    ("routify", {"routecheck_unknown": 1}, 200),
    ("routeway", {"temperature": None}, 200),
    ("routeway", {"response_format": None}, 200),  # nullability unstated: the gateway drops the null
    ("openai", {"n": 1.5}, 400),
    ("openai", {"n": 2.0}, 200),
    ("openai", {"top_logprobs": 2}, 400),
    ("openai", {"stop": ["a", "b", "c", "d", "e"]}, 400),
    ("openai", {"logit_bias": {"1": 101}}, 400),
    ("openai", {"messages": [{"role": "wizard", "content": "hi"}]}, 400),
    ("openai", {"response_format": {"type": "not_a_format"}}, 400),
    ("openai", {"model": "routecheck-no-such-model"}, 404),
])
def test_validation(client, profile, fields, status):
    response = chat(client, profile, body(**fields))
    assert response.status_code == status, response.text
    if status == 400:
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error" and error["param"] == next(iter(fields))


@pytest.mark.parametrize("payload, status", [
    (b"{not json", 400), (b"[1, 2]", 400), (b'{"temperature": NaN}', 400),
], ids=["malformed", "array", "nan"])
def test_bad_bodies(client, payload, status):
    assert chat(client, "openai", payload).status_code == status


def test_unknown_route_prefix(client):
    assert client.get("/p/nope/f/none/v1/models").status_code == 404
    assert client.get("/p/openai/f/no-such-fault/v1/models").status_code == 404


# ------------------------------------------------------------------ faults

@pytest.mark.parametrize("name", profile_names())
def test_faults_sit_at_their_rules_level(name):
    # names unique and every rule broken by a fault: tests/test_kill_matrix.py; here, their levels
    profile = load_profile(name)
    faults = faults_for(profile)
    levels = {r.id: r.level for r in profile.rules()}
    # a fault sits at its rule's level, or at SHOULD where the case that checks it is weaker (never above)
    assert all(f.level in (levels[f.rule], "SHOULD") and f.description and f.kind in FAULT_KINDS for f in faults)
    # the faults whose checking case is weaker than its rule (a convention under a documented rule)
    weaker = {f.name for f in faults if f.level != levels[f.rule]}
    conventions = {"auth.wrong-scheme-accepted", "body.non-bmp-500", "max_tokens.large-value-500",
                   "max_completion_tokens.large-value-500", "max_output_tokens.large-value-500",
                   # a model takes some reasoning values, not all: each further value is a SHOULD
                   "reasoning_effort.enum-value-rejected", "verbosity.enum-value-rejected",
                   "reasoningSummary.enum-value-rejected",
                   # the stream cap case is a SHOULD where the document has no usage chunk
                   "behaviour.cap-ignored-in-streams.max_tokens", "behaviour.cap-ignored-in-streams.max_completion_tokens",
                   "behaviour.cap-ignored-in-streams.max_output_tokens",
                   # a forwarding gateway's provider may take another document's value
                   "reasoning_effort.enum-shared-list", "reasoningSummary.enum-shared-list", "verbosity.enum-shared-list"}
    # a key sent bare (Anthropic's x-api-key) has no scheme word to get wrong
    assert weaker <= conventions and ("auth.wrong-scheme-accepted" in weaker) == bool(profile.auth[0].prefix.strip())
    assert faults == faults_for(profile)  # deterministic
    with pytest.raises(KeyError):
        find_fault(profile, "no-such-fault")


def test_fault_accepts_out_of_range(client):
    assert chat(client, "routify", body(temperature=2.01), fault="temperature.maximum-ignored").status_code == 200
    assert chat(client, "routify", body(temperature=2), fault="temperature.maximum-exclusive").status_code == 400


def test_fault_stream_without_terminator(client):
    response = chat(client, "openai", body(stream=True), fault="stream.no-terminator")
    assert response.status_code == 200 and "[DONE]" not in events(response)


def test_fault_changes_only_its_concern(client):
    data = chat(client, "openai", body(max_tokens=3), fault="behaviour.finish-stop-when-cut").json()
    assert data["choices"][0]["finish_reason"] == "stop" and data["usage"]["completion_tokens"] == 3
    assert chat(client, "openai", body(), fault="auth.no-key", headers={}).status_code == 200
    assert chat(client, "openai", body(), fault="auth.no-key", headers={"Authorization": "Bearer x"}).status_code == 401


def chunks_of(response: httpx.Response) -> list[dict]:
    return [json.loads(d) for d in events(response)[:-1]]


def streamed(chunks: list[dict]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])


def test_the_usage_fault_drops_the_usage_chunk(client):
    options = {"stream_options": {"include_usage": True}}
    chunks = chunks_of(chat(client, "openai", body(stream=True, **options), fault="stream.usage-ignored"))
    assert all(c["choices"] and c.get("usage") is None for c in chunks) and streamed(chunks) == PROMPT


def test_the_cut_fault_says_stop_in_a_stream_too(client):
    chunks = chunks_of(chat(client, "openai", body(max_tokens=3, stream=True), fault="behaviour.finish-stop-when-cut"))
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and streamed(chunks) == "one two three "


def test_the_stop_fault_leaves_in_the_sequence_the_model_hit(client):
    # the sequence the model hit is the earliest in its answer, whatever its place in the list
    for stop, text in ((["five"], "one two three four five"), (["zzz", "five", "four"], "one two three four")):
        choice = chat(client, "openai", body(stop=stop), fault="behaviour.stop-in-output").json()["choices"][0]
        assert choice["message"]["content"] == text and choice["finish_reason"] == "stop"
        chunks = chunks_of(chat(client, "openai", body(stop=stop, stream=True), fault="behaviour.stop-in-output"))
        assert streamed(chunks) == text
    cut = chat(client, "openai", body(stop=["five"], max_tokens=3), fault="behaviour.stop-in-output").json()
    assert cut["choices"][0]["message"]["content"] == "one two three "  # the cap cut it: no stop was hit


def test_the_explicit_zero_fault_drops_zeros_before_the_model(client):
    data = chat(client, "routeapi", body(max_tokens=0), fault="behaviour.explicit-zero-ignored").json()
    assert data["choices"][0]["message"]["content"] == PROMPT and data["usage"]["completion_tokens"] == 12
    assert chat(client, "routeapi", body(max_tokens=0)).json()["usage"]["completion_tokens"] == 0


# ------------------------------------------------------------------ CLI

def _cli(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "conformance.gateway", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cli_needs_key():
    env = {k: v for k, v in os.environ.items() if k != "ROUTECHECK_API_KEY"}
    process = _cli("--profile", "openai", env=env)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2 and len(err.strip().splitlines()) == 1


def test_cli_announces_port():
    process = _cli("--profile", "openai", "--port", "0", env=dict(os.environ, ROUTECHECK_API_KEY=KEY))
    try:
        ready, _, _ = select.select([process.stdout], [], [], READY_SECONDS)
        assert ready, "no banner line"
        line = process.stdout.readline()
        assert line.startswith("routecheck-gateway listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()
        assert httpx.get(f"{url}/healthz", timeout=10, trust_env=False).json() == {"status": "ok"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_stream_ends_with_the_terminator_the_profile_documents(tmp_path):
    """The terminator is spec data: a document that ends its streams otherwise gets a gateway that does, and
    the suite's terminator case follows the document too (passes there, fails where [DONE] is documented)."""
    import shutil

    from conformance.cases import generate_cases
    from conformance.engine import Engine
    from conformance.gateway import create_app
    from conformance.spec import DEFAULT_SPECS_DIR
    from conformance.verdicts import FAILED, PASSED, execute

    specs = tmp_path / "specs"
    shutil.copytree(DEFAULT_SPECS_DIR, specs, ignore=shutil.ignore_patterns("sources"))
    path = specs / "routify.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('value: "[DONE]"', 'value: "[END]"', 1), encoding="utf-8")
    profile = load_profile("routify", specs)
    server = start_in_thread(create_app(profile, api_key=KEY))
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}, trust_env=False) as http:
            response = http.post("/v1/chat/completions", json=body(stream=True))
            assert events(response)[-1] == "[END]"
        judged = {}
        for documented in (profile, load_profile("routify")):
            case = next(c for c in generate_cases(documented, MODEL) if c.id.endswith("/stream/terminator"))
            judged[case.args["terminator"]] = execute(Engine(KEY), [(f"{server.url}/v1", case)])[0].outcome
        assert judged == {"[END]": PASSED, "[DONE]": FAILED}
    finally:
        server.stop()
