"""Sending a request exactly as written where httpx will not.

h11 refuses a header value with trailing whitespace, so `Authorization: Bearer ` (the scheme with an
empty token) cannot go out through httpx: sending `Bearer` instead would test something else and pass.
The standard library's http.client checks a header value only for CR and LF, so the probe goes out byte
for byte. A timer shuts the socket at the whole-answer deadline, so a target that trickles cannot hold
it; at most `limit` bytes of the answer are read.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool


def send(url: str, method: str, headers: dict[str, str], body: bytes | None, *, connect: float, total: float,
         limit: int) -> Answer:
    """Raises OSError or http.client.HTTPException when no answer came (a deadline cuts it as an OSError)."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
    conn = kind(parts.hostname or "127.0.0.1", parts.port, timeout=min(connect, total))
    timer = threading.Timer(total, _shut, (conn,))
    timer.daemon = True
    timer.start()
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.putrequest(method, path or "/", skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Accept-Encoding", "identity")  # decoding is the engine's; here nothing to decode
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        if conn.sock is not None:
            conn.sock.settimeout(total)  # past the connect: the timer bounds the whole answer
        response = conn.getresponse()
        data = response.read(limit + 1)
        return Answer(response.status, response.getheaders(), data[:limit], len(data) > limit)
    finally:
        timer.cancel()
        conn.close()


def _shut(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: the answer ended on its own
            sock.shutdown(socket.SHUT_RDWR)
