"""Gateways in front of the recording upstream for tests/test_upstream.py, real servers on loopback: the transparent
header proxy of targets/, a rewriting proxy that does to a request what real gateways were seen doing to it, and
misrelaying proxies that relay an upstream's faults wrongly, each in one way."""

from __future__ import annotations

import json
from typing import Callable

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.gateway.server import RunningServer, start_in_thread
from targets.header_proxy import HOP_BY_HOP, create_app as transparent_app

CAPPED = 32  # the rewriting proxy's max_tokens ceiling


def rewrite(body: dict) -> dict:
    """Drops top_p, adds a temperature the client did not send, renames max_completion_tokens to max_tokens and caps
    max_tokens: each a deviation measured on a real gateway."""
    body = dict(body)
    body.pop("top_p", None)
    body.setdefault("temperature", 0.7)
    if "max_completion_tokens" in body:
        body["max_tokens"] = body.pop("max_completion_tokens")
    if isinstance(body.get("max_tokens"), int) and body["max_tokens"] > CAPPED:
        body["max_tokens"] = CAPPED
    return body


Answer = tuple[int, dict, bytes]  # status, headers, body


def rewriting_app(upstream: str, request: Callable[[dict], dict] = rewrite,
                  answer: Callable[[Answer], Answer] = lambda a: a) -> Starlette:
    """Forwards each request with its JSON body through `request`, and relays the upstream's answer, read whole,
    through `answer`."""
    client = httpx.AsyncClient(trust_env=False, timeout=30.0)

    async def forward(incoming: Request) -> Response:
        raw = await incoming.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if isinstance(body, dict):
            raw = json.dumps(request(body)).encode()
        headers = [(k, v) for k, v in incoming.headers.items() if k.lower() not in HOP_BY_HOP]
        got = await client.request(incoming.method, upstream + incoming.url.path, headers=headers, content=raw)
        kept = {k: v for k, v in got.headers.items() if k.lower() not in HOP_BY_HOP | {"content-encoding"}}
        status, kept, content = answer((got.status_code, kept, got.content))
        return Response(content, status_code=status, headers=kept)

    methods = ["GET", "POST"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


DONE = b"data: [DONE]\n\n"
FINISH = {"id": "chatcmpl-routecheck-fault", "object": "chat.completion.chunk", "created": 0,
          "model": "routecheck-echo-1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def _events(content: bytes) -> list[bytes]:
    return [e for e in content.split(b"\n\n") if e.strip()]


def _joined(events: list[bytes]) -> bytes:
    return b"".join(e + b"\n\n" for e in events)


def success_for_5xx(a: Answer) -> Answer:
    """The provider's server error relayed as a 200 (its error body and all)."""
    return (200 if a[0] >= 500 else a[0]), a[1], a[2]


def server_error_for_4xx(a: Answer) -> Answer:
    """The provider's refusal relayed as a 500 (its message kept): the client is told it is the server's fault."""
    return (500 if 400 <= a[0] < 500 and a[0] not in (401, 429) else a[0]), a[1], a[2]


def no_retry_after(a: Answer) -> Answer:
    return a[0], {k: v for k, v in a[1].items() if k.lower() != "retry-after"}, a[2]


def clean_finish_for_stream_error(a: Answer) -> Answer:
    """A stream's error chunk dropped, and the stream finished as if nothing happened: finish_reason stop, [DONE]."""
    events = _events(a[2])
    kept = [e for e in events if not e.startswith(b'data: {"error"')]
    if kept == events:
        return a
    return a[0], a[1], _joined(kept) + b"data: " + json.dumps(FINISH).encode() + b"\n\n" + DONE


def done_for_cut_stream(a: Answer) -> Answer:
    """A stream the upstream ended without its terminator, completed with one."""
    if not a[1].get("content-type", "").startswith("text/event-stream") or DONE.strip() in a[2]:
        return a
    return a[0], a[1], _joined(_events(a[2])) + DONE


MISRELAYS = {f.__name__: f for f in (success_for_5xx, server_error_for_4xx, no_retry_after,
                                     clean_finish_for_stream_error, done_for_cut_stream)}


def serve_transparent(upstream: str) -> RunningServer:
    return start_in_thread(transparent_app(upstream, {}))


def serve_rewriting(upstream: str) -> RunningServer:
    return start_in_thread(rewriting_app(upstream))


def serve_misrelaying(name: str) -> Callable[[str], RunningServer]:
    """A proxy that forwards requests as sent and relays the upstream's answers as MISRELAYS[name] does."""
    return lambda upstream: start_in_thread(rewriting_app(upstream, dict, MISRELAYS[name]))
