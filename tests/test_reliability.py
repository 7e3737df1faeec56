"""Never hang, never lie: misbehaving targets end in bounded time with the right verdicts."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from conformance.cases import generate_cases
from conformance.engine import Deadlines, Engine, RetryPolicy
from conformance.gateway import start_in_thread
from conformance.results import build, case_dict
from conformance.verdicts import BLOCKED, ERROR, FAILED, PASSED, SKIPPED, WARNED, execute
from conformance.spec import load_profile

from hostile import DyingServer, HangUpServer, HostileApp

FAST = Deadlines(connect=2.0, response=3.0, stream_total=3.0, stream_idle=1.0, after_terminator=0.3,
                 max_body=1024 * 1024)


@pytest.fixture(scope="module")
def hostile():
    app = HostileApp()
    running = start_in_thread(app)
    yield running.url
    running.stop()


def run(url: str, cases, **engine_args):
    engine = Engine("rc-test-key", deadlines=engine_args.pop("deadlines", FAST), **engine_args)
    started = time.monotonic()
    results = execute(engine, [(url, c) for c in cases])
    return results, time.monotonic() - started


def some_cases(*categories: str, roots: bool = False):
    """Cases of these categories; without `roots`, judged alone (no root case can block them), since these
    tests are about what the engine does with one misbehaving answer."""
    cases = generate_cases(load_profile("routify"), "m")
    return [c if roots else replace(c, prereqs=()) for c in cases if c.category in categories]


@pytest.mark.parametrize("mode, expect", [
    ("html", "not JSON"), ("text", "not JSON"), ("empty", "not JSON"), ("json-error", "choices"),
])
def test_a_target_that_does_not_speak_json_fails_with_a_clear_message(hostile, mode, expect):
    results, seconds = run(f"{hostile}/{mode}", some_cases("response", "behaviour"))
    assert seconds < 30
    outcomes = {r.outcome for r in results}
    assert FAILED in outcomes and ERROR not in outcomes
    failed = [r for r in results if r.outcome == FAILED]
    assert any(expect in r.message for r in failed), failed[0].message
    assert all("Requirement:" in r.message and "Actual:" in r.message for r in failed)


def test_gzip_is_decoded_and_judged(hostile):
    results, _ = run(f"{hostile}/gzip", [c for c in some_cases("response") if c.rule.id == "response.id.type"])
    assert [r.outcome for r in results] == [PASSED]


def test_a_huge_body_is_cut_at_the_limit(hostile):
    results, seconds = run(f"{hostile}/huge", [c for c in some_cases("response") if c.rule.id == "response.id.type"])
    assert seconds < 30
    assert results[0].outcome == FAILED and results[0].exchange.truncated


def test_a_stream_that_never_ends_fails_its_terminator_case_within_the_deadline(hostile):
    cases = [c for c in some_cases("streaming") if c.id.endswith("/stream/terminator")]
    results, seconds = run(f"{hostile}/never", cases)
    assert seconds < FAST.stream_total + 5
    assert results[0].outcome == FAILED and "never ended" in results[0].message


# idle far above the limit under test: only the cut being tested can end these in time
PATIENT = Deadlines(connect=2.0, response=3.0, stream_total=1.0, stream_idle=30.0, after_terminator=0.2)


def test_a_stream_that_trickles_forever_is_cut_at_the_total_deadline(hostile):
    cases = [c for c in some_cases("streaming") if c.id.endswith("/stream/terminator")]
    results, seconds = run(f"{hostile}/trickle", cases, deadlines=PATIENT)
    assert seconds < 10
    assert results[0].exchange.ended == "total-timeout" and len(results[0].exchange.events) >= 2
    assert results[0].outcome == FAILED and "did not end within the total deadline" in results[0].message


def test_a_stream_left_open_after_its_terminator_is_cut_soon_after_it(hostile):
    cases = [c for c in some_cases("streaming") if c.id.endswith("/stream/terminator")]
    results, seconds = run(f"{hostile}/open-after-done", cases, deadlines=PATIENT)
    assert seconds < 10
    assert results[0].exchange.ended == "open-after-terminator" and results[0].outcome == PASSED


def test_headers_trickled_forever_are_cut_at_the_response_deadline():
    cases = [c for c in some_cases("validation") if c.check == "rejected"][:1]
    with HangUpServer(slow_headers=True) as server:
        results, seconds = run(server.url, cases, deadlines=PATIENT)
    assert seconds < 10
    assert results[0].outcome == ERROR and "no answer within 3s (total-timeout)" in results[0].message


def test_a_target_that_hangs_up_without_answering_fails_the_case_after_one_retry():
    cases = [c for c in some_cases("validation") if c.check == "rejected" and not c.evidence][:3]  # one request each
    with HangUpServer() as server:
        results, seconds = run(server.url, cases)
    assert seconds < 20
    assert all(r.outcome == (FAILED if r.case.is_must else WARNED) for r in results)
    assert all("closed the connection" in r.message and r.exchange.attempts == 2 for r in results)


def test_a_target_that_hangs_up_on_everything_is_one_root_failure_not_a_cascade():
    cases = some_cases("auth", "validation", roots=True)
    with HangUpServer() as server:
        results, _ = run(server.url, cases)
    outcomes = {r.case.id: r.outcome for r in results}
    root = "routify/chat/auth/bearer/valid-key"
    assert outcomes.pop(root) == FAILED
    assert set(outcomes.values()) == {BLOCKED}
    assert all(r.blocked_by == root and root in r.message for r in results if r.outcome == BLOCKED)


def test_a_429_storm_is_retried_boundedly_and_ends_as_error_not_failure(hostile):
    cases = some_cases("ranges")[:12]
    results, seconds = run(f"{hostile}/storm", cases, retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05))
    assert seconds < 30
    assert {r.outcome for r in results} <= {ERROR, SKIPPED}
    errors = [r for r in results if r.outcome == ERROR]
    assert len(errors) >= len(cases) / 2  # judged as errors, not all skipped: the 429s were really seen
    assert all("429" in r.message and r.exchange.attempts == 3 for r in errors)


def test_a_target_that_dies_mid_run_ends_the_rest_as_errors_quickly():
    cases = some_cases("validation", "ranges")
    with DyingServer(answers=15) as server:  # closes its listening socket after 15 answers: no race
        results, seconds = run(server.url, cases, concurrency=2)
    assert seconds < 30
    errors = [r for r in results if r.outcome == ERROR]
    assert len(errors) > len(cases) / 2
    assert all("stopped answering" in r.message or "ConnectError" in r.message for r in errors)
    doc = build([case_dict(r) for r in results], targets={"routify": server.url}, model="m", started="now", duration=seconds)
    assert any("went away" in note for note in doc["notes"])


def test_a_sending_process_that_dies_ends_its_cases_as_harness_errors_not_a_hang():
    from conformance.engine import fingerprint
    from conformance.sender import Sender, SenderError

    case = some_cases("auth")[0]
    stop = next(c for c in some_cases("behaviour") if c.derive)  # a probe still to derive: nothing waits for it
    url = "http://127.0.0.1:9"
    sender = Sender()
    sender.process.kill()  # dies before (or while) it gets its requests
    try:
        sender.send(Engine("rc-test-key", deadlines=FAST), [(url, r) for r in [case.request, *stop.requests()]],
                    [(url, stop)])
        for request in (case.request, stop.request):
            with pytest.raises(SenderError, match="the sending process failed"):
                sender.get(fingerprint(url, request))
    finally:
        sender.close()


def test_the_rate_limit_spaces_request_starts(monkeypatch):
    """--rate-limit R: each start 1/R s after the one before (a frozen clock: no timing in the test)."""
    import conformance.engine as engine_module
    from conformance.engine import Engine

    slept: list[float] = []

    class FrozenClock:
        @staticmethod
        def monotonic() -> float:
            return 100.0

        @staticmethod
        def sleep(seconds: float) -> None:
            slept.append(round(seconds, 6))

    monkeypatch.setattr(engine_module, "time", FrozenClock)
    limited = Engine("k", rate_limit=4)
    for _ in range(3):
        limited._pace()
    assert slept == [0.25, 0.5]
    unlimited = Engine("k")
    for _ in range(3):
        unlimited._pace()
    assert slept == [0.25, 0.5]


@pytest.mark.parametrize("fault", [None, "behaviour.stop-in-output"])
def test_each_stop_probe_is_derived_once_by_the_sending_process_as_soon_as_its_controls_are_back(gateway, fault):
    """Derived once, as the controls' answers arrive, before any case can read them, and handed on to the judging
    side (`probe`): the request is then already sent or on its way, not sent alone when its case is judged."""
    from conformance.checks import derive
    from conformance.engine import fingerprint
    from conformance.sender import Sender
    from conformance.verdicts import derived_for, jobs_for

    url = gateway.base_url(fault).replace("{profile}", "routify")
    pairs = [(url, c) for c in generate_cases(load_profile("routify"), model="routecheck-echo-1")]
    derived = derived_for(pairs, frozenset())
    assert len(derived) == 4 and all(c.check.startswith("stop_excluded") for _, c in derived)
    calls: list[str] = []

    def counted(case, control, evidence):
        calls.append(case.id)
        return derive(case, control, evidence)

    sender = Sender(counted)
    try:
        sender.send(Engine(gateway.key), jobs_for(pairs, frozenset()), derived)
        for _, case in derived:
            control = sender.get(fingerprint(url, case.request))
            request = sender.probe(url, case)
            assert request == derive(case, control, {name: sender.get(fingerprint(url, r)) for name, r in case.evidence})
            probe = sender.get(fingerprint(url, request))
            assert probe is not None and probe.request.body["stop"] == request.body["stop"] and probe.status == 200
            if not request.stream:
                content = probe.json()["choices"][0]["message"]["content"]
                assert any(s in content for s in request.body["stop"]) == (fault is not None)
            assert sender.get(fingerprint(url, request)) is None  # read once, then let go
        assert sorted(calls) == sorted(c.id for _, c in derived)  # each derived once, by the sending side
    finally:
        sender.close()


def test_a_case_handed_twice_or_a_derivation_bug_never_stops_the_answers(gateway, monkeypatch):
    """The receiving thread must survive whatever the derivation meets: a case handed twice is derived once
    and sent once; an unexpected error there gives the probes up (the judging side derives and sends them) and
    ends the child, instead of killing the thread every answer comes through."""
    from conformance.checks import derive
    from conformance.engine import fingerprint
    from conformance.sender import Sender
    from conformance.verdicts import derived_for, jobs_for

    url = gateway.base_url().replace("{profile}", "routify")
    pairs = [(url, c) for c in generate_cases(load_profile("routify"), model="routecheck-echo-1")]
    stop = derived_for(pairs, frozenset())[0]
    for broken in (False, True):
        if broken:
            monkeypatch.setattr(Sender, "_derive", lambda self, key, exchange: 1 / 0)
        sender = Sender(derive)
        try:
            sender.send(Engine(gateway.key), jobs_for([stop, stop], frozenset()), [stop, stop])
            case = stop[1]
            control = sender.get(fingerprint(url, case.request))
            request = derive(case, control, {n: sender.get(fingerprint(url, r)) for n, r in case.evidence})
            assert sender.probe(url, case) == (None if broken else request)  # given up: the judging side derives
            probe = fingerprint(url, request)
            got = [sender.get(probe) for _ in range(3)]
            assert [g is not None for g in got] == ([False] * 3 if broken else [True, True, False])
            assert sender.process.wait(timeout=60) == 0  # its pipe was closed: the child ended on its own
        finally:
            sender.close()
