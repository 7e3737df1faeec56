"""Sends requests concurrently with deadlines on everything, and records what came back (conformance/exchange.py).

Identical requests are sent once and their exchange shared by all the cases that
need it (a stream is read once and checked many ways), which keeps runs fast
and cheap. The key is scrubbed from everything received before it is stored.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import math
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

import httpx

from . import verbatim, wire
from .decoding import BodyDecoder
from .exchange import Exchange
from .redaction import Redactor, redactor
from .request import Request, key_variants
from .sse import SseParser
from .urls import api_url
from .watchdog import Cut, Line, Utf8, Watchdog

RETRY_STATUSES = (429, 503)


@dataclass(frozen=True)
class Deadlines:
    """Seconds. Every request and every stream is bounded by these."""

    connect: float = 5.0
    response: float = 30.0  # whole non-stream answer
    stream_total: float = 60.0  # whole stream
    stream_idle: float = 15.0  # silence between two reads
    after_terminator: float = 2.0  # wait for the end of the body after the terminator
    max_body: int = 4 * 1024 * 1024  # bytes read off the wire, and bytes kept once decoded; the rest is not read
    max_events: int = 10_000  # stream events kept per exchange (the last one always): tiny events cost memory


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # total, for 429/503 answers
    base_delay: float = 0.5
    max_delay: float = 8.0
    budget: float = 60.0  # seconds of retry sleep in a whole run: a 429 storm must not take many minutes

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                asked = float(retry_after[:40])
            except ValueError:
                asked = math.nan  # an HTTP date: fall back to backoff
            if math.isfinite(asked):  # nan and inf are treated as absent
                return min(max(asked, 0.0), self.max_delay)
        return min(self.base_delay * (2 ** attempt), self.max_delay)


GONE_AFTER = 5  # consecutive transport failures after which the target is taken to be gone
TARGET_GONE = "not sent: the target stopped answering"
DEFAULT_MAX_DURATION = 900.0  # seconds for a whole run (--max-duration)
CUTS = ("total-timeout", "idle-timeout")  # deadline cuts: the answer never completed


def run_budget_spent(seconds: float) -> str:
    return f"run budget of {seconds:g} s spent (--max-duration)"


class Engine:
    """Sends requests from a few threads, each blocking on its own socket.

    Blocking httpx costs about a third less CPU per request than the asyncio client (no event loop,
    no anyio), and a run on loopback is CPU-bound, so threads win. A blocking read cannot be
    cancelled, so per-read timeouts bound silence and a Watchdog cuts whole-stream deadlines.
    Requests go straight to httpx's transport (conformance/wire.py), past the client's layers of
    auth, redirects and cookies, none of which a run uses: a quarter less CPU per request.
    """

    def __init__(self, key: str, *, deadlines: Deadlines | None = None, concurrency: int = 8,
                 retry: RetryPolicy | None = None, secrets: tuple[str, ...] = (), rate_limit: float | None = None,
                 max_duration: float | None = DEFAULT_MAX_DURATION, env: dict[str, str] | None = None,
                 mark: Callable[[str, Request, bytes | None, dict[str, str]], tuple[bytes | None, dict[str, str]]] | None = None):
        self.key = key
        # --upstream: (fingerprint, request, body, headers) -> what is sent, marked so the recording upstream finds
        # the exchange (conformance/upstream/markers.py's `outgoing`: a module function, so it travels in a pickle)
        self.mark = mark
        self.env = dict(env or {})  # values of -H headers taken from the environment: secrets like the key
        self.deadlines = deadlines or Deadlines()
        self.concurrency = max(1, concurrency)
        self.retry = retry or RetryPolicy()
        self.secrets = tuple(s for s in (key, *key_variants(key), *self.env.values(), *secrets) if s)
        self.rate_limit = rate_limit if rate_limit and rate_limit > 0 else None
        self.max_duration = max_duration if max_duration and max_duration > 0 else None
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._failures = 0
        self._retry_slept = 0.0
        self._run_end: float | None = None  # set when the first run starts (in the process that sends)
        d = self.deadlines
        # per read: silence allowed between two reads (the whole answer's deadline when not streamed)
        self._timeouts = {stream: httpx.Timeout(connect=d.connect, read=d.stream_idle if stream else d.response,
                                                write=d.connect, pool=None).as_dict() for stream in (False, True)}

    @property
    def redactor(self) -> Redactor:
        return redactor(self.secrets)

    def __getstate__(self) -> dict:  # sent to conformance.sender's child process; locks do not travel
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _lock=threading.Lock())

    def run(self, jobs: Iterable[tuple[str, Request]],
            on_done: Callable[[str, Exchange], None] | None = None) -> dict[str, Exchange]:
        """Send every distinct (base_url, request) once, in order; returns exchanges by fingerprint.
        `on_done(fingerprint, exchange)` is called as each one completes, from a sending thread; then
        the exchange is not kept here (the sending process would otherwise hold every answer to the end)."""
        if self._run_end is None and self.max_duration is not None:
            self._run_end = time.monotonic() + self.max_duration
        unique: dict[str, tuple[str, Request]] = {}
        for base_url, request in jobs:
            unique.setdefault(fingerprint(base_url, request), (base_url, request))
        done: dict[str, Exchange] = {}
        pending = iter(list(unique.items()))
        verify = needs_tls(u for u, _ in unique.values())
        self.redactor  # noqa: B018 - built here, once: threads that all missed its cache would each compile it

        def send_all() -> None:
            # one client and one connection per thread, so the watchdog knows which socket each read is on
            # trust_env=False: never route through a proxy from the environment
            line = Line()
            with wire.transport(verify) as client:
                while True:
                    with self._lock:  # one job per thread at a time, taken in order
                        job = next(pending, None)
                    if job is None:
                        return
                    key, (base_url, request) = job
                    exchange = self._one(client, line, watchdog, base_url, request)
                    if on_done is not None:
                        on_done(key, exchange)
                    else:
                        done[key] = exchange

        with Watchdog() as watchdog:
            # daemon: an interrupted run exits at once; otherwise every exchange ends within its deadlines
            senders = [threading.Thread(target=send_all, name=f"routecheck-send-{i}", daemon=True)
                       for i in range(min(self.concurrency, len(unique)))]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
        return done

    def _one(self, client: httpx.HTTPTransport, line: Line, watchdog: Watchdog, base_url: str, request: Request) -> Exchange:
        with self._lock:
            gone = self._failures >= GONE_AFTER
        if gone:  # fail fast instead of N more timeouts
            return Exchange(request, base_url, error=f"{TARGET_GONE} ({self._failures} failures in a row)")
        self._pace()
        if self._left() <= 0:
            return Exchange(request, base_url, error=f"not sent: {run_budget_spent(self.max_duration or 0)}")
        return self.exchange(client, line, watchdog, base_url, request)

    def _left(self) -> float:
        """Seconds left of the run's budget (--max-duration)."""
        return math.inf if self._run_end is None else self._run_end - time.monotonic()

    def exchange(self, client: httpx.HTTPTransport, line: Line, watchdog: Watchdog, base_url: str, request: Request) -> Exchange:
        started = time.monotonic()
        ex = Exchange(request, base_url, unsendable=request.unchanged_near_miss(self.key))
        if ex.unsendable:
            return ex
        for attempt in range(self.retry.attempts):
            ex = Exchange(request, base_url, attempts=attempt + 1, statuses=ex.statuses)
            self._attempt(client, line, watchdog, ex)
            if ex.status is not None:
                ex.statuses.append(ex.status)
            if ex.dropped and attempt == 0:
                continue  # maybe a keep-alive connection the server had just closed: once more, on a new one
            if ex.status not in RETRY_STATUSES or attempt + 1 == self.retry.attempts or ex.error:
                break
            delay = self.retry.delay(attempt, ex.headers.get("retry-after"))
            with self._lock:  # the backoff the target asked for, out of the run's retry budget
                delay = min(delay, max(self.retry.budget - self._retry_slept, 0.0), max(self._left(), 0.0))
                self._retry_slept += delay
            if delay <= 0 and (self._retry_slept >= self.retry.budget or self._left() <= 0):
                break  # the retry budget or the run's is spent: this answer stands
            time.sleep(delay)
        ex.elapsed = time.monotonic() - started
        with self._lock:
            self._failures = self._failures + 1 if self._never_completed(ex) else 0
        return ex

    @staticmethod
    def _never_completed(ex: Exchange) -> bool:
        """No status, or cut at a deadline with nothing usable (a stream of keep-alive pings only)."""
        if ex.status is None:
            return True
        return ex.ended in CUTS and not ex.events and (ex.events is not None or not ex.body)

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

    def _attempt(self, client: httpx.HTTPTransport, line: Line, watchdog: Watchdog, ex: Exchange) -> None:
        request = ex.request
        url = api_url(ex.base_url, request.path)
        total = self.deadlines.stream_total if request.stream else self.deadlines.response
        cut = Cut(line)
        content, headers = self._outgoing(ex.base_url, request)
        started = time.monotonic()
        left = self._left()
        try:
            # armed before sending: headers trickled in byte by byte are cut at the deadline too
            with watchdog.armed(started + total, cut, "total-timeout"), \
                    (watchdog.armed(started + left, cut, "run-budget") if left < total else contextlib.nullcontext()), \
                    wire.exchange(client, request.method, url, content, headers,
                                  {"timeout": self._timeouts[request.stream], "trace": line.trace}) as response:
                ex.status = response.status_code
                ex.headers = self._headers(response)
                self._read(response, ex, cut, watchdog)
        except httpx.ReadTimeout:
            self._deadline(ex, "idle-timeout", self._timeouts[request.stream]["read"])
        except httpx.TimeoutException as exc:
            ex.error = f"{type(exc).__name__} after {self.deadlines.connect:g}s talking to {url}"
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            if cut.reason:
                pass  # the watchdog cut the read: recorded as a deadline below
            elif ex.status is None:  # connected, then hung up: the target's answer to this request
                ex.dropped = f"{type(exc).__name__}: {self.redactor.text(str(exc))[:300] or 'connection closed'}"
            else:
                ex.anomalies.append(f"connection broke while reading: {type(exc).__name__}")
        except httpx.LocalProtocolError as exc:
            if ex.status is None:  # httpx will not send it as written (a header value h11 refuses)
                self._verbatim(ex, url, total)
            else:
                ex.anomalies.append(f"connection broke while reading: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            if ex.status is None:
                ex.error = f"{type(exc).__name__}: {self.redactor.text(str(exc))[:300] or 'no detail'} ({url})"
            else:  # the answer started, then broke: a verdict on what was received
                ex.anomalies.append(f"connection broke while reading: {type(exc).__name__}")
        if cut.reason == "run-budget":
            ex.error = run_budget_spent(self.max_duration or 0)  # a verdict on a cut answer would be unfair
        elif cut.reason:
            self._deadline(ex, cut.reason, total if cut.reason == "total-timeout" else self.deadlines.after_terminator)

    def _outgoing(self, base_url: str, request: Request) -> tuple[bytes | None, dict[str, str]]:
        """The body and headers as sent: with --upstream, marked so the upstream's record finds its exchange."""
        content, headers = request.content(), request.send_headers(self.key, self.env)
        if self.mark is None:
            return content, headers
        return self.mark(fingerprint(base_url, request), request, content, headers)

    def _headers(self, response: httpx.Response) -> dict[str, str]:
        return self._redacted_headers((n.decode("latin-1"), v.decode("latin-1")) for n, v in response.headers.raw)

    def _redacted_headers(self, raw: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Names lower-cased, names and values redacted (a header named after the key counts too)."""
        out: dict[str, str] = {}
        for raw_name, raw_value in itertools.islice(raw, 200):
            name = self.redactor.header_name(raw_name)
            value = self.redactor.text(raw_value[:4000])
            out[name] = f"{out[name]}, {value}" if name in out else value  # repeated headers joined, as httpx does
        return out

    def _verbatim(self, ex: Exchange, url: str, total: float) -> None:
        """The request byte for byte through http.client (conformance/verbatim.py), never a rewritten one."""
        request = ex.request
        content, headers = self._outgoing(ex.base_url, request)
        try:
            answer = verbatim.send(url, request.method, headers, content,
                                   connect=self.deadlines.connect, total=total, limit=self.deadlines.max_body)
        except (OSError, http.client.HTTPException) as exc:
            ex.error = f"sent as written with http.client (httpx refuses it), no answer: {type(exc).__name__}"
            return
        ex.status, ex.headers = answer.status, self._redacted_headers(answer.headers)
        ex.body, ex.truncated = self.redactor.bytes(answer.body), answer.truncated
        ex.anomalies.append("sent as written with http.client: httpx refuses one of its header values")

    def _deadline(self, ex: Exchange, how: str, seconds: float | None) -> None:
        if ex.status is None:
            ex.error = f"no answer within {seconds:g}s ({how})"
        else:
            ex.ended = how

    def _read(self, response: httpx.Response, ex: Exchange, cut: Cut, watchdog: Watchdog) -> None:
        limit = self.deadlines.max_body
        # parsed as it comes only for a stream (its terminator starts a deadline); other SSE answers at the end
        parser = SseParser(max_events=self.deadlines.max_events) if ex.request.stream else None
        decoder = BodyDecoder(ex.headers.get("content-encoding", ""), limit)
        text = Utf8()
        body = bytearray()  # not a list of chunks: a body sent a byte at a time would cost 40 bytes per byte
        wire = 0
        reached_eof = terminated = False
        try:
            with contextlib.ExitStack() as terminator:
                for data in response.iter_raw():  # raw: decoded here, with caps (conformance/decoding.py)
                    wire += len(data)
                    data = decoder.feed(data)
                    body += data
                    if parser is not None and data:
                        for event in parser.feed(text.decode(data)):
                            if event.data.strip() == ex.request.terminator and not terminated:
                                terminated = True  # after it only the end of the body may come, and soon
                                terminator.enter_context(watchdog.armed(
                                    time.monotonic() + self.deadlines.after_terminator, cut, "open-after-terminator"))
                    if wire > limit or decoder.exceeded:
                        ex.truncated, ex.ended = True, "body-limit"
                        break
                else:
                    reached_eof = not cut.reason
                    body += decoder.flush()
        finally:
            # kept even when a deadline cut the read: what did arrive is evidence. Redacted whole, after
            # decoding, so a key split across two reads or two stream events is still found; the events
            # are parsed again from the redacted body, so none holds a piece of the key either
            scrub = self.redactor
            # a stream may also echo the key a few characters per event: each piece is redacted too
            ex.body = scrub.stream_bytes(body) if parser is not None or ex.is_sse else scrub.bytes(body)
            if decoder.anomaly:
                ex.anomalies.append(scrub.text(decoder.anomaly))
            if parser is not None and ex.body == body:
                parser.feed(text.flush())
            elif parser is not None or ex.is_sse:
                parser = SseParser(max_events=self.deadlines.max_events)
                parser.feed(ex.body.decode("utf-8", errors="replace"))
            del body
            if parser is not None:
                if reached_eof:
                    parser.close()
                ex.events = parser.kept()
                ex.anomalies += [scrub.text(a) for a in parser.anomalies[:50]]


def needs_tls(urls: Iterable[str]) -> bool:
    """Certificate checks stay on for https; for plain http the CA bundle (~0.2 s to load) is skipped."""
    return any(url.lower().startswith("https:") for url in urls)


def fingerprint(base_url: str, request: Request) -> str:
    return base_url.rstrip("/") + " " + request.fingerprint
