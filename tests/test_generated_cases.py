"""Every case the six bundled profiles generate, pinned whole: ID, level, title, expectation, check, args,
and every request it sends (prerequisites, evidence, probe); and every fault of the reference gateway
for each profile (name, rule, level, description, kind, parameter, detail). A refactor of the case
generators, the facets or the behaviours must leave them as they were, or change them on purpose.

tests/data/cases.json holds one digest per case ID and per fault name (the whole descriptions are too large
to keep). When a change is meant, regenerate it with `python tests/test_generated_cases.py` and say why in
the commit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conformance.cases import generate_cases
from conformance.gateway.faults import faults_for
from conformance.spec import load_profile, profile_names

SNAPSHOT = Path(__file__).parent / "data" / "cases.json"
MODEL = "m-1"


def _request(request) -> list:
    return [request.fingerprint, request.terminator]


def described(case) -> dict:
    """All a case holds that a run sends or reports."""
    return {**case.describe(), "check": case.check, "args": case.args, "weaker": case.weaker, "derive": case.derive,
            "request": _request(case.request),
            "evidence": [[name, _request(r)] for name, r in case.evidence],
            "prereqs": [[p.root, p.need, _request(p.request)] for p in case.prereqs]}


def fault_described(fault) -> dict:
    arg = fault.arg
    # a behaviour's fault carries its hooks: pinned by name and description (their edits: test_behaviour_faults.py)
    detail = [arg.name, arg.description] if hasattr(arg, "completion") else arg
    return {"name": fault.name, "rule": fault.rule, "level": fault.level, "description": fault.description,
            "kind": fault.kind, "param": fault.param, "arg": detail, "also": list(fault.also)}


def digest(described_thing: dict) -> str:
    text = json.dumps(described_thing, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def digests(profile: str) -> dict[str, str]:
    return {case.id: digest(described(case)) for case in generate_cases(load_profile(profile), MODEL)}


def fault_digests(profile: str) -> dict[str, str]:
    return {fault.name: digest(fault_described(fault)) for fault in faults_for(load_profile(profile))}


def compare(now: dict, pinned: dict, what: str, shown) -> None:
    assert list(now) == list(pinned), (f"{what} changed: new {sorted(set(now) - set(pinned))[:8]}, "
                                       f"gone {sorted(set(pinned) - set(now))[:8]} (or their order)")
    changed = [key for key in now if now[key] != pinned[key]]
    assert not changed, f"{len(changed)} {what} changed, first {changed[0]}: " + shown(changed[0])[:1500]


@pytest.mark.parametrize("profile", profile_names())
def test_each_profile_generates_the_cases_it_did(profile):
    cases = {case.id: case for case in generate_cases(load_profile(profile), MODEL)}
    compare(digests(profile), json.loads(SNAPSHOT.read_text(encoding="utf-8"))["cases"][profile], "case(s)",
            lambda case_id: json.dumps(described(cases[case_id]), default=repr))


@pytest.mark.parametrize("profile", profile_names())
def test_each_profile_has_the_gateway_faults_it_had(profile):
    faults = {fault.name: fault for fault in faults_for(load_profile(profile))}
    compare(fault_digests(profile), json.loads(SNAPSHOT.read_text(encoding="utf-8"))["faults"][profile], "fault(s)",
            lambda name: json.dumps(fault_described(faults[name]), default=repr))


def _carrying(cases, key: str) -> int:
    return sum(1 for c in cases if isinstance(c.request.body, dict) and key in c.request.body)


def test_the_run_plans_cap_parameter_and_headers_reach_every_case():
    """The run plan passes the cap the preflight chose and the -H headers; every case's request carries them."""
    profile = load_profile("openai")
    default = generate_cases(profile, MODEL)
    chosen = generate_cases(profile, MODEL, "max_completion_tokens", (("X-Team", "t1"),))
    assert _carrying(default, "max_tokens") > 100 and _carrying(chosen, "max_tokens") < _carrying(default, "max_tokens")
    assert _carrying(chosen, "max_completion_tokens") == _carrying(default, "max_tokens")
    assert all(("X-Team", "t1") in c.request.headers for c in chosen)
    assert not any(("X-Team", "t1") in c.request.headers for c in default)


if __name__ == "__main__":
    pinned = {"cases": {p: digests(p) for p in profile_names()}, "faults": {p: fault_digests(p) for p in profile_names()}}
    SNAPSHOT.write_text(json.dumps(pinned, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
