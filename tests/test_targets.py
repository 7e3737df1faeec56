"""targets/: the header proxy and the loopback guard always; real gateways only when asked.

    ROUTECHECK_REAL_TARGETS=1 pytest -q tests/test_targets.py   # installs LiteLLM (~750 MB) and Portkey (~25 MB) once

The real-target tests start LiteLLM (mock model) and Portkey (in front of the reference gateway),
run `routecheck run --profile openai` against each and check the plumbing: the run completes, the
results file is written, and no case is a harness error. Failures of the gateways themselves are
verdicts, not test failures.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse

from conformance.gateway import start_in_thread
from targets.common import REPO, Child, loopback_env, wait_until
from targets.compat import Run, deviations, level_score, render
from targets.loopback import assert_loopback_only, listening_addresses
from targets.matrix import plans

REAL_TARGETS = os.environ.get("ROUTECHECK_REAL_TARGETS") == "1"
real_targets = pytest.mark.skipif(not REAL_TARGETS, reason="real gateways are opt-in: set ROUTECHECK_REAL_TARGETS=1 "
                                  "(installs LiteLLM and Portkey under .targets/, needs PyPI and npm)")
RUN_SECONDS = 600
CHUNK_GAP_SECONDS = 0.3


# ------------------------------------------------------------------ the header proxy, against a slow upstream

class EchoUpstream:
    """Answers /stream with three SSE chunks CHUNK_GAP_SECONDS apart, anything else with what it received."""

    async def __call__(self, scope, receive, send):
        request = Request(scope, receive)
        body = await request.body()
        if request.url.path.endswith("/stream"):
            response = StreamingResponse(self._slow_events(), media_type="text/event-stream")
        else:
            response = JSONResponse({"path": scope["raw_path"].decode(), "query": request.url.query,
                                     "headers": dict(request.headers), "body": body.decode()},
                                    headers={"x-upstream": "yes"})
        await response(scope, receive, send)

    @staticmethod
    async def _slow_events():
        for n in range(3):
            yield f"data: {n}\n\n".encode()
            await asyncio.sleep(CHUNK_GAP_SECONDS)  # the upstream's pace, which the proxy must not buffer
        yield b"data: [DONE]\n\n"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    upstream = start_in_thread(EchoUpstream())
    proxy = Child("header proxy", [sys.executable, "-m", "targets.header_proxy", "--upstream", upstream.url,
                                   "--header", "x-portkey-provider=openai"],
                  log_path=tmp_path_factory.mktemp("proxy") / "proxy.log", env=loopback_env(), cwd=REPO)
    proxy.start()
    try:
        banner = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
        url = wait_until(lambda: (m := banner.search(proxy.log_text())) and m.group(1), what=proxy.label,
                         deadline_s=30, children=[proxy])
        yield proxy, url
    finally:
        proxy.stop()
        upstream.stop()


def test_header_proxy_adds_headers_and_passes_the_rest_unchanged(proxied):
    _, url = proxied
    raw = b'{"model": "m", "messages": ['  # not JSON: the proxy must not parse or re-encode it
    answer = httpx.post(f"{url}/v1/chat/completions?x=1&y=%20", content=raw, timeout=10,
                        headers={"Authorization": "Bearer sk-test", "Content-Type": "application/json"})
    seen = answer.json()
    assert answer.status_code == 200 and answer.headers["x-upstream"] == "yes"
    assert seen["path"] == "/v1/chat/completions" and seen["query"] == "x=1&y=%20"
    assert seen["headers"]["authorization"] == "Bearer sk-test"
    assert seen["headers"]["x-portkey-provider"] == "openai"
    assert seen["body"] == raw.decode()


def test_header_proxy_streams_without_buffering(proxied):
    _, url = proxied
    arrivals = []
    with httpx.stream("POST", f"{url}/v1/stream", content=b"{}", timeout=10) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        for chunk in answer.iter_raw():
            arrivals.append((time.monotonic(), chunk))
    body = b"".join(c for _, c in arrivals)
    assert body.endswith(b"data: [DONE]\n\n")
    # a buffering proxy delivers everything at once; an unbuffered one delivers the first event a gap before the last
    assert arrivals[-1][0] - arrivals[0][0] >= 2 * CHUNK_GAP_SECONDS * 0.8


def test_header_proxy_listens_on_loopback_only(proxied):
    proxy, url = proxied
    port = int(url.rsplit(":", 1)[1])
    assert ("127.0.0.1", port) in listening_addresses(proxy.pid)
    assert_loopback_only(proxy.pid, proxy.label)


# ------------------------------------------------------------------ the compatibility table

def _doc(outcomes: dict[str, tuple[str, str]]) -> dict:
    return {"model": "m", "cases": [{"id": i, "level": level, "outcome": outcome, "rule": "r." + i, "message": ""}
                                    for i, (level, outcome) in outcomes.items()]}


def test_level_score_counts_judged_cases_and_shows_harness_errors_apart():
    doc = _doc({"a": ("MUST", "passed"), "b": ("MUST", "failed"), "c": ("MUST", "skipped"), "d": ("MUST", "error"),
                "e": ("SHOULD", "warned")})
    assert level_score(doc, "MUST") == "1/3 (1 err)"
    assert level_score(doc, "SHOULD") == "0/1"
    assert level_score(_doc({}), "SHOULD") == "–"


def test_render_has_one_row_per_target_and_a_cell_per_profile(tmp_path):
    runs = [Run("litellm_mock", "openai", tmp_path / "x.json", _doc({"a": ("MUST", "passed"), "b": ("MUST", "failed")}))]
    page = render(runs, ("litellm_mock", "llamacpp"), ("routify", "openai"), {"litellm_mock": "note"})
    assert "| litellm_mock | – | MUST 1/2<br>SHOULD – |" in page
    assert "llamacpp" not in page.split("## ")[0].split("|---|")[1]  # no results, no row
    assert "`r.b` failed ×1 [MUST]" in page


def test_deviations_group_one_kind_of_rule_over_parameters():
    cases = [{"id": f"openai/chat/ranges/{name}/above-max", "level": "MUST", "outcome": "failed",
              "rule": f"request.{name}.maximum", "message": ""} for name in ("top_p", "n")]
    runs = [Run("t", "openai", Path("x.json"), {"cases": cases})]
    assert deviations(runs)[0].startswith("- `request.*.maximum` failed ×2 [MUST] on top_p, n;")


# ------------------------------------------------------------------ real gateways (opt-in)

@real_targets
@pytest.mark.parametrize("name", ["litellm_mock", "portkey_reference"])
def test_routecheck_run_completes_against_a_real_target(name, tmp_path):
    plan = plans()[name]
    results = tmp_path / f"{name}-openai.json"
    with importlib.import_module(f"targets.{name}").running() as target:
        command = [sys.executable, "-m", "conformance.cli", "run", "--base-url", target.base_url, "--profile", "openai",
                   "--model", target.model, "--api-key-env", target.key_env, "--json", str(results), "--no-html",
                   *plan.run_args] + (["--without", ",".join(plan.without)] if plan.without else [])
        done = subprocess.run(command, cwd=REPO, env=target.env(), capture_output=True, text=True, timeout=RUN_SECONDS)
    assert done.returncode in (0, 1), (done.stdout + done.stderr)[-2000:]
    doc = json.loads(results.read_text(encoding="utf-8"))
    assert doc["summary"]["total"] > 0
    errors = [f"{c['id']}: {c['message']}" for c in doc["cases"] if c["outcome"] == "error"]
    assert not errors, "harness errors:\n" + "\n".join(errors)


def test_the_matrix_keeps_the_pages_hand_written_part(tmp_path):
    from targets.matrix import HAND_WRITTEN, hand_written
    page = tmp_path / "compatibility.md"
    assert hand_written(page) == ""
    page.write_text(f"# generated\n| table |\n\n{HAND_WRITTEN}\n## By hand\nfindings\n", encoding="utf-8")
    assert hand_written(page) == f"\n{HAND_WRITTEN}\n## By hand\nfindings\n"
    assert HAND_WRITTEN in (REPO / "docs" / "compatibility.md").read_text(encoding="utf-8")


def test_llama_servers_libraries_get_the_names_the_wheel_could_not_hold(tmp_path):
    from targets.llama_server import link_libraries
    (tmp_path / "libggml.so.0.26.0").write_bytes(b"\x7fELF")
    (tmp_path / "_symlinks.json").write_text(json.dumps({"libggml.so.0": "libggml.so.0.26.0", "libggml.so": "libggml.so.0"}))
    link_libraries(tmp_path)
    link_libraries(tmp_path)  # again: the links stand, nothing raises
    assert (tmp_path / "libggml.so").read_bytes() == b"\x7fELF"
    assert (tmp_path / "libggml.so.0").is_symlink() and (tmp_path / "libggml.so.0").readlink() == Path("libggml.so.0.26.0")
