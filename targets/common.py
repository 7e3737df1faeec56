"""What every target shares: the RunningGateway (a started real gateway) handed to callers, child processes with deadlines, readiness polling.

A target is a stack of child processes (the gateway, its upstream, a header proxy...), each in its
own process group with its output in a log file under .targets/<target>/logs/. Starting polls with
a deadline; a child that exits or a deadline that passes ends in one TargetStartError line naming
the child, its last log line and the log file.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

REPO = Path(__file__).resolve().parent.parent
STATE_ROOT = REPO / ".targets"  # git-ignored: venvs, node_modules, configs, logs
LOOPBACK = "127.0.0.1"
DEFAULT_KEY_ENV = "ROUTECHECK_API_KEY"
POLL_SECONDS = 0.25
STOP_SECONDS = 10.0
PROBE_SECONDS = 3.0
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

T = TypeVar("T")


class TargetStartError(Exception):
    """A target could not be installed or started; the message is one line."""


@dataclass(frozen=True)
class RunningGateway:
    """A running target as routecheck sees it."""

    name: str
    base_url: str  # ends in /v1
    model: str
    key: str
    key_env: str = DEFAULT_KEY_ENV
    children: tuple["Child", ...] = field(default=(), repr=False, compare=False)  # upstream first

    def env(self) -> dict[str, str]:
        """The environment for a `routecheck run` against this target (the key in key_env)."""
        return loopback_env({self.key_env: self.key})

    def check_alive(self) -> None:
        """Raises TargetStartError naming the first child that has exited."""
        for child in self.children:
            child.check_alive()


def new_key(prefix: str = "sk-rc-") -> str:
    # LiteLLM expects master keys to start with "sk-"; the others take any string
    return prefix + secrets.token_hex(16)


def state_dir(name: str) -> Path:
    path = STATE_ROOT / name
    (path / "logs").mkdir(parents=True, exist_ok=True)
    return path


def loopback_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """os.environ plus `extra`, with any HTTP proxy bypassed for loopback."""
    env = dict(os.environ)
    env["NO_PROXY"] = env["no_proxy"] = f"{LOOPBACK},localhost"
    env.update(extra or {})
    return env


def free_port() -> int:
    """A port free on 127.0.0.1 right now (for servers that cannot be told to pick one themselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class Child:
    """One child process in its own process group; output to a log file; stopped with TERM, then KILL."""

    def __init__(self, label: str, command: list[str], *, log_path: Path, env: dict[str, str] | None = None,
                 cwd: Path | None = None):
        self.label = label
        self.command = command
        self.log_path = log_path
        self.env = env if env is not None else loopback_env()
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    def start(self) -> "Child":
        log_path = self.log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            env=self.env, cwd=self.cwd, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def log_text(self) -> str:
        try:
            return ANSI.sub("", self.log_path.read_text(encoding="utf-8", errors="replace"))
        except FileNotFoundError:
            return ""

    def last_line(self) -> str:
        lines = [line.strip() for line in self.log_text().splitlines() if line.strip()]
        return lines[-1][:200] if lines else "no output"

    def check_alive(self) -> None:
        code = self.exit_code()
        if code is not None:
            raise TargetStartError(f"{self.label} exited with code {code}: {self.last_line()} (log: {self.log_path})")

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)  # the group: servers that fork workers take them along
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=timeout)
                return
            except subprocess.TimeoutExpired:
                continue


def wait_until(check: Callable[[], T | None], *, what: str, deadline_s: float, children: list[Child]) -> T:
    """Poll `check` until it returns a value; fail fast when a child exits, and at the deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        for child in children:
            child.check_alive()
        result = check()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            last = children[0].last_line() if children else "no child"
            log = f"; log: {children[0].log_path}" if children else ""
            raise TargetStartError(f"{what} did not come up within {deadline_s:g}s (last output: {last}{log})")
        time.sleep(POLL_SECONDS)  # the poll interval of a deadline-bounded loop


def probe(url: str, headers: dict[str, str] | None = None) -> httpx.Response | None:
    """One short GET; None while nothing answers."""
    try:
        with httpx.Client(timeout=PROBE_SECONDS, trust_env=False) as client:
            return client.get(url, headers=headers or {})
    except httpx.HTTPError:
        return None


def first_model_id(base_url: str, key: str, headers: dict[str, str] | None = None) -> str | None:
    """The first id of GET {base_url}/models once the target serves it with the key, else None."""
    response = probe(f"{base_url}/models", {"Authorization": f"Bearer {key}", **(headers or {})})
    if response is None or response.status_code != 200:
        return None
    try:
        listing = response.json().get("data") or []
        return next(m["id"] for m in listing if isinstance(m, dict) and isinstance(m.get("id"), str))
    except (ValueError, AttributeError, StopIteration):
        return None
