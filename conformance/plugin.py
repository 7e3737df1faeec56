"""pytest plugin: options, case parametrisation, the hand-off to the sending process, results collection.

Registered through the `pytest11` entry point (and by `routecheck run`). Inert unless
conformance/test_conformance.py is collected (`pytest --pyargs conformance`, or
`pytest conformance` in a checkout). Results travel on each report's user_properties,
so they reach the controller under pytest-xdist too; they are taken off the report once
collected, so pytest's own --junitxml stays a plain one.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import time
import traceback
import warnings
from collections import Counter

import pytest

from . import markers
from .case import Case
from .collector import META_PROPERTY, PROPERTY, ResultsCollector
from .documents import titled, titles
from .cases import generate_cases
from .engine import DEFAULT_MAX_DURATION, Deadlines, Exchange, fingerprint
from .errors import RoutecheckError
from .features import FEATURES, parse_disabled, skip_reason
from .request import Request, redact
from .gating import load_inputs, match
from .results import case_dict
from .verdicts import BLOCKED, ERROR, FAILED, INCONCLUSIVE, SKIPPED, WARNED, Result, derived_for, jobs_for, judge
from .sender import Sender, SenderError
from .plan import PLAN, WORKER_INPUT, RunPlan, Settings
from .spec import load_profile, profile_names
from .target import (DEFAULT_KEY_ENV, BundledGateway, Target, discover_model, env_name, new_key, normalise_base_url,
                     read_key)

CONTEXT = pytest.StashKey["RunContext"]()


class ConventionWarning(UserWarning):
    """A SHOULD case not met: reported, never a failure of the profile."""


class HarnessError(Exception):
    """The case could not be judged (target unreachable, only 429s): not a verdict."""


def _base_url_is_owned_elsewhere(parser: pytest.Parser) -> bool:
    """pytest-base-url defines --base-url (same dest, base_url): cooperate rather than clash. Whichever
    plugin registers first, only one defines it; routecheck reads the value either way."""
    taken = any("--base-url" in opt.names() for group in [parser._anonymous, *parser._groups] for opt in group.options)
    autoload = not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    return taken or (autoload and importlib.util.find_spec("pytest_base_url") is not None)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("routecheck", "routecheck conformance")
    if not _base_url_is_owned_elsewhere(parser):
        group.addoption("--base-url", help="target base URL (with or without /v1; may contain {profile}); "
                        "default: start the bundled reference gateway on loopback")
    group.addoption("--profile", action="append", default=[],
                    help="profile to run (repeatable; default: openai with --base-url, all without)")
    group.addoption("--model", help="model id (default: first id from GET /v1/models)")
    group.addoption("--api-key-env", default=DEFAULT_KEY_ENV, help="environment variable holding the API key")
    group.addoption("--without", action="append", default=[], help=f"features the target's model lacks: {','.join(FEATURES)}")
    group.addoption("--rc-progress", action="store_true",
                    help="no letter per case; one progress line on a terminal (routecheck run prints the summary)")
    group.addoption("--cap-param", action="append", default=[], metavar="PROFILE=PARAM",
                    help="token cap of the base requests per profile (default: max_tokens, or max_completion_tokens "
                         "where the document offers both and the model refuses max_tokens; one request decides)")
    group.addoption("--require", action="append", default=[],
                    help="features the target's model has: refusing them fails instead of being inconclusive")
    # the names `routecheck run` takes too (its --junitxml is pytest's own option here)
    group.addoption("--json", dest="rc_json", help="canonical results file (default reports/results.json)")
    group.addoption("--concurrency", dest="rc_concurrency", type=int, default=4, help="requests in flight at once (default 4)")
    group.addoption("--expect", dest="rc_expect", metavar="FILE",
                    help="expectations file: its failed/error cases are marked xfail(strict) (a fixed one then fails)")
    group.addoption("--rate-limit", type=float, default=None, help="at most this many requests per second")
    group.addoption("--connect-timeout", type=float, default=Deadlines.connect)
    group.addoption("--response-timeout", type=float, default=Deadlines.response)
    group.addoption("--stream-timeout", type=float, default=Deadlines.stream_total)
    group.addoption("--idle-timeout", type=float, default=Deadlines.stream_idle)
    group.addoption("--max-duration", type=float, default=DEFAULT_MAX_DURATION,
                    help="seconds for the whole run; cases not done by then end as harness errors")


def pytest_configure(config: pytest.Config) -> None:
    def secrets() -> tuple[str, ...]:
        return (config.stash[CONTEXT].target.key,) if CONTEXT in config.stash else ()

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
        self.engine = self.plan.settings.engine(self.target.key)
        # xdist workers send their own cases one by one; a single process hands them all to a sender,
        # which `routecheck run` starts (and feeds) before pytest itself has started
        handed = [p for p in config.pluginmanager.get_plugins() if isinstance(p, Sender)]
        self.sender: Sender | None = None if hasattr(config, "workerinput") else handed[0] if handed else Sender()
        self.owns_sender = not handed
        self.frozen = False
        self.sent_here: dict[str, Exchange] = {}  # requests no sender had: an xdist worker's, or a probe the sending side did not derive
        self.roots: frozenset[str] | None = None  # the case IDs this run judges (after -k)
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
            return exchange

        if self.roots is None:
            self.roots = frozenset(i.callspec.params["rc_case"].id for i in items
                                   if hasattr(i, "callspec") and "rc_case" in i.callspec.params)
        result = judge(case, url, fetch, self.disabled, self.required, self.roots, self.key_env)
        result.message = titled(result.message, self.titles)
        if self.sender is not None and result.outcome != SKIPPED:
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


def run_plan(config: pytest.Config) -> RunPlan:
    """The plan `routecheck run` handed over, the one an xdist controller sent this worker, or, in plain
    pytest, one built from the options (the key from the variable --api-key-env names)."""
    if PLAN not in config.stash:
        handed = [p for p in config.pluginmanager.get_plugins() if isinstance(p, RunPlan)]
        portable = getattr(config, "workerinput", {}).get(WORKER_INPUT)
        config.stash[PLAN] = (handed[0] if handed else RunPlan.from_portable(portable) if portable
                              else _plan_from_options(config))
    return config.stash[PLAN]


def _plan_from_options(config: pytest.Config) -> RunPlan:
    opt = config.option
    profiles = selected_profiles(config)
    gateway = None
    if target_url(config):
        base_url, key = normalise_base_url(target_url(config)), read_key(opt.api_key_env)
    else:
        key = new_key()
        gateway = BundledGateway(key).__enter__()
        base_url = gateway.base_url()
    try:
        model = opt.model or discover_model(base_url.replace("{profile}", profiles[0].name), profiles[0], key)
        given = dict(item.split("=", 1) for item in opt.cap_param if "=" in item)
        return RunPlan.build(Target(base_url, key, model), env_name(opt.api_key_env), profiles,
                             Settings.from_options(opt), caps=given, without=opt.without, require=opt.require,
                             gateway=gateway)
    except BaseException:
        if gateway is not None:
            gateway.__exit__(None, None, None)
        raise


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: each worker gets the controller's plan, built once here (model, caps, key)."""
    try:
        node.workerinput[WORKER_INPUT] = run_plan(node.config).portable()
    except RoutecheckError as exc:
        raise pytest.UsageError(f"routecheck: {exc}") from None


def target_url(config: pytest.Config) -> str | None:
    """--base-url, ours or pytest-base-url's (which also reads its `base_url` ini and PYTEST_BASE_URL)."""
    return getattr(config.option, "base_url", None) or None


def selected_profiles(config: pytest.Config) -> list:
    default = ["openai"] if target_url(config) else profile_names()
    return [load_profile(n) for n in dict.fromkeys(config.option.profile or default)]  # a profile named twice: once


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
        if _marked(item):  # a skip from a marker never runs: its result is recorded from its setup report
            url = plan.target.url(case.profile) if plan is not None else (target_url(config) or "").replace("{profile}", case.profile)
            item.user_properties.append((PROPERTY, case_dict(Result(case, url, SKIPPED, reason or "skipped by a marker"))))


def _case_of(item: pytest.Item) -> Case | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("rc_case") if callspec is not None else None


def _marked(item: pytest.Item) -> bool:
    """Markers pytest's own protocol must handle (a conftest may add them too)."""
    return any(item.iter_markers(name) for name in ("skip", "skipif", "xfail"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """A lean protocol for conformance cases: they use no fixtures, print nothing and log nothing,
    so setup, capture and teardown are skipped and the three reports pytest expects are sent
    directly. Over ~1500 cases this halves pytest's share of a run. Allure needs the full
    protocol (it labels inside the test's own call), so it gets it."""
    case = _case_of(item)
    if case is None or item.config.getoption("allure_report_dir", None) or _marked(item):
        return None
    ihook = item.ihook
    ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    keywords = {name: 1 for name in item.keywords}
    start = time.time()
    ihook.pytest_runtest_logreport(report=pytest.TestReport(item.nodeid, item.location, keywords, "passed", None, "setup", start=start, stop=start))
    longrepr: object = None
    try:
        run_case(case, item)
        outcome = "passed"
    except pytest.fail.Exception as exc:
        outcome, longrepr = "failed", exc.msg
    except pytest.skip.Exception as exc:
        outcome, longrepr = "skipped", (str(item.path), item.location[1] + 1, f"Skipped: {exc.msg}")
    except HarnessError as exc:
        outcome, longrepr = "failed", f"HarnessError: {exc}"
    except Exception as exc:  # noqa: BLE001 - a bug of ours: reported on the case, never swallowed
        outcome, longrepr = "failed", "".join(traceback.format_exception(exc))
    stop = time.time()
    ihook.pytest_runtest_logreport(report=pytest.TestReport(item.nodeid, item.location, keywords, outcome, longrepr, "call",
                                                            duration=stop - start, start=start, stop=stop,
                                                            user_properties=item.user_properties))
    ihook.pytest_runtest_logreport(report=pytest.TestReport(item.nodeid, item.location, keywords, "passed", None, "teardown", start=stop, stop=stop))
    ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
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
        raise HarnessError(_redacted(result.message, ctx.target.key))
    check_result(result, allure_on=bool(item.config.getoption("allure_report_dir", None)),
                 warn=item.config.pluginmanager.has_plugin("warnings"), key=ctx.target.key)


def label(result: Result, key: str = "") -> None:
    """Allure labels; no-ops unless pytest runs with --alluredir."""
    try:
        import allure
    except ImportError:
        return
    from .spec import DEFAULT_SPECS_DIR

    case = result.case
    allure.dynamic.epic(case.profile)
    allure.dynamic.feature(case.category)
    allure.dynamic.story(case.parameter or case.rule.id)
    allure.dynamic.severity(allure.severity_level.CRITICAL if case.is_must else allure.severity_level.MINOR)
    allure.dynamic.title(_redacted(case.id, key))
    src = case.rule.source
    allure.dynamic.description(_redacted(f"[{case.level}] {case.title}\n\n{src.cite()}", key))
    allure.dynamic.label("routecheck_rule", case.rule.id)
    allure.dynamic.tag(case.level)
    allure.dynamic.parameter("rc_case", case.id)  # the ID, not the whole Case repr
    document = DEFAULT_SPECS_DIR / "sources" / src.document  # a link Allure can open, or just the name
    allure.dynamic.link(document.as_uri() if document.exists() else src.document, name=f"source: {src.document}")
    allure.attach(_redacted(json.dumps(result.judged_request.record(result.key_env), indent=1, ensure_ascii=False), key), "request",
                  allure.attachment_type.JSON)
    if result.exchange is not None:
        allure.attach(_redacted(json.dumps(result.exchange.record(), indent=1, ensure_ascii=False), key), "response",
                      allure.attachment_type.JSON)


def check_result(result: Result, allure_on: bool = False, warn: bool = True, key: str = "") -> None:
    if allure_on:
        label(result, key)
    message = _redacted(result.message, key)  # pytest prints it: the console is an output too
    if result.outcome == FAILED:
        pytest.fail(message, pytrace=False)
    if result.outcome == WARNED and warn:  # placed at the rule's document, line 0: pytest shows no line of ours
        warnings.warn_explicit(ConventionWarning(message), ConventionWarning, result.case.rule.source.document, 0)
    if result.outcome in (SKIPPED, INCONCLUSIVE, BLOCKED):
        pytest.skip(message)


def _redacted(text: str, key: str) -> str:
    """Redacted (conformance/redaction.py), and any lone surrogate escaped so the text can be written as UTF-8."""
    return redact(text, (key,)).encode("utf-8", errors="backslashreplace").decode("utf-8")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    collector = config.pluginmanager.get_plugin("routecheck-results")
    written = getattr(collector, "written", None)
    if written is not None and not config.getoption("rc_progress", False):  # routecheck run says it itself
        terminalreporter.write_line(f"routecheck: results in {written} (--json PATH to choose)")


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
