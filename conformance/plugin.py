"""pytest plugin: options, case parametrisation, the hand-off to the sending process, results collection.

Registered through the `pytest11` entry point (and by `routecheck run`). Inert unless
conformance/test_conformance.py is collected (`pytest --pyargs conformance`, or
`pytest conformance` in a checkout). Results travel on each report's user_properties,
so they reach the controller under pytest-xdist too; they are taken off the report once
collected, so pytest's own --junitxml stays a plain one.
"""

from __future__ import annotations

import gc
import json
import warnings
from collections import Counter
from pathlib import Path

import pytest

from . import markers
from .case import Case
from .checks import derive
from .collector import META_PROPERTY, PLAN, PROPERTY, ResultsCollector
from .documents import titled, titles
from .cases import generate_cases
from .engine import Exchange, fingerprint
from .errors import RoutecheckError
from .features import parse_disabled, skip_reason
from .request import Request, redact
from .gating import load_inputs, match
from .results import case_dict
from .verdicts import BLOCKED, ERROR, FAILED, INCONCLUSIVE, SKIPPED, WARNED, Result, derived_for, jobs_for, judge
from .sender import Sender, SenderError
from .plan import WORKER_INPUT, RunPlan
from .plugin_options import add_options, plan_from_options, selected_profiles, stop, target_url
from .protocol import HarnessError, lean_protocol, marked
from .upstream.matching import attach

CONTEXT = pytest.StashKey["RunContext"]()


class ConventionWarning(UserWarning):
    """A SHOULD case not met: reported, never a failure of the profile."""


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    def secrets() -> tuple[str, ...]:
        return config.stash[CONTEXT].target.secrets if CONTEXT in config.stash else ()

    config.pluginmanager.register(ResultsCollector(config, secrets), "routecheck-results")
    markers.register(config)  # `-m must`, `-m "should and streaming"` select cases
    if config.pluginmanager.has_plugin("warnings"):
        config.addinivalue_line("filterwarnings", "always::conformance.plugin.ConventionWarning")


class RunContext:
    """One run's state in this process: its plan (conformance/plan.py), engine and sending process."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.plan = run_plan(config)
        self.target, self.cases, self.key_env = self.plan.target, self.plan.cases, self.plan.key_env
        self.disabled, self.required = self.plan.disabled, self.plan.required
        self.engine = self.plan.settings.engine(self.target.key, self.target.env)
        # xdist workers send their own cases one by one; a single process hands them all to a sender,
        # which `routecheck run` starts (and feeds) before pytest itself has started
        handed = [p for p in config.pluginmanager.get_plugins() if isinstance(p, Sender)]
        self.sender: Sender | None = None if hasattr(config, "workerinput") else handed[0] if handed else Sender(derive)
        self.owns_sender = not handed
        self.frozen = False
        self.sent_here: dict[str, Exchange] = {}  # requests no sender had: an xdist worker's, or a probe the sending side did not derive
        self.roots: dict[str, Case] | None = None  # the cases this run judges (after -k), by ID
        self.titles = titles(self.plan.profiles)  # failure messages name documents by title

    def url(self, case: Case) -> str:
        return self.target.url(case.profile)

    def result(self, case: Case, items: list[pytest.Item]) -> Result:
        if self.sender is not None and not self.sender.sent:
            # every selected case's request, in test order: each test then waits only for its own answer
            selected = [i.callspec.params["rc_case"] for i in items if hasattr(i, "callspec") and "rc_case" in i.callspec.params]
            pairs = [(self.url(c), c) for c in selected]
            self.sender.send(self.engine, jobs_for(pairs, self.disabled), derived_for(pairs, self.disabled))
        if not self.frozen:
            self.frozen = True
            gc.freeze()  # the collected items live to the end: the collector need not walk them again and again
        url = self.url(case)
        handed = Counter(fingerprint(url, r) for r in case.requests())
        unread = Counter(handed)

        def fetch(request: Request) -> Exchange:
            key = fingerprint(url, request)
            unread[key] -= 1
            try:
                exchange = self.sender.get(key) if self.sender is not None else None
            except SenderError as exc:
                return Exchange(request, url, error=str(exc))
            if exchange is None and self.sender is not None and key in handed:
                # the sender was handed every request known before the run: missing one is our bug, not a verdict
                return Exchange(request, url, error="routecheck bug: the sending process was not handed this request")
            if exchange is None:  # a probe derived from a control's answer, or an xdist worker's own request
                if key not in self.sent_here:
                    self.sent_here.update(self.engine.run([(url, request)]))
                exchange = self.sent_here[key]
            return exchange if self.plan.upstream is None else attach(self.plan.upstream.recorder, exchange)

        if self.roots is None:
            self.roots = {i.callspec.params["rc_case"].id: i.callspec.params["rc_case"] for i in items
                          if hasattr(i, "callspec") and "rc_case" in i.callspec.params}
        def probe(case: Case, control: Exchange, evidence: dict[str, Exchange]) -> Request:
            """Derived once: by the sending side as the control came back, or here when it did not derive it."""
            derived = self.sender.probe(url, case) if self.sender is not None else None
            return derived if derived is not None else derive(case, control, evidence)

        result = judge(case, url, fetch, self.disabled, self.required, self.roots, self.key_env, probe)
        result.message = titled(result.message, self.titles)
        if self.sender is not None and (result.outcome != SKIPPED or result.exchange is not None):
            for key, count in unread.items():  # a blocked case never reads its own exchange: let it go all the same
                for _ in range(max(0, count)):
                    self.sender.release(key)
        return result

    def close(self) -> None:
        if self.sender is not None and self.owns_sender:
            self.sender.close()
        self.sender = None
        if self.frozen:
            gc.unfreeze()


def context(config: pytest.Config) -> RunContext:
    if CONTEXT not in config.stash:
        try:
            config.stash[CONTEXT] = RunContext(config)
        except RoutecheckError as exc:
            raise pytest.UsageError(f"routecheck: {exc}") from None
    return config.stash[CONTEXT]


def pytest_collectstart(collector: pytest.Collector) -> None:
    """The plan is made as the conformance module is collected: a missing key, an unknown profile or an
    unreachable target ends the session with routecheck run's one line and exit code, not a collection error."""
    if not (isinstance(collector, pytest.Module) and collector.path == Path(__file__).with_name("test_conformance.py")):
        return
    config = collector.config
    try:
        if config.option.collectonly:
            selected_profiles(config)  # listing needs no target, only the specs
        elif CONTEXT not in config.stash:
            config.stash[CONTEXT] = RunContext(config)
    except RoutecheckError as exc:
        stop(exc, config)


def run_plan(config: pytest.Config) -> RunPlan:
    """The plan `routecheck run` handed over, the one an xdist controller sent this worker, or, in plain
    pytest, one built from the options (the key from the variable --api-key-env names)."""
    if PLAN not in config.stash:
        handed = [p for p in config.pluginmanager.get_plugins() if isinstance(p, RunPlan)]
        portable = getattr(config, "workerinput", {}).get(WORKER_INPUT)
        config.stash[PLAN] = (handed[0] if handed else RunPlan.from_portable(portable) if portable
                              else plan_from_options(config))
    return config.stash[PLAN]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: each worker gets the controller's plan, built once here (model, caps, key)."""
    try:
        node.workerinput[WORKER_INPUT] = run_plan(node.config).portable()
    except RoutecheckError as exc:
        stop(exc, node.config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "rc_case" in metafunc.fixturenames:
        config = metafunc.config
        if config.option.collectonly and CONTEXT not in config.stash:
            # listing needs no target: IDs depend on the spec alone (not on the model or the cap parameter)
            cases = [c for p in selected_profiles(config) for c in generate_cases(p, config.option.model or "MODEL")]
        else:
            cases = context(config).cases
        metafunc.parametrize("rc_case", [pytest.param(c, marks=markers.marks(c), id=c.id) for c in cases])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--without and --expect as pytest markers: a case the feature registry skips is marked skip, one an
    expectation says fails is marked xfail(strict), so pytest's own report shows them as such."""
    plan = config.stash.get(PLAN, None)  # None when only listing (--collect-only needs no target)
    disabled = plan.disabled if plan is not None else parse_disabled(config.option.without)
    inputs = load_inputs(None, config.option.rc_expect)  # a file not there yet: said, and no case is marked
    expectations, terminal = inputs.expectations, config.pluginmanager.get_plugin("terminalreporter")
    for note in inputs.notes if terminal is not None else ():
        terminal.write_line(f"routecheck: note: {note}")
    for item in items:
        case = _case_of(item)
        if case is None:
            continue
        reason = skip_reason(case, disabled)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
        expected = match(expectations, case.id)
        if expected is not None and expected.verdict in ("failed", "error"):
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"expected {expected.verdict}: {expected.reason}"))


def _record_marker_skip(item: pytest.Item, case: Case) -> None:
    """A case with a marker runs pytest's own protocol, and a skip from a marker never reaches the call: it is
    recorded as skipped now (its setup report gives the reason), and its call, if it runs, records its verdict.
    Done as it runs, not at collection, so a marker a conftest added after ours is seen too."""
    if any(name == PROPERTY for name, _ in item.user_properties):
        return
    config = item.config
    plan = config.stash.get(PLAN, None)
    disabled = plan.disabled if plan is not None else parse_disabled(config.option.without)
    url = plan.target.url(case.profile) if plan is not None else (target_url(config) or "").replace("{profile}", case.profile)
    reason = skip_reason(case, disabled) or "skipped by a marker"
    item.user_properties.append((PROPERTY, case_dict(Result(case, url, SKIPPED, reason))))


def _case_of(item: pytest.Item) -> Case | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("rc_case") if callspec is not None else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """Conformance cases run the lean protocol (conformance/protocol.py); one with a marker, or every one under
    Allure, runs pytest's own."""
    case = _case_of(item)
    if case is None:
        return None
    if marked(item):
        _record_marker_skip(item, case)
        return None
    if item.config.getoption("allure_report_dir", None):
        return None
    lean_protocol(item, lambda: run_case(case, item))
    return True


def run_case(case: Case, item: pytest.Item) -> None:
    """The body of the one conformance test: judge the case, record it, report the verdict."""
    ctx = context(item.config)
    result = ctx.result(case, item.session.items)
    # plain data travels to an xdist controller as is
    item.user_properties[:] = [(n, v) for n, v in item.user_properties if n != PROPERTY]  # a marker's placeholder
    item.user_properties.append((PROPERTY, case_dict(result)))
    item.user_properties.append((META_PROPERTY, {"model": ctx.target.model}))
    if result.outcome == ERROR:
        raise HarnessError(_redacted(result.message, ctx.target.secrets))
    check_result(result, allure_on=bool(item.config.getoption("allure_report_dir", None)),
                 warn=item.config.pluginmanager.has_plugin("warnings"), key=ctx.target.secrets)


def label(result: Result, key: str | tuple[str, ...] = "") -> None:
    """Allure labels, the reporter's own (conformance/reporters/allure.py); no-ops unless pytest runs with --alluredir."""
    try:
        import allure
    except ImportError:
        return
    from .reporters.allure import description, labels
    from .spec import DEFAULT_SPECS_DIR

    case, record = result.case, case_dict(result)
    for name, value in labels(record):
        allure.dynamic.label(name, value)
    allure.dynamic.title(_redacted(case.id, key))
    src = case.rule.source
    allure.dynamic.description(_redacted(description(record, src.cite()), key))
    allure.dynamic.parameter("rc_case", case.id)  # the ID, not the whole Case repr
    document = DEFAULT_SPECS_DIR / "sources" / src.document  # a link Allure can open, or just the name
    allure.dynamic.link(document.as_uri() if document.exists() else src.document, name=f"source: {src.document}")
    for name, part in (("request", record["request"]), ("response", record.get("response"))):
        if part is not None:
            allure.attach(_redacted(json.dumps(part, indent=1, ensure_ascii=False), key), name, allure.attachment_type.JSON)


def check_result(result: Result, allure_on: bool = False, warn: bool = True, key: str | tuple[str, ...] = "") -> None:
    if allure_on:
        label(result, key)
    message = _redacted(result.message, key)  # pytest prints it: the console is an output too
    if result.outcome == FAILED:
        pytest.fail(message, pytrace=False)
    if result.outcome == WARNED and warn:  # placed at the rule's document, line 0: pytest shows no line of ours
        warnings.warn_explicit(ConventionWarning(message), ConventionWarning, result.case.rule.source.document, 0)
    if result.outcome in (SKIPPED, INCONCLUSIVE, BLOCKED):
        pytest.skip(message)


def _redacted(text: str, key: str | tuple[str, ...]) -> str:
    """Redacted (conformance/redaction.py), and any lone surrogate escaped so the text can be written as UTF-8."""
    return redact(text, key if isinstance(key, tuple) else (key,)).encode("utf-8", errors="backslashreplace").decode("utf-8")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    collector = config.pluginmanager.get_plugin("routecheck-results")
    written = getattr(collector, "written", None)
    if written is not None and not config.getoption("rc_progress", False):  # routecheck run says it itself
        terminalreporter.write_line(f"routecheck: {written} (--json PATH to choose)")


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    """With --rc-progress a conformance case prints no letter: routecheck's own summary says it all."""
    if config.getoption("rc_progress", False) and report.nodeid.rpartition("::")[2].startswith("test_case["):
        return report.outcome, "", report.outcome.upper()
    return None


def pytest_unconfigure(config: pytest.Config) -> None:
    if CONTEXT in config.stash:
        config.stash[CONTEXT].close()
    if PLAN in config.stash and not any(isinstance(p, RunPlan) for p in config.pluginmanager.get_plugins()):
        config.stash[PLAN].close()  # a plan of its own: its bundled gateway stops with the session
