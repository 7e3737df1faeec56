"""A real ASGI server that misbehaves on purpose, one way per path prefix: /{mode}/v1/...

It stands for the slow, rate-limited and broken gateways routecheck meets in the wild.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
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
        self.server.requested.set()
        try:
            self.request.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(600):  # a header line every 0.1 s for a minute: never idle, never done
                self.request.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.1)  # the target's pace, not synchronisation
        except OSError:
            pass  # the client cut the connection: what is being tested


class LoopbackTCP:
    """A threaded TCP server on a free loopback port, serving while inside `with`."""

    def __init__(self, handler: type[socketserver.BaseRequestHandler]):
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.requested = self.requested = threading.Event()  # set by handlers that report a request
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class HangUpServer(LoopbackTCP):
    """Accepts every connection and hangs up without answering (or, with `slow_headers`, trickles
    response headers without ever finishing them, and sets `requested` once a request arrived)."""

    def __init__(self, slow_headers: bool = False):
        super().__init__(_SlowHeaders if slow_headers else _HangUp)


# ---------------------------------------------------------------- a raw server for hostile answers
# Byte-level control (status lines, header names, encodings, pacing) that an ASGI app cannot give.
# Each answer echoes the credential it was sent, so no test has to tell the server the key.

import base64  # noqa: E402 - this half of the module is the raw server
import math  # noqa: E402
import zlib  # noqa: E402
from functools import lru_cache  # noqa: E402

CHUNK = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
         "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]}
MODELS = b'{"object":"list","data":[{"id":"m","object":"model"}]}'


def gzip_bytes(data: bytes) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return z.compress(data) + z.flush()


@lru_cache(maxsize=4)
def gzip_zeros(mib: int, layers: int) -> bytes:
    """`mib` MiB of spaces gzipped, then gzipped again for every further layer (made once, a few seconds)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1 << 20)
    out = b"".join(z.compress(block) for _ in range(mib)) + z.flush()
    for _ in range(layers - 1):
        out = gzip_bytes(out)
    return out


def encodings(key: str) -> dict[str, str]:
    """The key as a hostile target may echo it: every form routecheck must redact."""
    raw = key.encode()
    return {"raw": key, "base64": base64.b64encode(b"Bearer " + raw).decode(),
            "base64url-1": base64.urlsafe_b64encode(b"x" + raw).decode(),
            "base64url-2": base64.urlsafe_b64encode(b"xy" + raw).decode(),
            "hex": raw.hex(), "HEX": raw.hex().upper(), "percent": "".join(f"%{b:02X}" for b in raw),
            "percent-lower": "".join(f"%{b:02x}" for b in raw)}


class RawHostile(LoopbackTCP):
    """A threaded TCP server on loopback speaking just enough HTTP/1.1. Mode by first path segment:
    /{mode}/v1/...; `/v1/models` answers normally but for modes `discover-*` (hostile before the first
    case) and `key-model` (lists the key it was sent as a model id)."""

    def __init__(self, bomb_mib: int = 64) -> None:
        self.bomb_mib = bomb_mib  # what the gzip bombs expand to (the benchmark uses 1024)
        for layers in (1, 2):
            gzip_zeros(bomb_mib, layers)  # made now, not inside an answer (a run's deadline would be spent on it)
        super().__init__(type("Handler", (socketserver.BaseRequestHandler,), {"handle": lambda h: self._handle(h.request)}))

    def _handle(self, sock) -> None:
        head = read_head(sock)
        if head is None:
            return
        head, _, body = head.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path = lines[0].split(" ")[:2]
        headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
        length = int(headers.get("content-length", "0") or 0)
        while len(body) < length:
            data = sock.recv(65536)
            if not data:
                break
            body += data
        key = headers.get("authorization", "").partition(" ")[2] or headers.get("x-api-key", "")
        mode, _, rest = path.strip("/").partition("/")
        stream = b'"stream": true' in body or b'"stream":true' in body
        try:
            answer = getattr(self, "models_" + mode.replace("-", "_"), None) if rest == "v1/models" else None
            if rest == "v1/models" and answer is None:
                sock.sendall(response(200, MODELS))
                return
            answer = answer or getattr(self, "mode_" + mode.replace("-", "_"), None)
            if answer is None:
                sock.sendall(response(404, b"no such mode"))
                return
            answer(sock, key, stream)
        except OSError:
            pass  # routecheck cut the connection: often the very thing under test

    # ---- answers to model discovery (before the first case)

    def models_discover_echo_status(self, sock, key, stream):
        sock.sendall(b"HTTP/1.1 2x0 bad " + key.encode() + b"\r\n\r\n")

    def models_key_model(self, sock, key, stream):
        sock.sendall(response(200, json.dumps({"data": [{"id": key}]}).encode()))

    def models_discover_huge(self, sock, key, stream):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
        for _ in range(1 << 14):  # 1 GiB in 64 KiB writes, until routecheck stops reading
            sock.sendall(b'{"data":[' + b" " * 65527)

    def models_discover_slow_headers(self, sock, key, stream):
        sock.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(600):
            sock.sendall(b"X: 1\r\n")
            time.sleep(0.2)  # the target's pace, not synchronisation

    def models_discover_continue(self, sock, key, stream):
        for _ in range(3000):
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            time.sleep(0.1)

    def models_discover_pings(self, sock, key, stream):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
        for _ in range(3000):
            sock.sendall(b": ping\n\n")
            time.sleep(0.1)

    def models_discover_deep(self, sock, key, stream):
        sock.sendall(response(200, b'{"data":' + b"[" * 200_000 + b"]" * 200_000 + b"}"))

    def models_discover_surrogate(self, sock, key, stream):
        sock.sendall(response(200, b'{"data":[{"id":"\\ud800"}]}'))

    def models_discover_gzip_gzip(self, sock, key, stream):
        self.mode_gzip_gzip(sock, key, stream)

    # ---- answers to every case

    def mode_echo(self, sock, key, stream):
        """The key back in every encoding: in the body, \\u-escaped in a JSON string, as a header name and
        value, and split across two stream events (then "five", a stop word: that case quotes the joined text)."""
        sock.sendall(response(*echo(key, stream)))

    def mode_echo_gzip(self, sock, key, stream):
        """The same, gzip-compressed: found only once decoded."""
        status, body, content_type, extra = echo(key, stream)
        sock.sendall(response(status, gzip_bytes(body), content_type, extra + [("Content-Encoding", "gzip")]))

    def mode_key_model(self, sock, key, stream):
        self.mode_echo(sock, key, stream)

    def mode_gzip_gzip(self, sock, key, stream):
        sock.sendall(response(200, gzip_zeros(self.bomb_mib, 2), extra=[("Content-Encoding", "gzip, gzip")]))

    def mode_gzip_bomb(self, sock, key, stream):
        sock.sendall(response(200, gzip_zeros(self.bomb_mib, 1), extra=[("Content-Encoding", "gzip")]))

    def mode_tiny_events(self, sock, key, stream):
        event = b'data: {"x":1}\n\n'
        block = event * (65536 // len(event))
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        for _ in range(64):  # 4 MiB of tiny events
            sock.sendall(block)
        sock.sendall(b"data: [DONE]\n\n")

    def mode_byte_trickle(self, sock, key, stream):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in b"data: " + b"x" * 100_000:  # one line, one byte per write
            sock.sendall(bytes([byte]))
        sock.sendall(b"\n\ndata: [DONE]\n\n")

    def mode_pings(self, sock, key, stream):
        self.models_discover_pings(sock, key, stream)

    def mode_retry_nan(self, sock, key, stream):
        sock.sendall(response(429, b'{"error":{"message":"slow down","type":"rate_limit"}}', extra=[("Retry-After", "nan")]))

    def mode_retry_inf(self, sock, key, stream):
        sock.sendall(response(429, b'{"error":{"message":"slow down","type":"rate_limit"}}', extra=[("Retry-After", "inf")]))

    def mode_retry_negative(self, sock, key, stream):
        sock.sendall(response(429, b'{"error":{"message":"slow down","type":"rate_limit"}}', extra=[("Retry-After", "-5")]))

    def mode_storm(self, sock, key, stream):
        sock.sendall(response(429, b'{"error":{"message":"slow down","type":"rate_limit"}}', extra=[("Retry-After", "100000")]))

    def mode_deep(self, sock, key, stream):
        sock.sendall(response(200, b"[" * 200_000 + b"]" * 200_000))

    def mode_surrogate(self, sock, key, stream):
        completion = dict(COMPLETION, id="\ud800", model="\udfff")
        sock.sendall(response(200, json.dumps(completion).encode()))

    def mode_null(self, sock, key, stream):
        sock.sendall(response(200, b"null"))

    def mode_nan(self, sock, key, stream):
        sock.sendall(response(200, json.dumps(dict(COMPLETION, created=math.nan, usage={"total_tokens": math.inf})).encode()))

    def mode_redirect(self, sock, key, stream):
        sock.sendall(response(307, b"", extra=[("Location", "http://127.0.0.1:9/elsewhere")]))


def echo(key: str, stream: bool) -> tuple[int, bytes, str, list[tuple[str, str]]]:
    """An answer holding the key in every form of `encodings`, \\u-escaped, and as a header name and value."""
    forms = encodings(key)
    escaped = "".join(f"\\u{ord(c):04x}" for c in key)
    extra = [("X-Echo-B64", forms["base64"]), (key, "named after the key"), ("X-Echo-Hex", forms["hex"])]
    if stream:
        half = len(key) // 2
        events = [dict(CHUNK, choices=[{"index": 0, "delta": {"content": part}, "finish_reason": None}])
                  for part in (key[:half], key[half:], " five " + " ".join(forms.values()))]
        body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + f'data: {{"echo": "{escaped}"}}\n\n'
        return 200, (body + "data: [DONE]\n\n").encode(), "text/event-stream", extra
    completion = dict(COMPLETION, id=key, model=key, choices=[{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": " ".join(forms.values())}}])
    text = json.dumps(completion)[:-1] + f', "escaped": "{escaped}"}}'
    return 200, text.encode(), "application/json", extra


def read_head(sock) -> bytes | None:
    """The request up to the end of its headers (and whatever of the body came with it); None if it hung up."""
    head = b""
    while b"\r\n\r\n" not in head:
        data = sock.recv(65536)
        if not data:
            return None
        head += data
    return head


def response(status: int, body: bytes, content_type: str = "application/json",
             extra: list[tuple[str, str]] = ()) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def key_forms(key: str) -> dict[str, bytes]:
    """What a leak of the key looks like in output bytes, in every encoding the README promises to redact.
    Base64 at each of the three offsets, minus a whole group at each end (what the rest of a string changes)."""
    raw = key.encode()
    forms = {"raw": raw, "hex": raw.hex().encode(), "HEX": raw.hex().upper().encode(),
             "percent": "".join(f"%{b:02X}" for b in raw).encode(), "percent-lower": "".join(f"%{b:02x}" for b in raw).encode(),
             "json-escaped": "".join(f"\\u{ord(c):04x}" for c in key).encode(),
             "json-escaped-upper": "".join(f"\\u{ord(c):04X}" for c in key).encode()}
    for offset in range(3):
        core = base64.b64encode(b"\0" * offset + raw)[4:-4]
        forms[f"base64-{offset}"] = core
        forms[f"base64url-{offset}"] = core.replace(b"+", b"-").replace(b"/", b"_")
    return forms


def leaks(key: str, data: bytes) -> list[str]:
    return [name for name, form in key_forms(key).items() if form in data]


class DyingServer:
    """Answers `answers` requests (one connection each, `Connection: close`), then closes its listening
    socket: every later request is refused at once. No timing decides when it dies."""

    def __init__(self, answers: int) -> None:
        self.answers = answers
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.listener.close()
        self.thread.join(timeout=10)

    def _serve(self) -> None:
        try:
            for _ in range(self.answers):
                conn, _ = self.listener.accept()
                with conn:
                    read_head(conn)
                    body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
                    conn.sendall(response(200, body, "text/html"))
        except OSError:
            return  # closed by __exit__ before its answers were used up
        finally:
            self.listener.close()
