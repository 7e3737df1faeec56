"""The engine in a child process: sending and judging on different cores.

A run on a small machine is CPU-bound in Python, and one process runs Python on
one core at a time. So pytest judges cases in the parent while this child sends
every request (in test order, with the engine's threads and deadlines) and
streams each exchange back as it completes. The child gets its jobs and the key
through a pipe, never through its command line or environment.

A probe derived from a control's answer (the stop word the model said) is derived
here, once, as soon as its control and evidence are back, and handed to the child as
one more job: it is on its way while other cases are judged, not sent alone when pytest
reaches its case. The judging side takes that request from here (`probe`) instead of
deriving it again. The child stays light (no checks to import); the derivation is
handed in (`derive`, conformance/checks' one): the sender sits below the checks.

    python -m conformance.sender   # reads (engine, jobs), then more (url, request) jobs, from stdin;
                                   # writes (fingerprint, exchange) to stdout
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from concurrent.futures import Future, InvalidStateError
from typing import TYPE_CHECKING, BinaryIO, Callable

from . import wire
from .engine import Engine, Exchange, fingerprint
from .request import Request, redact

if TYPE_CHECKING:
    from .case import Case


class SenderError(Exception):
    """The sending process ended before every exchange came back: a harness problem, not a verdict."""


class Sender:
    """Started at once (its imports overlap the parent's collection); `send` hands it the jobs."""

    def __init__(self, derive: Callable[[Case, Exchange, dict[str, Exchange]], Request] | None = None) -> None:
        """`derive`: a derived case's probe from its control's answer; without it, the judging side sends the probes."""
        self.derive = derive
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: a chatty child never blocks
        self.process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self._stderr)
        self.futures: dict[str, Future] = {}
        self.uses: Counter[str] = Counter()  # cases still to judge per exchange: then it is dropped
        self.secrets: tuple[str, ...] = ()
        self.sent = False
        self.closed = False
        self._lock = threading.Lock()  # futures and uses change on the receiving thread too (derived probes)
        self._stdin = threading.Lock()
        self._derived: dict[int, tuple[str, Case, set[str]]] = {}  # derived job -> (url, case, keys still awaited)
        self._awaited: dict[str, list[int]] = {}  # key -> the derived jobs that read it
        # (url, case ID) -> the probe derived here (or what deriving it raised); None: not derived here
        self._probes: dict[tuple[str, str], Future] = {}

    def send(self, engine: Engine, jobs: list[tuple[str, Request]], derived: list[tuple[str, Case]] = ()) -> None:
        """Once: the child sends these in order, then the probes of the `derived` (url, case) jobs as their
        controls come back. A case whose request is not among them is sent on its own."""
        self.sent = True
        self.futures = {fingerprint(url, request): Future() for url, request in jobs}
        self.uses = Counter(fingerprint(url, request) for url, request in jobs)
        self.secrets = engine.secrets
        for job, (url, case) in enumerate(derived):  # by position: a case handed twice is derived once, read by each
            keys = {fingerprint(url, r) for r in [case.request, *(r for _, r in case.evidence)]}
            self._derived[job] = (url, case, keys)
            if self.derive is not None:
                self._probes.setdefault((url, case.id), Future())
            for key in keys:
                self._awaited.setdefault(key, []).append(job)
        # the derived cases' controls first: their probes then go out early, not after everything else
        first = [(url, r) for url, case in derived for r in [case.request, *(r for _, r in case.evidence)]]
        data = pickle.dumps((engine, first + jobs), protocol=pickle.HIGHEST_PROTOCOL)
        # written from a thread: the pipe holds 64 KiB and the child reads only once its imports are done
        threading.Thread(target=self._hand_over, args=(data,), name="routecheck-hand-over", daemon=True).start()
        threading.Thread(target=self._receive, name="routecheck-receive", daemon=True).start()

    def _hand_over(self, data: bytes) -> None:
        try:
            with self._stdin:
                self.process.stdin.write(data)
                self.process.stdin.flush()
                if not self._derived:
                    self.process.stdin.close()
        except OSError as exc:  # the child died at start: every case learns why
            self._fail(f"could not hand it the requests ({exc})")

    def get(self, key: str) -> Exchange | None:
        """The exchange for one case; once every case sharing it has asked, it is no longer held here."""
        future = self.futures.get(key)
        if future is None:
            return None
        exchange = future.result()
        self.release(key)
        return exchange

    def probe(self, url: str, case: Case) -> Request | None:
        """The probe of a derived case as derived here, once its control is back (raising what deriving it raised,
        Inconclusive mostly); None when it was not derived here: the judging side derives it itself."""
        future = self._probes.get((url, case.id))
        return None if future is None else future.result()

    def release(self, key: str) -> None:
        """One case is done with this exchange (read or not): the last one lets it go."""
        with self._lock:
            self.uses[key] -= 1
            if self.uses[key] <= 0:
                self.futures.pop(key, None)

    def close(self) -> None:
        with self._lock:  # a receiving thread failing the futures reads the child's stderr: not once it is closed
            self.closed = True
        if self.process.poll() is None:
            self.process.kill()  # an interrupted run: nothing more to send
        self.process.wait()
        self._stderr.close()

    def _receive(self) -> None:
        try:
            while True:
                key, exchange = pickle.load(self.process.stdout)
                future = self.futures.get(key)
                if key in self._awaited:  # before any case can read it: the probe's future exists when one asks
                    self._derive_guarded(key, exchange)
                if future is not None:  # else every case that shared it was done without it (blocked)
                    future.set_result(exchange)
        except EOFError:
            if any(not f.done() for f in self.futures.values()):
                self._fail("it ended early")
        except (pickle.UnpicklingError, OSError) as exc:
            self._fail(f"its answer could not be read ({exc})")
        finally:
            self._give_up_probes()  # whatever was not derived here, the judging side derives

    def _give_up_probes(self) -> None:
        for future in list(self._probes.values()):
            with contextlib.suppress(InvalidStateError):  # already derived: kept
                future.set_result(None)

    def _derive_guarded(self, key: str, exchange: Exchange) -> None:
        try:
            self._derive(key, exchange)
        except Exception:  # noqa: BLE001 - a bug here must not stop the answers: the judging side sends the probes
            self._derived.clear()
            self._give_up_probes()
            self._close_stdin()

    def _derive(self, key: str, exchange: Exchange) -> None:
        """The probes whose control and evidence are now all back: derived, and handed to the child."""
        for job in self._awaited.pop(key):
            url, case, keys = self._derived[job]
            keys.discard(key)
            if not keys:
                del self._derived[job]
                self._probe(url, case, key, exchange)
        if not self._derived:
            self._close_stdin()  # nothing more to send: the child ends once its probes are back

    def _close_stdin(self) -> None:
        with self._stdin, contextlib.suppress(OSError):  # OSError: the child is gone, the receiving loop says so
            self.process.stdin.close()

    def _probe(self, url: str, case: Case, key: str, exchange: Exchange) -> None:
        outcome = self._probes.get((url, case.id))
        if outcome is None:  # no derivation handed in: the judging side derives
            return
        if outcome.done():  # a case handed twice: derived once, read by each
            if outcome.exception() is not None or outcome.result() is None:
                return
            request = outcome.result()
        else:
            def read(request: Request) -> Exchange:
                k = fingerprint(url, request)
                return exchange if k == key else self.futures[k].result()

            try:
                control, evidence = read(case.request), {name: read(r) for name, r in case.evidence}
            except KeyError:  # every case reading them is done (blocked): nobody asks for this probe
                outcome.set_result(None)
                return
            try:
                request = self.derive(case, control, evidence)
            except Exception as exc:  # noqa: BLE001 - Inconclusive, or a bug: the judging side gets it and says which
                outcome.set_exception(exc)
                return
        probe = fingerprint(url, request)
        with self._lock:
            self.uses[probe] += 1
            known = probe in self.futures  # already on its way (the same request as another job)
            if not known:
                self.futures[probe] = Future()
        if not outcome.done():  # told only now: a case reading it finds its exchange's future
            outcome.set_result(request)
        if known:
            return
        # OSError: the child is gone, and the receiving loop fails every future still open, this one too
        with self._stdin, contextlib.suppress(OSError):
            pickle.dump((url, request), self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()

    def _child_stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read(1 << 20).decode(errors="replace")

    def _fail(self, why: str) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        with self._lock:
            text = "" if self.closed else self._child_stderr()
        lines = [line for line in redact(text, self.secrets).splitlines() if line.strip()]
        detail = f": {lines[-1][:200]}" if lines else f" (exit code {self.process.returncode})"
        for future in self.futures.values():
            if not future.done():
                future.set_exception(SenderError(f"the sending process failed, {why}{detail}"))


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    with wire.blocking_only():
        import httpcore  # noqa: F401 - httpx imports it at its first client: here, while the parent still plans the run
    engine, jobs = pickle.load(source)
    lock = threading.Lock()  # exchanges complete on several sending threads

    def done(key: str, exchange: Exchange) -> None:
        with lock:  # dumped straight into the pipe: no second copy of a body of megabytes
            pickle.dump((key, exchange), sink, protocol=pickle.HIGHEST_PROTOCOL)
            sink.flush()

    more = threading.Thread(target=_more_jobs, args=(source, engine, done), name="routecheck-probes", daemon=True)
    more.start()
    engine.run(jobs, on_done=done)
    more.join()  # the parent closes the pipe once every derived probe is handed over


def _more_jobs(source: BinaryIO, engine: Engine, done) -> None:
    """Probes derived from controls' answers, each sent as it comes (every one within its deadlines)."""
    probes = []
    while True:
        try:
            job = pickle.load(source)
        except EOFError:
            break
        probe = threading.Thread(target=engine.run, args=([job],), kwargs={"on_done": done}, daemon=True)
        probe.start()
        probes.append(probe)
    for probe in probes:
        probe.join()


if __name__ == "__main__":
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(1)  # the parent left or was interrupted: nobody is waiting for the rest
