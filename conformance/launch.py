"""The pytest command line `routecheck run` starts: the conformance test, the plugin, and only what a run needs.

Everything the CLI decided before pytest starts (target, key, model, cap parameter per profile, settings,
cases) travels in the run plan (conformance/plan.py), handed to pytest as a plugin object: the
command line holds only how pytest itself runs, and the options conformance/options.py marks `forward`
(where the results go, -k, -n, -v).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .options import run_options

PACKAGE_DIR = Path(__file__).resolve().parent
UNUSED_PLUGINS = ("warnings", "faulthandler", "doctest", "pastebin", "stepwise", "legacypath", "tmpdir",
                  "monkeypatch", "recwarn", "setuponly", "setupplan")


def launch_args(args: argparse.Namespace) -> list[str]:
    pytest_args = [str(PACKAGE_DIR / "test_conformance.py"), "-p", "conformance.plugin", "-p", "no:cacheprovider", "-p", "no:anyio", "-p", "no:hypothesispytest", "-p", "no:benchmark",
                   "--assert=plain",  # verdicts use pytest.fail, not assert: skip rewriting plugin packages
                   # cases print nothing and log nothing: per-test capture and log handlers are pure overhead
                   "--capture=no", "-p", "no:logging",
                   # its gc.collect() passes over ~1500 items' objects cost more than the checks themselves
                   "-p", "no:unraisableexception", "-p", "no:threadexception",
                   # per-test hooks nobody reads here; SHOULD findings are listed by routecheck itself below
                   *[arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")], "-W", "ignore::pytest.PytestAssertRewriteWarning",
                   *[arg for option in run_options() if option.forward for arg in option.forwarded(args)],
                   "--rootdir", str(PACKAGE_DIR.parent), "-o", "addopts=", "--no-header", "--tb=no" if not args.verbose else "--tb=short",
                   # one summary, routecheck's: pytest prints no letter per case and no summary of its own
                   *(["-rf"] if args.verbose else ["-qq", "--no-summary", "-o", "console_output_style=classic",
                                                         "--rc-progress"])]
    # Allure results are rendered from the results file afterwards (conformance/reporters/allure.py)
    if args.workers:
        pytest_args += ["-p", "xdist.plugin"]
    return pytest_args
