"""Progress off a terminal: a CI log gets a line every tenth of the run (at least 100 cases apart) or every
10 s, decided when a case completes. The clock is passed in, so the rule is tested without waiting."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conformance.collector import PROGRESS_SECONDS, Progress

REPO = Path(__file__).resolve().parent.parent


def test_a_line_is_due_every_tenth_of_the_run_or_after_ten_seconds_of_completions():
    progress = Progress(total=2000, now=0.0)
    assert progress.every == 200
    assert [n for n in range(1, 601) if progress.due(n, now=0.0)] == [200, 400, 600]
    assert not progress.due(601, now=PROGRESS_SECONDS - 0.1)
    assert progress.due(602, now=PROGRESS_SECONDS)  # slow cases: ten seconds since the last line
    assert not progress.due(603, now=PROGRESS_SECONDS + 1) and progress.due(802, now=PROGRESS_SECONDS + 1)
    assert Progress(total=50, now=0.0).every == 100  # a small run: no line before its summary


def test_a_run_whose_output_is_not_a_terminal_logs_progress_lines(tmp_path):
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--profile", "routify", "--json",
                           str(tmp_path / "r.json"), "--no-html"], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = re.findall(r"^routecheck: (\d+)/(\d+) cases judged, 0 failed, \d+ s$", done.stderr, re.M)
    total, counts = int(lines[0][1]), [0] + [int(n) for n, _ in lines]
    # whatever the clock adds, a line comes at most 100 cases after the one before, and none at the very end
    assert total > 200 and all(0 < b - a <= 100 for a, b in zip(counts, counts[1:])) and total - 100 <= counts[-1] < total
    assert "\r" not in done.stderr  # no in-place rewriting in a log
