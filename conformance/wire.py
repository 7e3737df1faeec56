"""One request on the wire through httpx's transport, without the client around it.

httpx.Client adds auth, redirects, cookies and event hooks on every request; a run uses none
of them (redirects are never followed, a cookie a target sets must not ride along on the next
case's request). Here the request is built as the client builds it (its default headers, then
the case's, Host and Content-Length added by httpx.Request) and handed to the transport, whose
errors are httpx's own. tests/test_wire.py holds the headers equal to the client's.
"""

from __future__ import annotations

import contextlib
import sys
from functools import lru_cache
from typing import Iterator

import httpx

from .decoding import ACCEPTED_ENCODINGS


def _client_headers() -> httpx.Headers:
    """httpx.Client's defaults, as its `headers` setter builds them, with ours over them: only the encodings
    conformance/decoding.py decodes (with brotli installed httpx would offer br too)."""
    headers = httpx.Headers({b"Accept": b"*/*", b"Accept-Encoding": b"gzip, deflate", b"Connection": b"keep-alive",
                             b"User-Agent": f"python-httpx/{httpx.__version__}".encode("ascii")})
    headers.update({"Accept-Encoding": ACCEPTED_ENCODINGS})
    return headers


CLIENT_HEADERS = _client_headers()


@contextlib.contextmanager
def blocking_only() -> Iterator[None]:
    """httpcore looks for trio when it is first imported (a twentieth of a second where trio is installed), for
    async clients; a run's requests are all blocking. Inside this, before httpcore is imported, trio counts as
    not installed; one imported already stays, and the entry is taken back on the way out."""
    added = "trio" not in sys.modules
    if added:
        sys.modules["trio"] = None  # type: ignore[assignment] - None: `import trio` raises ImportError
    try:
        yield
    finally:
        if added and sys.modules.get("trio", 0) is None:
            del sys.modules["trio"]


@contextlib.contextmanager
def transport(verify: bool) -> Iterator[httpx.HTTPTransport]:
    """One connection at a time (a sending thread's own); trust_env=False: never a proxy from the environment."""
    with httpx.HTTPTransport(verify=verify, trust_env=False,
                             limits=httpx.Limits(max_connections=1, max_keepalive_connections=1)) as opened:
        yield opened


@lru_cache(maxsize=4096)
def _url(url: str) -> httpx.URL:
    return httpx.URL(url)


def headers_for(headers: dict[str, str]) -> httpx.Headers:
    """The client's default headers, then the case's (a case's header replaces a default of the same name)."""
    merged = httpx.Headers(CLIENT_HEADERS)
    merged.update(headers)
    return merged


@contextlib.contextmanager
def exchange(client: httpx.HTTPTransport, method: str, url: str, content: bytes | None, headers: dict[str, str],
             extensions: dict) -> Iterator[httpx.Response]:
    """The answer, its body still to read (`iter_raw`); closed on the way out, read or not."""
    request = httpx.Request(method, _url(url), content=content, headers=headers_for(headers), extensions=extensions)
    response = client.handle_request(request)
    try:
        yield response
    finally:
        response.close()
