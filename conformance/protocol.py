"""The lean per-case protocol the plugin runs for conformance cases, in place of pytest's own.

Conformance cases use no fixtures, print nothing and log nothing, so setup, capture and teardown are
skipped and the reports pytest expects are sent directly: over ~1500 cases the per-test work of pytest's
full protocol costs more than judging. Under `routecheck run` (which takes the results in memory,
collector.Handover) only the call report is sent: nothing there reads the setup and teardown reports
(pytest's own JUnit writer is not loaded, and the console is routecheck's), and a report is a hook call
to every plugin. A case with a marker, and every case under Allure (it labels inside the test's own
call), get pytest's full protocol.
"""

from __future__ import annotations

import time
import traceback
from typing import Callable

import pytest

from .collector import Handover


class HarnessError(Exception):
    """The case could not be judged (target unreachable, only 429s): not a verdict."""


def marked(item: pytest.Item) -> bool:
    """Markers pytest's own protocol must handle (a conftest may add them too). iter_markers is a
    generator, always truthy: its first marker is what says one is there."""
    return any(next(item.iter_markers(name), None) is not None for name in ("skip", "skipif", "xfail"))


def lean_protocol(item: pytest.Item, judge: Callable[[], None]) -> None:
    """Runs `judge` (the case's call) between the reports pytest expects of a test."""
    ihook, location, calls_only = _lean(item)
    keywords = {name: 1 for name in item.keywords}
    start = time.time()
    if not calls_only:
        ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=location)
        ihook.pytest_runtest_logreport(report=pytest.TestReport(item.nodeid, location, keywords, "passed", None,
                                                                "setup", start=start, stop=start))
    longrepr: object = None
    try:
        judge()
        outcome = "passed"
    except pytest.fail.Exception as exc:
        outcome, longrepr = "failed", exc.msg
    except pytest.skip.Exception as exc:
        outcome, longrepr = "skipped", (str(item.path), (location[1] or 0) + 1, f"Skipped: {exc.msg}")
    except HarnessError as exc:
        outcome, longrepr = "failed", f"HarnessError: {exc}"
    except Exception as exc:  # noqa: BLE001 - a bug of ours: reported on the case, never swallowed
        outcome, longrepr = "failed", "".join(traceback.format_exception(exc))
    stop = time.time()
    ihook.pytest_runtest_logreport(report=pytest.TestReport(item.nodeid, location, keywords, outcome, longrepr, "call",
                                                            duration=stop - start, start=start, stop=stop,
                                                            user_properties=item.user_properties))
    if not calls_only:
        ihook.pytest_runtest_logreport(report=pytest.TestReport(item.nodeid, location, keywords, "passed", None,
                                                                "teardown", start=stop, stop=stop))
        ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=location)


LEAN = pytest.StashKey[dict]()


def _lean(item: pytest.Item) -> tuple[object, tuple[str, int | None, str], bool]:
    """The item's hook relay and location, found once per file and function rather than once per case (each
    asks pytest to look up conftests, or the function's source file and line, again for every one of ~1500),
    and whether only call reports are sent (routecheck run)."""
    config = item.config
    if LEAN not in config.stash:
        handed = any(isinstance(p, Handover) for p in config.pluginmanager.get_plugins())
        config.stash[LEAN] = {"calls only": handed and not hasattr(config, "workerinput")}
    known = config.stash[LEAN]
    if item.path not in known:
        known[item.path] = item.ihook
    if not isinstance(item.parent, pytest.Module):  # its location names its class too
        return known[item.path], item.location, known["calls only"]
    function = getattr(item, "function", None)
    if function not in known:
        known[function] = item.location[:2]
    return known[item.path], (*known[function], item.name), known["calls only"]
