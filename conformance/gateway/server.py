"""Running the gateway with uvicorn on 127.0.0.1 only: in the foreground, or in a thread."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"
BANNER = "routecheck-gateway listening on http://{host}:{port}"
GRACEFUL_SHUTDOWN_SECONDS = 2  # open streams (stream.never-ends) are cut after this on stop
POLL_SECONDS = 0.02


def port_number(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535: argparse turns the ValueError into a one-line usage error."""
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(text)
    return value


port_number.__name__ = "port (0 to 65535)"  # what argparse names in its message


def bind(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A listening socket on the loopback interface (port 0: a free port)."""
    if host != LOOPBACK:
        raise ValueError(f"the reference gateway binds {LOOPBACK} only, not {host!r}")
    # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections (proto 0 skips it,
    # and every keep-alive response then waits ~40 ms on Nagle + delayed ACK)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def _server(app: ASGIApp) -> uvicorn.Server:
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
    return uvicorn.Server(config)


def serve(app: ASGIApp, host: str = LOOPBACK, port: int = 0) -> None:
    """Bind, print the one banner line, then serve until interrupted."""
    sock = bind(host, port)
    print(BANNER.format(host=LOOPBACK, port=sock.getsockname()[1]), flush=True)
    _server(app).run(sockets=[sock])


@dataclass
class RunningServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def start_in_thread(app: ASGIApp, ready_timeout: float = 10.0, port: int = 0) -> RunningServer:
    """Serve `app` on a loopback port (0: a free one) in a daemon thread; returns once it accepts requests."""
    sock = bind(port=port)
    server = _server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="routecheck-gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the reference gateway did not start")
        time.sleep(POLL_SECONDS)
    return RunningServer(f"http://{LOOPBACK}:{sock.getsockname()[1]}", server, thread)
