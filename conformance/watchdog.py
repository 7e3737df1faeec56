"""Deadlines on blocking reads: one watchdog thread cuts any read whose deadline passed, by shutting its
socket down (a blocked recv then returns at once), so trickled headers or a stream that never ends cannot
hold a sending thread past its deadline. Also the incremental UTF-8 decoder the reads feed."""

from __future__ import annotations

import codecs
import contextlib
import heapq
import itertools
import socket
import threading
import time
from typing import Callable, Iterator


class Line:
    """A sending thread's one connection: httpcore's trace of each new connection says which socket it is."""

    def __init__(self) -> None:
        self.sock: socket.socket | None = None

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.sock = info["return_value"].get_extra_info("socket")


class Cut:
    """One attempt the watchdog may cut: shutting its socket down makes a blocked read return at once."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.reason: str | None = None

    def __call__(self, reason: str) -> None:
        if self.line.sock is None or self.reason:
            return  # still connecting: the connect timeout bounds that
        self.reason = reason
        try:
            self.line.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the connection already closed: the read has ended by itself


class Watchdog:
    """One thread that fires deadlines for every read in flight (a heap of (when, id, action))."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._live: set[int] = set()
        self._ids = itertools.count()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="routecheck-deadlines", daemon=True)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join()

    @contextlib.contextmanager
    def armed(self, at: float, cut: Cut, reason: str) -> Iterator[None]:
        with self._wake:
            token = next(self._ids)
            heapq.heappush(self._heap, (at, token, lambda: cut(reason)))
            self._live.add(token)
            if self._heap[0][1] == token:
                self._wake.notify()  # the new deadline is the nearest one
        try:
            yield
        finally:
            with self._wake:
                self._live.discard(token)

    def _serve(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    self._wake.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                if self._closed:
                    return
                _, token, action = heapq.heappop(self._heap)
                if token in self._live:  # else its read ended in time
                    self._live.discard(token)
                    # under the lock: a disarm (the read ended) and a cut never interleave, so a cut never
                    # lands on the next request over the same connection
                    action()


class Utf8:
    """Incremental UTF-8 decoding: a character split across two reads stays whole."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode(self, data: bytes) -> str:
        return self._decoder.decode(data)

    def flush(self) -> str:
        return self._decoder.decode(b"", final=True)
