"""The lean per-case protocol (conformance/protocol.py) and routecheck run's results in memory
(collector.Handover): under routecheck run's session each case sends its call report alone and the
results document comes back in memory, no file written; plain pytest gets setup, call and teardown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SESSION = """
import json, sys
from collections import Counter
import pytest
from conformance.collector import Handover

class Reports:
    def __init__(self):
        self.when = Counter()

    def pytest_runtest_logreport(self, report):
        if "test_case[" in report.nodeid:
            self.when[report.when] += 1

handover, reports = Handover(), Reports()
code = pytest.main(sys.argv[2:], plugins=[reports, *([handover] if sys.argv[1] == "handover" else [])])
print(json.dumps({"code": int(code), "when": reports.when,
                  "cases": None if handover.doc is None else [c["outcome"] for c in handover.doc["cases"]]}))
"""


def session(gateway, tmp_path: Path, mode: str) -> dict:
    args = ["--pyargs", "conformance", "-p", "no:cacheprovider", "-q", "--base-url", gateway.base_url(),
            "--profile", "routeway", "--api-key-env", "RC_TEST_KEY", "-k", "auth", "--json", "out.json"]
    done = subprocess.run([sys.executable, "-c", SESSION, mode, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "RC_TEST_KEY": gateway.key})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_routecheck_runs_session_gets_its_results_in_memory_and_call_reports_only(gateway, tmp_path):
    got = session(gateway, tmp_path, "handover")
    assert got["code"] == 0 and got["cases"] and set(got["cases"]) == {"passed"}
    assert got["when"] == {"call": len(got["cases"])}  # no setup or teardown report: nothing there reads them
    assert not (tmp_path / "out.json").exists()  # routecheck run writes it once, with its gate


def test_plain_pytest_gets_every_report_and_the_results_file(gateway, tmp_path):
    got = session(gateway, tmp_path, "plain")
    cases = json.loads((tmp_path / "out.json").read_text())["cases"]
    assert got["code"] == 0 and got["cases"] is None and cases
    assert got["when"] == {"setup": len(cases), "call": len(cases), "teardown": len(cases)}
