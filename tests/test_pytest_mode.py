"""The pytest plugin as a pytest user meets it: markers that select cases (`-m must`, one per category),
SHOULD warnings without a line of routecheck's own source, and an --expect file that is not there yet, or
stale, treated as `routecheck run` treats it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.case import CATEGORIES
from conformance.cases import generate_cases
from conformance.spec import load_profile

REPO = Path(__file__).resolve().parent.parent
STALE = "routify/chat/ranges/temperature/at-max"  # passes on the faithful gateway


def pytest_run(*args: str, cwd: Path, key: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "conformance", "-p", "no:cacheprovider",
                           "--strict-markers", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, ROUTECHECK_API_KEY=key))


def collected(out: str) -> list[str]:
    return [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "::test_case[" in line]


@pytest.mark.parametrize("expression, wanted", [
    ("must", lambda c: c.level == "MUST"),
    ("should and streaming", lambda c: c.level == "SHOULD" and c.category == "streaming"),
    ("errors or auth", lambda c: c.category in ("errors", "auth")),
])
def test_markers_select_cases_by_level_and_category(tmp_path, expression, wanted):
    done = pytest_run("--collect-only", "-q", "--profile", "routeway", "-m", expression,
                      "--base-url", "http://127.0.0.1:9/v1", cwd=tmp_path)  # listing sends nothing
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    expected = [c.id for c in generate_cases(load_profile("routeway"), "MODEL") if wanted(c)]
    assert expected and collected(done.stdout) == expected


def test_every_marker_is_registered_with_its_meaning(tmp_path):
    done = pytest_run("--markers", cwd=tmp_path)
    registered = {line.split(":")[0].removeprefix("@pytest.mark.") for line in done.stdout.splitlines()}
    assert {"must", "should", *CATEGORIES} <= registered
    assert "@pytest.mark.must: a conformance case at level MUST" in done.stdout


def test_a_should_warning_names_its_document_and_prints_no_line_of_routechecks_source(gateway, tmp_path):
    done = pytest_run("-q", "--base-url", gateway.base_url("unknown-field-500"), "--profile", "routeapi",
                      "-k", "unknown-field and no-server-error", "--json", "o.json", cwd=tmp_path, key=gateway.key)
    assert done.returncode == 0, done.stdout[-3000:]
    warning = done.stdout.split("warnings summary", 1)[1]
    assert "openai-chat-completions.md:0: ConventionWarning: routeapi/chat/validation/unknown-field/no-server-error" in warning
    assert "plugin.py" not in warning and "check_result(" not in warning
    assert "Requirement: OpenAI Chat Completions (documented contract): [CreateChatCompletionRequest]" in warning


def test_an_expectations_file_not_there_yet_is_noted_and_marks_nothing(gateway, tmp_path):
    done = pytest_run("-q", "--base-url", gateway.base_url(), "--profile", "routify", "-k", "temperature and max",
                      "--expect", "conformance-expect.yaml", "--json", "o.json", cwd=tmp_path, key=gateway.key)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "routecheck: note: no expectations file at conformance-expect.yaml yet" in done.stdout
    assert "xfail" not in done.stdout.lower()


def test_a_stale_expectation_fails_both_modes_and_is_named_in_both(gateway, tmp_path):
    (tmp_path / "expect.yaml").write_text(f"expectations:\n- {{case: {STALE}, reason: 'fixed upstream since'}}\n")
    plain = pytest_run("-q", "-rX", "--base-url", gateway.base_url(), "--profile", "routify", "-k", "temperature and max",
                       "--expect", "expect.yaml", "--json", "o.json", cwd=tmp_path, key=gateway.key)
    assert plain.returncode == 1 and "XPASS(strict)" in plain.stdout and STALE in plain.stdout
    run = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--base-url", gateway.base_url(), "--profile",
                          "routify", "-k", "temperature and max", "--expect", "expect.yaml", "--json", "r.json",
                          "--no-html"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, ROUTECHECK_API_KEY=gateway.key))
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert f"  {STALE} (matched by {STALE})" in run.stdout
    assert "gate fails: 1 stale expectations (their cases pass now) (exit 1)" in run.stdout
