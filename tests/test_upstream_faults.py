"""Upstream faults (--upstream): the recording upstream answers badly on purpose for the requests that ask, and the
`upstream-FAULT/relayed` cases judge how the gateway relayed each: all pass behind a transparent proxy, and each
misrelaying proxy is caught by its case with a message naming what it did."""

from __future__ import annotations

import json

import httpx
import pytest

from conformance.spec import load_profile, profile_names
from conformance.upstream import markers
from conformance.upstream.cases import UPSTREAM_SURFACE
from conformance.upstream.fault_cases import CASES, PROVIDER_ERRORS
from conformance.upstream.faults import FAULTS
from conformance.upstream.serve import RecordingUpstream
from targets.common import free_port
from tests.test_upstream import KEY, REPO, forwarding, run_behind
from tests.upstream_proxies import serve_misrelaying, serve_transparent

FAULT_CASES = "upstream-"  # -k: the fault cases only


def faulted(doc: dict) -> dict[str, dict]:
    return {c["id"]: c for c in forwarding(doc) if "/forwarding/upstream-" in c["id"]}


def test_the_upstream_serves_a_fault_only_to_the_request_that_asks_and_records_it():
    port = free_port()
    body = {"model": "routecheck-echo-1", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 2}
    auth = {"Authorization": f"Bearer {KEY}"}
    with RecordingUpstream(f"127.0.0.1:{port}", KEY, KEY) as upstream:
        answers = {}
        for fault in FAULTS.values():
            asked = dict(body, messages=[{"role": "user", "content": f"Say hello. {fault.directive}"}],
                         stream=fault.stream is not None)
            content, headers = markers.marked(None, asked, auth, "rc" + fault.name.encode().hex()[-10:])
            answers[fault.name] = httpx.post(f"{upstream.url}/v1/chat/completions", content=content,
                                             headers=headers, trust_env=False)
        plain = httpx.post(f"{upstream.url}/v1/chat/completions", json=body, headers=auth, trust_env=False)
    assert plain.status_code == 200 and plain.json()["choices"][0]["message"]["content"]
    for name in ("upstream-400", "upstream-404", "upstream-429", "upstream-500", "upstream-503"):
        fault = FAULTS[name]
        assert answers[name].status_code == fault.status and answers[name].json()["error"] == fault.error, name
    assert answers["upstream-429"].headers["retry-after"] == "1"
    assert answers["upstream-400"].json()["error"]["param"] == "temperature"
    broken = answers["upstream-stream-error"].text.split("\n\n")
    assert answers["upstream-stream-error"].status_code == 200 and json.loads(broken[1][6:])["error"]["type"] == "server_error"
    assert "[DONE]" not in answers["upstream-stream-error"].text + answers["upstream-stream-cut"].text
    assert "error" not in answers["upstream-stream-cut"].text
    records = upstream.recorder.received
    assert [r.fault for r in records] == [*FAULTS, None]  # each served as asked; the plain request answered
    assert [r.status for r in records[:5]] == [400, 404, 429, 500, 503]
    assert "fault" not in records[-1].record() and records[0].record()["fault"] == "upstream-400"


def test_only_routifys_document_makes_a_fault_case_a_must_and_its_quote_is_the_documents():
    for document, quote in PROVIDER_ERRORS.items():
        assert quote in (REPO / "specs" / "sources" / document).read_text(encoding="utf-8")
    assert set(CASES) == set(FAULTS)


@pytest.fixture(scope="module")
def transparent(tmp_path_factory):
    return run_behind(serve_transparent, tmp_path_factory.mktemp("faults"), "--profile", "openai",
                      "--profile", "routify", "-k", FAULT_CASES)


def test_a_transparent_proxy_relays_every_fault_and_each_case_saw_it_served(transparent):
    done, doc = transparent
    cases = faulted(doc)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert len(cases) == 2 * len(FAULTS)
    assert {c["id"]: c["outcome"] for c in cases.values()} == {i: "passed" for i in cases}
    assert cases["routify/chat/forwarding/upstream-400/relayed"]["level"] == "MUST"
    assert {c["level"] for i, c in cases.items() if "routify/chat/forwarding/upstream-400" not in i} == {"SHOULD"}
    for case_id, case in cases.items():  # evidence: the fault was served to the case's own request
        name = case_id.split("/")[3]
        assert {r.get("fault") for r in case["response"]["upstream"]} == {name}, case_id
    rate_limited = cases["openai/chat/forwarding/upstream-429/relayed"]["response"]
    assert rate_limited["status"] == 429 and len(rate_limited["upstream"]) == 3  # routecheck's 3 attempts, each served
    assert KEY not in json.dumps(doc)


# each misrelaying proxy: the fault cases it must be caught by (routify: its 400 is a MUST, the rest SHOULD), and
# what the message must name
CAUGHT = {
    "success_for_5xx": {"upstream-500": ("warned", "turned into a success: the client got 200"),
                        "upstream-503": ("warned", "turned into a success: the client got 200")},
    "server_error_for_4xx": {"upstream-400": ("failed", "rewritten into a 500, not a 4xx"),
                             "upstream-404": ("warned", "rewritten into a 500, not a 4xx")},
    "no_retry_after": {"upstream-429": ("warned", "the client's 429 carries no Retry-After (the upstream sent one)")},
    "clean_finish_for_stream_error": {"upstream-stream-error": (
        "warned", "the error was swallowed and the stream finished cleanly: the client's stream has finish_reason "
                  "'stop', the terminator [DONE] and no error")},
    "done_for_cut_stream": {"upstream-stream-cut": (
        "warned", "completed with what the upstream never sent: the client's stream has the terminator [DONE]")},
}


@pytest.mark.parametrize("misrelay", sorted(CAUGHT))
def test_a_proxy_relaying_a_fault_wrongly_is_caught_by_its_case_naming_what_it_did(misrelay, tmp_path):
    done, doc = run_behind(serve_misrelaying(misrelay), tmp_path, "--profile", "routify", "-k", FAULT_CASES)
    cases = faulted(doc)
    caught = {case_id.split("/")[3]: (c["outcome"], c["message"]) for case_id, c in cases.items()
              if c["outcome"] != "passed"}
    assert set(caught) == set(CAUGHT[misrelay]), caught  # the other faults, relayed faithfully, still pass
    for name, (outcome, named) in CAUGHT[misrelay].items():
        assert caught[name][0] == outcome and named in caught[name][1], (name, caught[name])
        assert "the upstream answered" in caught[name][1]  # the fault served, as the record shows
    assert done.returncode == (1 if "failed" in {o for o, _ in caught.values()} else 0), done.stderr[-2000:]


CHAT_PROFILES = [n for n in profile_names() if load_profile(n).surface == UPSTREAM_SURFACE]
ALL_PROFILES = profile_names()


@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_every_profile_behind_a_transparent_proxy_has_no_must_failure(profile, tmp_path):
    """Issue 24's done-when, one full run per profile (a few seconds each): the upstream answers each request as
    the profile whose case sent it, so a proxy that forwards faithfully fails no MUST case, client side or
    forwarding, and relays each fault. (A request several profiles of one run send alike is answered as OpenAI's.)"""
    done, doc = run_behind(serve_transparent, tmp_path, "--profile", profile)
    failed = [(c["id"], c["message"][:300]) for c in doc["cases"] if c["outcome"] == "failed"]
    assert failed == [] and done.returncode == 0, (failed[:5], done.stderr[-1500:])
    if load_profile(profile).surface != UPSTREAM_SURFACE:  # forwarding cases judge chat's wire; the rest all passed
        assert doc["upstream"]["received"] > 100 and doc["summary"]["passed"] > 100
        return
    cases = forwarding(doc)
    assert {c["profile"] for c in cases} == {profile}
    relayed = faulted(doc)
    assert len(relayed) == len(FAULTS) and {c["outcome"] for c in relayed.values()} == {"passed"}
    passed = [c for c in cases if c["level"] == "MUST" and c["outcome"] == "passed"]
    assert len(passed) > 40 and [r["method"] for r in doc["upstream"]["unmatched"]] == ["GET"]  # the model listing
