"""A hostile gateway must not leak the key, hang the run, crash it or lose a case (issue 12).

Each behaviour of tests/hostile.py's raw loopback server gets one `routecheck run` with every
output on (results JSON, JUnit, HTML, Allure), a planted key and a few cases. For each: the run
ends in bounded time with its documented exit code, without a traceback, with every selected
case in a results file valid against its schema, and with the key in no output byte, in any of
the encodings the README promises to redact. Peak memory is measured by bench/memory.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conformance import results
from conformance.cases import generate_cases
from conformance.decoding import BodyDecoder
from conformance.engine import RetryPolicy
from conformance.redaction import REDACTED, Redactor
from conformance.spec import load_profile
from conformance.sse import SseParser

from hostile import RawHostile, encodings, gzip_zeros, leaks

KEY = f"sk-rc-planted-{uuid.uuid4().hex}"
AUTH_AND_STREAM = "auth or terminator"
FAST = ["--connect-timeout", "2", "--response-timeout", "3", "--stream-timeout", "3", "--idle-timeout", "2"]
# mode: (profile, -k selection, exit code, extra options); modes `discover-*` end before the first case
BEHAVIOURS = {
    "echo": ("routify-mvp", "auth or terminator or stop", 1, []),
    "echo-gzip": ("routify-mvp", AUTH_AND_STREAM, 1, []),
    "key-model": ("routify-mvp", AUTH_AND_STREAM, 1, []),
    "gzip-gzip": ("routify-mvp", AUTH_AND_STREAM, 1, []),
    "gzip-bomb": ("routify-mvp", AUTH_AND_STREAM, 1, []),
    "tiny-events": ("routify-mvp", "terminator", 0, ["--response-timeout", "30", "--stream-timeout", "30"]),
    "byte-trickle": ("routify-mvp", "terminator", 0, ["--stream-timeout", "30"]),
    "pings": ("routify-mvp", AUTH_AND_STREAM, 1, []),
    "retry-nan": ("routify-mvp", "auth", 3, []),
    "retry-inf": ("routify-mvp", "auth", 3, []),
    "retry-negative": ("routify-mvp", "auth", 3, []),
    "storm": ("routify-mvp", AUTH_AND_STREAM, 3, ["--max-duration", "4"]),
    "deep": ("routify-mvp", AUTH_AND_STREAM, 1, []),
    "surrogate": ("routify-mvp", AUTH_AND_STREAM, 1, []),
    "null": ("routify-mvp", "auth", 1, []),
    "nan": ("routify-mvp", "auth", 1, []),
    "redirect": ("openai", "no-server-error", 0, []),  # a SHOULD: the facts file does not state it
    "discover-echo-status": ("routify-mvp", "auth", 3, []),
    "discover-huge": ("routify-mvp", "auth", 2, []),
    "discover-slow-headers": ("routify-mvp", "auth", 3, []),
    "discover-continue": ("routify-mvp", "auth", 3, []),
    "discover-pings": ("routify-mvp", "auth", 3, []),
    "discover-deep": ("routify-mvp", "auth", 2, []),
    "discover-surrogate": ("routify-mvp", "auth", 2, []),
    "discover-gzip-gzip": ("routify-mvp", "auth", 2, []),
}
BOUND_SECONDS = 90  # generous: the point is that nothing waits for minutes (or forever)


def one_run(where: Path, url: str, mode: str) -> dict:
    profile, keyword, _, extra = BEHAVIOURS[mode]
    args = ["run", "--base-url", f"{url}/{mode}/v1", "--profile", profile, "-k", keyword, *FAST, *extra,
            "--json", "out/results.json", "--junitxml", "out/junit.xml", "--html", "out/report.html",
            "--alluredir", "out/allure"]
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "conformance.cli", *args], cwd=where, capture_output=True,
                          env={**os.environ, "ROUTECHECK_API_KEY": KEY}, timeout=300)
    return {"where": where, "code": done.returncode, "seconds": time.monotonic() - started,
            "console": done.stdout + done.stderr, "stderr": done.stderr.decode(errors="replace")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    with RawHostile() as server, ThreadPoolExecutor(4) as pool:
        futures = {mode: pool.submit(one_run, tmp_path_factory.mktemp(mode), server.url, mode) for mode in BEHAVIOURS}
        return {mode: future.result() for mode, future in futures.items()}


def selected(mode: str, model: str = "m") -> set[str]:
    profile, keyword, _, _ = BEHAVIOURS[mode]
    words = keyword.split(" or ")
    return {c.id for c in generate_cases(load_profile(profile), model) if any(w in c.id for w in words)}


@pytest.mark.parametrize("mode", BEHAVIOURS)
def test_bounded_time_documented_exit_code_no_traceback(runs, mode):
    run = runs[mode]
    assert run["seconds"] < BOUND_SECONDS
    assert run["code"] == BEHAVIOURS[mode][2], run["console"][-3000:]
    assert b"Traceback" not in run["console"], run["console"][-3000:]
    if mode.startswith("discover-"):  # ended before the first case: one line saying why
        assert len(run["stderr"].strip().splitlines()) == 1, run["stderr"]


@pytest.mark.parametrize("mode", [m for m in BEHAVIOURS if not m.startswith("discover-")])
def test_every_selected_case_is_in_a_valid_results_file(runs, mode):
    doc = results.read_validated(runs[mode]["where"] / "out" / "results.json")  # validated against the schema
    assert {c["id"] for c in doc["cases"]} == selected(mode) and doc["summary"]["total"] == len(selected(mode))


@pytest.mark.parametrize("mode", BEHAVIOURS)
def test_the_key_is_in_no_output_in_any_encoding(runs, mode):
    run = runs[mode]
    written = [p for p in run["where"].rglob("*") if p.is_file()]
    if not mode.startswith("discover-"):
        assert {"results.json", "junit.xml", "report.html"} <= {p.name for p in written}
        assert any(p.parent.name == "allure" for p in written)
    found = {str(p.relative_to(run["where"])): leaks(KEY, p.read_bytes()) for p in written}
    assert {name: forms for name, forms in found.items() if forms} == {}
    assert leaks(KEY, run["console"]) == []


@pytest.mark.parametrize("mode", ["echo", "echo-gzip"])
def test_what_was_echoed_came_back_redacted(runs, mode):
    """The echo really happened (else the test above proves nothing): header name, values, body, events."""
    doc = json.loads((runs[mode]["where"] / "out" / "results.json").read_text())
    valid = next(c for c in doc["cases"] if c["id"].endswith("bearer/valid-key"))
    assert REDACTED in valid["response"]["headers"] and REDACTED in valid["response"]["headers"]["x-echo-hex"]
    assert valid["response"]["body"].count(REDACTED) >= len(encodings(KEY)) + 2  # every form, the id, the escapes
    stream = next(c for c in doc["cases"] if c["id"].endswith("stream/terminator"))
    assert any(REDACTED in event for event in stream["response"]["events"])


def test_a_key_split_across_two_stream_events_is_redacted_where_they_are_joined(runs):
    doc = json.loads((runs["echo"]["where"] / "out" / "results.json").read_text())
    stop = next(c for c in doc["cases"] if c["id"].endswith("stop/excluded-stream"))
    # a fixed reply: inconclusive, quoting the streamed control's joined text
    assert stop["outcome"] == "inconclusive" and f"{REDACTED} five" in stop["message"]


def test_a_model_id_that_is_the_key_is_redacted_but_used(runs):
    doc = json.loads((runs["key-model"]["where"] / "out" / "results.json").read_text())
    assert doc["model"] == REDACTED
    assert all(c["request"]["body"]["model"] == REDACTED for c in doc["cases"] if "body" in c["request"])


def test_the_start_up_error_quoting_the_key_is_one_redacted_line(runs):
    assert "illegal status line" in runs["discover-echo-status"]["stderr"]
    assert REDACTED in runs["discover-echo-status"]["stderr"]


@pytest.mark.parametrize("mode, problem", [("null", "not a JSON object"), ("nan", "not JSON")])
def test_a_null_or_nan_answer_is_not_a_completion(runs, mode, problem):
    doc = json.loads((runs[mode]["where"] / "out" / "results.json").read_text())
    valid = next(c for c in doc["cases"] if c["id"].endswith("bearer/valid-key"))
    assert valid["outcome"] == "failed" and problem in valid["message"]


def test_a_redirect_is_not_an_answer_that_is_never_a_5xx(runs):
    doc = json.loads((runs["redirect"]["where"] / "out" / "results.json").read_text())
    assert [(c["outcome"], "neither accepted nor rejected" in c["message"]) for c in doc["cases"]] == [("warned", True)]


def test_deeply_nested_json_is_not_a_completion_and_no_crash(runs):
    doc = json.loads((runs["deep"]["where"] / "out" / "results.json").read_text())
    valid = next(c for c in doc["cases"] if c["id"].endswith("bearer/valid-key"))
    assert valid["outcome"] == "failed" and "not JSON" in valid["message"]


@pytest.mark.parametrize("mode", ["retry-nan", "retry-inf", "retry-negative"])
def test_odd_retry_after_values_are_retried_not_a_crash(runs, mode):
    doc = json.loads((runs[mode]["where"] / "out" / "results.json").read_text())
    sent = [c for c in doc["cases"] if c["outcome"] != "skipped"]
    errors = [c for c in sent if c["outcome"] == "error"]
    assert errors and all("rate-limited (429) on all 3 attempts" in c["message"] for c in errors)
    # the rest could not be observed: blocked by the root whose request only ever got 429
    assert all(c["outcome"] == "blocked" and "rate-limited (429)" in c["message"] for c in sent if c not in errors)


def test_a_429_storm_ends_at_the_run_budget(runs):
    doc = json.loads((runs["storm"]["where"] / "out" / "results.json").read_text())
    errors = [c["message"] for c in doc["cases"] if c["outcome"] == "error"]
    # the root's 429s end the run for every case that depends on it; what was still queued ends at the budget
    assert errors and all("run budget of 4 s spent" in m or "rate-limited (429)" in m for m in errors), errors
    assert all(c["outcome"] in ("error", "blocked") for c in doc["cases"])


def test_keep_alive_pings_are_cut_and_count_as_a_target_gone():
    """200, then only SSE comments: cut at the whole-answer deadline, and counted by the breaker."""
    from conformance.engine import Deadlines, Engine
    from conformance.verdicts import execute

    cases = [c for c in generate_cases(load_profile("routify-mvp"), "m") if c.category == "validation"][:12]
    with RawHostile() as server:
        engine = Engine(KEY, deadlines=Deadlines(connect=2, response=1, stream_total=1, stream_idle=5), concurrency=2)
        started = time.monotonic()
        outcome = execute(engine, [(f"{server.url}/pings/v1", c) for c in cases])
    assert time.monotonic() - started < 30
    assert any("stopped answering" in r.message for r in outcome)
    assert all(r.exchange.ended == "total-timeout" for r in outcome if r.exchange and not r.exchange.error)


# ---------------------------------------------------------------- the parts, in process

def test_every_encoding_is_redacted_and_nothing_else():
    redactor = Redactor([KEY])
    for name, form in encodings(KEY).items():
        text = f"before {form} after"
        assert leaks(KEY, text.encode()) and leaks(KEY, redactor.text(text).encode()) == [], name
    escaped = "".join(f"\\u{ord(c):04X}" if i % 2 else c for i, c in enumerate(KEY))  # half escaped, half not
    assert redactor.text(f'{{"a": "{escaped}"}}') == f'{{"a": "{REDACTED}"}}'
    assert redactor.text("an ordinary answer, 100% harmless \\n") == "an ordinary answer, 100% harmless \\n"
    # a "%" that is no percent-encoding (a reproduce command's ${KEY%?}) takes the plain search, which still finds it
    assert redactor.text(f"${{RC_KEY%?}} {KEY} %41") == f"${{RC_KEY%?}} {REDACTED} %41"
    assert redactor.text(f"${{RC_KEY%?}} {KEY[0]}%{ord(KEY[1]):02x}{KEY[2:]}") == f"${{RC_KEY%?}} {REDACTED}"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-5", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "x" * 1000])
def test_retry_after_is_always_a_finite_bounded_delay(value):
    delay = RetryPolicy().delay(0, value)
    assert 0.0 <= delay <= RetryPolicy().max_delay


def test_stacked_encodings_are_refused_and_a_bomb_is_capped():
    stacked = BodyDecoder("gzip, gzip", 1 << 20)
    assert stacked.feed(gzip_zeros(64, 2)) != b"" and "stacked" in stacked.anomaly
    bomb = BodyDecoder("gzip", 1 << 20)
    out = bomb.feed(gzip_zeros(64, 1))
    assert len(out) == 1 << 20 and bomb.exceeded


def test_a_line_fed_one_character_at_a_time_costs_linear_time():
    parser = SseParser()
    started = time.monotonic()
    for char in "data: " + "x" * 1_000_000:  # quadratic buffering took minutes for this
        parser.feed(char)
    parser.feed("\n\n")
    assert time.monotonic() - started < 30 and len(parser.events[0].data) == 1_000_000


def test_events_beyond_the_cap_keep_only_the_count_and_the_last():
    parser = SseParser(max_events=10)
    parser.feed("".join(f"data: {i}\n\n" for i in range(100)) + "data: [DONE]\n\n")
    kept = parser.kept()
    assert len(kept) == 11 and kept[-1].data == "[DONE]" and parser.dropped == 91 and parser.anomalies


@pytest.mark.parametrize("wbits", [15, -15])  # deflate as the RFC has it (zlib-wrapped), and raw as many servers send it
def test_deflate_is_decoded_either_way(wbits):
    import zlib

    z = zlib.compressobj(6, zlib.DEFLATED, wbits)
    data = z.compress(b'{"id": "x"}' * 100) + z.flush()
    decoder = BodyDecoder("deflate", 1 << 20)
    assert decoder.feed(data[:7]) + decoder.feed(data[7:]) + decoder.flush() == b'{"id": "x"}' * 100
    assert decoder.anomaly is None


def test_a_run_budget_that_is_not_positive_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--max-duration", "0"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "--max-duration" in done.stderr and len(done.stderr.strip().splitlines()) == 1
