"""CI gating over result documents: a baseline (an earlier run) and expectations (known failures).

Pure functions over canonical results (conformance/results.py); nothing here runs
or writes anything. The exit code of a gated run, precisely:

- 1 if any MUST case failed that is neither *expected* (an expectation with
  verdict `failed` matches it) nor *known* (with a baseline: it failed there too).
  Without a baseline or expectations this is "any MUST failure";
- 1 too if an expectation of a failure or a harness error is stale (its case now passes), as pytest's
  strict xfail does in pytest mode: the two modes agree, and the file shrinks as fixes land. A stale
  expectation of a warning is listed only (pytest mode does not mark SHOULD cases at all);
- otherwise 3 if any case is a harness error not matched by an expectation with verdict `error`;
- otherwise 0.

SHOULD cases are reported as warnings: their changes are listed, never counted.
A baseline or expectations file that does not exist yet (a CI job's first run) is no error: it is
stated in one line and the run gates on MUST failures alone. A file that exists but is malformed is.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .case import CATEGORIES
from .errors import EXIT_HARNESS, EXIT_MUST_FAILED, EXIT_OK, UsageError
from .surfaces import DEFAULT as DEFAULT_SURFACE, surface_named

EXPECTABLE = ("failed", "warned", "error")  # an expectation states one of these verdicts
STRICT = ("failed", "error")  # what pytest mode marks xfail(strict): stale, these fail the run in both modes
NOT_MET = ("failed", "warned")  # outcomes that mean "the requirement was not met"
PLACEHOLDER_REASON = "TODO: why this is expected (or a link to the issue)"
ENTRY_KEYS = {"case", "verdict", "reason", "link"}


@dataclass(frozen=True)
class Expectation:
    case: str  # a case ID or an fnmatch glob over case IDs
    verdict: str
    reason: str

    @property
    def is_glob(self) -> bool:
        return any(ch in self.case for ch in "*?[")


@dataclass(frozen=True)
class Change:
    """One case whose outcome differs from the baseline's."""

    id: str
    level: str
    before: str | None  # None: the case is not in the baseline
    after: str


@dataclass
class Gate:
    """What the baseline and the expectations make of one run."""

    counted: list[str] = field(default_factory=list)  # MUST failures that fail the run
    counted_errors: list[str] = field(default_factory=list)
    counted_stale: list[str] = field(default_factory=list)  # stale expectations of a failure or error: exit 1
    expected: dict[str, Expectation] = field(default_factory=dict)  # case ID -> the expectation that holds
    stale: dict[str, Expectation] = field(default_factory=dict)  # expected not to pass, and now passes
    mismatched: dict[str, tuple[Expectation, str]] = field(default_factory=dict)  # other outcome than expected
    unused: list[Expectation] = field(default_factory=list)  # matched no case of the run
    regressions: list[Change] = field(default_factory=list)  # passed in the baseline, now failed or warned
    new_failures: list[Change] = field(default_factory=list)  # MUST failed, not in the baseline or not judged there
    fixes: list[Change] = field(default_factory=list)  # failed or warned in the baseline, now passed
    baseline: str | None = None  # when the baseline ran (its `started`)
    notes: list[str] = field(default_factory=list)  # a baseline or expectations file not there yet, said once

    @property
    def exit_code(self) -> int:
        if self.counted or self.counted_stale:
            return EXIT_MUST_FAILED
        if self.counted_errors:
            return EXIT_HARNESS
        return EXIT_OK

    def as_dict(self) -> dict:
        """JSON-ready, for the HTML report."""
        return {
            "exit_code": self.exit_code,
            "verdict": verdict(self),
            "counted": self.counted,
            "counted_stale": self.counted_stale,
            "baseline": self.baseline,
            "notes": self.notes,
            "expected": {k: _expectation_dict(e) for k, e in self.expected.items()},
            "stale": {k: _expectation_dict(e) for k, e in self.stale.items()},
            "mismatched": {k: dict(_expectation_dict(e), outcome=o) for k, (e, o) in self.mismatched.items()},
            "unused": [_expectation_dict(e) for e in self.unused],
            "regressions": [vars(c) for c in self.regressions],
            "new_failures": [vars(c) for c in self.new_failures],
            "fixes": [vars(c) for c in self.fixes],
        }


    def record(self, doc: dict) -> dict:
        """What results.json keeps of the gate: the exit code, and which failures counted and which were accepted."""
        must_failed = [c["id"] for c in doc["cases"] if c["outcome"] == "failed"]
        counted = set(self.counted)
        return {
            "exit_code": self.exit_code,
            "counted": self.counted,
            "counted_errors": self.counted_errors,
            "counted_stale": self.counted_stale,
            "accepted": [i for i in must_failed if i not in counted],  # expected, or failed in the baseline too
            "expected": sorted(self.expected),
            "stale": sorted(self.stale),
            "baseline": self.baseline,
            "notes": self.notes,
        }


def _expectation_dict(exp: Expectation) -> dict:
    return {"case": exp.case, "verdict": exp.verdict, "reason": exp.reason}


# ---------------------------------------------------------------- expectations file

def load_expectations(path: str | Path) -> list[Expectation]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read expectations file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}" if where else ""
        raise UsageError(f"{path}: not valid YAML{at}") from None
    return parse_expectations(data, str(path))


def parse_expectations(data: object, where: str = "expectations") -> list[Expectation]:
    """`{expectations: [{case, verdict, reason | link}, ...]}`, or the bare list."""
    if isinstance(data, dict) and set(data) == {"expectations"}:
        data = data["expectations"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise UsageError(f"{where}: expected a list under `expectations:`")
    return [_entry(item, f"{where}: entry {i + 1}") for i, item in enumerate(data)]


def _entry(item: object, where: str) -> Expectation:
    if not isinstance(item, dict):
        raise UsageError(f"{where}: expected a mapping with case, verdict and reason")
    extra = set(item) - ENTRY_KEYS
    if extra:
        raise UsageError(f"{where}: unknown key {sorted(extra)[0]!r} (known: {', '.join(sorted(ENTRY_KEYS))})")
    case, verdict = item.get("case"), item.get("verdict", "failed")
    if not isinstance(case, str) or not case.strip():
        raise UsageError(f"{where}: `case` must be a case ID or a glob")
    if verdict not in EXPECTABLE:
        raise UsageError(f"{where} ({case}): `verdict` must be one of {', '.join(EXPECTABLE)}, not {verdict!r}")
    reason = " ".join(str(item[k]).strip() for k in ("reason", "link") if item.get(k))
    if not reason:
        raise UsageError(f"{where} ({case}): a `reason` or a `link` is required")
    if PLACEHOLDER_REASON in reason:  # `routecheck expect --from` wrote it: nobody has said why yet
        raise UsageError(f"{where} ({case}): replace the placeholder reason with why this is accepted, or a link")
    return Expectation(case.strip(), verdict, reason)


def expectations_yaml(doc: dict, source: str = "a run") -> str:
    """An expectations file accepting every failed or warned case of a run, each with a placeholder reason."""
    entries = [{"case": c["id"], "verdict": c["outcome"], "reason": PLACEHOLDER_REASON}
               for c in doc["cases"] if c["outcome"] in NOT_MET]
    header = (f"# routecheck expectations, written from {source} ({doc.get('started', '')}) on "
              f"{dt.date.today().isoformat()}.\n"
              "# A case listed with the verdict it has does not fail the run (shown as expected-fail).\n"
              "# `case` may be a glob (fnmatch); an exact ID wins over globs, then the first glob that matches.\n"
              "# Replace each reason with why the failure is accepted, or a link to the issue.\n")
    return header + yaml.safe_dump({"expectations": entries}, sort_keys=False, allow_unicode=True, width=200)


def match(expectations: list[Expectation], case_id: str) -> Expectation | None:
    for exp in expectations:
        if not exp.is_glob and exp.case == case_id:
            return exp
    for exp in expectations:
        if exp.is_glob and fnmatch.fnmatchcase(case_id, exp.case):
            return exp
    return None


# ---------------------------------------------------------------- evaluation

@dataclass
class Inputs:
    """What a run is gated with: the baseline document, the expectations, and what was not there yet."""

    baseline: dict | None = None
    expectations: list[Expectation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def given(self) -> bool:
        return self.baseline is not None or bool(self.expectations) or bool(self.notes)


def moved_id(case_id: str) -> str | None:
    """The ID a case of routecheck before surfaces were named has now, or None when it is not such an ID:
    `profile/category/...` became `profile/chat/category/...` (those cases were all chat completions)."""
    profile, _, rest = case_id.partition("/")
    category = rest.partition("/")[0]
    if category in CATEGORIES and rest.count("/") >= 1:
        return f"{profile}/{surface_named(DEFAULT_SURFACE).segment}/{rest}"
    return None


def _moved_note(what: str, path: str, moved: dict[str, str]) -> str:
    old, new = next(iter(moved.items()))
    return (f"{what} {path}: {len(moved)} case ID(s) from before case IDs named their surface, read as chat "
            f"completions IDs (e.g. {old} is now {new}); write the file anew to drop this note")


def _migrate_baseline(doc: dict, path: str, notes: list[str]) -> dict:
    moved = {}
    for case in doc["cases"]:
        new = moved_id(case["id"])
        if new is not None:
            moved[case["id"]] = case["id"] = new
    if moved:
        notes.append(_moved_note("--baseline", path, moved))
    return doc


def _migrate_expectations(expectations: list[Expectation], path: str, notes: list[str]) -> list[Expectation]:
    moved, out = {}, []
    for exp in expectations:
        new = moved_id(exp.case)
        if new is not None:
            moved[exp.case] = new
            exp = Expectation(new, exp.verdict, exp.reason)
        out.append(exp)
    if moved:
        notes.append(_moved_note("--expect", path, moved))
    return out


def load_inputs(baseline: str | None, expect: str | None) -> Inputs:
    """Read --baseline and --expect. A path that does not exist yet is a CI job's first run: noted, not an
    error, and the run gates on MUST failures alone. Anything else wrong with a file is a usage error."""
    from . import results

    inputs = Inputs()
    if baseline and not Path(baseline).exists():
        inputs.notes.append(f"no baseline at {baseline} yet: every MUST failure counts (make one with "
                            f"`--json {baseline}` on a run you accept)")
    elif baseline:
        inputs.baseline = _migrate_baseline(results.read_validated(baseline), baseline, inputs.notes)
    if expect and not Path(expect).exists():
        inputs.notes.append(f"no expectations file at {expect} yet: no failure is accepted (write one with "
                            f"`routecheck expect --from RESULTS.json -o {expect}`)")
    elif expect:
        inputs.expectations = _migrate_expectations(load_expectations(expect), expect, inputs.notes)
    return inputs


def evaluate(doc: dict, baseline: dict | None = None, expectations: list[Expectation] | tuple = (),
             notes: list[str] | tuple = ()) -> Gate:
    expectations = list(expectations)
    gate = Gate(baseline=baseline.get("started") if baseline else None, notes=list(notes))
    before = {c["id"]: c["outcome"] for c in baseline["cases"]} if baseline else None
    used: set[Expectation] = set()
    for case in doc["cases"]:
        cid, outcome = case["id"], case["outcome"]
        exp = match(expectations, cid)
        if exp is not None:
            used.add(exp)
            if outcome == exp.verdict:
                gate.expected[cid] = exp
            elif outcome == "passed":
                gate.stale[cid] = exp
                if exp.verdict in STRICT:
                    gate.counted_stale.append(cid)
            elif outcome != "skipped":
                gate.mismatched[cid] = (exp, outcome)
        excused = cid in gate.expected
        if before is not None:
            _compare(gate, case, before.get(cid))
        if outcome == "failed" and case["level"] == "MUST" and not excused:
            if before is None or before.get(cid) != "failed":
                gate.counted.append(cid)
        if outcome == "error" and not excused:
            gate.counted_errors.append(cid)
    gate.unused = [e for e in expectations if e not in used]
    return gate


def _compare(gate: Gate, case: dict, before: str | None) -> None:
    after = case["outcome"]
    change = Change(case["id"], case["level"], before, after)
    if before == "passed" and after in NOT_MET:
        gate.regressions.append(change)
    elif before in NOT_MET and after == "passed":
        gate.fixes.append(change)
    elif after == "failed" and case["level"] == "MUST" and before != "failed":
        gate.new_failures.append(change)  # not in the baseline, or skipped / an error there


def display_verdict(outcome: str, case_id: str, gate: Gate | None) -> str:
    """The verdict a report shows: the outcome, or `xfail` where an expectation holds."""
    if gate is not None and case_id in gate.expected:
        return "xfail"
    return outcome


def console_lines(gate: Gate, limit: int = 20) -> list[str]:
    """What `routecheck run` prints after its summary line."""
    lines: list[str] = [f"routecheck: note: {note}" for note in gate.notes]

    def listing(title: str, items: list[str]) -> None:
        if items:
            lines.append(f"routecheck: {title} ({len(items)}):")
            lines.extend(f"  {item}" for item in items[:limit])
            if len(items) > limit:
                lines.append(f"  ... and {len(items) - limit} more (see the report)")

    if gate.baseline is not None:
        lines.append(f"routecheck: against the baseline of {gate.baseline}: {len(gate.regressions)} regressions, "
                     f"{len(gate.new_failures)} new MUST failures, {len(gate.fixes)} fixes")
    listing("regressions", [f"{c.id} [{c.level}] {c.before} -> {c.after}" for c in gate.regressions])
    listing("new MUST failures", [f"{c.id} {c.before or 'not in the baseline'} -> failed" for c in gate.new_failures])
    listing("fixes", [f"{c.id} [{c.level}] {c.before} -> passed" for c in gate.fixes])
    listing("expected failures", [f"{cid}: {e.reason}" for cid, e in gate.expected.items()])
    listing("stale expectations (these cases now pass: remove them from the expectations file)",
            [f"{cid} (matched by {e.case})" for cid, e in gate.stale.items()])
    listing("expectations not met", [f"{cid}: expected {e.verdict}, got {o}" for cid, (e, o) in gate.mismatched.items()])
    listing("expectations matching no case", [e.case for e in gate.unused])
    lines.append(f"routecheck: gate {verdict(gate)} (exit {gate.exit_code})")
    return lines


def verdict(gate: Gate) -> str:
    """The gate's result in words: `passes`, `fails: ...` or `has N harness errors`."""
    if gate.exit_code == EXIT_OK:
        return "passes"
    if gate.exit_code == EXIT_HARNESS:
        return f"has {len(gate.counted_errors)} harness errors"
    why = [f"{len(gate.counted)} MUST failures count"] if gate.counted else []
    why += [f"{len(gate.counted_stale)} stale expectations (their cases pass now)"] if gate.counted_stale else []
    return "fails: " + ", ".join(why)
