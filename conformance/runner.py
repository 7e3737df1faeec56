"""Turns cases and their exchanges into results. Shared by the pytest plugin and the kill matrix."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable

from .case import Case
from .checks import Inconclusive, evaluate
from .engine import Engine, Exchange, fingerprint
from .features import skip_reason
from .request import Request
from .target import Target

PASSED, FAILED, WARNED, SKIPPED, ERROR = "passed", "failed", "warned", "skipped", "error"
OUTCOMES = (PASSED, FAILED, WARNED, SKIPPED, ERROR)


@dataclass
class Result:
    case: Case
    base_url: str
    outcome: str
    message: str = ""
    exchange: Exchange | None = None
    problem: str | None = None  # what came back, when the requirement was not met

    def to_dict(self) -> dict:
        out = self.case.describe()
        out.update(outcome=self.outcome, message=self.message, base_url=self.base_url,
                   request=dict(self.case.request.record(), curl=self.case.request.curl(self.base_url)))
        if self.exchange is not None:
            out["response"] = self.exchange.record()
        return out


def judge(case: Case, base_url: str, exchange: Exchange | None, disabled: frozenset[str] = frozenset()) -> Result:
    reason = skip_reason(case, disabled)
    if reason:
        return Result(case, base_url, SKIPPED, reason)
    if exchange is None or exchange.error:
        detail = exchange.error if exchange else "not sent"
        return Result(case, base_url, ERROR, f"harness error, not a verdict: {detail}", exchange)
    if exchange.statuses and all(s == 429 for s in exchange.statuses):
        return Result(case, base_url, ERROR,
                      f"harness error, not a verdict: rate-limited (429) on all {exchange.attempts} attempts", exchange)
    if exchange.dropped:  # answered by hanging up, twice: no requirement is met by that
        problem = f"no answer: the target closed the connection ({exchange.dropped}) on {exchange.attempts} attempts"
        return Result(case, base_url, FAILED if case.is_must else WARNED, explain(case, base_url, problem), exchange, problem)
    try:
        problem = evaluate(exchange, case)
    except Inconclusive as exc:
        return Result(case, base_url, SKIPPED, f"inconclusive: {exc}", exchange)
    except Exception as exc:  # noqa: BLE001 - e.g. RecursionError on deeply nested JSON: this case's error, not the run's
        return Result(case, base_url, ERROR, f"harness error, not a verdict: the check raised "
                      f"{type(exc).__name__}: {str(exc)[:200]!r}", exchange)
    if problem is None:
        return Result(case, base_url, PASSED, "", exchange)
    outcome = FAILED if case.is_must else WARNED
    return Result(case, base_url, outcome, explain(case, base_url, problem), exchange, problem)


def explain(case: Case, base_url: str, problem: str) -> str:
    """h2spec style: the requirement, what was expected, what came back, what was sent."""
    src = case.rule.source
    lines = [
        f"{case.id} [{case.level}] {case.title}",
        f"  Requirement: {src.cite()}",
        f"  Expected:    {case.expected}",
        f"  Actual:      {problem}",
        f"  Sent:        {case.request.summary()}",
        f"  Reproduce:   {case.request.curl(base_url)}",
    ]
    if src.note:
        lines.insert(2, f"  Note:        {src.note}")
    return "\n".join(lines)


def execute(engine: Engine, jobs: Iterable[tuple[str, Case]], disabled: frozenset[str] = frozenset()) -> list[Result]:
    """Send what the runnable cases need (each distinct request once), then judge every case."""
    jobs = list(jobs)
    runnable = [(url, case.request) for url, case in jobs if skip_reason(case, disabled) is None]
    exchanges = engine.run(runnable)
    return [judge(case, url, exchanges.get(fingerprint(url, case.request)), disabled) for url, case in jobs]


def jobs_for(cases: Iterable[Case], target: Target, disabled: frozenset[str]) -> list[tuple[str, Request]]:
    """What a run sends for these cases, in their order: cases the feature registry skips send nothing."""
    return [(target.url(c.profile), c.request) for c in cases if skip_reason(c, disabled) is None]


def summarise(outcomes: Iterable[str]) -> dict[str, int]:
    counts = {o: 0 for o in OUTCOMES}
    for outcome in outcomes:
        counts[outcome] += 1
    return {"passed": counts[PASSED], "failed": counts[FAILED], "warned": counts[WARNED],
            "skipped": counts[SKIPPED], "errors": counts[ERROR], "total": sum(counts.values())}


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
