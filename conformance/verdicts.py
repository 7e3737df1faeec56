"""Turns cases and their exchanges into results. Shared by the pytest plugin and the kill matrix."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping

from .case import Case
from .checks import Inconclusive, derive, evaluate
from .checks.common import Unobserved, brief
from .engine import Engine, Exchange, fingerprint
from .features import capability_absent, skip_reason
from .request import KEY_ENV, Request

PASSED, FAILED, WARNED, SKIPPED, ERROR = "passed", "failed", "warned", "skipped", "error"
INCONCLUSIVE, BLOCKED = "inconclusive", "blocked"
# inconclusive: the target could not show the rule either way (no evidence); blocked: a prerequisite failed
OUTCOMES = (PASSED, FAILED, WARNED, INCONCLUSIVE, BLOCKED, SKIPPED, ERROR)

Fetch = Callable[[Request], Exchange]
# a derived case's probe from its control's answer and evidence: derived here, or handed on by whoever derived it
# first (the sending process derives each probe once, as soon as its control is back). Raises Inconclusive
Probe = Callable[[Case, Exchange, dict[str, Exchange]], Request]


@dataclass
class Result:
    case: Case
    base_url: str
    outcome: str
    message: str = ""
    exchange: Exchange | None = None
    problem: str | None = None  # what came back, when the requirement was not met
    request: Request | None = None  # what was judged, when not the case's own request (a derived probe)
    blocked_by: str | None = None  # the root case whose failure hid this rule
    evidence: dict[str, Exchange] = field(default_factory=dict)  # controls the verdict rests on
    key_env: str = KEY_ENV  # the variable the key comes from, as reproduce commands name it

    @property
    def judged_request(self) -> Request:
        return self.request or self.case.request

    def to_dict(self) -> dict:
        out = self.case.describe()
        request = self.judged_request
        out.update(outcome=self.outcome, message=self.message, base_url=self.base_url,
                   request=dict(request.record(self.key_env), curl=request.curl(self.base_url, self.key_env)))
        if self.exchange is not None:
            out["response"] = self.exchange.record()
        if self.blocked_by:
            out["blocked_by"] = self.blocked_by
        if self.evidence:
            out["evidence"] = [{"name": name, "request": dict(ex.request.record(self.key_env),
                                                              curl=ex.request.curl(self.base_url, self.key_env)),
                                "response": ex.record()} for name, ex in self.evidence.items()]
        return out


def _harness_problem(exchange: Exchange | None) -> str | None:
    """Why this exchange is no verdict at all (it could not happen), or None."""
    if exchange is None or exchange.error:
        return exchange.error if exchange else "not sent"
    # a 429 the recording upstream served (an upstream fault, --upstream) is what the gateway relayed: a verdict
    if (exchange.statuses and all(s == 429 for s in exchange.statuses)
            and not any(r.get("status") == 429 for r in exchange.upstream or ())):
        return f"rate-limited (429) on all {exchange.attempts} attempts"
    return None


def unmet_need(exchange: Exchange, need: str) -> str | None:
    """Why `exchange` does not give what `need` asks for (see case.Prereq), or None."""
    problem = _harness_problem(exchange)
    if problem:
        return problem
    if exchange.status is None or not 200 <= exchange.status < 300:
        return f"answered {brief(exchange)}" if exchange.status is not None else f"no answer ({exchange.dropped})"
    if need == "accepted":
        return None
    if need == "stream":
        return None if exchange.events else f"no event stream came back: {brief(exchange)}"
    kind = exchange.json_kind()
    if kind is None:
        return f"the 2xx answer is not JSON: {brief(exchange)}"
    if need == "json":
        return None
    return None if kind == "object" else f"the 2xx answer is not a JSON object: {brief(exchange)}"


# a root blocks its dependants only when it did not pass: failed (warned, for a SHOULD root), errored or was
# itself blocked. A root that passed, or could not tell, has not shown the failure that hides their rule, so
# they are judged on their own
BLOCKING = (FAILED, WARNED, ERROR, BLOCKED)


def judge(case: Case, base_url: str, fetch: Fetch, disabled: frozenset[str] = frozenset(),
          required: frozenset[str] = frozenset(), roots: Mapping[str, Case] | None = None,
          key_env: str = KEY_ENV, probe: Probe = derive) -> Result:
    """The verdict on one case. `fetch` gives the exchange of a request (sent once, shared). `roots`: the
    cases of this run by ID; a root that is not judged in the run cannot block (-k left it out), so the
    case is judged on its own: a failure is never hidden behind a case nobody sees. `probe`: a derived
    case's probe (derived here unless one is handed in)."""
    reason = skip_reason(case, disabled)
    if reason:
        return Result(case, base_url, SKIPPED, reason)
    roots = roots or {}
    case = replace(case, prereqs=tuple(p for p in case.prereqs if p.root in roots))
    fetch = _once_each(fetch)
    try:
        return replace(_judged(case, base_url, fetch, disabled, required, roots, key_env, probe), key_env=key_env)
    except Exception as exc:  # noqa: BLE001 - e.g. RecursionError on deeply nested JSON: this case's error, not the run's
        return Result(case, base_url, ERROR, f"harness error, not a verdict: judging it raised "
                      f"{type(exc).__name__}: {str(exc)[:200]!r}")


def _once_each(fetch: Fetch) -> Fetch:
    """`fetch`, reading each distinct request once per case: judging a root again reads its exchange, which the
    case already holds, and the sender lets an exchange go once each case sharing it has read it."""
    if getattr(fetch, "once_each", False):
        return fetch
    seen: dict[str, Exchange] = {}

    def once(request: Request) -> Exchange:
        if request.fingerprint not in seen:
            seen[request.fingerprint] = fetch(request)
        return seen[request.fingerprint]

    once.once_each = True  # type: ignore[attr-defined]
    return once


def _judged(case: Case, base_url: str, fetch: Fetch, disabled: frozenset[str], required: frozenset[str],
            roots: Mapping[str, Case], key_env: str, probe: Probe) -> Result:
    for prereq in case.prereqs:  # most basic first: the first one unmet is the root cause
        unmet = unmet_need(fetch(prereq.request), prereq.need)
        if not unmet:
            continue
        # the root is judged on the same exchange (its request is the prerequisite's): it blocks only when it
        # did not pass, so a need its own check does not cover can never hide a rule behind a passing case
        root = judge(roots[prereq.root], base_url, fetch, disabled, required, roots, key_env, probe)
        if root.outcome in BLOCKING:
            return Result(case, base_url, BLOCKED, f"blocked by {prereq.root}: its request was {unmet}",
                          blocked_by=prereq.root)
    exchange = fetch(case.request)
    if exchange.unsendable:  # not sent: this key cannot show the rule (a near miss that is the key itself)
        return Result(case, base_url, SKIPPED, f"not applicable to this key: {exchange.unsendable}", exchange)
    problem = _harness_problem(exchange)
    if problem:
        return Result(case, base_url, ERROR, f"harness error, not a verdict: {problem}", exchange)
    evidence = {name: fetch(request) for name, request in case.evidence}
    request = None
    try:
        absent = capability_absent(case, evidence, required)
        if absent:
            return Result(case, base_url, INCONCLUSIVE, f"inconclusive: {absent}", exchange, evidence=evidence)
        if case.derive:  # the probe depends on what the control showed
            request = probe(case, exchange, evidence)
            evidence = {"control": exchange, **evidence}
            exchange = fetch(request)
            problem = _harness_problem(exchange)
            if problem:
                return Result(case, base_url, ERROR, f"harness error, not a verdict: {problem}", exchange,
                              request=request, evidence=evidence)
        if exchange.dropped:  # answered by hanging up, twice: no requirement is met by that
            problem = f"no answer: the target closed the connection ({exchange.dropped}) on {exchange.attempts} attempts"
        else:
            problem = evaluate(exchange, case, evidence)
    except Inconclusive as exc:
        return Result(case, base_url, INCONCLUSIVE, f"inconclusive: {exc}", exchange, request=request, evidence=evidence)
    except Unobserved as exc:  # one cause, one failure: the case that owns the missing thing reports it if it can
        root = roots.get(exc.root) if exc.root else None
        if root is not None and judge(root, base_url, fetch, disabled, required, roots, key_env, probe).outcome in BLOCKING:
            return Result(case, base_url, BLOCKED, f"blocked by {exc.root}: {exc}", exchange, blocked_by=exc.root,
                          request=request, evidence=evidence)
        problem = str(exc)
    if problem is None:
        return Result(case, base_url, PASSED, "", exchange, request=request, evidence=evidence)
    outcome = FAILED if case.is_must else WARNED
    return Result(case, base_url, outcome, explain(case, base_url, problem, request, key_env), exchange, problem,
                  request=request, evidence=evidence)


def explain(case: Case, base_url: str, problem: str, request: Request | None = None, key_env: str = KEY_ENV) -> str:
    """h2spec style: the requirement, what was expected, what came back, what was sent."""
    src = case.rule.source
    request = request or case.request
    lines = [
        f"{case.id} [{case.level}] {case.title}",
        f"  Requirement: {src.cite()}",
        f"  Expected:    {case.expected}",
        f"  Actual:      {problem}",
        f"  Sent:        {request.summary(key_env=key_env)}",
        f"  Reproduce:   {request.curl(base_url, key_env)}",
    ]
    if src.note:
        lines.insert(2, f"  Note:        {src.note}")
    return "\n".join(lines)


def execute(engine: Engine, jobs: Iterable[tuple[str, Case]], disabled: frozenset[str] = frozenset(),
            required: frozenset[str] = frozenset()) -> list[Result]:
    """Send what the runnable cases need (each distinct request once), then judge every case;
    probes derived from a control are sent as they are needed."""
    jobs = list(jobs)
    exchanges = engine.run(jobs_for(jobs, disabled))

    def fetcher(url: str) -> Fetch:
        def fetch(request: Request) -> Exchange:
            key = fingerprint(url, request)
            if key not in exchanges:
                exchanges.update(engine.run([(url, request)]))
            return exchanges[key]
        return fetch

    roots = {case.id: case for _, case in jobs}
    return [judge(case, url, fetcher(url), disabled, required, roots) for url, case in jobs]


def jobs_for(jobs: Iterable[tuple[str, Case]], disabled: frozenset[str]) -> list[tuple[str, Request]]:
    """What a run sends for these (url, case) jobs, in their order: cases the feature registry skips send nothing."""
    return [(url, request) for url, case in jobs if skip_reason(case, disabled) is None for request in case.requests()]


def derived_for(jobs: Iterable[tuple[str, Case]], disabled: frozenset[str]) -> list[tuple[str, Case]]:
    """The (url, case) jobs whose probe is derived from a control's answer (the sending process derives each one
    as its control comes back, and hands it on to the judging side: conformance/sender.py)."""
    return [(url, case) for url, case in jobs if case.derive and skip_reason(case, disabled) is None]


def summarise(outcomes: Iterable[str]) -> dict[str, int]:
    counts = {o: 0 for o in OUTCOMES}
    for outcome in outcomes:
        counts[outcome] += 1
    return {"passed": counts[PASSED], "failed": counts[FAILED], "warned": counts[WARNED],
            "inconclusive": counts[INCONCLUSIVE], "blocked": counts[BLOCKED],
            "skipped": counts[SKIPPED], "errors": counts[ERROR], "total": sum(counts.values())}


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
