"""The target of a run: its base URL per profile, the key, the model; and the bundled gateway.

`--base-url` may contain `{profile}`, so one run can address a different URL per
profile; the bundled reference gateway serves every profile that way on one port.
"""

from __future__ import annotations

import os
import re
import secrets
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from .engine import CUTS, Deadlines, Engine, Exchange, RetryPolicy, fingerprint
from .errors import TargetError, UsageError
from .request import KEY_PLACEHOLDER, Request, env_placeholder, redact
from .spec import Profile
from .urls import api_url, normalise_base_url, url_for  # noqa: F401 - the CLI and plugin import them from here

READY_DEADLINE = 30.0
DEFAULT_KEY_ENV = "ROUTECHECK_API_KEY"


def env_name(name: str, option: str = "--api-key-env") -> str:
    """A variable name a shell can expand: reproduce commands read the key (or a -H value) from it."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
        raise UsageError(f"{option} {name!r} is not an environment variable name (letters, digits, _)")
    return name


MIN_KEY_LENGTH = 8  # a shorter key cannot be kept out of reports without mangling everything else


def read_key(env_var: str) -> str:
    key = os.environ.get(env_var, "")
    if not key:
        raise UsageError(f"no API key: set the environment variable {env_var} (or name another with --api-key-env)")
    return check_key(key, env_var)


def check_key(key: str, env_var: str) -> str:
    """A key that can go in a header as it is; the message says what is wrong without showing any of it."""
    if key != key.strip():
        where = "ends" if key[-1:].isspace() else "starts"
        what = "a line break" if (key[-1:] if where == "ends" else key[:1]) in "\r\n" else "a space"
        raise UsageError(f"the API key in {env_var} {where} with {what} (a paste mistake?): remove it and run again")
    if any(not c.isprintable() for c in key):
        raise UsageError(f"the API key in {env_var} contains a line break or another control character: "
                         "an HTTP header cannot carry it")
    if not key.isascii():
        at = next(i for i, c in enumerate(key) if not c.isascii())
        raise UsageError(f"the API key in {env_var} has a non-ASCII character (at position {at + 1}): "
                         "an HTTP header carries ASCII only (a curly quote or dash pasted from a document?)")
    if len(key) < MIN_KEY_LENGTH:
        # it is scrubbed from every answer and output: "x" would turn "index" into "inde[REDACTED]" and fail cases
        raise UsageError(f"the API key in {env_var} has {len(key)} characters: too short to be redacted from the "
                         f"reports without mangling them (at least {MIN_KEY_LENGTH})")
    return key


@dataclass(frozen=True)
class Target:
    base_url: str  # may contain {profile}
    key: str = field(repr=False)  # a repr may end up in a traceback or pytest's --trace-config: never the key
    model: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # -H NAME:VALUE on every request; a secret one as {env:VAR}
    env: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (VAR, value) of those: secrets like the key

    def url(self, profile: str) -> str:
        return url_for(self.base_url, profile)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What no output may show: the key and every header value taken from the environment."""
        return (self.key, *(value for _, value in self.env))


HEADER_HELP = ("an extra header on every request (repeatable): NAME:VALUE, or NAME:env:VAR to read the value from "
               "the environment variable VAR; such a value is a secret like the key: shown as $VAR, redacted everywhere")
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP field name (RFC 9110 token)
RESERVED_HEADERS = ("content-type", "content-length", "host", "transfer-encoding", "accept-encoding")


def parse_headers(items: list[str], profiles: list[Profile], env_var: str) -> tuple[tuple, tuple]:
    """-H NAME:VALUE items: the headers every request carries, and the (VAR, value) pairs of those written
    NAME:env:VAR, whose value is read from the environment and kept out of every output like the key."""
    auth = {s.header.lower() for p in profiles for s in p.auth}
    headers, env = [], {}
    for item in items:
        name, sep, value = item.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not HEADER_NAME.fullmatch(name):
            raise UsageError(f"-H {item!r}: expected NAME:VALUE or NAME:env:VAR (a header name, a colon, its value)")
        if name.lower() in auth:
            raise UsageError(f"-H {name}: the profile sends the key in {name} itself; set the key in {env_var} "
                             "(or name another variable with --api-key-env)")
        if name.lower() in RESERVED_HEADERS:
            raise UsageError(f"-H {name}: routecheck sets {name} itself")
        if value.startswith("env:"):
            var = env_name(value[4:], option=f"-H {name}:env:")
            secret = os.environ.get(var, "")
            if not secret:
                raise UsageError(f"-H {name}: the environment variable {var} is not set")
            env[var] = _header_value(secret, f"the value of {var} (for -H {name})")
            value = env_placeholder(var)
        else:
            value = _header_value(value, f"-H {name}'s value")
        headers.append((name, value))
    return tuple(headers), tuple(env.items())


def secrets_in_env(key_env: str | None, header_items: list[str]) -> tuple[str, ...]:
    """The key and each -H NAME:env:VAR value as the environment holds them: for an error line said before (or
    without) a plan, which must not show them either."""
    names = [key_env or DEFAULT_KEY_ENV]
    names += [value.strip()[4:] for _, _, value in (item.partition(":") for item in header_items)
              if value.strip().startswith("env:")]
    return tuple(os.environ.get(name, "") for name in names if name)


def _header_value(value: str, what: str) -> str:
    """A value an HTTP header can carry as it is; the message names what is wrong, never the value."""
    if any(not c.isprintable() for c in value):
        raise UsageError(f"{what} contains a line break or another control character: an HTTP header cannot carry it")
    if not value.isascii():
        raise UsageError(f"{what} has a non-ASCII character: an HTTP header carries ASCII only")
    return value


PREFLIGHT_BODY = 1 << 20  # bytes of a model listing or a probe answer read at most


def discover_model(target: Target, profile: Profile, timeout: float = 10.0) -> str:
    """First model id from GET /v1/models. Unreachable or hung: TargetError (exit 3); no listing: UsageError.
    Sent like any case (conformance/engine.py): one deadline for the whole answer, a capped body, redaction."""
    base_url, key = target.url(profile.name), target.key
    url = api_url(base_url, profile.models_path)
    ex = _models_exchange(target, profile, timeout)
    if ex.status in (401, 403):
        raise UsageError(f"the target rejected the API key ({ex.status} on GET {profile.models_path})")
    if ex.truncated:
        raise UsageError(_redacted(f"the answer to GET {url} is larger than {PREFLIGHT_BODY >> 20} MiB; pass --model", key))
    listed = _model_ids(ex)
    if not listed:
        raise UsageError(_redacted(f"could not read a model id from GET {url} ({ex.status}); pass --model", key))
    return listed[0]


def check_model(target: Target, profile: Profile, timeout: float = 10.0) -> str | None:
    """--model checked before any case: listed by GET /v1/models, fine; not listed, or no listing, one chat request
    with it tells. Refused as unknown (a 4xx that names the model: 404 model_not_found, or any such 4xx when the
    listing omits it): UsageError, since every case would fail because of the model, not the gateway. Accepted
    though not listed (a catalogue that omits the served model): a warning."""
    base_url, key, model = target.url(profile.name), target.key, target.model
    try:
        listed = _model_ids(_models_exchange(target, profile, timeout))
    except TargetError:
        listed = []
    if model in listed:
        return None
    from .cases.builder import Builder  # the base request every case starts from

    probe = Builder(profile, model, extra_headers=target.headers).post()
    ex = _preflight(base_url, probe, key, timeout, dict(target.env))
    if _refuses_model(ex, bool(listed)):
        said = _first_line(_error_message(ex))
        shown = f"; GET {profile.models_path} lists {_listing(listed)}" if listed else ""
        raise UsageError(_redacted(f"--model {model!r} is not known to the target: POST {profile.request_path} "
                                   f"answered {ex.status} ({said}){shown}", key))
    if not listed:
        return None
    return _redacted(f"--model {model!r} is not among the models GET {profile.models_path} lists ({_listing(listed)}), "
                     f"though POST {profile.request_path} answered {ex.status}: cases may fail because of the model, "
                     "not the gateway", key)


def _refuses_model(ex: Exchange, unlisted: bool) -> bool:
    if ex.status is None or not 400 <= ex.status < 500 or ex.status in (401, 403, 408, 429):
        return False
    text = ex.text().lower()
    return "model_not_found" in text or ("model" in text and (ex.status == 404 or unlisted))


def _error_message(ex: Exchange) -> str:
    try:
        error = ex.json().get("error")
    except (ValueError, AttributeError, RecursionError):
        error = None  # not the OpenAI error shape: its text is shown instead
    message = error.get("message") if isinstance(error, dict) else error
    return message if isinstance(message, str) and message else (ex.text()[:200] or "no body")


def _listing(listed: list[str]) -> str:
    return ", ".join(listed[:5]) + (f" (+{len(listed) - 5} more)" if len(listed) > 5 else "")


def _models_exchange(target: Target, profile: Profile, timeout: float) -> Exchange:
    scheme = profile.auth[0]
    required = tuple((name, str(rule.value)) for name, rule in profile.headers.items())  # anthropic-version
    request = Request("GET", profile.models_path,
                      headers=((scheme.header, scheme.value(KEY_PLACEHOLDER)), *required, *target.headers))
    return _preflight(target.url(profile.name), request, target.key, timeout, dict(target.env))


def _model_ids(ex: Exchange) -> list[str]:
    if ex.status is None or not 200 <= ex.status < 300 or ex.truncated:
        return []
    try:
        data = ex.json()
        listing = data.get("data") if isinstance(data, dict) else data
        return [m["id"] for m in listing if isinstance(m, dict) and _usable_model(m.get("id"))]
    except (ValueError, TypeError, AttributeError, RecursionError):
        return []


def _usable_model(model: object) -> bool:
    """An id we can send and write: a short printable string that is valid Unicode (no lone surrogate)."""
    if not isinstance(model, str) or not 0 < len(model) <= 256 or not model.isprintable():
        return False
    try:
        model.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_reachable(base_url: str, timeout: float = 5.0) -> None:
    """Fails fast (seconds, not N timeouts) when nothing answers at base_url."""
    _preflight(base_url, Request("GET", "/"), "", timeout)


def _preflight(base_url: str, request: Request, key: str, timeout: float, env: dict | None = None) -> Exchange:
    """One request before the cases, with the engine's deadlines: headers trickled a byte at a time, keep-alive
    pings or endless `100 Continue` answers end at `timeout`. A target that does not answer: TargetError."""
    deadlines = Deadlines(connect=timeout, response=timeout, stream_total=timeout, stream_idle=timeout,
                          max_body=PREFLIGHT_BODY)
    engine = Engine(key, deadlines=deadlines, concurrency=1, retry=RetryPolicy(attempts=1), max_duration=None, env=env)
    ex = engine.run([(base_url, request)])[fingerprint(base_url, request)]
    if ex.error and ("Timeout" in ex.error.split(" ")[0] or ex.error.startswith("no answer within")):
        raise TargetError(f"target {base_url} did not answer within {timeout:g}s")
    if ex.error or ex.dropped:
        raise TargetError(_redacted(f"target {base_url} is unreachable: {_first_line(ex.error or ex.dropped or '')}", key))
    if ex.ended in CUTS and request.path != "/":
        raise TargetError(f"target {base_url} did not finish its answer to GET {request.path} within {timeout:g}s")
    return ex


def _redacted(text: str, key: str) -> str:
    return redact(text, (key,)) if key else text


def _first_line(text: str) -> str:
    return text.splitlines()[0][:200] if text else "no detail"


class BundledGateway:
    """The reference gateway in a child process on a free loopback port (all profiles, all faults)."""

    def __init__(self, key: str, *, latency: float = 0.0, specs: list[str] = ()):
        self.key = key
        self.latency = latency
        self.specs = list(specs)  # users' spec files, served next to the shipped profiles
        self.root = ""
        self._process: subprocess.Popen | None = None
        self._stderr = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty child never blocks

    def base_url(self, fault: str | None = None) -> str:
        return f"{self.root}/p/{{profile}}/f/{fault or 'none'}/v1"

    def __enter__(self) -> "BundledGateway":
        env = dict(os.environ, ROUTECHECK_GATEWAY_KEY=self.key)
        command = [sys.executable, "-m", "conformance.gateway", "--multi", "--port", "0",
                   "--api-key-env", "ROUTECHECK_GATEWAY_KEY", "--latency", str(self.latency),
                   *[arg for path in self.specs for arg in ("--spec", path)]]
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
