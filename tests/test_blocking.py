"""One cause, one failure, and never a blocked case behind a passing root: every blocked-by path.

A case is blocked only by a root that failed, errored or was itself blocked. Each root's own check must
fail whenever the need its dependants rely on is unmet (else a dependant would hide behind a pass), and
the verdict code judges the root before it blocks anything, so a need no root covers can only make the
dependant be judged on its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conformance.cases import generate_cases
from conformance.checks import evaluate
from conformance.spec import load_profile, profile_names
from conformance.verdicts import BLOCKED, FAILED, PASSED, judge, unmet_need

from test_checks_table import build_exchange

MODEL = "m"
COMPLETION = {"id": "c", "object": "chat.completion", "created": 1, "model": "m",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
# answers that leave some need unmet: each is sent to every root, whose check must then fail
ANSWERS = {
    "refused": {"status": 400, "json": {"error": {"message": "no", "type": "invalid_request_error"}}},
    "server-error": {"status": 500, "json": {"error": {"message": "boom", "type": "server_error"}}},
    "2xx-not-json": {"body": "hello", "headers": {"content-type": "text/plain"}},
    "2xx-json-array": {"json": [COMPLETION]},
    "sse-without-data-lines": {"sse": '{"choices": []}\n{"choices": []}\n[DONE]\n', "headers": {"content-type": "text/event-stream"}},
    "sse-with-no-events": {"sse": ": keep-alive\n\n", "headers": {"content-type": "text/event-stream"}},
    "completion-for-a-stream": {"json": COMPLETION},
}


def _paths() -> list[tuple[str, str, str]]:
    """(profile, root case ID, need) of every prerequisite any generated case names."""
    seen = {}
    for name in profile_names():
        for case in generate_cases(load_profile(name), MODEL):
            for prereq in case.prereqs:
                seen[(name, prereq.root, prereq.need)] = None
    return list(seen)


PATHS = _paths()


def test_the_roots_are_the_base_request_the_models_listing_and_the_two_stream_roots():
    kinds = {(root.split("/", 2)[2], need) for _, root, need in PATHS}
    assert {k for k in kinds if not k[0].startswith("auth/")} == {
        ("response/models/listed", "json"), ("streaming/stream/content-type", "accepted"),
        ("streaming/stream/framing", "stream")}
    assert {need for root, need in kinds if root.startswith("auth/")} == {"completion"}


@pytest.mark.parametrize("answer", sorted(ANSWERS))
@pytest.mark.parametrize("profile, root_id, need", PATHS, ids=[f"{r}<-{n}" for _, r, n in PATHS])
def test_a_root_fails_whenever_the_need_it_stands_for_is_unmet(profile, root_id, need, answer):
    root = next(c for c in generate_cases(load_profile(profile), MODEL) if c.id == root_id)
    exchange = build_exchange(ANSWERS[answer], root.request)
    if unmet_need(exchange, need) is None:
        pytest.skip(f"{answer} meets the need {need!r}")
    assert evaluate(exchange, root, {}) is not None, f"{root_id} passes while {need!r} is unmet by {answer}"


def test_a_passing_root_never_blocks_even_where_its_need_is_unmet():
    """Bare JSON lines under text/event-stream: the content type is right, the events are missing. The
    content-type root passes, so it blocks nothing; framing fails, and it blocks the other stream cases."""
    cases = {c.id: c for c in generate_cases(load_profile("routify"), MODEL)}
    lines = build_exchange(ANSWERS["sse-without-data-lines"], cases["routify/chat/streaming/stream/framing"].request)
    base = build_exchange({"json": COMPLETION}, cases["routify/chat/auth/bearer/valid-key"].request)

    def fetch(request):
        return lines if request.stream else base

    verdicts = {i: judge(c, "http://127.0.0.1:9", fetch, roots=cases) for i, c in cases.items()
                if i.startswith("routify/chat/streaming/")}
    assert verdicts["routify/chat/streaming/stream/content-type"].outcome == PASSED
    assert verdicts["routify/chat/streaming/stream/framing"].outcome == FAILED
    blocked = {r.blocked_by for r in verdicts.values() if r.outcome == BLOCKED}
    assert blocked == {"routify/chat/streaming/stream/framing"}
    assert verdicts["routify/chat/streaming/stream/terminator"].outcome == BLOCKED

    # the same stream with the framing root taken out of the run (-k): judged on their own, never blocked
    alone = {i: c for i, c in cases.items() if i != "routify/chat/streaming/stream/framing"}
    terminator = judge(cases["routify/chat/streaming/stream/terminator"], "http://127.0.0.1:9", fetch, roots=alone)
    assert terminator.outcome == FAILED


def test_a_root_whose_check_passes_on_an_unmet_need_lets_the_dependant_be_judged():
    """The mechanism itself: a root with a lenient check (never a 5xx) and a strict need (a completion)."""
    cases = {c.id: c for c in generate_cases(load_profile("routify"), MODEL)}
    root = replace(cases["routify/chat/auth/bearer/valid-key"], check="not_server_error")
    dependant = cases["routify/chat/response/completion/id/required"]
    refused = build_exchange(ANSWERS["refused"], root.request)
    result = judge(dependant, "http://127.0.0.1:9", lambda request: refused, roots={root.id: root, dependant.id: dependant})
    assert result.outcome == FAILED and result.blocked_by is None
    strict = judge(dependant, "http://127.0.0.1:9", lambda request: refused, roots={root.id: cases[root.id]})
    assert strict.outcome == BLOCKED and strict.blocked_by == root.id
