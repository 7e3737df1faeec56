"""Portkey gateway in front of routecheck's recording upstream (--upstream): what Portkey forwards, and how it relays
the upstream's faults, judged.

    python targets/portkey_upstream.py [--skip-install] [-- ROUTECHECK RUN OPTIONS]

Chain: routecheck -> header proxy (adds x-portkey-provider / x-portkey-custom-host) -> Portkey -> the recording
upstream on http://127.0.0.1:PORT/v1 (a free port), which `routecheck run --upstream 127.0.0.1:PORT` serves for
the run's length. Portkey checks no key and forwards the client's Authorization header, so the upstream gets the
client's key (--upstream-key-env's default). Options default to `--profile openai -k forwarding`. Findings:
docs/compatibility.md, "Forwarding through Portkey".
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets.common import (DEFAULT_KEY_ENV, LOOPBACK, REPO, Child, TargetStartError, free_port,  # noqa: E402
                            loopback_env, new_key, state_dir, wait_until)
from targets.loopback import assert_loopback_only  # noqa: E402
from targets.portkey_reference import NPM_DIR, PACKAGE_DIR, START_SECONDS, _portkey_ready, _proxy_url, install  # noqa: E402
from targets.reference import UPSTREAM_MODEL  # noqa: E402

NAME = "portkey_upstream"
DEFAULT_RUN = ("--profile", "openai", "-k", "forwarding")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python targets/portkey_upstream.py", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-install", action="store_true", help="use the installed Portkey as it is")
    parser.add_argument("run", nargs=argparse.REMAINDER, help="routecheck run options (after --)")
    args = parser.parse_args(argv)
    options = [a for a in args.run if a != "--"] or list(DEFAULT_RUN)
    node_modules = install(args.skip_install)
    if shutil.which("node") is None:
        raise TargetStartError("node is not installed (apt-get install nodejs)")
    upstream_port, port, key = free_port(), free_port(), new_key()
    logs = state_dir(NAME) / "logs"
    with ExitStack() as stack:
        portkey = Child("Portkey gateway", ["node", "--import", str(PACKAGE_DIR / "loopback-only.mjs"),
                                            str(node_modules / "@portkey-ai/gateway/build/start-server.js"),
                                            f"--port={port}", "--headless"],
                        log_path=logs / "portkey.log", env=loopback_env(), cwd=NPM_DIR)
        stack.callback(portkey.stop)
        portkey.start()
        portkey_root = f"http://{LOOPBACK}:{port}"
        wait_until(lambda: _portkey_ready(portkey_root), what=portkey.label, deadline_s=START_SECONDS, children=[portkey])
        assert_loopback_only(portkey.pid, portkey.label)
        proxy = Child("header proxy", [sys.executable, "-m", "targets.header_proxy", "--upstream", portkey_root,
                                       "--header", "x-portkey-provider=openai", "--header",
                                       f"x-portkey-custom-host=http://{LOOPBACK}:{upstream_port}/v1"],
                      log_path=logs / "header-proxy.log", cwd=REPO)
        stack.callback(proxy.stop)
        proxy.start()
        proxy_root = wait_until(lambda: _proxy_url(proxy), what=proxy.label, deadline_s=START_SECONDS,
                                children=[proxy, portkey])
        # the model is named: the upstream that lists it is served by the run itself
        command = [sys.executable, "-m", "conformance.cli", "run", "--base-url", f"{proxy_root}/v1", "--model",
                   UPSTREAM_MODEL, "--upstream", f"{LOOPBACK}:{upstream_port}", *options]
        return subprocess.run(command, env={**os.environ, DEFAULT_KEY_ENV: key}, cwd=REPO, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
