"""Mutation score of routecheck's own checks: do its tests fail when a check is wrong?

    python bench/mutation.py [--max-children N] [--keep DIR]

Runs mutmut (pip install mutmut) on conformance/checks/, the behaviour modules named in MUTATED (their checks,
cases and faults), conformance/sse.py and conformance/gating.py,
with only the fast unit tests that judge them (the recorded-exchange table, the behaviour, SSE and gating tests),
in a scratch copy of the checkout (mutmut writes a mutants/ tree beside the code). Prints the share of
mutants killed per module and overall, and lists the survivors. Target: at least 90% killed.
Not part of CI: a run takes minutes. Nothing is sent anywhere; the tests run without any server.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MUTATED = ["conformance/checks/*", "conformance/behaviours/tool_calls.py", "conformance/behaviours/json_mode.py",
           "conformance/behaviours/finish_reason_length.py", "conformance/behaviours/explicit_values.py",
           "conformance/behaviours/stop_excluded.py", "conformance/behaviours/include_usage.py",
           "conformance/sse.py", "conformance/gating.py"]
TESTS = ["tests/test_checks_table.py", "tests/test_sse.py", "tests/test_gating.py", "tests/test_behaviours.py",
         "tests/test_stop_probe.py", "tests/test_reporters.py", "tests/test_gating_outputs.py",
         "tests/test_check_helpers.py"]
# the tests that start routecheck in a subprocess are left out: slow, and they import the unmutated package
LEFT_OUT = "not faulty_run and not run_with_a_baseline and not bad_gating_input"
TARGET = 0.90
CONFIG = f"""
[tool.mutmut]
source_paths = ["conformance"]
only_mutate = {json.dumps(MUTATED)}
also_copy = ["specs", "conftest.py"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x", "-k", "{LEFT_OUT}"]
pytest_add_cli_args_test_selection = {json.dumps(TESTS)}
"""


def scratch_copy(where: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        target = where / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    pyproject = where / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + CONFIG)
    return where


def scores(where: Path) -> tuple[dict[str, Counter], list[str]]:
    from mutmut.stats import status_by_exit_code

    by_module: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for meta in sorted((where / "mutants").rglob("*.py.meta")):
        module = str(meta.relative_to(where / "mutants")).removesuffix(".meta")
        for mutant, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            status = status_by_exit_code[code]
            by_module[module][status] += 1
            if status in ("survived", "no tests"):
                survivors.append(mutant)
    return by_module, survivors


def _killed(counts: Counter) -> int:
    return counts["killed"] + counts["timeout"] + counts["caught by type check"]


def _judged(counts: Counter) -> int:
    """Every mutant but the skipped: one no selected test reaches counts as surviving (nothing would notice it)."""
    return _killed(counts) + counts["survived"] + counts["no tests"] + counts["suspicious"]


def _score_text(counts: Counter) -> str:
    killed, judged = _killed(counts), _judged(counts)
    unreached = f" ({counts['no tests']} of them reached by no test)" if counts["no tests"] else ""
    return f"{killed:>4} / {judged:<4} killed ({killed / max(judged, 1):.1%}){unreached}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", help="run in this directory and keep it (to inspect survivors: mutmut show NAME)")
    args = parser.parse_args()
    where = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rc-mutation-"))
    scratch_copy(where)
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)], cwd=where,
                         capture_output=True, text=True)
    if not (where / "mutants").exists():
        print(run.stdout[-3000:] + run.stderr[-3000:])
        return 1
    by_module, survivors = scores(where)
    total = Counter()
    print(f"mutation score ({time.monotonic() - started:.0f} s; tests: {', '.join(TESTS)})")
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        print(f"  {module:<32} {_score_text(counts)}")
    score = _killed(total) / max(_judged(total), 1)
    print(f"  {'overall':<32} {_score_text(total)}; target {TARGET:.0%}: " + ("met" if score >= TARGET else "NOT met"))
    if survivors:
        print(f"survivors ({len(survivors)}; `mutmut show NAME` in {where} shows each):")
        for name in survivors:
            print(f"  {name}")
    if not args.keep:
        shutil.rmtree(where, ignore_errors=True)
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
