"""--upstream: the recording upstream behind a real gateway on loopback, each request matched by its marker, and the
forwarding cases' verdicts on a transparent proxy (nothing to find) and on a rewriting one (each rewrite named)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conformance import report
from conformance.upstream import markers
from conformance.upstream.recorder import MAX_BODY
from conformance.upstream.serve import RecordingUpstream
from selenium.webdriver.common.by import By

from targets.common import free_port
from tests.test_browser import CHROMEDRIVER, CHROMIUM, browser, cell, details_text, wait  # noqa: F401 - browser: a fixture
from tests.upstream_proxies import CAPPED, serve_rewriting, serve_transparent

REPO = Path(__file__).resolve().parent.parent
KEY = "sk-rc-upstream-test-0123456789"
TOP_P = "routify/chat/forwarding/top_p/valid-value"


def run(base_url: str, port: int, results: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--base-url", base_url, "--upstream",
                           f"127.0.0.1:{port}", "--json", str(results), "--html", str(results.with_suffix(".html")),
                           *args], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ROUTECHECK_API_KEY": KEY})


def test_the_marker_rides_in_the_last_user_text_and_the_header_and_comes_off_whole():
    body = {"model": "m", "messages": [{"role": "user", "content": "first"}, {"role": "assistant", "content": "x"},
                                       {"role": "user", "content": [{"type": "text", "text": "last"}]}]}
    content, headers = markers.marked(json.dumps(body).encode(), body, {"A": "b"}, "rc0123456789")
    sent = json.loads(content)
    assert sent["messages"][2]["content"][0]["text"] == "last [rc0123456789]" and sent["messages"][0]["content"] == "first"
    assert body["messages"][2]["content"][0]["text"] == "last"  # the case's own body is never changed
    assert markers.found(content, {k.lower(): v for k, v in headers.items()}) == ("rc0123456789", "content")
    assert json.loads(markers.stripped(content)) == body
    # no user text to carry it (a body that is no object, raw bytes): the header alone
    raw, headers = markers.marked(b"[1]", [1], {}, "rc0123456789")
    assert raw == b"[1]" and markers.found(raw, {markers.HEADER.lower(): "rc0123456789"}) == ("rc0123456789", "header")
    assert markers.found(b"{}", {}) == (None, None)


def test_the_recording_upstream_answers_as_without_the_marker_and_records_credentials_described():
    port = free_port()
    with RecordingUpstream(f"127.0.0.1:{port}", KEY, "sk-rc-client-key-99999") as upstream:
        body = {"model": "routecheck-echo-1", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 8}
        content, headers = markers.marked(None, body, {"Authorization": f"Bearer {KEY}"}, "rcabcdefabcd")
        marked = httpx.post(f"{upstream.url}/v1/chat/completions", content=content, headers=headers, trust_env=False)
        plain = httpx.post(f"{upstream.url}/v1/chat/completions", json=body, trust_env=False,
                           headers={"Authorization": "Bearer undefined"})
        again = httpx.post(f"{upstream.url}/v1/chat/completions", json=body, trust_env=False,
                           headers={"Authorization": f"Bearer {KEY}"})
    assert marked.status_code == again.status_code == 200 and plain.status_code == 401
    assert marked.json()["choices"][0]["message"] == again.json()["choices"][0]["message"]
    assert marked.json()["usage"] == again.json()["usage"]
    first, second, third = upstream.recorder.received
    assert (first.marker, first.via, first.body, first.status) == ("rcabcdefabcd", "content", body, 200)
    assert first.credentials == {"authorization": "Bearer [upstream key]"} and KEY not in json.dumps(first.record())
    assert second.credentials == {"authorization": "Bearer undefined"} and second.status == 401
    assert [r.seq for r in upstream.recorder.claim("rcabcdefabcd")] == [1]
    assert [r.seq for r in upstream.recorder.unmatched()] == [2, 3]  # no marker: reported, never dropped


def run_behind(serve, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    """routecheck run against a proxy (`serve`) forwarding to the recording upstream's port; its results."""
    port = free_port()
    proxy = serve(f"http://127.0.0.1:{port}")
    try:
        done = run(f"{proxy.url}/v1", port, tmp_path / "r.json", *args)
    finally:
        proxy.stop()
    assert (tmp_path / "r.json").exists(), done.stderr[-2000:]
    return done, json.loads((tmp_path / "r.json").read_text())


def forwarding(doc: dict) -> list[dict]:
    return [c for c in doc["cases"] if c["category"] == "forwarding"]


@pytest.fixture(scope="module")
def transparent(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict, Path]:
    where = tmp_path_factory.mktemp("transparent")
    done, doc = run_behind(serve_transparent, where, "--profile", "openai", "--profile", "routify")
    return done, doc, where / "r.html"


def test_a_body_past_the_recording_limit_is_answered_413_and_recorded_cut_not_buffered_whole():
    port = free_port()
    big = b'{"model": "m", "messages": [{"role": "user", "content": "' + b"x" * (MAX_BODY + 1024) + b'"}]}'
    with RecordingUpstream(f"127.0.0.1:{port}", KEY, KEY) as upstream:
        answer = httpx.post(f"{upstream.url}/v1/chat/completions", content=big, trust_env=False,
                            headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "request_too_large"
    (record,) = upstream.recorder.received
    assert record.status == 413 and record.raw is not None and record.body is None  # the cut body is no JSON


def test_a_transparent_proxy_forwards_everything_as_sent(transparent):
    done, doc, _ = transparent
    cases = forwarding(doc)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert {c["profile"] for c in cases} == {"openai", "routify"} and len(cases) > 200
    failed = [(c["id"], c["message"]) for c in cases if c["outcome"] == "failed"]
    assert failed == []
    openai = [c for c in doc["cases"] if c["profile"] == "openai" and c["outcome"] == "failed"]
    assert openai == []  # a faithful OpenAI upstream behind a transparent proxy: nothing to find on either side
    passed = [c for c in cases if c["outcome"] == "passed" and c["id"].endswith("/valid-value")]
    assert len(passed) >= 20 and all(c["response"]["upstream"] for c in passed)
    # each case's upstream view: the body as forwarded, the marker off, credentials described
    seen = next(c for c in cases if c["id"] == TOP_P)["response"]["upstream"][0]
    assert seen["body"]["top_p"] == 0.3 and seen["marker_via"] == "content"
    assert seen["credentials"] == {"authorization": "Bearer [upstream key]"}
    assert "[rc" not in json.dumps(seen["body"])
    # the requests routecheck made before the cases (the model listing): reported, not dropped
    # the model listing made before the cases matches none: reported, not dropped; every other request matched
    assert doc["upstream"]["received"] > len(passed)
    assert [(r["method"], r["path"], r["marker"]) for r in doc["upstream"]["unmatched"]] == [("GET", "/v1/models", None)]
    assert "matched no case" in done.stdout
    assert KEY not in json.dumps(doc) and KEY not in done.stdout + done.stderr


def test_the_report_shows_what_was_forwarded_beside_what_was_sent(transparent):
    _, doc, page = transparent
    data = report.model([doc])
    case = next(c for c in doc["cases"] if c["id"] == TOP_P)
    shown = [e for e in data["exchanges"][0] if e.get("body") == json.dumps(case["request"]["body"])]
    assert shown and json.loads(shown[0]["upstream"][0]["body"])["top_p"] == 0.3
    assert shown[0]["upstream"][0]["credentials"] == {"authorization": "Bearer [upstream key]"}
    refused = next(c for c in doc["cases"] if c["id"].endswith("/temperature/above-max-not-forwarded"))
    assert refused["response"]["upstream"][0]["status"] == 400  # the refusal was the upstream's, and it says so
    assert KEY not in page.read_text()


def test_a_rewriting_proxy_fails_a_case_naming_each_rewrite(tmp_path):
    done, doc = run_behind(serve_rewriting, tmp_path, "--profile", "openai", "-k", "forwarding")
    assert done.returncode == 1, done.stderr[-2000:]
    failed = {c["id"]: c["message"] for c in forwarding(doc) if c["outcome"] == "failed"}
    warned = {c["id"]: c["message"] for c in forwarding(doc) if c["outcome"] == "warned"}
    # an added parameter is a convention's warning (no document says a gateway adds none), named all the same
    assert ("temperature added: the client sent none, the upstream received temperature: 0.7"
            in warned.get("openai/chat/forwarding/temperature/not-added", ""))
    expected = {
        "openai/chat/forwarding/top_p/valid-value": "top_p dropped: sent 0.3, the upstream received none",
        "openai/chat/forwarding/max_completion_tokens/valid-value": (
            f"max_completion_tokens renamed to max_tokens and changed: sent 1000, the upstream received max_tokens: {CAPPED}"),
        "openai/chat/forwarding/max_tokens/valid-value": f"max_tokens changed: sent 1000, the upstream received {CAPPED}",
    }
    for case_id, rewrite in expected.items():
        assert rewrite in failed.get(case_id, ""), (case_id, failed.get(case_id))
    untouched = {c["id"] for c in forwarding(doc) if c["outcome"] == "passed"}
    assert {"openai/chat/forwarding/frequency_penalty/valid-value", "openai/chat/forwarding/seed/not-added",
            "openai/chat/forwarding/credential/bearer"} <= untouched


@pytest.mark.parametrize("args, said", [
    (["--upstream", "10.0.0.1:8080", "--base-url", "http://127.0.0.1:9/v1"], "loopback address"),
    (["--upstream", "127.0.0.1:8080"], "give --base-url"),
])
def test_the_upstream_listens_on_loopback_only_and_only_behind_a_gateway(args, said):
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "ROUTECHECK_API_KEY": KEY})
    assert done.returncode == 2 and said in done.stderr, done.stderr


@pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="headless Chromium is not installed")
def test_the_drill_down_puts_the_forwarded_request_between_the_sent_and_the_received(transparent, browser):
    _, _, page = transparent
    browser.get(page.as_uri())
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#matrix tr.case"))
    cell(browser, TOP_P, 0).click()
    text = details_text(browser)
    sent, forwarded, received = text.index("SENT"), text.index("FORWARDED UPSTREAM"), text.index("RECEIVED")  # h4 in capitals
    assert sent < forwarded < received
    assert "the upstream answered 200 · marker found in content" in text and '"top_p": 0.3' in text[forwarded:received]
    assert "authorization: Bearer [upstream key]" in text
