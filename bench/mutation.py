"""Mutation score of routecheck's own checks: do its tests fail when a module that decides a verdict is wrong?

    python bench/mutation.py [--max-children N] [--keep DIR] [--modules GLOB ...]

Runs mutmut (pip install mutmut) on every module that decides a verdict (MUTATED: the checks, every behaviour
module with its cases and faults, both facet packages, the case generators, verdicts.py, features.py, the SSE
parser and gating), with only the fast unit tests that judge them (TESTS), in a scratch copy of the checkout
(mutmut writes a mutants/ tree beside the code). `--modules` mutates only the modules matching these globs
(relative to the checkout, e.g. conformance/behaviours/n_choices.py): a whole run takes long on 2 cores.
Prints the share of mutants killed per module, and a FAIL line for each module under TARGET (85%, held per
module, not as an average), and lists the survivors with the lines each changes; exits 1 if any module is under it.
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
MUTATED = ["conformance/checks/*", "conformance/surfaces/__init__.py", "conformance/surfaces/views.py",
           "conformance/surfaces/sse_rules.py",
           "conformance/surfaces/chat_completions/views.py", "conformance/surfaces/chat_completions/stream_rules.py",
           "conformance/surfaces/messages/views.py", "conformance/surfaces/messages/stream_rules.py",
           "conformance/answers.py", "conformance/behaviours/*", "conformance/param_facets/*",
           "conformance/field_facets/*", "conformance/cases/*", "conformance/verdicts.py", "conformance/features.py",
           "conformance/sse.py", "conformance/gating.py",
           "conformance/surfaces/responses/stream_rules.py", "conformance/surfaces/responses/views.py", "conformance/behaviours/previous_response.py"]
TESTS = ["tests/test_checks_table.py", "tests/test_sse.py", "tests/test_gating.py", "tests/test_behaviours.py",
         "tests/test_stop_probe.py", "tests/test_reporters.py", "tests/test_gating_outputs.py",
         "tests/test_check_helpers.py", "tests/test_cases.py", "tests/test_spec.py", "tests/test_blocking.py",
         "tests/test_behaviour_faults.py", "tests/test_generated_cases.py", "tests/test_verdict_rules.py",
         "tests/test_facet_validation.py", "tests/test_field_facet_faults.py", "tests/test_surfaces.py",
         "tests/test_facet_edges.py", "tests/test_surface_views.py",
         "tests/test_responses_views.py", "tests/test_previous_response.py", "tests/test_builder_sample.py"]
# the tests that start routecheck in a subprocess are left out: slow, and they import the unmutated package
LEFT_OUT = "not faulty_run and not run_with_a_baseline and not bad_gating_input"
TARGET = 0.85  # per module
CONFIG = """
[tool.mutmut]
source_paths = ["conformance"]
only_mutate = {mutated}
also_copy = ["specs", "conftest.py"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x", "-k", "{left_out}"]
pytest_add_cli_args_test_selection = {tests}
"""


def scratch_copy(where: Path, mutated: list[str]) -> Path:
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        target = where / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    pyproject = where / "pyproject.toml"
    tests = [t for t in TESTS if (where / t).exists()]
    pyproject.write_text(pyproject.read_text() + CONFIG.format(mutated=json.dumps(mutated), tests=json.dumps(tests),
                                                               left_out=LEFT_OUT))
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


def changed_lines(where: Path, mutant: str) -> list[str]:
    """The lines a surviving mutant changes (what `mutmut show NAME` prints, without the context)."""
    import os

    from mutmut.mutation.diff_apply import get_diff_for_mutant

    here = Path.cwd()
    os.chdir(where)  # mutmut finds its mutants/ tree from the working directory
    try:
        diff = get_diff_for_mutant(mutant)
    except Exception as exc:  # a diff is a reading aid: without it the name is still listed
        return [f"(no diff: {exc})"]
    finally:
        os.chdir(here)
    return [line.strip() for line in diff.splitlines()[2:] if line[:1] in "-+"]


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
    parser.add_argument("--modules", nargs="+", metavar="GLOB", help="mutate only these modules (default: all of MUTATED)")
    args = parser.parse_args()
    where = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rc-mutation-"))
    scratch_copy(where, args.modules or MUTATED)
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)], cwd=where,
                         capture_output=True, text=True)
    if run.returncode != 0 or not (where / "mutants").exists():  # e.g. a test failing on the unmutated code
        print(f"mutmut failed (exit {run.returncode}):\n" + run.stdout[-3000:].replace("\r", "\n") + run.stderr[-3000:])
        return 1
    by_module, survivors = scores(where)
    total = Counter()
    below = []
    print(f"mutation score ({time.monotonic() - started:.0f} s; tests: {', '.join(TESTS)})")
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        score = _killed(counts) / max(_judged(counts), 1)
        if score < TARGET:
            below.append(module)
        print(f"  {module:<44} {_score_text(counts)}" + ("" if score >= TARGET else f"  FAIL: under {TARGET:.0%}"))
    print(f"  {'overall':<44} {_score_text(total)}")
    if survivors:
        print(f"survivors ({len(survivors)}; `mutmut show NAME` in {where} shows each):")
        for name in survivors:
            print(f"  {name}")
            for line in changed_lines(where, name):
                print(f"      {line}")
    if not args.keep:
        shutil.rmtree(where, ignore_errors=True)
    if below:
        print(f"FAIL: {len(below)} module(s) under {TARGET:.0%} killed: {', '.join(below)}")
        return 1
    print(f"every module at {TARGET:.0%} or more killed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
