"""Gateways in front of the recording upstream for tests/test_upstream.py, real servers on loopback: the transparent
header proxy of targets/, and a rewriting proxy that does to a request what real gateways were seen doing to it."""

from __future__ import annotations

import json

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


def rewriting_app(upstream: str) -> Starlette:
    client = httpx.AsyncClient(trust_env=False, timeout=30.0)

    async def forward(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if isinstance(body, dict):
            raw = json.dumps(rewrite(body)).encode()
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        answer = await client.request(request.method, upstream + request.url.path, headers=headers, content=raw)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP | {"content-encoding"}}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    methods = ["GET", "POST"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


def serve_transparent(upstream: str) -> RunningServer:
    return start_in_thread(transparent_app(upstream, {}))


def serve_rewriting(upstream: str) -> RunningServer:
    return start_in_thread(rewriting_app(upstream))
