"""routecheck's bundled reference gateway for one profile, as the upstream of a real gateway."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .common import REPO, Child, loopback_env, wait_until
from .foreground import run_foreground
from .loopback import assert_loopback_only

UPSTREAM_MODEL = "routecheck-echo-1"  # the reference gateway's model id
DEFAULT_PROFILE = "openai"
UPSTREAM_KEY_ENV = "ROUTECHECK_UPSTREAM_KEY"
BANNER = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
START_SECONDS = 30.0


@dataclass(frozen=True)
class Upstream:
    root: str  # http://127.0.0.1:PORT, the OpenAI API under /v1
    key: str
    child: Child
    model: str = UPSTREAM_MODEL

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"


@contextmanager
def reference_gateway(profile: str, key: str, log_dir: Path) -> Iterator[Upstream]:
    """`python -m conformance.gateway --profile NAME --port 0`; yields once its banner names the port."""
    command = [sys.executable, "-m", "conformance.gateway", "--profile", profile, "--port", "0",
               "--api-key-env", UPSTREAM_KEY_ENV]
    child = Child(f"reference gateway ({profile})", command, log_path=log_dir / "reference-gateway.log",
                  env=loopback_env({UPSTREAM_KEY_ENV: key}), cwd=REPO)
    try:
        child.start()
        root = wait_until(lambda: _banner_url(child), what=child.label, deadline_s=START_SECONDS, children=[child])
        assert_loopback_only(child.pid, child.label)
        yield Upstream(root, key, child)
    finally:
        child.stop()


def _banner_url(child: Child) -> str | None:
    match = BANNER.search(child.log_text())
    return match.group(1) if match else None


def run_in_front_of_reference(name: str, running, description: str) -> int:
    """The command line of a target that forwards to the reference gateway: --profile picks its profile."""
    def start(args, key):
        return running(key, profile=args.profile, skip_install=args.skip_install)

    def arguments(parser) -> None:
        parser.add_argument("--profile", default=DEFAULT_PROFILE, help="the reference gateway's profile (default openai)")

    return run_foreground(name, start, description=description, add_arguments=arguments)
