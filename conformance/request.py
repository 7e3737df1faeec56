"""What a case sends: an HTTP request described as data, with the key as a placeholder.

The API key never lives in a Request: auth headers hold `{key}`, filled in only
by the engine at send time, so anything rendered from a Request (results,
reports, curl commands) cannot contain the secret.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .redaction import redact as redact_all
from .urls import api_url

KEY_PLACEHOLDER = "{key}"
DEFAULT_SURFACE = "chat_completions"  # the surface of a request that names none (conformance/surfaces/)
KEY_ENV = "ROUTECHECK_API_KEY"  # the variable the key is read from unless --api-key-env names another
# near misses of the key, filled in at send time like the key itself: `{key|NAME}`. Each comes with the
# shell expression of the key variable that gives it, so a reproduce command stays ready to paste.
KEY_TRANSFORMS = {
    "swapcase": (str.swapcase, lambda var: f'$(printf %s "${var}" | tr a-zA-Z A-Za-z)'),
    "drop-last": (lambda k: k[:-1], lambda var: f"${{{var}%?}}"),
    "flip-last": (lambda k: k[:-1] + ("y" if k.endswith("x") else "x"),
                  lambda var: f'${{{var}%?}}$([ "${{{var}: -1}}" = x ] && echo y || echo x)'),
}
_PLACEHOLDER = re.compile(r"\{key(?:\|([a-z-]+))?\}")
# a -H header value taken from the environment: a secret like the key, so only its variable's name is ever in a
# Request (shown as $VAR), its value filled in by the engine at send time
_ENV_PLACEHOLDER = re.compile(r"\{env:([A-Za-z_][A-Za-z0-9_]*)\}")


def env_placeholder(var: str) -> str:
    return f"{{env:{var}}}"


def key_placeholder(transform: str | None = None) -> str:
    return f"{{key|{transform}}}" if transform else KEY_PLACEHOLDER


def key_variants(key: str) -> tuple[str, ...]:
    """The near misses a request may send: the redactor scrubs them too, so an echo of one leaks nothing."""
    return tuple(transform(key) for transform, _ in KEY_TRANSFORMS.values()) if key else ()


def _filled(value: str, key: str, env: dict[str, str] | None = None) -> str:
    value = _ENV_PLACEHOLDER.sub(lambda m: (env or {}).get(m[1], ""), value)
    return _PLACEHOLDER.sub(lambda m: KEY_TRANSFORMS[m[1]][0](key) if m[1] else key, value)


def _shown(value: str, var: str = KEY_ENV) -> str:
    """The header as a shell shows it: the key as a reference to the variable it is read from."""
    value = _ENV_PLACEHOLDER.sub(lambda m: f"${{{m[1]}}}", value)
    value = re.sub(r"\{key\}(?=\w)", f"${{{var}}}", value)  # the key glued to more text: ${VAR}x, not $VARx
    return _PLACEHOLDER.sub(lambda m: KEY_TRANSFORMS[m[1]][1](var) if m[1] else f"${var}", value)


REDACTED = "[REDACTED]"  # the same mark as conformance.redaction.REDACTED


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"

    def __reduce__(self) -> str:
        return "NO_BODY"  # unpickles as this module's one instance, so `is NO_BODY` still holds


NO_BODY: Any = _NoBody()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: Any = NO_BODY  # a JSON value, sent as application/json
    raw: str | None = None  # sent verbatim instead of `body` (malformed JSON)
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # may hold {key}
    terminator: str | None = None  # the data of the event that ends a stream, as the profile documents it
    surface: str = DEFAULT_SURFACE  # whose views read its answer (conformance/surfaces/); the path says it on the wire

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("stream") is True

    def content(self) -> bytes | None:
        if self.raw is not None:
            return self.raw.encode()
        if self.body is NO_BODY:
            return None
        return json.dumps(self.body, ensure_ascii=False).encode()

    def unchanged_near_miss(self, key: str) -> str | None:
        """Why this request cannot probe the near miss of the key it names: with this key the transform
        gives the key itself (a key without letters has no other letter case). None when it can."""
        for _, value in self.headers:
            for match in _PLACEHOLDER.finditer(value):
                if match[1] and KEY_TRANSFORMS[match[1]][0](key) == key:
                    return f"the key under '{match[1]}' is the key itself (it has no letters to change): no near miss to send"
        return None

    def send_headers(self, key: str, env: dict[str, str] | None = None) -> dict[str, str]:
        headers = {name: _filled(value, key, env) for name, value in self.headers}
        if self.content() is not None:
            headers.setdefault("Content-Type", "application/json")
        return headers

    @cached_property
    def fingerprint(self) -> str:
        """Identical requests are sent once and their exchange shared by every case."""
        return json.dumps([self.method, self.path, self.raw, repr(self.body) if self.body is NO_BODY else self.body,
                           sorted(self.headers)], sort_keys=True, ensure_ascii=False)

    def completion_budget(self) -> int:
        """Completion tokens this request asks for at most (0 when none is capped)."""
        if not isinstance(self.body, dict):
            return 0
        caps = [v for k, v in self.body.items()
                if k in ("max_tokens", "max_completion_tokens", "max_output_tokens")
                and isinstance(v, int) and not isinstance(v, bool) and v > 0]
        n = self.body.get("n")
        n = n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 1
        return min(caps) * n if caps else 0

    def shown_headers(self, key_env: str = KEY_ENV) -> dict[str, str]:
        return {name: _shown(value, key_env) for name, value in self.headers}

    def record(self, key_env: str = KEY_ENV) -> dict:
        out: dict[str, Any] = {"method": self.method, "path": self.path, "headers": self.shown_headers(key_env)}
        if self.raw is not None:
            out["raw_body"] = self.raw
        elif self.body is not NO_BODY:
            out["body"] = self.body
        return out

    def curl(self, base_url: str, key_env: str = KEY_ENV) -> str:
        """A command ready to paste: the status line and headers shown (-i), the key from `key_env`."""
        parts = ["curl", "-sS", "-i", "-X", self.method, shlex.quote(api_url(base_url, self.path))]
        for name, value in self.headers:
            # double quotes so the shell expands the key variable
            parts.append(f'-H "{name}: {_shown(value, key_env)}"' if _PLACEHOLDER.search(value) or _ENV_PLACEHOLDER.search(value)
                         else f"-H {shlex.quote(f'{name}: {value}')}")
        data = self.content()
        if data is not None:
            parts += ["-H", shlex.quote("Content-Type: application/json"), "--data-raw", shlex.quote(data.decode())]
        if self.stream:
            parts.insert(1, "-N")
        return " ".join(parts)

    def summary(self, limit: int = 600, key_env: str = KEY_ENV) -> str:
        text = f"{self.method} {self.path}"
        shown = self.shown_headers(key_env)
        if shown:
            text += " " + " ".join(f"[{k}: {v}]" for k, v in shown.items())
        else:
            text += " [no credentials]"
        if self.raw is not None:
            text += f" {self.raw!r}"
        elif self.body is not NO_BODY:
            text += " " + json.dumps(self.body, ensure_ascii=False)
        return text if len(text) <= limit else text[: limit - 3] + "..."


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """The key in any usual encoding (conformance/redaction.py): one function for every output."""
    return redact_all(text, secrets)
