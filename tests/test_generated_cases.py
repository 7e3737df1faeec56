"""Every case the six bundled profiles generate, pinned whole: ID, level, title, expectation, check, args,
and every request it sends (prerequisites, evidence, probe). A refactor of the case generators, the
facets or the behaviours must leave them as they were, or change them on purpose.

tests/data/cases.json holds one digest per case ID (the whole description is too large to keep). When a
change is meant, regenerate it with `python tests/test_generated_cases.py` and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conformance.cases import generate_cases
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


def digest(case) -> str:
    text = json.dumps(described(case), sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def digests(profile: str) -> dict[str, str]:
    return {case.id: digest(case) for case in generate_cases(load_profile(profile), MODEL)}


@pytest.mark.parametrize("profile", profile_names())
def test_each_profile_generates_the_cases_it_did(profile):
    pinned = json.loads(SNAPSHOT.read_text(encoding="utf-8"))[profile]
    cases = {case.id: case for case in generate_cases(load_profile(profile), MODEL)}
    now = {case_id: digest(case) for case_id, case in cases.items()}
    assert list(now) == list(pinned), (f"case IDs changed: new {sorted(set(now) - set(pinned))[:8]}, "
                                       f"gone {sorted(set(pinned) - set(now))[:8]} (or their order)")
    changed = [case_id for case_id in now if now[case_id] != pinned[case_id]]
    assert not changed, (f"{len(changed)} case(s) changed, first {changed[0]}: "
                         + json.dumps(described(cases[changed[0]]), default=repr)[:1500])


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps({p: digests(p) for p in profile_names()}, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
