"""What the targets in front of routecheck's recording upstream share (targets/litellm_upstream.py,
targets/portkey_upstream.py): their command line, and the `routecheck run --upstream` they start."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from targets.common import LOOPBACK, REPO

DEFAULT_RUN = ("--profile", "openai", "-k", "forwarding")


def parse(prog: str, description: str, argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """(--skip-install and the rest, the routecheck run options given after `--`, or DEFAULT_RUN)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--skip-install", action="store_true", help="use the installed gateway as it is")
    parser.add_argument("run", nargs=argparse.REMAINDER, help="routecheck run options (after --)")
    args = parser.parse_args(argv)
    return args, [a for a in args.run if a != "--"] or list(DEFAULT_RUN)


def run_behind(base_url: str, upstream_port: int, options: list[str], env: dict[str, str], *extra: str) -> int:
    """`routecheck run --base-url BASE_URL --upstream 127.0.0.1:PORT` with `extra` and `options`; its exit code."""
    command = [sys.executable, "-m", "conformance.cli", "run", "--base-url", base_url,
               "--upstream", f"{LOOPBACK}:{upstream_port}", *extra, *options]
    return subprocess.run(command, env={**os.environ, **env}, cwd=REPO, check=False).returncode
