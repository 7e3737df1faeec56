"""Loopback servers that are valid-looking but give no evidence, or one root cause many times over.

- FixedReplyModel: answers every chat request with the same text and usage, whatever it asks
  (LiteLLM's mock_response model does this): it honours neither stop nor caps.
- Proxy: forwards to an upstream (the reference gateway), rewriting the body on the way or
  refusing some requests itself, as a gateway in front of a strict provider does.
"""

from __future__ import annotations

import json
import random
from typing import Callable

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

FIXED_TEXT = "This is a mock response from a model that always says the same thing to everyone."
FIXED_USAGE = {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}


class FixedReplyModel:
    def text(self, body: dict) -> str:
        return FIXED_TEXT

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        if request.method == "GET":
            response = JSONResponse({"object": "list", "data": [{"id": "mock", "object": "model", "created": 1,
                                                                 "owned_by": "test"}]})
        else:
            body = json.loads(await request.body())
            text = self.text(body)
            response = self.stream(text) if body.get("stream") is True else JSONResponse(self.completion(text))
        await response(scope, receive, send)

    @staticmethod
    def completion(text: str) -> dict:
        return {"id": "chatcmpl-fixed", "object": "chat.completion", "created": 1_700_000_000, "model": "mock",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": "stop"}], "usage": FIXED_USAGE}

    @staticmethod
    def stream(text: str) -> StreamingResponse:
        words = text.split(" ")

        def chunk(delta: dict, finish: str | None, usage: dict | None = None) -> bytes:
            doc = {"id": "chatcmpl-fixed", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": "mock",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], "usage": usage}
            return b"data: " + json.dumps(doc).encode() + b"\n\n"

        events = [chunk({"role": "assistant", "content": w + (" " if i < len(words) - 1 else "")}, None)
                  for i, w in enumerate(words)]
        events += [chunk({}, "stop", FIXED_USAGE), b"data: [DONE]\n\n"]
        return StreamingResponse(iter(events), media_type="text/event-stream")


class SamplingModel(FixedReplyModel):
    """Samples a fresh answer each time, unless temperature is 0 (then always the same); with `drop_zero`,
    a gateway in front of it drops an explicit 0 as if it were absent."""

    def __init__(self, drop_zero: bool = False):
        self.drop_zero = drop_zero
        self.rng = random.Random(7)  # seeded: a run is reproducible, its answers still differ from each other

    def text(self, body: dict) -> str:
        if body.get("temperature") == 0 and not self.drop_zero:
            return "The sea is calm tonight."
        return " ".join(self.rng.choice(("The", "sea", "waves", "blue", "deep", "salt", "wind", "tide")) for _ in range(8))


class Proxy:
    """Forwards to `upstream`; `rewrite(body)` changes the JSON body, `refuse(body)` answers instead (or None)."""

    def __init__(self, upstream: str, rewrite: Callable[[dict], dict] = lambda b: b,
                 refuse: Callable[[dict], Response | None] = lambda b: None):
        self.upstream = upstream.rstrip("/")
        self.rewrite = rewrite
        self.refuse = refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            answer = self.refuse(body)
            if answer is not None:
                await answer(scope, receive, send)
                return
            raw = json.dumps(self.rewrite(body)).encode()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            upstream = await client.request(request.method, self.upstream + scope["path"], content=raw, headers=headers)
        kept = {k: v for k, v in upstream.headers.items() if k.lower() in ("content-type", "cache-control")}
        await Response(upstream.content, upstream.status_code, headers=kept)(scope, receive, send)
