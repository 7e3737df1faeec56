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

import sys
from contextlib import ExitStack
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets.common import DEFAULT_KEY_ENV, LOOPBACK, free_port, new_key, state_dir  # noqa: E402
from targets.portkey_reference import portkey_chain  # noqa: E402
from targets.reference import UPSTREAM_MODEL  # noqa: E402
from targets.upstream_run import parse, run_behind  # noqa: E402

NAME = "portkey_upstream"


def main(argv: list[str] | None = None) -> int:
    args, options = parse("python targets/portkey_upstream.py", __doc__.splitlines()[0], argv)
    upstream_port, key = free_port(), new_key()
    with ExitStack() as stack:
        _, _, proxy_root = portkey_chain(stack, f"http://{LOOPBACK}:{upstream_port}/v1", state_dir(NAME) / "logs",
                                         args.skip_install)
        # the model is named: the upstream that lists it is served by the run itself
        return run_behind(f"{proxy_root}/v1", upstream_port, options, {DEFAULT_KEY_ENV: key}, "--model", UPSTREAM_MODEL)


if __name__ == "__main__":
    sys.exit(main())
