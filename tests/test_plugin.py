"""routecheck as a plain pytest plugin (the pytest11 entry point): listing without a target, pytest's
markers honoured (a conftest's skip, --without as skip, --expect as strict xfail), the CLI's option names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path


def pytest_run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "conformance", "-p", "no:cacheprovider", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def test_the_plugin_is_registered_for_pytest_and_inert_in_other_projects(tmp_path):
    assert "conformance.plugin" in {e.name for e in entry_points(group="pytest11")}
    (tmp_path / "test_other.py").write_text("def test_ok():\n    assert True\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "1 passed" in done.stdout
    assert not (tmp_path / "reports").exists()  # no results file written for a project that ran no case


def test_collect_only_lists_the_cases_without_a_target(tmp_path):
    # port 9 (discard) on loopback: nothing answers, and nothing is sent
    done = pytest_run("--collect-only", "-q", "--base-url", "http://127.0.0.1:9/v1", "--profile", "routeway", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "test_case[routeway/chat/auth/x-api-key/valid-key]" in done.stdout


def test_markers_are_honoured_and_without_and_expect_become_markers(gateway, tmp_path):
    (tmp_path / "rc_marks.py").write_text(
        "import pytest\n"
        "def pytest_collection_modifyitems(items):\n"
        "    for item in items:\n"
        "        if item.nodeid.endswith('temperature/at-min]'):\n"
        "            item.add_marker(pytest.mark.skip(reason='not today'))\n")
    (tmp_path / "expect.yaml").write_text(
        "expectations:\n"
        "- {case: routify/chat/ranges/temperature/above-max, reason: 'upstream clamps, issue 9'}\n"
        "- {case: routify/chat/ranges/temperature/at-max, reason: 'stale: it passes'}\n")
    done = pytest_run("-p", "rc_marks", "-rsxX", "--base-url", gateway.base_url("temperature.maximum-ignored"),
                      "--profile", "routify", "--api-key-env", "RC_TEST_KEY", "-k", "temperature and not far or tools",
                      "--without", "tools", "--expect", "expect.yaml", "--json", "out.json", cwd=tmp_path,
                      env={"RC_TEST_KEY": gateway.key, "PYTHONPATH": str(tmp_path)})
    out = done.stdout
    assert "XFAIL" in out and "upstream clamps, issue 9" in out  # the fault's failure, expected
    assert "[XPASS(strict)] expected failed: stale: it passes" in out and done.returncode == 1
    assert "not today" in out and "lacks function tools" in out
    cases = {c["id"]: c for c in json.loads((tmp_path / "out.json").read_text())["cases"]}
    assert cases["routify/chat/ranges/temperature/above-max"]["outcome"] == "failed"  # the verdict, as it is
    assert cases["routify/chat/ranges/temperature/at-max"]["outcome"] == "passed"
    assert cases["routify/chat/ranges/temperature/at-min"] == dict(cases["routify/chat/ranges/temperature/at-min"],
                                                               outcome="skipped", message="not today")
    tools = [c for i, c in cases.items() if "tools" in c["features"]]
    assert tools and all(c["outcome"] == "skipped" and "--without tools" in c["message"] for c in tools)
    assert "routecheck: results in out.json" in out


def test_junitxml_in_plugin_mode_is_pytests_own_without_the_results_payload(gateway, tmp_path):
    done = pytest_run("--base-url", gateway.base_url(), "--profile", "routeway", "--api-key-env", "RC_TEST_KEY",
                      "-k", "auth", "--junitxml", "junit.xml", "--json", "out.json", cwd=tmp_path,
                      env={"RC_TEST_KEY": gateway.key})
    assert done.returncode == 0, done.stdout[-2000:]
    junit = (tmp_path / "junit.xml").read_text()
    assert "routeway/chat/auth/x-api-key/valid-key" in junit and 'name="routecheck"' not in junit
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["passed"] > 5


def test_xdist_workers_get_the_run_plan_not_the_environment(gateway, tmp_path):
    """routecheck run hands its plan (target, key, model, caps, settings) to pytest; xdist workers get it
    through workerinput. The key is in no environment variable of the run: a worker that read one would
    send no key, and every accepted request would fail."""
    env = {k: v for k, v in os.environ.items() if k != "ROUTECHECK_API_KEY"}
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--profile", "routeway", "-n", "2",
                           "--concurrency", "3", "-k", "auth or temperature", "--json", "out.json", "--no-html"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["summary"]["passed"] > 10 and doc["summary"]["failed"] == doc["summary"]["errors"] == 0
    assert doc["settings"]["concurrency"] == 3  # the plan's settings, not the plugin's option defaults
    assert list(doc["documented"]) == ["routeway"]
    # the workers judged against the run's one gateway: they built nothing of their own
    root = done.stdout.split("bundled reference gateway at ", 1)[1].split()[0]
    assert {c["base_url"].startswith(root + "/") for c in doc["cases"]} == {True}


def test_a_plan_survives_the_trip_to_a_worker():
    from conformance.engine import Deadlines
    from conformance.plan import RunPlan, Settings
    from conformance.spec import load_profile
    from conformance.target import Target

    plan = RunPlan(Target("http://127.0.0.1:9/v1", "k" * 16, "m"), "MY_KEY", [load_profile("routmy")],
                   {"routmy": "max_tokens"}, Settings(concurrency=5, rate_limit=2.5, deadlines=Deadlines(connect=1.5)),
                   frozenset({"tools"}), frozenset({"reasoning"}))
    copy = RunPlan.from_portable(json.loads(json.dumps(plan.portable())))  # plain data over execnet
    assert (copy.target, copy.key_env, copy.caps, copy.settings, copy.disabled, copy.required) == (
        plan.target, plan.key_env, plan.caps, plan.settings, plan.disabled, plan.required)
    assert [c.id for c in copy.cases] == [c.id for c in plan.cases]
    assert "k" * 16 not in repr(plan) and len(repr(plan)) < 2000  # a plugin's repr may be printed (--trace-config)
