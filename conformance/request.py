"""What a case sends: an HTTP request described as data, with the key as a placeholder.

The API key never lives in a Request: auth headers hold `{key}`, filled in only
by the engine at send time, so anything rendered from a Request (results,
reports, curl commands) cannot contain the secret.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .redaction import redact as redact_all

KEY_PLACEHOLDER = "{key}"
KEY_ENV_REFERENCE = "$ROUTECHECK_API_KEY"
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

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("stream") is True

    def content(self) -> bytes | None:
        if self.raw is not None:
            return self.raw.encode()
        if self.body is NO_BODY:
            return None
        return json.dumps(self.body, ensure_ascii=False).encode()

    def send_headers(self, key: str) -> dict[str, str]:
        headers = {name: value.replace(KEY_PLACEHOLDER, key) for name, value in self.headers}
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

    def shown_headers(self) -> dict[str, str]:
        return {name: value.replace(KEY_PLACEHOLDER, KEY_ENV_REFERENCE) for name, value in self.headers}

    def record(self) -> dict:
        out: dict[str, Any] = {"method": self.method, "path": self.path, "headers": self.shown_headers()}
        if self.raw is not None:
            out["raw_body"] = self.raw
        elif self.body is not NO_BODY:
            out["body"] = self.body
        return out

    def curl(self, base_url: str) -> str:
        parts = ["curl", "-sS", "-X", self.method, base_url.rstrip("/") + self.path]
        for name, value in self.headers:
            shown = value.replace(KEY_PLACEHOLDER, KEY_ENV_REFERENCE)
            # double quotes so the shell expands $ROUTECHECK_API_KEY
            parts.append(f'-H "{name}: {shown}"' if KEY_PLACEHOLDER in value else f"-H {shlex.quote(f'{name}: {value}')}")
        data = self.content()
        if data is not None:
            parts += ["-H", shlex.quote("Content-Type: application/json"), "--data-raw", shlex.quote(data.decode())]
        if self.stream:
            parts.insert(1, "-N")
        return " ".join(parts)

    def summary(self, limit: int = 600) -> str:
        text = f"{self.method} {self.path}"
        shown = self.shown_headers()
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
