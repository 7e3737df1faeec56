"""Fuzzing the reference gateway: whatever the body, a bad request never gets a 5xx, and size is capped (413)."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.gateway import create_multi_app, start_in_thread
from conformance.spec import load_profile, profile_names

KEY = "rc-fuzz-key"
PROFILES = profile_names()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=12)


def _params(profile: str) -> list[str]:
    return sorted(load_profile(profile).params)


@st.composite
def bodies(draw):
    """Mostly well-formed envelopes with random values in documented fields, so validation runs deep."""
    profile = draw(st.sampled_from(PROFILES))
    body = {"model": draw(st.sampled_from(["routecheck-echo-1", "nope"]) | json_values),
            "messages": draw(st.just([{"role": "user", "content": "hi"}]) | json_values)}
    for name in draw(st.lists(st.sampled_from(_params(profile)), max_size=4, unique=True)):
        body[name] = draw(json_values)
    if draw(st.booleans()):
        body["max_tokens"] = 1  # keep accepted answers short
    return profile, body


@pytest.fixture(scope="module")
def client():
    running = start_in_thread(create_multi_app(KEY))
    with httpx.Client(base_url=running.url, timeout=10, trust_env=False,
                      headers={"Authorization": f"Bearer {KEY}"}) as http:
        yield http
    running.stop()


def _post(client: httpx.Client, profile: str, content: bytes) -> httpx.Response:
    return client.post(f"/p/{profile}/f/none/v1/chat/completions", content=content,
                       headers={"Content-Type": "application/json"})


def _assert_answered(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:300]
    if response.headers.get("content-type", "").startswith("application/json"):
        json.loads(response.content)  # the body is JSON when it says so


@SETTINGS
@given(case=bodies())
def test_random_values_in_documented_fields_never_get_a_5xx(client, case):
    profile, body = case
    response = _post(client, profile, json.dumps(body, allow_nan=False).encode())
    _assert_answered(response)
    if response.status_code >= 400:
        assert isinstance(response.json().get("error"), dict)


@SETTINGS
@given(profile=st.sampled_from(PROFILES), raw=st.binary(max_size=300))
def test_random_bytes_never_get_a_5xx(client, profile, raw):
    _assert_answered(_post(client, profile, raw))


@SETTINGS
@given(profile=st.sampled_from(PROFILES), value=json_values)
def test_any_json_document_as_body_never_gets_a_5xx(client, profile, value):
    _assert_answered(_post(client, profile, json.dumps(value).encode()))


def test_an_oversized_body_is_413(client):
    big = json.dumps({"model": "routecheck-echo-1", "messages": [{"role": "user", "content": "x" * (2 * 1024 * 1024)}]})
    response = _post(client, "openai", big.encode())
    assert response.status_code == 413 and response.json()["error"]["message"]
