"""The engine in a child process: sending and judging on different cores.

A run on a small machine is CPU-bound in Python, and one process runs Python on
one core at a time. So pytest judges cases in the parent while this child sends
every request (in test order, with the engine's threads and deadlines) and
streams each exchange back as it completes. The child gets its jobs and the key
through a pipe, never through its command line or environment.

A probe derived from a control's answer (the stop sequence the model said) is
derived and sent here too, as soon as its control and evidence are back, instead
of one at a time when pytest reaches its case. The judging process derives it
again and uses this exchange only when both derived the same request.

    python -m conformance.sender   # reads (engine, jobs, derived) from stdin, writes (key, exchange) to stdout
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from concurrent.futures import Future
from typing import BinaryIO

from .case import Case
from .engine import Engine, Exchange, fingerprint
from .request import Request, redact

DERIVED = "derived"  # the key of a derived probe's message: (DERIVED, case id); its payload (key, exchange) or None


class SenderError(Exception):
    """The sending process ended before every exchange came back: a harness problem, not a verdict."""


class Sender:
    """Started at once (its imports overlap the parent's collection); `send` hands it the jobs."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: a chatty child never blocks
        self.process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self._stderr)
        self.futures: dict[str, Future] = {}
        self.uses: Counter[str] = Counter()  # cases still to judge per exchange: then it is dropped
        self.derivations: dict[str, Future] = {}  # by case id: the probe the child derived, (key, exchange) or None
        self.secrets: tuple[str, ...] = ()
        self.sent = False

    def send(self, engine: Engine, jobs: list[tuple[str, Request]], derived: list[tuple[str, Case]] = ()) -> None:
        """Once: the child sends these in order, and derives the probes of the `derived` (url, case) jobs
        as their controls come back. A case whose request is not among them is sent on its own."""
        self.sent = True
        self.futures = {fingerprint(url, request): Future() for url, request in jobs}
        self.uses = Counter(fingerprint(url, request) for url, request in jobs)
        self.derivations = {case.id: Future() for _, case in derived}
        self.secrets = engine.secrets
        data = pickle.dumps((engine, jobs, list(derived)), protocol=pickle.HIGHEST_PROTOCOL)
        # written from a thread: the pipe holds 64 KiB and the child reads only once its imports are done
        threading.Thread(target=self._hand_over, args=(data,), name="routecheck-hand-over", daemon=True).start()
        threading.Thread(target=self._receive, name="routecheck-receive", daemon=True).start()

    def _hand_over(self, data: bytes) -> None:
        try:
            self.process.stdin.write(data)
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

    def derived(self, case_id: str, key: str) -> Exchange | None:
        """The probe of a derived case as the child sent it, when the child derived the same request
        (`key`); None when it derived none or another one, or was not handed this case."""
        future = self.derivations.get(case_id)
        payload = future.result() if future is not None else None  # popped once set: the receiver sets it by id
        self.derivations.pop(case_id, None)
        return payload[1] if payload is not None and payload[0] == key else None

    def release(self, key: str) -> None:
        """One case is done with this exchange (read or not): the last one lets it go."""
        self.uses[key] -= 1
        if self.uses[key] <= 0:
            self.futures.pop(key, None)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # an interrupted run: nothing more to send
        self.process.wait()
        self._stderr.close()

    def _receive(self) -> None:
        try:
            while True:
                key, exchange = pickle.load(self.process.stdout)
                future = self.derivations.get(key[1]) if isinstance(key, tuple) else self.futures.get(key)
                if future is not None:  # else every case that shared it was done without it (blocked)
                    future.set_result(exchange)
        except EOFError:
            if any(not f.done() for f in [*self.futures.values(), *self.derivations.values()]):
                self._fail("it ended early")
        except (pickle.UnpicklingError, OSError) as exc:
            self._fail(f"its answer could not be read ({exc})")

    def _fail(self, why: str) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._stderr.seek(0)
        text = redact(self._stderr.read(1 << 20).decode(errors="replace"), self.secrets)
        lines = [line for line in text.splitlines() if line.strip()]
        detail = f": {lines[-1][:200]}" if lines else f" (exit code {self.process.returncode})"
        for future in [*self.futures.values(), *self.derivations.values()]:
            if not future.done():
                future.set_exception(SenderError(f"the sending process failed, {why}{detail}"))


class _Derivations:
    """The derived cases' probes, each derived and sent once its control and evidence are back."""

    def __init__(self, engine: Engine, derived: list[tuple[str, Case]], emit) -> None:
        self.engine, self.emit = engine, emit
        self.lock = threading.Lock()
        self.cases = {case.id: (url, case) for url, case in derived}
        self.missing = {case.id: {fingerprint(url, r) for r in [case.request, *(r for _, r in case.evidence)]}
                        for url, case in derived}
        self.wanted = {key for keys in self.missing.values() for key in keys}
        self.kept: dict[str, Exchange] = {}  # controls and evidence, until the probes that read them are derived
        self.threads: list[threading.Thread] = []
        self.answered: set[str] = set()

    def arrived(self, key: str, exchange: Exchange) -> None:
        if key not in self.wanted:
            return
        with self.lock:
            self.kept[key] = exchange
            ready = [cid for cid, keys in self.missing.items() if keys <= self.kept.keys()]
            inputs = [(cid, *self._inputs(cid)) for cid in ready]
            for cid in ready:
                del self.missing[cid]
            self._forget_unread()
        for cid, control, evidence in inputs:
            thread = threading.Thread(target=self._probe, args=(cid, control, evidence), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _inputs(self, cid: str) -> tuple[Exchange, dict[str, Exchange]]:
        url, case = self.cases[cid]
        return (self.kept[fingerprint(url, case.request)],
                {name: self.kept[fingerprint(url, r)] for name, r in case.evidence})

    def _forget_unread(self) -> None:
        still = {key for keys in self.missing.values() for key in keys}
        for key in [k for k in self.kept if k not in still]:
            del self.kept[key]

    def _probe(self, cid: str, control: Exchange, evidence: dict[str, Exchange]) -> None:
        from .checks import derive  # the checks only where probes are derived

        url, case = self.cases[cid]
        payload = None
        try:
            request = derive(case, control, evidence)
            key = fingerprint(url, request)
            payload = (key, self.engine.run([(url, request)])[key])
        except Exception:  # noqa: BLE001 - Inconclusive or a bug: the judging process derives it again and says which
            payload = None
        finally:  # one answer per derived case, whatever happened: the judging process waits for it
            self._answer(cid, payload)

    def _answer(self, cid: str, payload: tuple[str, Exchange] | None) -> None:
        with self.lock:
            self.answered.add(cid)
        self.emit((DERIVED, cid), payload)

    def finish(self) -> None:
        """Wait for the probes in flight (each within its deadlines); every other case gets None."""
        for thread in self.threads:
            thread.join()
        for cid in [c for c in self.cases if c not in self.answered]:
            self._answer(cid, None)


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    engine, jobs, derived = pickle.load(source)
    lock = threading.Lock()  # exchanges complete on several sending threads

    def emit(key, payload) -> None:
        with lock:  # dumped straight into the pipe: no second copy of a body of megabytes
            pickle.dump((key, payload), sink, protocol=pickle.HIGHEST_PROTOCOL)
            sink.flush()

    derivations = _Derivations(engine, derived, emit)

    def done(key: str, exchange: Exchange) -> None:
        emit(key, exchange)
        derivations.arrived(key, exchange)

    engine.run(jobs, on_done=done)
    derivations.finish()


if __name__ == "__main__":
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(1)  # the parent left or was interrupted: nobody is waiting for the rest
