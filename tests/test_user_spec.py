"""A user's own spec (`--spec FILE`): every check a shipped spec gets, run and served like a shipped profile."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.errors import SpecError, UsageError
from conformance.spec import load_profile, load_spec_file

REPO = Path(__file__).resolve().parent.parent
ACME = REPO / "tests" / "data" / "user_spec" / "acme.yaml"
KEY = "rc-test-key-user-spec-0001"


def routecheck(*args: str, cwd: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "ROUTECHECK_API_KEY": KEY})


def _edited(tmp_path: Path, old: str, new: str, *, keep_sources: bool = True) -> Path:
    directory = tmp_path / "spec"
    shutil.copytree(ACME.parent, directory, ignore=None if keep_sources else shutil.ignore_patterns("sources"))
    path = directory / "mine.yaml"  # any file name: the profile is named inside
    text = ACME.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    (directory / "acme.yaml").unlink()
    return path


def test_a_users_spec_loads_with_its_baseline_and_its_own_name():
    profile = load_spec_file(ACME)
    assert profile.name == "acme" and profile.spec_file == str(ACME)
    assert profile.params["temperature"].get("maximum") == 1.5 and profile.params["temperature"].facets["maximum"].level == "MUST"
    assert "top_p" in profile.unknown_params  # OpenAI's parameter, not documented here: an unknown field, refused
    assert load_spec_file(REPO / "specs" / "routeway.yaml") is load_profile("routeway")  # a shipped one by its path


@pytest.mark.parametrize("old, new, place, says", [
    ('quote: "| temperature | number | between 0 and 1.5 |"', 'quote: "| temperature | number | between 0 and 2 |"',
     "request/params/temperature/quote", "the quote is not in acme-gateway.md"),
    ("minimum: 0, maximum: 1.5", "minimum: 3, maximum: 2", "request/params/temperature", "minimum 3 is greater than maximum 2"),
    ("minimum: 1, maximum: 4096", "minimum: 1, maximum: -1", "request/params/max_tokens", "minimum 1 is greater than maximum -1"),
    ("tone: {type: string, enum: [plain, friendly, formal]", "tone: {type: integer, minimum: 1, maximum: 3, enum: [1, 2, 5]",
     "request/params/tone", "the enum value 5 is above the maximum 3"),
    ("tone: {type: string, enum: [plain, friendly, formal]", "tone: {type: string, enum: [plain, 2]",
     "request/params/tone", "the enum value 2 is a number, not string"),
    ("seed: {type: integer, nullable: true", "seed: {type: [integer, 'null'], nullable: false",
     "request/params/seed", "nullable False contradicts type"),
    ("stream: {type: boolean,", "stream: {type: boolean, minimum: 0,", "request/params/stream", "minimum 0 applies to a number"),
    ("temperature: {type: number, minimum: 0, maximum: 1.5,",
     "temperature: {type: number, minimum: 0, maximum: 1.5, accepts: [{name: hot, value: 1.9, quote: \"between 0 and 1.5\"}],",
     "request/params/temperature", "the accepted example 'hot' (1.9) is above the maximum 1.5"),
    ("messages: {type: array, required: true, min_items: 1,", "messages: {type: array, required: true, min_items: 5, max_items: 2,",
     "request/params/messages", "min_items 5 is greater than max_items 2"),
    ("baseline: openai", "baseline: nobody", "baseline", "'nobody' is not a shipped profile"),
    ("profile: acme", "profile: openai", "profile", "is the name of a shipped profile"),
    ("document: acme-gateway.md", "document: missing.md", "document", "'missing.md' is neither next to the spec"),
])
def test_a_users_spec_that_contradicts_itself_or_its_source_is_one_line_naming_file_and_place(tmp_path, old, new, place, says):
    path = _edited(tmp_path, old, new)
    with pytest.raises(SpecError) as err:
        load_spec_file(path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{path}: at {place}:") and says in message, message


def test_a_users_spec_error_exits_2_in_every_command(tmp_path):
    path = _edited(tmp_path, "minimum: 0, maximum: 1.5", "minimum: 3, maximum: 2")
    for command in (["run", "--spec", str(path)], ["cases", "--spec", str(path)], ["faults", "--spec", str(path)],
                    ["serve", "--spec", str(path), "--port", "0"], ["run", "--spec", str(tmp_path / "none.yaml")]):
        done = routecheck(*command, timeout=60)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, (command, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout
    with pytest.raises(UsageError, match="no such file"):
        load_spec_file(tmp_path / "none.yaml")


def test_cases_and_faults_list_a_users_spec():
    cases = routecheck("cases", "--spec", str(ACME), "--profile", "routify-mvp", timeout=60)
    assert cases.returncode == 0 and "acme/chat/ranges/temperature/above-max  [MUST]" in cases.stdout
    assert "routify-mvp/" in cases.stdout
    faults = routecheck("faults", "--spec", str(ACME), timeout=60)
    assert faults.returncode == 0 and "temperature.maximum-ignored" in faults.stdout and "Acme gateway" in faults.stdout  # named by its title
    both = routecheck("faults", "--spec", str(ACME), "--profile", "openai", timeout=60)
    assert both.returncode == 2 and "one profile" in both.stderr


def serve_spec(spec: Path):
    """`routecheck serve --spec FILE --port 0` in a child process; its base URL once it listens."""
    process = subprocess.Popen([sys.executable, "-m", "conformance.cli", "serve", "--spec", str(spec), "--port", "0"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "ROUTECHECK_API_KEY": KEY})
    line = process.stdout.readline()  # the banner: the gateway prints it once it is bound
    assert "listening on " in line, process.stderr.read() if process.poll() is not None else line
    return process, line.split("listening on ", 1)[1].strip()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.communicate(timeout=30)


def test_serve_spec_serves_a_users_spec_faithfully(tmp_path):
    process, url = serve_spec(ACME)
    try:
        done = routecheck("run", "--base-url", url, "--spec", str(ACME), "--json", str(tmp_path / "r.json"),
                          "--no-html")
        direct = subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider",
                                 "--base-url", url, "--spec", str(ACME), "-k", "ranges or auth",
                                 "--json", str(tmp_path / "direct.json")], cwd=REPO, capture_output=True, text=True,
                                timeout=300, env={**os.environ, "ROUTECHECK_API_KEY": KEY})
    finally:
        stop(process)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    doc = json.loads((tmp_path / "r.json").read_text())
    assert set(doc["profiles"]) == {"acme"} and doc["summary"]["failed"] == 0 and doc["summary"]["errors"] == 0
    assert doc["summary"]["passed"] > 100
    assert direct.returncode == 0, direct.stdout[-3000:]
    plain = json.loads((tmp_path / "direct.json").read_text())
    assert plain["summary"]["failed"] == 0 and plain["summary"]["passed"] > 20
    assert {c["id"].split("/")[0] for c in plain["cases"]} == {"acme"}


def test_a_users_spec_runs_against_the_bundled_gateway_with_a_fault_and_with_workers(tmp_path):
    faulty = routecheck("run", "--spec", str(ACME), "--fault", "temperature.maximum-ignored", "-n", "2",
                        "--json", str(tmp_path / "r.json"), "--no-html")
    assert faulty.returncode == 1, faulty.stdout[-2000:] + faulty.stderr[-2000:]
    failed = [c["id"] for c in json.loads((tmp_path / "r.json").read_text())["cases"] if c["outcome"] == "failed"]
    assert "acme/chat/ranges/temperature/above-max" in failed
