"""A real ASGI server that misbehaves on purpose, one way per path prefix: /{mode}/v1/...

It stands for the slow, rate-limited and broken gateways routecheck meets in the wild.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socketserver
import threading
import time

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

COMPLETION = {"id": "x", "object": "chat.completion", "created": 1, "model": "m",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
HUGE_CHUNK = b"x" * 65536


class HostileApp:
    """Mode by first path segment. `dies_after`: after that many requests the `died` event is set."""

    def __init__(self, dies_after: int = 10**9):
        self.requests = 0
        self.dies_after = dies_after
        self.died = threading.Event()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        self.requests += 1
        if self.requests >= self.dies_after:
            self.died.set()
        mode = scope["path"].strip("/").split("/")[0]
        request = Request(scope, receive)
        await request.body()
        response = await getattr(self, "mode_" + mode.replace("-", "_"), self.mode_missing)(request)
        await response(scope, receive, send)

    async def mode_missing(self, request):
        return Response("no such mode", 404)

    async def mode_html(self, request):
        return Response("<html><body><h1>502 Bad Gateway</h1></body></html>", 200, media_type="text/html")

    async def mode_text(self, request):
        return Response("OK", 200, media_type="text/plain")

    async def mode_empty(self, request):
        return Response(b"", 200, media_type="application/json")

    async def mode_json_error(self, request):
        return Response(json.dumps({"error": {"message": "upstream failed", "type": "server_error"}}), 200,
                        media_type="application/json")

    async def mode_gzip(self, request):
        body = gzip.compress(json.dumps(COMPLETION).encode())
        return Response(body, 200, media_type="application/json", headers={"content-encoding": "gzip"})

    async def mode_huge(self, request):
        async def forever_ish():
            for _ in range(400):  # 25 MiB: far past routecheck's body limit, and bounded
                yield HUGE_CHUNK
        return StreamingResponse(forever_ish(), media_type="application/json")

    async def mode_storm(self, request):
        return Response(json.dumps({"error": {"message": "slow down", "type": "rate_limit"}}), 429,
                        media_type="application/json", headers={"retry-after": "0"})

    async def mode_hang(self, request):
        await asyncio.Event().wait()  # accepts the connection, never answers (cancelled on disconnect)

    async def mode_never(self, request):
        async def one_chunk_then_silence():
            yield b'data: {"id":"x","object":"chat.completion.chunk","choices":[]}\n\n'
            await asyncio.Event().wait()  # never set: the stream never ends (cancelled on disconnect)
        return StreamingResponse(one_chunk_then_silence(), media_type="text/event-stream")

    async def mode_trickle(self, request):
        async def a_chunk_every_tenth_of_a_second():
            while True:  # never silent long enough for the idle deadline, never ends
                yield b'data: {"id":"x","object":"chat.completion.chunk","choices":[]}\n\n'
                await asyncio.sleep(0.1)
        return StreamingResponse(a_chunk_every_tenth_of_a_second(), media_type="text/event-stream")

    async def mode_open_after_done(self, request):
        async def done_then_silence():
            yield b'data: {"id":"x","object":"chat.completion.chunk","choices":[]}\n\ndata: [DONE]\n\n'
            await asyncio.Event().wait()  # the terminator came, the connection stays open
        return StreamingResponse(done_then_silence(), media_type="text/event-stream")


class _HangUp(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.recv(65536)  # read the request, then close without a byte of answer


class _SlowHeaders(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.recv(65536)
        try:
            self.request.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(600):  # a header line every 0.1 s for a minute: never idle, never done
                self.request.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.1)  # the target's pace, not synchronisation
        except OSError:
            pass  # the client cut the connection: what is being tested


class HangUpServer:
    """A TCP server on loopback that accepts every connection and hangs up without answering
    (or, with `slow_headers`, trickles response headers without ever finishing them)."""

    def __init__(self, slow_headers: bool = False):
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SlowHeaders if slow_headers else _HangUp)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
