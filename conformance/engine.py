"""Sends requests concurrently with deadlines on everything, and records what came back.

Identical requests are sent once and their exchange shared by all the cases that
need it (a stream is read once and checked many ways), which keeps runs fast
and cheap. The key is scrubbed from everything received before it is stored.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import httpx

from .request import REDACTED, Request
from .sse import SseEvent, SseParser

SSE_TYPE = "text/event-stream"
RETRY_STATUSES = (429, 503)


@dataclass(frozen=True)
class Deadlines:
    """Seconds. Every request and every stream is bounded by these."""

    connect: float = 5.0
    response: float = 30.0  # whole non-stream answer
    stream_total: float = 60.0  # whole stream
    stream_idle: float = 15.0  # silence between two reads
    after_terminator: float = 2.0  # wait for the end of the body after the terminator
    max_body: int = 4 * 1024 * 1024  # bytes kept; the rest is not read


def deadlines_from(options: Any) -> Deadlines:
    """From --connect-timeout, --response-timeout, --stream-timeout and --idle-timeout (CLI or pytest options)."""
    return Deadlines(connect=options.connect_timeout, response=options.response_timeout,
                     stream_total=options.stream_timeout, stream_idle=options.idle_timeout)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # total, for 429/503 answers
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), self.max_delay)
            except ValueError:
                pass  # an HTTP date: fall back to backoff
        return min(self.base_delay * (2 ** attempt), self.max_delay)


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
    dropped: str | None = None  # connected, then the target hung up without an answer: a verdict
    elapsed: float = 0.0
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def is_sse(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() == SSE_TYPE

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def record(self, limit: int = 4000) -> dict:
        text = self.text()
        out: dict[str, Any] = {"status": self.status, "headers": self.headers,
                               "body": text[:limit] + ("..." if len(text) > limit else ""),
                               "elapsed_ms": round(self.elapsed * 1000, 1), "attempts": self.attempts}
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
        return out


GONE_AFTER = 5  # consecutive transport failures after which the target is taken to be gone
TARGET_GONE = "not sent: the target stopped answering"


class Engine:
    """Sends requests from a few threads, each blocking on its own socket.

    Blocking httpx costs about a third less CPU per request than the asyncio client (no event loop,
    no anyio), and a run on loopback is CPU-bound, so threads win. A blocking read cannot be
    cancelled, so per-read timeouts bound silence and a Watchdog cuts whole-stream deadlines.
    """

    def __init__(self, key: str, *, deadlines: Deadlines | None = None, concurrency: int = 8,
                 retry: RetryPolicy | None = None, secrets: tuple[str, ...] = (), rate_limit: float | None = None):
        self.key = key
        self.deadlines = deadlines or Deadlines()
        self.concurrency = max(1, concurrency)
        self.retry = retry or RetryPolicy()
        self.secrets = tuple(s for s in (key, *secrets) if s)
        self.rate_limit = rate_limit if rate_limit and rate_limit > 0 else None
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._failures = 0
        d = self.deadlines
        # per read: silence allowed between two reads (the whole answer's deadline when not streamed)
        self._timeouts = {stream: httpx.Timeout(connect=d.connect, read=d.stream_idle if stream else d.response,
                                                write=d.connect, pool=None) for stream in (False, True)}

    def __getstate__(self) -> dict:  # sent to conformance.sender's child process; locks do not travel
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _lock=threading.Lock())

    def run(self, jobs: Iterable[tuple[str, Request]],
            on_done: Callable[[str, Exchange], None] | None = None) -> dict[str, Exchange]:
        """Send every distinct (base_url, request) once, in order; returns exchanges by fingerprint.
        `on_done(fingerprint, exchange)` is called as each one completes, from a sending thread."""
        unique: dict[str, tuple[str, Request]] = {}
        for base_url, request in jobs:
            unique.setdefault(fingerprint(base_url, request), (base_url, request))
        done: dict[str, Exchange] = {}
        pending = iter(list(unique.items()))
        verify = needs_tls(u for u, _ in unique.values())

        def send_all() -> None:
            # one client and one connection per thread, so the watchdog knows which socket each read is on
            # trust_env=False: never route through a proxy from the environment
            line = _Line()
            with httpx.Client(limits=httpx.Limits(max_connections=1, max_keepalive_connections=1), trust_env=False,
                              follow_redirects=False, verify=verify) as client:
                while True:
                    with self._lock:  # one job per thread at a time, taken in order
                        job = next(pending, None)
                    if job is None:
                        return
                    key, (base_url, request) = job
                    done[key] = exchange = self._one(client, line, watchdog, base_url, request)
                    if on_done is not None:
                        on_done(key, exchange)

        with Watchdog() as watchdog:
            # daemon: an interrupted run exits at once; otherwise every exchange ends within its deadlines
            senders = [threading.Thread(target=send_all, name=f"routecheck-send-{i}", daemon=True)
                       for i in range(min(self.concurrency, len(unique)))]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
        return done

    def _one(self, client: httpx.Client, line: _Line, watchdog: Watchdog, base_url: str, request: Request) -> Exchange:
        with self._lock:
            gone = self._failures >= GONE_AFTER
        if gone:  # fail fast instead of N more timeouts
            return Exchange(request, base_url, error=f"{TARGET_GONE} ({self._failures} failures in a row)")
        self._pace()
        return self.exchange(client, line, watchdog, base_url, request)

    def exchange(self, client: httpx.Client, line: _Line, watchdog: Watchdog, base_url: str, request: Request) -> Exchange:
        started = time.monotonic()
        ex = Exchange(request, base_url)
        for attempt in range(self.retry.attempts):
            ex = Exchange(request, base_url, attempts=attempt + 1, statuses=ex.statuses)
            self._attempt(client, line, watchdog, ex)
            if ex.status is not None:
                ex.statuses.append(ex.status)
            if ex.dropped and attempt == 0:
                continue  # maybe a keep-alive connection the server had just closed: once more, on a new one
            if ex.status not in RETRY_STATUSES or attempt + 1 == self.retry.attempts:
                break
            time.sleep(self.retry.delay(attempt, ex.headers.get("retry-after")))  # backoff the target asked for
        ex.elapsed = time.monotonic() - started
        with self._lock:
            self._failures = self._failures + 1 if ex.status is None else 0
        return ex

    def _pace(self) -> None:
        """--rate-limit: request starts spaced 1/rate seconds apart."""
        if self.rate_limit is None:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + 1.0 / self.rate_limit
        if start > now:
            time.sleep(start - now)

    def _attempt(self, client: httpx.Client, line: _Line, watchdog: Watchdog, ex: Exchange) -> None:
        request = ex.request
        url = ex.base_url.rstrip("/") + request.path
        total = self.deadlines.stream_total if request.stream else self.deadlines.response
        cut = _Cut(line)
        started = time.monotonic()
        try:
            # armed before sending: headers trickled in byte by byte are cut at the deadline too
            with watchdog.armed(started + total, cut, "total-timeout"), \
                    client.stream(request.method, url, content=request.content(), headers=request.send_headers(self.key),
                                  timeout=self._timeouts[request.stream], extensions={"trace": line.trace}) as response:
                ex.status = response.status_code
                ex.headers = {k.lower(): self._scrub_text(v) for k, v in response.headers.items()}
                self._read(response, ex, cut, watchdog)
        except httpx.ReadTimeout:
            self._deadline(ex, "idle-timeout", self._timeouts[request.stream].read)
        except httpx.TimeoutException as exc:
            ex.error = f"{type(exc).__name__} after {self.deadlines.connect:g}s talking to {url}"
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            if cut.reason:
                pass  # the watchdog cut the read: recorded as a deadline below
            elif ex.status is None:  # connected, then hung up: the target's answer to this request
                ex.dropped = f"{type(exc).__name__}: {self._scrub_text(str(exc)) or 'connection closed'}"
            else:
                ex.anomalies.append(f"connection broke while reading: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            if ex.status is None:
                ex.error = f"{type(exc).__name__}: {self._scrub_text(str(exc)) or 'no detail'} ({url})"
            else:  # the answer started, then broke: a verdict on what was received
                ex.anomalies.append(f"connection broke while reading: {type(exc).__name__}")
        if cut.reason:
            self._deadline(ex, cut.reason, total if cut.reason == "total-timeout" else self.deadlines.after_terminator)

    def _deadline(self, ex: Exchange, how: str, seconds: float | None) -> None:
        if ex.status is None:
            ex.error = f"no answer within {seconds:g}s ({how})"
        else:
            ex.ended = how

    def _read(self, response: httpx.Response, ex: Exchange, cut: _Cut, watchdog: Watchdog) -> None:
        parser = SseParser() if (ex.is_sse or ex.request.stream) else None
        decoder = _Utf8()
        chunks: list[bytes] = []
        size = 0
        reached_eof = terminated = False
        try:
            with contextlib.ExitStack() as terminator:
                for data in response.iter_bytes():
                    size += len(data)
                    if size > self.deadlines.max_body:
                        ex.truncated, ex.ended = True, "body-limit"
                        break
                    chunks.append(data)
                    if parser is not None:
                        for event in parser.feed(decoder.decode(data)):
                            if event.data.strip() == "[DONE]" and not terminated:
                                terminated = True  # after it only the end of the body may come, and soon
                                terminator.enter_context(watchdog.armed(
                                    time.monotonic() + self.deadlines.after_terminator, cut, "open-after-terminator"))
                else:
                    reached_eof = not cut.reason
        finally:
            # kept even when a deadline cut the read: what did arrive is evidence
            # scrubbed whole, so a key split across two reads is still found
            ex.body = self._scrub(b"".join(chunks))
            if parser is not None:
                parser.feed(decoder.flush())
                if reached_eof:
                    parser.close()
                for event in parser.events:
                    event.data = self._scrub_text(event.data)
                ex.events = parser.events
                ex.anomalies += [self._scrub_text(a) for a in parser.anomalies]

    def _scrub(self, data: bytes) -> bytes:
        for secret in self.secrets:
            data = data.replace(secret.encode(), REDACTED.encode())
        return data

    def _scrub_text(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class _Line:
    """A sending thread's one connection: httpcore's trace of each new connection says which socket it is."""

    def __init__(self) -> None:
        self.sock: socket.socket | None = None

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.sock = info["return_value"].get_extra_info("socket")


class _Cut:
    """One attempt the watchdog may cut: shutting its socket down makes a blocked read return at once."""

    def __init__(self, line: _Line) -> None:
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
    def armed(self, at: float, cut: _Cut, reason: str) -> Iterator[None]:
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


class _Utf8:
    """Incremental UTF-8 decoding: a character split across two reads stays whole."""

    def __init__(self) -> None:
        import codecs
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode(self, data: bytes) -> str:
        return self._decoder.decode(data)

    def flush(self) -> str:
        return self._decoder.decode(b"", final=True)


def needs_tls(urls: Iterable[str]) -> bool:
    """Certificate checks stay on for https; for plain http the CA bundle (~0.2 s to load) is skipped."""
    return any(url.lower().startswith("https:") for url in urls)


def fingerprint(base_url: str, request: Request) -> str:
    return base_url.rstrip("/") + " " + request.fingerprint
