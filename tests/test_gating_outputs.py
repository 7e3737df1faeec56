"""Gating's outputs, compared whole: one run against a baseline and expectations that exercise every list
(regressions, new failures, fixes, expected, stale, mismatched, unused), as the console, the record kept in
results.json, the HTML report's dict and the YAML that `routecheck expect --from` writes."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from conformance import gating
from conformance.errors import UsageError


def doc(started: str, *cases: tuple[str, str, str]) -> dict:
    return {"started": started, "cases": [{"id": cid, "outcome": outcome, "level": level} for cid, outcome, level in cases]}


BASELINE = doc("2026-01-01T00:00:00Z", ("p/a", "passed", "MUST"), ("p/b", "failed", "MUST"), ("p/c", "warned", "SHOULD"),
               ("p/d", "skipped", "MUST"), ("p/e", "passed", "MUST"), ("p/f", "failed", "MUST"))
RUN = doc("2026-02-01T00:00:00Z", ("p/a", "failed", "MUST"), ("p/b", "failed", "MUST"), ("p/c", "passed", "SHOULD"),
          ("p/d", "failed", "MUST"), ("p/e", "passed", "MUST"), ("p/f", "error", "MUST"), ("p/g", "warned", "SHOULD"),
          ("p/h", "failed", "MUST"))
EXPECTATIONS = [gating.Expectation("p/e", "failed", "was broken"), gating.Expectation("p/f", "failed", "flaky upstream"),
                gating.Expectation("p/h", "failed", "known, issue 4"), gating.Expectation("q/*", "error", "other target")]


@pytest.fixture(scope="module")
def gate() -> gating.Gate:
    return gating.evaluate(RUN, BASELINE, EXPECTATIONS)


def test_every_list_of_the_gate(gate):
    change = gating.Change
    assert gate.regressions == [change("p/a", "MUST", "passed", "failed")]
    assert gate.new_failures == [change("p/d", "MUST", "skipped", "failed"), change("p/h", "MUST", None, "failed")]
    assert gate.fixes == [change("p/c", "SHOULD", "warned", "passed")]
    assert list(gate.expected) == ["p/h"] and list(gate.stale) == ["p/e"]
    assert gate.mismatched == {"p/f": (EXPECTATIONS[1], "error")} and gate.unused == [EXPECTATIONS[3]]
    assert gate.counted == ["p/a", "p/d"] and gate.counted_errors == ["p/f"] and gate.exit_code == 1


def test_the_console_lines(gate):
    assert gating.console_lines(gate, limit=1) == [
        "routecheck: against the baseline of 2026-01-01T00:00:00Z: 1 regressions, 2 new MUST failures, 1 fixes",
        "routecheck: regressions (1):", "  p/a [MUST] passed -> failed",
        "routecheck: new MUST failures (2):", "  p/d skipped -> failed", "  ... and 1 more (see the report)",
        "routecheck: fixes (1):", "  p/c [SHOULD] warned -> passed",
        "routecheck: expected failures (1):", "  p/h: known, issue 4",
        "routecheck: stale expectations (these cases now pass: remove them from the expectations file) (1):",
        "  p/e (matched by p/e)",
        "routecheck: expectations not met (1):", "  p/f: expected failed, got error",
        "routecheck: expectations matching no case (1):", "  q/*",
        "routecheck: gate fails: 2 MUST failures count, 1 stale expectations (their cases pass now) (exit 1)"]


@pytest.mark.parametrize("cases, last", [
    ([("p/a", "error", "MUST")], "routecheck: gate has 1 harness errors (exit 3)"),
    ([("p/a", "passed", "MUST")], "routecheck: gate passes (exit 0)"),
])
def test_the_console_verdict_line_without_a_baseline(cases, last):
    assert gating.console_lines(gating.evaluate(doc("t", *cases))) == [last]


def test_the_record_and_the_report_dict(gate):
    assert gate.record(RUN) == {"exit_code": 1, "counted": ["p/a", "p/d"], "counted_errors": ["p/f"],
                                "counted_stale": ["p/e"], "accepted": ["p/b", "p/h"], "expected": ["p/h"],
                                "stale": ["p/e"], "baseline": "2026-01-01T00:00:00Z", "notes": []}
    assert gate.as_dict() == {
        "exit_code": 1, "verdict": "fails: 2 MUST failures count, 1 stale expectations (their cases pass now)",
        "counted": ["p/a", "p/d"], "counted_stale": ["p/e"], "baseline": "2026-01-01T00:00:00Z", "notes": [],
        "expected": {"p/h": {"case": "p/h", "verdict": "failed", "reason": "known, issue 4"}},
        "stale": {"p/e": {"case": "p/e", "verdict": "failed", "reason": "was broken"}},
        "mismatched": {"p/f": {"case": "p/f", "verdict": "failed", "reason": "flaky upstream", "outcome": "error"}},
        "unused": [{"case": "q/*", "verdict": "error", "reason": "other target"}],
        "regressions": [{"id": "p/a", "level": "MUST", "before": "passed", "after": "failed"}],
        "new_failures": [{"id": "p/d", "level": "MUST", "before": "skipped", "after": "failed"},
                         {"id": "p/h", "level": "MUST", "before": None, "after": "failed"}],
        "fixes": [{"id": "p/c", "level": "SHOULD", "before": "warned", "after": "passed"}]}
    assert gating.display_verdict("failed", "p/h", gate) == "xfail"
    assert gating.display_verdict("failed", "p/a", gate) == "failed" == gating.display_verdict("failed", "p/h", None)


def test_the_expectations_file_written_from_a_run():
    text = gating.expectations_yaml(RUN, "run.json")
    today = dt.date.today().isoformat()
    assert text.splitlines()[:4] == [
        f"# routecheck expectations, written from run.json (2026-02-01T00:00:00Z) on {today}.",
        "# A case listed with the verdict it has does not fail the run (shown as expected-fail).",
        "# `case` may be a glob (fnmatch); an exact ID wins over globs, then the first glob that matches.",
        "# Replace each reason with why the failure is accepted, or a link to the issue."]
    entries = yaml.safe_load(text)["expectations"]
    assert entries == [{"case": c, "verdict": v, "reason": gating.PLACEHOLDER_REASON}
                       for c, v in (("p/a", "failed"), ("p/b", "failed"), ("p/d", "failed"), ("p/g", "warned"),
                                    ("p/h", "failed"))]


def test_loading_an_expectations_file(tmp_path):
    path = tmp_path / "expect.yaml"
    path.write_text("expectations:\n  - case: p/a\n    reason: known\n  - {case: 'q/*', verdict: error, link: 'https://t/1'}\n")
    assert gating.load_expectations(path) == [gating.Expectation("p/a", "failed", "known"),
                                              gating.Expectation("q/*", "error", "https://t/1")]
    path.write_text("")
    assert gating.load_expectations(path) == []
    path.write_text("expectations:\n  - case: p/a\n   reason: [\n")
    with pytest.raises(UsageError, match=f"^{path}: not valid YAML at line 3$"):
        gating.load_expectations(path)
    with pytest.raises(UsageError, match=f"^cannot read expectations file {tmp_path / 'nope.yaml'}: No such file"):
        gating.load_expectations(tmp_path / "nope.yaml")
