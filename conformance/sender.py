"""The engine in a child process: sending and judging on different cores.

A run on a small machine is CPU-bound in Python, and one process runs Python on
one core at a time. So pytest judges cases in the parent while this child sends
every request (in test order, with the engine's threads and deadlines) and
streams each exchange back as it completes. The child gets its jobs and the key
through a pipe, never through its command line or environment.

    python -m conformance.sender   # reads (engine, jobs) from stdin, writes (fingerprint, exchange) to stdout
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

from .engine import Engine, Exchange, fingerprint
from .request import Request, redact


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
        self.secrets: tuple[str, ...] = ()
        self.sent = False

    def send(self, engine: Engine, jobs: list[tuple[str, Request]]) -> None:
        """Once: the child sends these in order. A case whose request is not among them is sent on its own."""
        self.sent = True
        self.futures = {fingerprint(url, request): Future() for url, request in jobs}
        self.uses = Counter(fingerprint(url, request) for url, request in jobs)
        self.secrets = engine.secrets
        data = pickle.dumps((engine, jobs), protocol=pickle.HIGHEST_PROTOCOL)
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
                future = self.futures.get(key)
                if future is not None:  # else every case that shared it was done without it (blocked)
                    future.set_result(exchange)
        except EOFError:
            if any(not f.done() for f in self.futures.values()):
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
        for future in self.futures.values():
            if not future.done():
                future.set_exception(SenderError(f"the sending process failed, {why}{detail}"))


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    engine, jobs = pickle.load(source)
    lock = threading.Lock()  # exchanges complete on several sending threads

    def done(key: str, exchange: Exchange) -> None:
        with lock:  # dumped straight into the pipe: no second copy of a body of megabytes
            pickle.dump((key, exchange), sink, protocol=pickle.HIGHEST_PROTOCOL)
            sink.flush()

    engine.run(jobs, on_done=done)


if __name__ == "__main__":
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(1)  # the parent left or was interrupted: nobody is waiting for the rest
