"""Upstream faults: the recording upstream answering badly on purpose, as providers do, for the requests that ask.

A forwarding case asks for a fault with a directive in its message text ([routecheck-fault:NAME]): it rides where
the correlation marker rides, so it survives a gateway that rebuilds headers, and every other case is unaffected.
The fault is served to every attempt carrying the directive, the gateway's retries and routecheck's own alike
(conformance/engine.py retries 429 and 503), so what finally reaches the client is deterministic. Kept light: the
sending process imports this for the directives, never the server.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

DIRECTIVE = re.compile(rb"\[routecheck-fault:([a-z0-9-]{1,40})\]")
RETRY_AFTER = "1"  # seconds: what a provider asks for; short, since routecheck's retries honour it
STREAM_ID = "chatcmpl-routecheck-fault"
FIRST_TEXT = "Hello"  # the one chunk of text the stream faults send before failing


@dataclass(frozen=True)
class Fault:
    name: str  # the case's subject: upstream-400
    status: int
    error: dict  # the OpenAI error object: served as the body, or as a stream's error chunk
    headers: tuple[tuple[str, str], ...] = ()
    stream: str | None = None  # "error": an error chunk after the first chunk; "cut": the stream ends, no [DONE]

    @property
    def directive(self) -> str:
        return f"[routecheck-fault:{self.name}]"

    @property
    def message(self) -> str:
        return self.error["message"]


def _error(message: str, kind: str, param: str | None = None, code: str | None = None) -> dict:
    return {"message": message, "type": kind, "param": param, "code": code}


SERVER_ERROR = _error("The server had an error while processing your request. Sorry about that!", "server_error")
FAULTS = {f.name: f for f in (
    Fault("upstream-400", 400, _error("Unsupported parameter: 'temperature' is not supported with this model.",
                                      "invalid_request_error", "temperature", "unsupported_parameter")),
    Fault("upstream-404", 404, _error("The model `routecheck-missing-model` does not exist or you do not have access "
                                      "to it.", "invalid_request_error", None, "model_not_found")),
    Fault("upstream-429", 429, _error("Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. "
                                      "Please try again in 1s.", "requests", None, "rate_limit_exceeded"),
          headers=(("retry-after", RETRY_AFTER),)),
    Fault("upstream-500", 500, SERVER_ERROR),
    Fault("upstream-503", 503, _error("The engine is currently overloaded, please try again later.", "server_error",
                                      None, "overloaded")),
    Fault("upstream-stream-error", 200, SERVER_ERROR, stream="error"),
    Fault("upstream-stream-cut", 200, SERVER_ERROR, stream="cut"),
)}


def requested(raw: bytes) -> Fault | None:
    """The fault a received request asks for, or None (an unknown name is no fault: the request is answered)."""
    found = DIRECTIVE.search(raw)
    return FAULTS.get(found.group(1).decode("ascii")) if found else None


Send = Callable[[dict], Awaitable[None]]


def _sse(data: Any) -> bytes:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _first_chunk(model: str) -> dict:
    return {"id": STREAM_ID, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": FIRST_TEXT}, "finish_reason": None}]}


async def answer(fault: Fault, body: Any, send: Send) -> None:
    """Serves `fault` over ASGI `send`: the error body with its status, or a 200 stream that breaks."""
    if fault.stream is None:
        content = json.dumps({"error": fault.error}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in fault.headers]
        await send({"type": "http.response.start", "status": fault.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})
        return
    model = body.get("model") if isinstance(body, dict) and isinstance(body.get("model"), str) else "routecheck-echo-1"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]})
    await send({"type": "http.response.body", "body": _sse(_first_chunk(model)), "more_body": True})
    # the error as OpenAI sends one mid-stream: a data line holding only {"error": ...}; then nothing, no [DONE]
    last = _sse({"error": fault.error}) if fault.stream == "error" else b""
    await send({"type": "http.response.body", "body": last})
