"""conformance/wire.py sends what httpx.Client would have sent: the same header lines in the same order."""

import socket

import httpx
import pytest

from conformance import wire
from conformance.decoding import ACCEPTED_ENCODINGS

URL = "http://127.0.0.1:9/p/x/v1/chat/completions"


@pytest.mark.parametrize(("method", "content", "headers"), [
    ("POST", b'{"a": 1}', {"Authorization": "Bearer k", "Content-Type": "application/json"}),
    ("POST", None, {"authorization": "Bearer k"}),  # no body: Content-Length 0, as the client adds it
    ("GET", None, {}),
    ("POST", b"{}", {"User-Agent": "mine/1", "accept": "text/event-stream", "Connection": "close"}),  # defaults replaced
    ("POST", b"{}", {"Content-Length": "99", "Host": "example.test"}),  # a case's own framing headers stand
    ("POST", "é".encode(), {"X-Note": "caf%C3%A9"}),
])
def test_the_headers_are_the_clients(method: str, content: bytes | None, headers: dict) -> None:
    with httpx.Client(trust_env=False, headers={"Accept-Encoding": ACCEPTED_ENCODINGS}) as client:
        expected = client.build_request(method, URL, content=content, headers=headers).headers.raw
    built = httpx.Request(method, URL, content=content, headers=wire.headers_for(headers)).headers.raw
    assert built == expected


def test_a_header_value_h11_refuses_is_refused_as_by_the_client() -> None:
    """The engine falls back on http.client for exactly the requests the client would not send."""
    with socket.create_server(("127.0.0.1", 0)) as listening:  # connects; h11 refuses before a byte is sent
        url = f"http://127.0.0.1:{listening.getsockname()[1]}/v1/chat/completions"
        with wire.transport(False) as transport, pytest.raises(httpx.LocalProtocolError):
            with wire.exchange(transport, "POST", url, b"{}", {"Authorization": "Bearer "}, {}):
                pass  # pragma: no cover - refused before anything is sent


def test_trio_counts_as_absent_inside_blocking_only_and_is_given_back() -> None:
    import sys

    had = sys.modules.pop("trio", None)
    try:
        with wire.blocking_only():
            with pytest.raises(ImportError):
                import trio  # noqa: F401
        assert "trio" not in sys.modules  # taken back: a later import finds trio if it is installed
    finally:
        if had is not None:
            sys.modules["trio"] = had
