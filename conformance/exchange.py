"""What came back for one request: status, headers, the body or the stream's events, and how it ended.

The engine (conformance/engine.py) fills one in per request sent; checks, verdicts and reports read it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .request import Request
from .sse import SseEvent

SSE_TYPE = "text/event-stream"
REPORTED_TOKENS = re.compile(r'"(?:completion|output)_tokens"\s*:\s*(\d{1,12})')  # chat's completion_tokens or output_tokens, in an answer or a stream's usage


@dataclass
class Exchange:
    request: Request
    base_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    events: list[SseEvent] | None = None
    anomalies: list[str] = field(default_factory=list)
    ended: str = "eof"  # eof | idle-timeout | total-timeout | open-after-terminator | body-limit
    error: str | None = None  # the exchange could not happen: a harness problem, not a verdict
    unsendable: str | None = None  # the request cannot probe what it names with this key: not sent, no verdict
    dropped: str | None = None  # connected, then the target hung up without an answer: a verdict
    elapsed: float = 0.0
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)
    upstream: list[dict] | None = None  # with --upstream: what the recording upstream received for it (conformance/upstream/)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def is_sse(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() == SSE_TYPE

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Strict JSON: NaN and Infinity are not JSON, so they raise ValueError like any other non-JSON;
        so does nesting too deep to read (no completion is nested a thousand levels deep)."""
        try:
            return json.loads(self.body, parse_constant=_not_json)
        except RecursionError:
            raise ValueError("JSON nested too deeply to read") from None

    def json_kind(self) -> str | None:
        """"object", "other" (JSON, not an object) or None (not JSON): every case sharing the exchange asks, so
        the body is parsed for it once."""
        try:
            return self.__dict__["_json_kind"]
        except KeyError:
            pass
        try:
            kind = "object" if isinstance(self.json(), dict) else "other"
        except ValueError:
            kind = None
        self.__dict__["_json_kind"] = kind
        return kind

    def record(self, limit: int = 4000) -> dict:
        text = self.text()
        out: dict[str, Any] = {"status": self.status, "headers": self.headers,
                               "body": text[:limit] + ("..." if len(text) > limit else ""),
                               "elapsed_ms": round(self.elapsed * 1000, 1), "attempts": self.attempts}
        if len(text) > limit:  # the usage is cut off the kept body: the cost figure still needs it
            reported = REPORTED_TOKENS.findall(text)
            if reported:
                out["completion_tokens"] = int(reported[-1])
        if self.truncated:
            out["truncated"] = True
        if self.dropped:
            out["dropped"] = self.dropped
        if self.events is not None:
            out["events"] = [e.data[:300] for e in self.events[:60]]
            out["ended"] = self.ended
        if self.anomalies:
            out["anomalies"] = self.anomalies[:20]
        if self.error:
            out["error"] = self.error
        if len(self.statuses) > 1:
            out["statuses"] = self.statuses
        if self.upstream is not None:
            out["upstream"] = self.upstream
        return out


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
