"""The recording upstream: the reference gateway behind an ASGI layer that records each request before answering.

A record holds the method, path, headers (credentials described, never shown), the JSON body with its marker
stripped, the marker, and the status the upstream answered. The body the reference gateway reads is stripped of
the marker too, so its answers are those it gives without --upstream.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..redaction import redactor
from . import faults, markers

MAX_BODY = 4 * 1024 * 1024  # bytes of a body read: a larger one is recorded cut and answered 413, never buffered whole
AUTH_HEADERS = ("authorization", "x-api-key", "api-key", "proxy-authorization")
EMPTY_CREDENTIALS = ("", "undefined", "null", "none", "nil", "bearer")  # what a gateway sends when a variable is unset


@dataclass
class Received:
    """One request as it reached the upstream."""

    seq: int
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased; secrets redacted
    credentials: dict[str, str]  # auth header -> what it carried, described ("Bearer [upstream key]")
    body: Any = None  # the JSON body, marker stripped; None when not JSON (then `raw`)
    raw: str | None = None
    marker: str | None = None
    via: str | None = None  # how the marker came: content | header
    status: int | None = None  # the upstream's answer
    fault: str | None = None  # the fault served instead of an answer (faults.py), when the request asked for one

    def record(self) -> dict:
        out: dict[str, Any] = {"seq": self.seq, "method": self.method, "path": self.path, "headers": self.headers,
                               "credentials": self.credentials, "marker": self.marker, "marker_via": self.via,
                               "status": self.status}
        if self.raw is not None:
            out["raw_body"] = self.raw
        else:
            out["body"] = self.body
        if self.fault is not None:
            out["fault"] = self.fault
        return out


@dataclass
class Recorder:
    """Every request received, in order, and by marker. `secrets` label each secret a credential may carry."""

    secrets: dict[str, str]  # label -> value: {"upstream key": ..., "client key": ...}
    received: list[Received] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # markers of the requests the run's cases send, and of those read
    _by_marker: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))
    # the profile whose case sent each marked request (None: sent by cases of several profiles)
    profile_of: dict[str, str | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._redactor = redactor(tuple(self.secrets.values()))

    def add(self, scope: Scope, raw: bytes) -> Received:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        marker, via = markers.found(raw, headers)
        clean = markers.stripped(raw)
        try:
            body, text = (json.loads(clean) if clean else None), None
        except ValueError:
            body, text = None, self._redactor.text(clean.decode("utf-8", errors="replace")[:4000])
        body = self._scrubbed(body)  # a key the gateway put in the body
        shown = {self._redactor.header_name(k): self._redactor.text(v[:1000]) for k, v in headers.items()}
        credentials = {k: self.describe(v) for k, v in headers.items() if k in AUTH_HEADERS}
        with self._lock:
            record = Received(len(self.received) + 1, scope["method"], scope["path"], shown, credentials, body, text,
                              marker, via)
            self.received.append(record)
            if marker is not None:
                self._by_marker[marker].append(record)
        return record

    def _scrubbed(self, value: Any) -> Any:
        """A JSON value with every string (keys too) redacted: still JSON, so checks compare it with what was sent."""
        if isinstance(value, str):
            return self._redactor.text(value)
        if isinstance(value, list):
            return [self._scrubbed(v) for v in value]
        if isinstance(value, dict):
            return {self._redactor.text(k): self._scrubbed(v) for k, v in value.items()}
        return value

    def describe(self, value: str) -> str:
        """A credential as it can be shown: which secret it is, or a literal placeholder, never another secret."""
        for label, secret in self.secrets.items():
            if secret and secret in value:
                return value.replace(secret, f"[{label}]")
        scheme, _, token = value.partition(" ") if value.lower().startswith("bearer") else ("", "", value)
        if token.strip().lower() in EMPTY_CREDENTIALS:
            return f"{scheme} {token.strip() or '(empty)'}".strip()
        return f"{scheme} [another credential, {len(token)} characters]".strip()

    def expect(self, found: set[str], profile: str | None = None) -> None:
        """The markers of every request the plan's cases send: a case blocked before reading its exchange still
        matches what it sent. `profile`: the profile whose cases send them, as which the upstream answers them."""
        with self._lock:
            self.claimed |= found
            for marker in found:
                self.profile_of[marker] = profile if self.profile_of.get(marker, profile) == profile else None

    def claim(self, marker: str) -> list[Received]:
        """The records of one request (several when the gateway retried it); claimed, so not reported as unmatched."""
        with self._lock:
            self.claimed.add(marker)
            return list(self._by_marker.get(marker, ()))

    def unmatched(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.marker is None or r.marker not in self.claimed]


class Recording:
    """ASGI layer: records the request whole, then hands the body without its marker to the app that answers as the
    profile under test (`app_for` the case's profile name, None for a request of no one profile's)."""

    def __init__(self, app_for: Callable[[str | None], ASGIApp], recorder: Recorder):
        self.app_for = app_for
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app_for(None)(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the gateway left before sending the whole request: nothing was received
            body += message.get("body", b"")
            if len(body) > MAX_BODY:  # bounded: the reference gateway would refuse it too (its limit is lower)
                record = self.recorder.add(scope, bytes(body[:MAX_BODY]))
                record.status = 413
                await send({"type": "http.response.start", "status": 413,
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": b'{"error": {"message": "request too large", '
                            b'"type": "invalid_request_error", "param": null, "code": "request_too_large"}}'})
                return
            if not message.get("more_body", False):
                break
        record = self.recorder.add(scope, bytes(body))
        fault = faults.requested(bytes(body))
        clean = markers.stripped(bytes(body))
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(clean)).encode()))
        handed = False

        async def replay() -> Message:
            nonlocal handed
            if handed:
                return await receive()
            handed = True
            return {"type": "http.request", "body": clean, "more_body": False}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            await send(message)

        if fault is not None:  # answered badly on purpose, and recorded as served: the fault cases' evidence
            record.fault = fault.name
            await faults.answer(fault, record.body, sending)
            return
        app = self.app_for(self.recorder.profile_of.get(record.marker) if record.marker else None)
        await app({**scope, "headers": headers}, replay, sending)
