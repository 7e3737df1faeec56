"""A probe is sent as the case names it, or not judged: never a rewritten request that passes untested.

- `Authorization: Bearer ` (the scheme, an empty token) is refused by httpx (h11 forbids trailing
  whitespace); routecheck sends it byte for byte with http.client instead, and a target that hangs on
  it is cut at the deadline.
- A key without letters has no other letter case: the key-other-case probe would be the key itself,
  so it is not sent and the case is skipped with that reason.
"""

from __future__ import annotations

import socket
import threading

import pytest

from conformance.cases import generate_cases
from conformance.engine import Deadlines, Engine, fingerprint
from conformance.request import Request, key_placeholder
from conformance.spec import load_profile
from conformance.verdicts import FAILED, PASSED, SKIPPED, execute


class RawServer:
    """A loopback socket server that records the bytes of each request and answers with `reply` (None: hang)."""

    def __init__(self, reply: bytes | None):
        self.reply = reply
        self.received: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.release.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed: the test is over
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    more = conn.recv(65536)
                    if not more:  # a client that connected and sent nothing (httpx, refusing the header)
                        break
                    data += more
                if not data:
                    continue
                self.received.append(data)
                if self.reply is None:
                    self.release.wait(30)  # hang until the test is over
                else:
                    conn.sendall(self.reply)

    def close(self) -> None:
        self.release.set()
        self.sock.close()


@pytest.fixture()
def raw_server():
    servers = []

    def start(reply: bytes | None) -> RawServer:
        servers.append(RawServer(reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


UNAUTHORIZED = (b'HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 27\r\n'
                b'connection: close\r\n\r\n{"error": {"message": "no"}}'[:-1])


def test_an_empty_bearer_token_is_sent_byte_for_byte(raw_server):
    server = raw_server(UNAUTHORIZED)
    request = Request("POST", "/v1/chat/completions", {"model": "m"}, headers=(("Authorization", "Bearer "),))
    exchange = Engine("k-1").run([(server.url, request)])[fingerprint(server.url, request)]
    assert b"\r\nAuthorization: Bearer \r\n" in server.received[0]
    assert exchange.status == 401 and exchange.error is None
    assert "sent as written with http.client" in exchange.anomalies[0]


def test_a_target_that_hangs_on_a_verbatim_probe_is_cut_at_the_deadline(raw_server):
    server = raw_server(None)
    request = Request("POST", "/v1/chat/completions", {"model": "m"}, headers=(("Authorization", "Bearer "),))
    engine = Engine("k-1", deadlines=Deadlines(connect=2.0, response=0.5))
    exchange = engine.run([(server.url, request)])[fingerprint(server.url, request)]
    assert exchange.status is None and "no answer" in exchange.error


def test_the_empty_token_case_judges_the_bytes_it_names(gateway):
    cases = [c for c in generate_cases(load_profile("routify"), "routecheck-echo-1") if c.id.endswith("/empty-token")]
    assert [c.request.headers for c in cases] == [(("Authorization", "Bearer "),)]
    engine = Engine(gateway.key)
    for fault, outcome in (("none", PASSED), ("auth.empty-token", FAILED)):
        [result] = execute(engine, [(f"{gateway.root}/p/routify/f/{fault}/v1", cases[0])])
        assert result.outcome == outcome, result.message


def test_a_near_miss_that_is_the_key_itself_is_not_sent_and_the_case_is_skipped(gateway):
    digits = "1234567890"
    request = Request("POST", "/v1/chat/completions", {}, headers=(("Authorization", f"Bearer {key_placeholder('swapcase')}"),))
    assert request.unchanged_near_miss(digits) and request.unchanged_near_miss("sk-abc") is None
    case = next(c for c in generate_cases(load_profile("routify"), "m") if c.id.endswith("/key-other-case"))
    [result] = execute(Engine(digits), [(f"{gateway.root}/p/routify/f/none/v1", case)])
    assert result.outcome == SKIPPED and "no letters" in result.message
    assert result.exchange.status is None  # nothing was sent
