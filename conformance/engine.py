"""Sends requests concurrently with deadlines on everything, and records what came back.

Identical requests are sent once and their exchange shared by all the cases that
need it (a stream is read once and checked many ways), which keeps runs fast
and cheap. The key is scrubbed from everything received before it is stored.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

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
    def __init__(self, key: str, *, deadlines: Deadlines | None = None, concurrency: int = 8,
                 retry: RetryPolicy | None = None, secrets: tuple[str, ...] = (), rate_limit: float | None = None):
        self.key = key
        self.deadlines = deadlines or Deadlines()
        self.concurrency = max(1, concurrency)
        self.retry = retry or RetryPolicy()
        self.secrets = tuple(s for s in (key, *secrets) if s)
        self.rate_limit = rate_limit if rate_limit and rate_limit > 0 else None
        self._next_start = 0.0
        self._failures = 0

    def run(self, jobs: Iterable[tuple[str, Request]],
            on_done: Callable[[str, Exchange], None] | None = None) -> dict[str, Exchange]:
        """Send every distinct (base_url, request) once; returns exchanges by fingerprint.
        `on_done(fingerprint, exchange)` is called as each one completes, in completion order."""
        return asyncio.run(self.run_async(list(jobs), on_done))

    async def run_async(self, jobs: list[tuple[str, Request]],
                        on_done: Callable[[str, Exchange], None] | None = None) -> dict[str, Exchange]:
        unique: dict[str, tuple[str, Request]] = {}
        for base_url, request in jobs:
            unique.setdefault(fingerprint(base_url, request), (base_url, request))
        gate = asyncio.Semaphore(self.concurrency)
        pace = asyncio.Lock()
        timeout = httpx.Timeout(connect=self.deadlines.connect, read=self.deadlines.stream_idle,
                                write=self.deadlines.connect, pool=None)
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        # trust_env=False: never route through a proxy from the environment
        async with httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False, follow_redirects=False) as client:
            async def one(key: str, base_url: str, request: Request) -> tuple[str, Exchange]:
                async with gate:
                    if self._failures >= GONE_AFTER:  # fail fast instead of N more timeouts
                        exchange = Exchange(request, base_url, error=f"{TARGET_GONE} ({self._failures} failures in a row)")
                        if on_done is not None:
                            on_done(key, exchange)
                        return key, exchange
                    await self._pace(pace)
                    exchange = await self.exchange(client, base_url, request)
                if on_done is not None:
                    on_done(key, exchange)
                return key, exchange

            done = await asyncio.gather(*(one(k, u, r) for k, (u, r) in unique.items()))
        return dict(done)

    async def exchange(self, client: httpx.AsyncClient, base_url: str, request: Request) -> Exchange:
        started = time.monotonic()
        ex = Exchange(request, base_url)
        for attempt in range(self.retry.attempts):
            ex = Exchange(request, base_url, attempts=attempt + 1, statuses=ex.statuses)
            await self._attempt(client, ex)
            if ex.status is not None:
                ex.statuses.append(ex.status)
            if ex.dropped and attempt == 0:
                continue  # maybe a keep-alive connection the server had just closed: once more, on a new one
            if ex.status not in RETRY_STATUSES or attempt + 1 == self.retry.attempts:
                break
            await asyncio.sleep(self.retry.delay(attempt, ex.headers.get("retry-after")))
        ex.elapsed = time.monotonic() - started
        self._failures = self._failures + 1 if ex.status is None else 0
        return ex

    async def _pace(self, lock: asyncio.Lock) -> None:
        """--rate-limit: request starts spaced 1/rate seconds apart."""
        if self.rate_limit is None:
            return
        async with lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + 1.0 / self.rate_limit
        if start > now:
            await asyncio.sleep(start - now)

    async def _attempt(self, client: httpx.AsyncClient, ex: Exchange) -> None:
        request = ex.request
        url = ex.base_url.rstrip("/") + request.path
        total = self.deadlines.stream_total if request.stream else self.deadlines.response
        try:
            async with asyncio.timeout(total):
                read = self.deadlines.stream_idle if request.stream else self.deadlines.response
                timeout = httpx.Timeout(connect=self.deadlines.connect, read=read, write=self.deadlines.connect, pool=None)
                async with client.stream(request.method, url, content=request.content(),
                                         headers=request.send_headers(self.key), timeout=timeout) as response:
                    ex.status = response.status_code
                    ex.headers = {k.lower(): self._scrub_text(v) for k, v in response.headers.items()}
                    await self._read(response, ex)
        except TimeoutError:
            self._deadline(ex, "total-timeout", total)
        except httpx.ReadTimeout:
            idle = self.deadlines.stream_idle if request.stream else self.deadlines.response
            self._deadline(ex, "idle-timeout", idle)
        except httpx.TimeoutException as exc:
            ex.error = f"{type(exc).__name__} after {self.deadlines.connect:g}s talking to {url}"
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            if ex.status is None:  # connected, then hung up: the target's answer to this request
                ex.dropped = f"{type(exc).__name__}: {self._scrub_text(str(exc)) or 'connection closed'}"
            else:
                ex.anomalies.append(f"connection broke while reading: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            if ex.status is None:
                ex.error = f"{type(exc).__name__}: {self._scrub_text(str(exc)) or 'no detail'} ({url})"
            else:  # the answer started, then broke: a verdict on what was received
                ex.anomalies.append(f"connection broke while reading: {type(exc).__name__}")

    def _deadline(self, ex: Exchange, how: str, seconds: float) -> None:
        if ex.status is None:
            ex.error = f"no answer within {seconds:g}s ({how})"
        else:
            ex.ended = how

    async def _read(self, response: httpx.Response, ex: Exchange) -> None:
        parser = SseParser() if (ex.is_sse or ex.request.stream) else None
        decoder = _Utf8()
        chunks: list[bytes] = []
        size = 0
        after_terminator: float | None = None
        iterator = response.aiter_bytes().__aiter__()
        reached_eof = False
        try:
            while True:
                try:
                    if after_terminator is not None:
                        remaining = after_terminator - time.monotonic()
                        if remaining <= 0:
                            ex.ended = "open-after-terminator"
                            break
                        data = await asyncio.wait_for(iterator.__anext__(), remaining)
                    else:
                        data = await iterator.__anext__()
                except StopAsyncIteration:
                    reached_eof = True
                    break
                except TimeoutError:
                    ex.ended = "open-after-terminator"
                    break
                size += len(data)
                if size > self.deadlines.max_body:
                    ex.truncated, ex.ended = True, "body-limit"
                    break
                chunks.append(data)
                if parser is not None:
                    for event in parser.feed(decoder.decode(data)):
                        if event.data.strip() == "[DONE]" and after_terminator is None:
                            after_terminator = time.monotonic() + self.deadlines.after_terminator
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


class _Utf8:
    """Incremental UTF-8 decoding: a character split across two reads stays whole."""

    def __init__(self) -> None:
        import codecs
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode(self, data: bytes) -> str:
        return self._decoder.decode(data)

    def flush(self) -> str:
        return self._decoder.decode(b"", final=True)


def fingerprint(base_url: str, request: Request) -> str:
    return base_url.rstrip("/") + " " + request.fingerprint
