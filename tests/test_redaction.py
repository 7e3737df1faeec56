"""The API key appears nowhere: not in the console, not in any file a run or a report writes.

A unique key is planted, every output is enabled (console, results JSON, JUnit,
Allure, HTML, then `routecheck report` and `routecheck expect` over the results),
and every byte written is searched. One run is against the faithful reference
gateway, one against the fault `errors.echo-key`, whose error bodies contain the
credential presented: what the target echoes must be redacted too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FAULTS = (None, "errors.echo-key")


def routecheck(cwd: Path, key: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "conformance.cli", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "ROUTECHECK_API_KEY": key})


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Both runs at once, each in its own directory; per fault: (directory, key, console, exit code)."""
    started = {}
    for fault in FAULTS:
        where = tmp_path_factory.mktemp(fault or "faithful")
        key = f"sk-rc-planted-{uuid.uuid4().hex}"
        args = ["run", "--profile", "routeway", "-v", "--json", "out/results.json", "--junitxml", "out/junit.xml",
                "--alluredir", "out/allure", "--html", "out/report.html"] + (["--fault", fault] if fault else [])
        started[fault] = (where, key, routecheck(where, key, *args))
    done = {}
    for fault, (where, key, run) in started.items():
        out, err = run.communicate(timeout=240)
        console, codes = [out, err], [run.returncode]
        if (where / "out" / "results.json").exists():  # the tests say why when it does not
            for extra in (("report", "out/results.json", "-o", "out/again.html"),
                          ("expect", "--from", "out/results.json", "-o", "out/expect.yaml")):
                follow = routecheck(where, key, *extra)
                console += follow.communicate(timeout=60)
                codes.append(follow.returncode)
        done[fault] = (where, key, "".join(console), codes)
    return done


def files_containing(where: Path, secret: str) -> list[str]:
    return [str(p.relative_to(where)) for p in where.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


@pytest.mark.parametrize("fault", FAULTS)
def test_the_key_is_in_no_file_and_not_on_the_console(runs, fault):
    where, key, console, codes = runs[fault]
    assert codes[0] in (0, 1), console[-3000:]  # the run completed (a fault may fail cases)
    assert codes[1:] == [0, 0], console[-3000:]  # and so did `report` and `expect`
    written = [p for p in where.rglob("*") if p.is_file()]
    outputs = {"results.json", "junit.xml", "report.html", "again.html", "expect.yaml"}
    assert outputs <= {p.name for p in written} and len(list((where / "out" / "allure").iterdir())) > 100
    doc = json.loads((where / "out" / "results.json").read_text())
    auth = {c["id"]: c["outcome"] for c in doc["cases"] if c["category"] == "auth"}
    assert auth["routeway/chat/auth/bearer/valid-key"] == "passed"  # the planted key was the one in use
    assert files_containing(where, key) == []
    assert key not in console and "$ROUTECHECK_API_KEY" in (where / "out" / "report.html").read_text()


def test_a_key_the_gateway_echoes_is_redacted_where_it_came_back(runs):
    where, key, console, codes = runs["errors.echo-key"]
    assert codes[0] in (0, 1), console[-3000:]
    doc = json.loads((where / "out" / "results.json").read_text())
    echoed = [c["id"] for c in doc["cases"] if "[REDACTED]" in json.dumps(c.get("response", {}))]
    assert echoed, "errors.echo-key should echo the key in error bodies; nothing came back redacted"
    assert files_containing(where, key) == [] and key not in console


def test_a_near_miss_key_echoed_back_is_scrubbed_like_the_key():
    from conformance.engine import Engine
    from conformance.request import key_variants

    key = "rc-local-0123456789abcdef"
    scrub = Engine(key).redactor
    for variant in key_variants(key):
        assert variant not in scrub.text(f"invalid key: {variant}")
