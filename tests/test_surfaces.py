"""The surface registry: chat completions is one surface among the API kinds a gateway serves, named in
specs and in every case ID, its stream rules a registry, and older case IDs still read by the gates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conformance import gating, surfaces
from conformance.cases import generate_cases
from conformance.errors import SpecError
from conformance.gateway.faults import faults_for
from conformance.spec import full_schema, load_profile, load_spec_file, profile_names

REPO = Path(__file__).resolve().parent.parent


def test_every_profile_names_its_surface_and_every_case_id_its_segment():
    for name in profile_names():
        profile = load_profile(name)
        surface = surfaces.surface_named(profile.surface)
        cases = generate_cases(profile, "m")
        assert cases and all(c.id.startswith(f"{name}/{surface.segment}/{c.category}/") for c in cases)
        assert {c.describe()["surface"] for c in cases} == {profile.surface}
        assert all(r.surface == profile.surface for c in cases for r in c.requests())


def test_the_spec_schema_takes_its_surfaces_and_stream_rules_from_the_registry():
    schema = full_schema()
    assert schema["properties"]["surface"]["enum"] == sorted(surfaces.registry())
    stream = schema["properties"]["stream"]["properties"]
    assert set(stream) == set(surfaces.stream_keys()) | {"fields"}
    assert stream["terminator"] == {"$ref": "#/$defs/valued"} and stream["one_id"] == {"$ref": "#/$defs/rule"}


def test_a_spec_naming_an_unknown_surface_is_a_one_line_spec_error(tmp_path):
    spec = tmp_path / "acme.yaml"
    spec.write_text(textwrap.dedent("""\
        profile: acme
        title: Acme
        document: acme.md
        surface: carrier_pigeon
        baseline: openai
        auth: {schemes: [{name: bearer, header: Authorization, prefix: "Bearer ", quote: "Bearer"}]}
        request: {path: /v1/chat/completions, params: {}}
        response: {fields: {}}
        stream: {fields: {}}
        """))
    (tmp_path / "acme.md").write_text("Bearer")
    with pytest.raises(SpecError, match=r"at surface: 'carrier_pigeon' is not one of \['chat_completions', 'messages', 'responses'\]"):
        load_spec_file(spec)


def test_each_stream_rule_of_a_profile_has_its_case_and_its_faults():
    profile = load_profile("openai")
    rules = surfaces.surface_named(profile.surface).stream_rules
    ids = {c.id for c in generate_cases(profile, "m")}
    faults = {f.name: f.rule for f in faults_for(profile)}
    for rule in rules:
        assert f"openai/chat/streaming/stream/{rule.variant}" in ids
        for fault in rule.faults:
            assert faults[fault.name] == f"stream.{rule.key}"


def _results(*cases: tuple[str, str]) -> dict:
    return {"started": "2026-01-01T00:00:00Z",
            "cases": [{"id": cid, "outcome": outcome, "level": "MUST", "message": ""} for cid, outcome in cases]}


@pytest.mark.parametrize("old, new", [
    ("routify/ranges/temperature/above-max", "routify/chat/ranges/temperature/above-max"),
    ("acme/auth/bearer/valid-key", "acme/chat/auth/bearer/valid-key"),
    ("*/behaviour/stop/*", "*/chat/behaviour/stop/*"),
    ("routify/chat/ranges/temperature/above-max", None),  # already a surface's ID
    ("routify/*", None),  # a glob that matches new IDs as it did old ones
    ("routify/auth/x", "routify/chat/auth/x"),  # a category and one part after it: moved
    ("routify/auth", None),  # a category alone is no case ID
])
def test_an_id_from_before_surfaces_moved_under_the_chat_segment(old, new):
    assert gating.moved_id(old) == new


def test_an_older_baseline_and_expectations_file_are_read_with_a_note_that_names_a_moved_id(tmp_path, monkeypatch):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(_results(("routify/ranges/temperature/above-max", "failed"))))
    monkeypatch.setattr("conformance.results.read_validated", lambda path: json.loads(open(path).read()))
    expect = tmp_path / "expect.yaml"
    expect.write_text("expectations:\n  - {case: routify/ranges/top_p/above-max, verdict: failed, reason: clamps}\n")
    inputs = gating.load_inputs(str(baseline), str(expect))
    assert inputs.baseline["cases"][0]["id"] == "routify/chat/ranges/temperature/above-max"
    assert inputs.expectations[0].case == "routify/chat/ranges/top_p/above-max"
    assert len(inputs.notes) == 2 and all("now routify/chat/ranges/" in n for n in inputs.notes)
    run = _results(("routify/chat/ranges/temperature/above-max", "failed"), ("routify/chat/ranges/top_p/above-max", "failed"))
    gate = gating.evaluate(run, inputs.baseline, inputs.expectations, inputs.notes)
    assert gate.counted == [] and list(gate.expected) == ["routify/chat/ranges/top_p/above-max"]


def test_serve_puts_three_surfaces_side_by_side_and_run_and_plain_pytest_pass_them_by_url(tmp_path):
    """`routecheck serve` with a profile per surface; `routecheck run --base-url` and `pytest conformance
    --base-url` judge the Responses and Messages profiles against it, with no failure."""
    key = "rc-surfaces-0123456789abcdef"
    env = {**os.environ, "ROUTECHECK_API_KEY": key}
    process = subprocess.Popen([sys.executable, "-m", "conformance.cli", "serve", "--profile", "openai", "--profile",
                                "anthropic", "--profile", "openai-responses", "--port", "0"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()  # the banner, once the gateway is bound
        assert "listening on " in line, process.stderr.read() if process.poll() is not None else line
        url = line.split("listening on ", 1)[1].strip()
        done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--base-url", url, "--profile",
                               "openai-responses", "--profile", "anthropic", "--json", str(tmp_path / "r.json"),
                               "--no-html"], cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
        plain = subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider",
                                "--base-url", url, "--profile", "openai-responses", "-k", "streaming or behaviour",
                                "--json", str(tmp_path / "plain.json")], cwd=REPO, capture_output=True, text=True,
                               timeout=600, env=env)
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["surfaces"] == {"anthropic": "messages", "openai-responses": "responses"}
    assert doc["summary"]["failed"] == 0 and doc["summary"]["errors"] == 0 and doc["summary"]["passed"] > 250
    assert set(doc["surface_summaries"]) == {"messages", "responses"}
    assert plain.returncode == 0, plain.stdout[-3000:]
    judged = json.loads((tmp_path / "plain.json").read_text())
    assert judged["summary"]["failed"] == 0 and judged["summary"]["passed"] > 10
    assert {c["surface"] for c in judged["cases"]} == {"responses"}


def test_the_shared_sse_rules_as_a_surface_gets_them():
    from conformance.surfaces import StreamFault, StreamRule
    from conformance.surfaces.sse_rules import sse_rules
    own = StreamFault("stream.own", "own-kind", "a fault of the surface's own")
    assert sse_rules("one JSON thing", "the fields", "field lines", own) == (
        StreamRule("content_type", "content-type", "stream:true is answered as Server-Sent Events",
                   "Content-Type text/event-stream", "stream_content_type", valued=True, faults=(
                       StreamFault("stream.json-content-type", "stream-json-content-type",
                                   "SSE bytes are sent as application/json"),
                       StreamFault("stream.plain-json", "stream-plain-json", "stream: true is answered with one JSON thing"),
                       own)),
        StreamRule("content_type", "framing", "every event is well-formed SSE (the fields, a blank line after each event)",
                   "field lines, each event closed by a blank line, no error reported mid-stream", "stream_framing",
                   valued=True, faults=(StreamFault("stream.error-event", "stream-error-event",
                                                    "a valid request's 200 stream reports an error mid-stream"),)))
    assert sse_rules("x", "y", "z")[0].faults[2:] == ()
