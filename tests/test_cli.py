"""End to end: `routecheck` and `pytest conformance` against the reference gateway on loopback,
and the one-line errors with their exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def routecheck(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_default_run_covers_every_profile_with_zero_failures_and_warnings(tmp_path):
    results, junit = tmp_path / "results.json", tmp_path / "junit.xml"
    done = routecheck("run", "--json", str(results), "--junitxml", str(junit), "--html", str(tmp_path / "r.html"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    doc = json.loads(results.read_text())
    assert set(doc["profiles"]) >= {"routify-mvp", "routify", "routeapi", "routmy", "routeway"}
    s = doc["summary"]
    assert s["failed"] == 0 and s["warned"] == 0 and s["errors"] == 0 and s["skipped"] == 0 and s["blocked"] == 0
    # the reference model is deterministic, so sampling gives no evidence about a dropped temperature 0
    inconclusive = {c["id"] for c in doc["cases"] if c["outcome"] == "inconclusive"}
    assert inconclusive == {"routeapi/chat/behaviour/explicit-values/temperature-zero"}
    assert s["passed"] == s["total"] - 1 > 1000
    assert doc["cost"]["requests"] > 0 and doc["model"]
    assert "<testsuite" in junit.read_text() and (tmp_path / "r.html").exists()


def test_a_broken_rule_exits_1_and_is_named(tmp_path):
    results = tmp_path / "results.json"
    done = routecheck("run", "--profile", "routify", "--fault", "temperature.maximum-ignored",
                      "--json", str(results), "--no-html")
    assert done.returncode == 1, done.stdout[-2000:]
    doc = json.loads(results.read_text())
    failed = [c for c in doc["cases"] if c["outcome"] == "failed"]
    assert [c["id"] for c in failed] == ["routify/chat/ranges/temperature/above-max", "routify/chat/ranges/temperature/far-above-max"]
    message = failed[0]["message"]
    assert "Требуемый диапазон: 0 <= x <= 2" in message  # the requirement, quoted
    assert '"temperature": 2.01' in message and "Actual:      accepted: 200" in message
    assert "curl" in message and "$ROUTECHECK_API_KEY" in message


def test_pytest_conformance_works_directly_against_a_url(gateway, tmp_path):
    results = tmp_path / "direct.json"
    env = {**os.environ, "RC_TEST_KEY": gateway.key}
    done = subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider",
                           "--base-url", gateway.base_url(), "--profile", "routeway", "--api-key-env", "RC_TEST_KEY",
                           "--json", str(results), "-k", "auth or streaming"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout[-2000:]
    doc = json.loads(results.read_text())
    assert doc["summary"]["passed"] == doc["summary"]["total"] > 10
    assert gateway.key not in results.read_text()


def test_a_model_the_target_does_not_know_is_one_line_and_exit_2(gateway, tmp_path):
    """GET /v1/models lists other ids and the model is refused: every case would fail for the model, not the gateway."""
    results = tmp_path / "results.json"
    done = routecheck("run", "--base-url", gateway.base_url(), "--profile", "routify-mvp", "--model", "no-such-model",
                      "--api-key-env", "RC_TEST_KEY", "-k", "auth/bearer/valid-key", "--json", str(results), "--no-html",
                      env={"RC_TEST_KEY": gateway.key})
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "--model 'no-such-model' is not known to the target" in done.stderr and "404" in done.stderr
    assert "routecheck-echo-1" in done.stderr and not results.exists()


def test_reproduce_commands_name_the_key_variable_and_settings_reach_the_engine(gateway, tmp_path):
    results = tmp_path / "results.json"
    listed = routecheck("run", "--base-url", gateway.base_url(), "--profile", "routify-mvp", "--model", "routecheck-echo-1",
                        "--api-key-env", "RC_TEST_KEY", "-k", "auth/bearer/valid-key", "--json", str(results), "--no-html",
                        env={"RC_TEST_KEY": gateway.key})
    assert listed.returncode == 0 and "warning" not in listed.stderr
    doc = json.loads(results.read_text())
    case = doc["cases"][0]
    assert case["request"]["curl"].startswith("curl -sS -i ") and '"Authorization: Bearer $RC_TEST_KEY' in case["request"]["curl"]
    settings = doc["settings"]  # the run's options reach the engine's plugin
    assert settings["rate_limit"] is None and settings["concurrency"] == 4
    paced = routecheck("run", "--base-url", gateway.base_url(), "--profile", "routify-mvp", "--rate-limit", "50",
                       "--concurrency", "3", "--without", "tools", "--api-key-env", "RC_TEST_KEY", "-k",
                       "auth/bearer/valid-key", "--json", str(results), "--no-html", env={"RC_TEST_KEY": gateway.key})
    assert paced.returncode == 0
    settings = json.loads(results.read_text())["settings"]
    assert (settings["rate_limit"], settings["concurrency"], settings["without"]) == (50.0, 3, ["tools"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("args, env, code, text", [
    (["run", "--profile", "nope"], {}, 2, "unknown profile 'nope'"),
    (["run", "--base-url", "http://127.0.0.1:1"], {"ROUTECHECK_API_KEY": ""}, 2, "no API key"),
    (["run", "--base-url", "http://127.0.0.1:1"], {"ROUTECHECK_API_KEY": "x"}, 2, "has 1 characters: too short"),
    (["run", "--base-url", "not a url"], {"ROUTECHECK_API_KEY": "rc-test-key-0001"}, 2, "invalid --base-url"),
    (["run", "--without", "telepathy"], {}, 2, "unknown feature 'telepathy'"),
    (["frobnicate"], {}, 2, "invalid choice"),
    (["run", "--json", "/proc/routecheck/results.json"], {}, 2, "cannot create /proc/routecheck"),
    (["run", "--junitxml", "/"], {}, 2, "cannot write /"),
    (["run", "--profile", "routify", "--fault", "no-such-fault"], {}, 2, "has no fault 'no-such-fault'"),
    (["serve", "--profile", "openai", "--port", "99999"], {}, 2, "invalid port (0 to 65535) value: '99999'"),
    (["serve", "--profile", "openai", "--port", "-1"], {}, 2, "invalid port (0 to 65535) value: '-1'"),
    (["run", "--base-url", "http://[::1"], {}, 2, "invalid --base-url 'http://[::1': Invalid IPv6 URL"),
    (["run", "--base-url", "http://127.0.0.1:4000/my gateway"], {}, 2, "contains a space"),
    (["run", "--base-url", "http://127.0.0.1:1"], {"ROUTECHECK_API_KEY": "sk-rc-clé-0001"}, 2, "non-ASCII character (at position 9)"),
    (["run"], {"ROUTECHECK_API_KEY": "sk-rc-clé-0001"}, 2, "non-ASCII character"),
    (["run", "--base-url", "http://127.0.0.1:1"], {"ROUTECHECK_API_KEY": "sk-rc-key-0001 "}, 2, "ends with a space (a paste mistake?)"),
    (["run", "--base-url", "http://127.0.0.1:1"], {"ROUTECHECK_API_KEY": "sk-rc-key-0001\n"}, 2, "ends with a line break"),
    (["run", "--base-url", "http://127.0.0.1:1"], {"ROUTECHECK_API_KEY": "sk-rc-\nkey-0001"}, 2, "contains a line break"),
])
def test_bad_input_is_one_line_and_exit_code(args, env, code, text):
    done = routecheck(*args, env=env, timeout=60)
    assert done.returncode == code, done.stderr
    assert text in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr + done.stdout
    key = env.get("ROUTECHECK_API_KEY", "")
    if len(key) > 8:  # a malformed key is named, never shown, not even in part
        assert all(part not in done.stderr + done.stdout for part in key.split())


def test_unreachable_target_exits_3_in_seconds():
    port = _free_port()  # nothing listens there
    done = routecheck("run", "--base-url", f"http://127.0.0.1:{port}", env={"ROUTECHECK_API_KEY": "rc-test-key-0001"}, timeout=30)
    assert done.returncode == 3
    assert f"http://127.0.0.1:{port}" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_target_that_hangs_exits_3_within_its_deadline():
    from conformance.gateway import start_in_thread
    from hostile import HostileApp

    running = start_in_thread(HostileApp())
    try:
        started = time.monotonic()
        done = routecheck("run", "--base-url", f"{running.url}/hang", "--response-timeout", "2",
                          env={"ROUTECHECK_API_KEY": "rc-test-key-0001"}, timeout=60)
        assert done.returncode == 3 and time.monotonic() - started < 20
        assert "did not answer within 2s" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    finally:
        running.stop()


def test_listing_commands_show_the_profiles_cases_and_faults():
    profiles = routecheck("profiles", timeout=60)
    assert profiles.returncode == 0 and "004_b1197cec447d28e1.txt" in profiles.stdout
    cases = routecheck("cases", "--profile", "routeway", timeout=60)
    assert cases.returncode == 0 and "routeway/chat/ranges/temperature/above-max  [MUST]" in cases.stdout
    faults = routecheck("faults", "--profile", "routeway", timeout=60)
    assert faults.returncode == 0 and "stream.no-terminator" in faults.stdout and "source: " in faults.stdout


def test_the_schema_command_prints_the_whole_spec_format_every_shipped_spec_meets():
    """spec.schema.json alone lacks the facet modules' keys; `routecheck schema` is what the loader applies."""
    import jsonschema
    import yaml

    done = routecheck("schema", timeout=60)
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    params = schema["$defs"]["param"]["properties"]
    assert {"type", "minimum", "must_exist", "enum", "min_items"} <= set(params) and "integer" not in params
    validator = jsonschema.Draft202012Validator(schema)
    for path in (REPO / "specs").glob("*.yaml"):
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path.name
    assert list(validator.iter_errors({**yaml.safe_load((REPO / "specs" / "openai.yaml").read_text(encoding="utf-8")),
                                        "behaviours": {"stop_exclude": {"quote": "x"}}}))  # a misspelt behaviour


def test_an_exception_inside_routecheck_is_a_harness_error_not_a_pass(tmp_path, monkeypatch, capsys):
    """A bug of ours after a case is judged (here: in reporting its verdict) must not leave the
    case 'passed' in the results file, nor let the run exit 0."""
    from conformance import cli, plugin

    def broken(result, **options):
        raise RuntimeError("planted reporting bug")

    monkeypatch.setattr(plugin, "check_result", broken)
    results = tmp_path / "results.json"
    code = cli.main(["run", "--profile", "routify-mvp", "-k", "auth", "--json", str(results), "--no-html"])
    assert code == 3, capsys.readouterr().out[-2000:]
    cases = json.loads(results.read_text())["cases"]
    assert cases and all(c["outcome"] == "error" and "planted reporting bug" in c["message"] for c in cases)


def test_an_interrupted_run_exits_130_with_results_marked_incomplete(tmp_path):
    """SIGINT while the target holds the requests: what ran is written, marked incomplete, and no old report stays."""
    import signal

    from hostile import HangUpServer

    (tmp_path / "report.html").write_text("an old report")
    with HangUpServer(slow_headers=True) as server:
        # Ctrl-C as from a terminal: a test run started in the background (`pytest &` in a script) hands its
        # children SIGINT ignored, and Python then keeps it ignored; the user's Ctrl-C is what is tested here
        with_ctrl_c = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                       "sys.argv[0] = 'routecheck'; runpy.run_module('conformance.cli', run_name='__main__')")
        process = subprocess.Popen(
            [sys.executable, "-c", with_ctrl_c, "run", "--base-url", server.url, "--profile", "routify-mvp",
             "--model", "m", "--json", str(tmp_path / "results.json"), "--html", str(tmp_path / "report.html"),
             # deadlines no machine load reaches: the signal, not a deadline, must end the held request
             "--connect-timeout", "120", "--response-timeout", "120"],
            env=dict(os.environ, ROUTECHECK_API_KEY="rc-test-key-interrupt"), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        assert server.requested.wait(60)  # a request is in flight: the run is under way
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err and "interrupted" in err
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["complete"] is False
    assert "an old report" not in (tmp_path / "report.html").read_text()


def test_a_profile_named_twice_is_judged_once(tmp_path):
    results = tmp_path / "results.json"
    done = routecheck("run", "--profile", "routify-mvp", "--profile", "routify-mvp", "--json", str(results), "--no-html",
                      timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    ids = [c["id"] for c in json.loads(results.read_text())["cases"]]
    assert len(ids) == len(set(ids)) > 100


@pytest.mark.parametrize("args, env, code", [
    (["--base-url", "http://127.0.0.1:{port}"], {"ROUTECHECK_API_KEY": ""}, 2),  # no key
    (["--profile", "nope"], {}, 2),
    (["--base-url", "http://127.0.0.1:{port}"], {"ROUTECHECK_API_KEY": "rc-test-key-0001"}, 3),  # nothing listens
])
def test_plain_pytest_stops_with_the_line_and_exit_code_of_routecheck_run(args, env, code, tmp_path):
    port = _free_port()
    args = [a.format(port=port) for a in args]
    run = routecheck("run", *args, "--json", str(tmp_path / "run.json"), env=env, timeout=60)
    direct = subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider", *args,
                             "--json", str(tmp_path / "direct.json")], cwd=REPO, capture_output=True, text=True,
                            timeout=60, env={**os.environ, **env})
    assert run.returncode == direct.returncode == code, direct.stdout[-2000:] + direct.stderr[-2000:]
    assert direct.stderr.strip() == run.stderr.strip() and len(run.stderr.strip().splitlines()) == 1
    assert "ERROR collecting" not in direct.stdout and "Traceback" not in direct.stdout + direct.stderr


@pytest.mark.parametrize("command", [["schema"], ["cases", "--profile", "routify"]])
@pytest.mark.parametrize("read_first", [True, False])
def test_a_reader_that_leaves_early_gets_no_noise(command, read_first):
    """`routecheck schema | head`: the reader left; nothing to say about it, and exit 0."""
    process = subprocess.Popen([sys.executable, "-m", "conformance.cli", *command], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if read_first:
        assert process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 0 and err == b""
