"""Peak memory of a whole `routecheck run` (both processes) against each hostile behaviour.

    python bench/memory.py                    # every behaviour, cases matching -k "auth or streaming"
    python bench/memory.py -k "" gzip-gzip    # the whole profile, one behaviour

Starts tests/hostile.py's raw loopback server (gzip bombs expanding to 1 GiB), runs routecheck
against each behaviour and samples the resident memory of the routecheck process and of its
sending process every 20 ms from /proc. Prints, per behaviour: the peak of their sum, each
one's own high-water mark (VmHWM: exact, so their sum bounds the peak from above), the exit
code and the seconds taken. The target of issue 12: at most 300 MB for any single hostile answer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile import RawHostile  # noqa: E402 - tests/ is put on the path just above

BEHAVIOURS = ("echo", "key-model", "gzip-gzip", "gzip-bomb", "tiny-events", "byte-trickle", "pings", "storm",
              "deep", "surrogate", "null", "discover-huge", "discover-gzip-gzip", "discover-deep", "discover-pings")
TARGET_MB = 300
SAMPLE_SECONDS = 0.02


def tree(root: int) -> list[int]:
    """The process and its descendants (the sending process, pytest-xdist workers)."""
    pids, seen = [root], []
    while pids:
        pid = pids.pop()
        seen.append(pid)
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        pids += [int(c) for c in children]
    return seen


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass  # the process ended between listing and reading
    return 0


def measure(url: str, mode: str, keyword: str, extra: list[str]) -> tuple[int, int, int, float]:
    """(peak of the summed RSS, sum of the high-water marks, exit code, seconds), memory in MB."""
    with tempfile.TemporaryDirectory() as where:
        command = [sys.executable, "-m", "conformance.cli", "run", "--base-url", f"{url}/{mode}/v1", "--profile",
                   "routify-mvp", "--json", "results.json", "--no-html", *extra] + (["-k", keyword] if keyword else [])
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=where, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "ROUTECHECK_API_KEY": "sk-rc-bench-0123456789abcdef"})
        peak, marks = 0, {}
        while process.poll() is None:
            pids = tree(process.pid)
            peak = max(peak, sum(status_kb(pid, "VmRSS") for pid in pids))
            for pid in pids:
                marks[pid] = max(marks.get(pid, 0), status_kb(pid, "VmHWM"))
            time.sleep(SAMPLE_SECONDS)  # a sampling interval, not synchronisation
        return peak // 1024, sum(marks.values()) // 1024, process.returncode, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("behaviours", nargs="*", default=list(BEHAVIOURS))
    parser.add_argument("-k", dest="keyword", default="auth or streaming", help="cases to run ('' for all)")
    parser.add_argument("--stream-timeout", default="20", help="seconds (routecheck's default is 60)")
    args = parser.parse_args()
    extra = ["--stream-timeout", args.stream_timeout, "--response-timeout", args.stream_timeout,
             "--max-duration", "300"]
    print(f"{'behaviour':<22} {'peak MB':>8} {'HWM sum':>8} {'exit':>5} {'seconds':>8}")
    worst = 0
    with RawHostile(bomb_mib=1024) as server:
        for mode in args.behaviours:
            peak, marks, code, seconds = measure(server.url, mode, args.keyword, extra)
            worst = max(worst, marks)
            print(f"{mode:<22} {peak:>8} {marks:>8} {code:>5} {seconds:>8.1f}", flush=True)
    print(f"worst: {worst} MB (sum of both processes' high-water marks); target {TARGET_MB} MB: "
          + ("met" if worst <= TARGET_MB else "NOT met"))
    return 0 if worst <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
