"""Portkey gateway (npm @portkey-ai/gateway) forwarding to routecheck's reference gateway.

    python targets/portkey_reference.py [--profile openai] [--skip-install]

Chain: routecheck -> header proxy (adds x-portkey-provider / x-portkey-custom-host) -> Portkey
-> reference gateway. Portkey itself checks no key: it forwards the client's Authorization header
to the upstream, so the key clients send is the reference gateway's key.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets.common import (LOOPBACK, REPO, STATE_ROOT, Child, RunningGateway, TargetStartError, first_model_id,  # noqa: E402
                            free_port, loopback_env, new_key, probe, state_dir, wait_until)
from targets.install import ensure_npm  # noqa: E402
from targets.loopback import assert_loopback_only  # noqa: E402
from targets.reference import DEFAULT_PROFILE, reference_gateway, run_in_front_of_reference  # noqa: E402

NAME = "portkey_reference"
PACKAGE_DIR = Path(__file__).resolve().parent / "portkey"  # package.json (version + override), lock, preload
NPM_DIR = STATE_ROOT / "portkey"
START_SECONDS = 60.0
PROXY_BANNER = re.compile(r"header-proxy listening on (http://127\.0\.0\.1:\d+)")


def install(skip: bool = False) -> Path:
    return ensure_npm(NPM_DIR, PACKAGE_DIR, skip=skip)


def _portkey_ready(root: str) -> bool | None:
    response = probe(root + "/")  # "AI Gateway says hey!"
    return True if response is not None and response.status_code == 200 else None


def _proxy_url(child: Child) -> str | None:
    match = PROXY_BANNER.search(child.log_text())
    return match.group(1) if match else None


def portkey_chain(stack: ExitStack, upstream_base_url: str, logs: Path, skip_install: bool = False,
                  watched: tuple[Child, ...] = ()) -> tuple[Child, Child, str]:
    """Portkey, and the header proxy in front of it that sends every request to `upstream_base_url`, started on
    `stack`: (Portkey, the proxy, the proxy's root URL). `watched`: other children whose death ends the wait."""
    node_modules = install(skip_install)
    if shutil.which("node") is None:
        raise TargetStartError("node is not installed (apt-get install nodejs)")
    port = free_port()
    portkey = Child("Portkey gateway", ["node", "--import", str(PACKAGE_DIR / "loopback-only.mjs"),
                                        str(node_modules / "@portkey-ai/gateway/build/start-server.js"),
                                        f"--port={port}", "--headless"],
                    log_path=logs / "portkey.log", env=loopback_env(), cwd=NPM_DIR)
    stack.callback(portkey.stop)
    portkey.start()
    portkey_root = f"http://{LOOPBACK}:{port}"
    wait_until(lambda: _portkey_ready(portkey_root), what=portkey.label, deadline_s=START_SECONDS,
               children=[portkey, *watched])
    assert_loopback_only(portkey.pid, portkey.label)
    proxy = Child("header proxy", [sys.executable, "-m", "targets.header_proxy", "--upstream", portkey_root,
                                   "--header", "x-portkey-provider=openai",
                                   "--header", f"x-portkey-custom-host={upstream_base_url}",
                                   # Portkey drops client headers it does not know; this documented opt-in
                                   # forwards x-api-key, so Routeway's second auth header reaches the upstream
                                   "--header", "x-portkey-forward-headers=x-api-key"],
                  log_path=logs / "header-proxy.log", cwd=REPO)
    stack.callback(proxy.stop)
    proxy.start()
    proxy_root = wait_until(lambda: _proxy_url(proxy), what=proxy.label, deadline_s=START_SECONDS,
                            children=[proxy, portkey, *watched])
    assert_loopback_only(proxy.pid, proxy.label)
    return portkey, proxy, proxy_root


@contextmanager
def running(key: str | None = None, *, profile: str = DEFAULT_PROFILE, skip_install: bool = False) -> Iterator[RunningGateway]:
    key = key or new_key()
    logs = state_dir(NAME) / "logs"
    with ExitStack() as stack:
        upstream = stack.enter_context(reference_gateway(profile, key, logs))
        portkey, proxy, proxy_root = portkey_chain(stack, upstream.base_url, logs, skip_install, (upstream.child,))
        base_url = f"{proxy_root}/v1"
        model = wait_until(lambda: first_model_id(base_url, key), what="GET /v1/models through Portkey",
                           deadline_s=START_SECONDS, children=[proxy, portkey, upstream.child])
        yield RunningGateway(NAME, base_url, model, key, children=(upstream.child, portkey, proxy))



if __name__ == "__main__":
    sys.exit(run_in_front_of_reference(NAME, running, __doc__.splitlines()[0]))
