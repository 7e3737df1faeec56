"""The subscriber to pytest's report stream that gathers case results and writes the canonical results file.

Results travel on each report's user_properties (so they reach the controller under pytest-xdist);
they are taken off the report once collected, so pytest's own --junitxml stays a plain one.
"""

from __future__ import annotations

import sys
import time
from typing import Callable

import pytest

from .errors import RoutecheckError
from .features import parse_disabled
from .plan import RunPlan, Settings
from .reporters import Context, outputs_wanted, write_outputs
from .results import build
from .upstream.matching import summary
from .documents import titles
from .report_docs import facts, loadable
from .verdicts import ERROR, FAILED, now_iso

PROPERTY, META_PROPERTY = "routecheck", "routecheck-meta"
PLAN = pytest.StashKey[RunPlan]()  # the run plan in the config's stash (conformance/plugin.py puts it there)
PROGRESS_SECONDS = 10.0  # off a terminal: a line at least this often while cases complete...
PROGRESS_SHARE = 10  # ...and one per tenth of the run (at least PROGRESS_MIN_CASES cases apart)
PROGRESS_MIN_CASES = 100


class Progress:
    """When a CI log gets a progress line: decided on each case's completion, never by a timer of its own,
    so a line says what was judged and nothing waits for it."""

    def __init__(self, total: int, now: float):
        self.every = max(PROGRESS_MIN_CASES, -(-total // PROGRESS_SHARE))
        self.last_count, self.last_time = 0, now

    def due(self, count: int, now: float) -> bool:
        if count - self.last_count >= self.every or now - self.last_time >= PROGRESS_SECONDS:
            self.last_count, self.last_time = count, now
            return True
        return False


class Handover:
    """`routecheck run` hands one to pytest as a plugin object: the results document is then given to it in memory,
    not written, and routecheck run writes every output once, its gate included (an interrupted run's is written
    here all the same: routecheck run reports it from the file)."""

    doc: dict | None = None


class ResultsCollector:
    """Subscriber to pytest's report stream: gathers case results, writes the canonical file."""

    def __init__(self, config: pytest.Config, secrets: Callable[[], tuple[str, ...]]):
        self.config = config
        self.secrets = secrets  # the key, once the run has one: redacted from the file
        self.cases: dict[str, dict] = {}
        self.meta: dict = {}
        self.started = now_iso()
        self.t0 = time.monotonic()
        self.total = 0
        self.written: str | None = None  # what the reporters said they wrote
        # routecheck run: on a terminal one progress line, rewritten in place; in a CI log a line now and then
        self.progress = config.getoption("rc_progress", False)
        self.terminal = sys.stderr.isatty()
        self.log_progress: Progress | None = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self.log_progress = Progress(self.total, time.monotonic())

    @pytest.hookimpl(tryfirst=True)  # before pytest's junitxml, which would copy every property into its file
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # the result is computed in the call, so the call report carries it; a case a marker skipped has none
        judged = len(self.cases)
        if report.when == "call" or (report.when == "setup" and report.skipped):
            for name, value in report.user_properties:
                if name == PROPERTY:
                    if report.when == "setup":  # skipped by a marker: its own reason
                        value = dict(value, message=_skip_message(report) or value["message"])
                    if report.failed and value["outcome"] not in (FAILED, ERROR) and "XPASS(strict)" not in str(report.longrepr):
                        value = _harness_failure(value, report)
                    self.cases[report.nodeid] = value
                elif name == META_PROPERTY:
                    self.meta.update(value)
        if not hasattr(self.config, "workerinput"):  # a worker must still send them to the controller
            report.user_properties = [(n, v) for n, v in report.user_properties if n not in (PROPERTY, META_PROPERTY)]
        if self.progress and len(self.cases) > judged:  # a case completed: the one moment progress is told
            self._progress()

    def _progress(self) -> None:
        done = len(self.cases)
        if self.terminal and (done % 25 == 0 or done == self.total):
            sys.stderr.write(f"\r{self._judged(done)}")
        elif not self.terminal and self.log_progress is not None and done < self.total and \
                self.log_progress.due(done, time.monotonic()):
            sys.stderr.write(f"{self._judged(done)}, {time.monotonic() - self.t0:.0f} s\n")
        else:
            return
        sys.stderr.flush()

    def _judged(self, done: int) -> str:
        failed = sum(1 for c in self.cases.values() if c["outcome"] == FAILED)
        return f"routecheck: {done}/{self.total} cases judged, {failed} failed"

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = self.config
        if self.progress and self.terminal:
            sys.stderr.write("\r\033[K")  # the summary replaces the progress line
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        if hasattr(config, "workerinput") or not (self.cases or interrupted):
            return
        cases = list(self.cases.values())
        targets = {c["profile"]: c["base_url"] for c in cases}
        doc = build(cases, targets=targets, model=self.meta.get("model", config.option.model or ""),
                    started=self.started, duration=time.monotonic() - self.t0, complete=not interrupted)
        plan = config.stash.get(PLAN, None)  # None: interrupted before any case was judged
        if plan is not None:  # how the run was made: part of its record
            doc["settings"] = plan.settings.record(plan.disabled)
        else:
            doc["settings"] = Settings.from_options(config.option).record(parse_disabled(config.option.without))
        if plan is not None and plan.upstream is not None:  # what reached the upstream and matched no case
            doc["upstream"] = summary(plan.upstream.recorder, plan.upstream.address)
        # what it was judged against (the plan's own profiles, not a second load): reports need no spec files
        judged = [p for p in plan.profiles if p.name in doc["profiles"]] if plan is not None else loadable(doc["profiles"])
        doc["documented"] = facts(judged)
        doc["documents"] = titles(judged)
        handover = next((p for p in config.pluginmanager.get_plugins() if isinstance(p, Handover)), None)
        if handover is not None and not interrupted:
            handover.doc = doc
            return
        outputs = outputs_wanted(config.option, pytest=True)  # each reporter's own option (only --json here)
        outputs["json"] = outputs.get("json") or str(config.rootpath / "reports" / "results.json")
        try:
            self.written = "; ".join(write_outputs(doc, outputs, Context(secrets=self.secrets())))
        except RoutecheckError as exc:
            print(f"\nroutecheck: {exc}")
            session.exitstatus = pytest.ExitCode.USAGE_ERROR


def _skip_message(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr or "")
    return text.removeprefix("Skipped: ")


def _harness_failure(case: dict, report: pytest.TestReport) -> dict:
    """The case was judged, then routecheck itself raised (labelling, reporting): the results file
    must not call it passed, so the case becomes a harness error, which fails the run (exit 3)."""
    lines = [line for line in str(report.longrepr).splitlines() if line.strip()]
    return dict(case, outcome=ERROR, message=f"harness error, not a verdict: routecheck raised {lines[-1] if lines else 'an error'}")
