"""The target of a run: its base URL per profile, the key, the model; and the bundled gateway.

`--base-url` may contain `{profile}`, so one run can address a different URL per
profile; the bundled reference gateway serves every profile that way on one port.
"""

from __future__ import annotations

import os
import secrets
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from .engine import needs_tls
from .errors import TargetError, UsageError
from .spec import Profile

READY_DEADLINE = 30.0
DEFAULT_KEY_ENV = "ROUTECHECK_API_KEY"


def normalise_base_url(url: str) -> str:
    """Validate a base URL; accept it with or without the trailing /v1 clients usually carry."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"invalid --base-url '{url}': expected http(s)://host[:port][/path]")
    url = url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def url_for(base_url: str, profile: str) -> str:
    return base_url.replace("{profile}", profile)


def read_key(env_var: str) -> str:
    key = os.environ.get(env_var, "")
    if not key:
        raise UsageError(f"no API key: set the environment variable {env_var} (or name another with --api-key-env)")
    return key


@dataclass(frozen=True)
class Target:
    base_url: str  # may contain {profile}
    key: str
    model: str

    def url(self, profile: str) -> str:
        return url_for(self.base_url, profile)


def discover_model(base_url: str, profile: Profile, key: str, timeout: float = 10.0) -> str:
    """First model id from GET /v1/models. Unreachable or hung: TargetError (exit 3); no listing: UsageError."""
    url = base_url.rstrip("/") + profile.models_path
    scheme = profile.auth[0]
    try:
        with httpx.Client(timeout=timeout, trust_env=False, verify=needs_tls([url])) as client:
            response = client.get(url, headers={scheme.header: scheme.value(key)})
    except httpx.TimeoutException:
        raise TargetError(f"target {base_url} did not answer within {timeout:g}s") from None
    except httpx.HTTPError as exc:
        raise TargetError(f"target {base_url} is unreachable: {type(exc).__name__}: {_reason(exc)}") from None
    if response.status_code in (401, 403):
        raise UsageError(f"the target rejected the API key ({response.status_code} on GET {profile.models_path})")
    try:
        data = response.json()
        listing = data.get("data") if isinstance(data, dict) else data
        return next(m["id"] for m in listing if isinstance(m, dict) and isinstance(m.get("id"), str))
    except (ValueError, TypeError, StopIteration, AttributeError):
        raise UsageError(f"could not read a model id from GET {url} ({response.status_code}); pass --model") from None


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:160]


def check_reachable(base_url: str, timeout: float = 5.0) -> None:
    """Fails fast (seconds, not N timeouts) when nothing answers at base_url."""
    try:
        with httpx.Client(timeout=timeout, trust_env=False, verify=needs_tls([base_url])) as client:
            client.get(base_url.rstrip("/") + "/")
    except httpx.TimeoutException:
        raise TargetError(f"target {base_url} did not answer within {timeout:g}s") from None
    except httpx.HTTPError as exc:
        raise TargetError(f"target {base_url} is unreachable: {_reason(exc)}") from None


class BundledGateway:
    """The reference gateway in a child process on a free loopback port (all profiles, all faults)."""

    def __init__(self, key: str, *, latency: float = 0.0):
        self.key = key
        self.latency = latency
        self.root = ""
        self._process: subprocess.Popen | None = None
        self._stderr = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty child never blocks

    def base_url(self, fault: str | None = None) -> str:
        return f"{self.root}/p/{{profile}}/f/{fault or 'none'}"

    def __enter__(self) -> "BundledGateway":
        env = dict(os.environ, ROUTECHECK_GATEWAY_KEY=self.key)
        command = [sys.executable, "-m", "conformance.gateway", "--multi", "--port", "0",
                   "--api-key-env", "ROUTECHECK_GATEWAY_KEY", "--latency", str(self.latency)]
        self._process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self.root = self._wait_ready()
        return self

    def _wait_ready(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + READY_DEADLINE
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            line = self._process.stdout.readline()
            if not line:
                self._stderr.seek(0)
                err = self._stderr.read().strip().splitlines()
                self.__exit__(None, None, None)
                raise TargetError(f"the bundled gateway exited at start: {err[-1] if err else 'no message'}")
            if "listening on " in line:
                return line.split("listening on ", 1)[1].strip()
        self.__exit__(None, None, None)
        raise TargetError(f"the bundled gateway did not start within {READY_DEADLINE:g}s")

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout:
            process.stdout.close()
        self._stderr.close()


def new_key() -> str:
    return "rc-local-" + secrets.token_hex(12)
