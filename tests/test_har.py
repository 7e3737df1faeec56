"""--har: a HAR 1.2 file of every exchange behind a case that did not pass, valid against the HAR JSON Schema
(har-schema 2.0.0, tests/data/har-schema), rendered from the results file, the key in no byte of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

from conformance.reporters import Context, write_outputs
from conformance.reporters.har import har

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "tests" / "data" / "har-schema"
SECRET = "sk-rc-har-secret-0123456789"


def validator() -> jsonschema.Validator:
    registry = Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT6))
        for p in SCHEMAS.glob("*.json"))
    return jsonschema.Draft6Validator(json.loads((SCHEMAS / "har.json").read_text()), registry=registry)


def assert_valid_har(archive: dict) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(archive)]
    assert errors == []
    assert archive["log"]["version"] == "1.2" and archive["log"]["entries"]
    for entry in archive["log"]["entries"]:
        url = urlsplit(entry["request"]["url"])
        assert url.scheme == "http" and url.hostname == "127.0.0.1"  # the format `uri`, which jsonschema skips


def case(cid: str, outcome: str, key: str, status: int | None = 400, evidence: list | None = None) -> dict:
    out = {"id": cid, "outcome": outcome, "base_url": "http://127.0.0.1:4000/v1",
           "request": {"method": "POST", "path": "/chat/completions", "key": key, "curl": "curl ...",
                       "headers": {"Authorization": "Bearer $ROUTECHECK_API_KEY"}, "body": {"temperature": 2.01}},
           "response": {"status": status, "headers": {"content-type": "application/json"},
                        "body": f'{{"echo": "{SECRET}"}}', "elapsed_ms": 3.5, "attempts": 1}}
    if status is None:
        out["response"].update(error="connect-timeout", body="")
    if evidence:
        out["evidence"] = evidence
    return out


def test_only_the_exchanges_behind_cases_that_did_not_pass_each_once_naming_its_cases(tmp_path):
    control = {"name": "control", "request": dict(case("x", "x", "k-control")["request"]),
               "response": dict(case("x", "x", "k")["response"], status=200)}
    doc = {"started": "2026-01-01T00:00:00Z", "target": "http://127.0.0.1:4000/v1", "model": "m",
           "cases": [case("p/ranges/a", "failed", "k1"), case("p/ranges/b", "warned", "k1"),
                     case("p/ranges/c", "passed", "k2"), case("p/auth/d", "error", "k3", status=None),
                     dict(case("p/behaviour/e", "blocked", "k4"), response=None),
                     case("p/behaviour/f", "inconclusive", "k5", 200, evidence=[control])]}
    archive = har(doc)
    assert_valid_har(archive)
    broken = json.loads(json.dumps(archive))
    del broken["log"]["entries"][0]["timings"], broken["log"]["entries"][1]["response"]["content"]["size"]
    assert len(list(validator().iter_errors(broken))) == 2  # the schema does check entries
    comments = [e["comment"] for e in archive["log"]["entries"]]
    assert comments == ["p/ranges/a: failed; p/ranges/b: warned", "p/auth/d: error", "p/behaviour/f: inconclusive",
                        "p/behaviour/f (control): inconclusive"]
    gone = archive["log"]["entries"][1]["response"]
    assert gone["status"] == 0 and "error: connect-timeout" in gone["comment"]
    first = archive["log"]["entries"][0]
    assert first["request"]["url"] == "http://127.0.0.1:4000/v1/chat/completions"
    assert first["request"]["postData"]["text"] == '{"temperature": 2.01}' and first["response"]["statusText"] == "Bad Request"
    [line] = write_outputs(doc, {"har": str(tmp_path / "x.har")}, Context(secrets=(SECRET,)))
    assert line == f"HAR of 4 exchanges behind the cases that did not pass in {tmp_path / 'x.har'}"
    written = (tmp_path / "x.har").read_text()
    assert SECRET not in written and "Bearer $ROUTECHECK_API_KEY" in written
    assert_valid_har(json.loads(written))


def test_a_run_writes_a_valid_har_of_its_failures_without_the_key(tmp_path):
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--profile", "routify", "-k", "temperature or auth",
                           "--fault", "temperature.maximum-ignored", "--json", str(tmp_path / "r.json"), "--no-html",
                           "--har", str(tmp_path / "r.har")], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, ROUTECHECK_API_KEY=SECRET))
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    archive = json.loads((tmp_path / "r.har").read_text())
    assert_valid_har(archive)
    named = {e["comment"] for e in archive["log"]["entries"]}
    assert "routify/chat/ranges/temperature/above-max: failed" in named
    doc = json.loads((tmp_path / "r.json").read_text())
    assert len(named) == len({c["request"]["key"] for c in doc["cases"] if c["outcome"] != "passed"})
    assert SECRET not in (tmp_path / "r.har").read_text()
