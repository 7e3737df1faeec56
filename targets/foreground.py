"""The command line every target script shares: start, print BASE_URL/MODEL, serve until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from .common import DEFAULT_KEY_ENV, RunningGateway, TargetStartError, new_key, state_dir

WATCH_SECONDS = 1.0  # how often the foreground loop checks that the children still run

Starter = Callable[[argparse.Namespace, str], AbstractContextManager[RunningGateway]]


def _key_for(name: str, key_env: str) -> str:
    """The key clients must send: $key_env if set, else a new one saved (0600) for the caller to read."""
    key = os.environ.get(key_env)
    if key:
        return key
    key = new_key()
    path = state_dir(name) / "api-key"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # also when the file was there before with wider permissions
    with os.fdopen(descriptor, "w") as out:
        out.write(key + "\n")
    print(f"{name}: {key_env} is not set; the key is in {path} (export {key_env}=$(cat {path}))", file=sys.stderr)
    return key


def raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM unwinds like Ctrl-C, so every child is stopped on the way out


def run_foreground(name: str, start: Starter, *, description: str,
                   add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
                   argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python targets/{name}.py", description=description)
    parser.add_argument("--skip-install", action="store_true", help="fail instead of installing what is missing")
    parser.add_argument("--api-key-env", default=DEFAULT_KEY_ENV,
                        help=f"variable holding the key clients must send (default {DEFAULT_KEY_ENV}; unset: a new key)")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a shell starts `cmd &` with SIGINT ignored
        signal.signal(signum, raise_interrupt)
    try:
        with start(args, _key_for(name, args.api_key_env)) as target:
            print(f"BASE_URL={target.base_url} MODEL={target.model}", flush=True)
            idle = threading.Event()  # never set: waiting on it is an interruptible pause
            while True:
                target.check_alive()
                idle.wait(WATCH_SECONDS)
    except KeyboardInterrupt:
        return 0
    except TargetStartError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        return 1

