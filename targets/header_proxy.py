"""A loopback reverse proxy that adds fixed headers to every request, streaming answers through unbuffered.

Portkey picks its upstream per request from x-portkey-* headers, which routecheck does not send; this
proxy adds them, so routecheck sees an ordinary OpenAI-style base URL. Everything else passes unchanged:
method, raw path and query, body bytes, the Authorization header, status, answer headers, and the body
chunk by chunk as it arrives (compressed bytes stay compressed).

    python -m targets.header_proxy --upstream http://127.0.0.1:8787 --header x-portkey-provider=openai
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

LOOPBACK = "127.0.0.1"
BANNER = "header-proxy listening on http://{host}:{port}"
# per connection/read, not per stream: a long stream is fine as long as bytes keep coming
UPSTREAM_TIMEOUT = httpx.Timeout(connect=5.0, read=120.0, write=30.0, pool=10.0)
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "host", "content-length"})


def create_app(upstream: str, added_headers: dict[str, str]) -> Starlette:
    upstream = upstream.rstrip("/")
    client = httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT, trust_env=False, follow_redirects=False)

    async def forward(request: Request) -> Response:
        path = request.scope.get("raw_path") or request.url.path.encode()
        url = upstream + path.decode("latin-1")
        if request.url.query:
            url += "?" + request.url.query
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        headers += list(added_headers.items())
        outgoing = client.build_request(request.method, url, headers=headers, content=await request.body())
        try:
            answer = await client.send(outgoing, stream=True)
        except httpx.HTTPError as exc:
            message = f"header proxy: upstream {upstream} failed: {type(exc).__name__}: {exc}"
            return JSONResponse({"error": {"message": message, "type": "proxy_error"}}, status_code=502)
        response = StreamingResponse(answer.aiter_raw(), status_code=answer.status_code,
                                     background=BackgroundTask(answer.aclose))
        # the upstream's headers as sent (repeated ones too), minus what this hop recomputes
        response.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.multi_items()
                                if k.lower() not in HOP_BY_HOP - {"content-length"}]
        return response

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        async with client:
            yield

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)], lifespan=lifespan)


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m targets.header_proxy", description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="root URL to forward to (the path is kept)")
    parser.add_argument("--header", type=_header, action="append", default=[], help="NAME=VALUE to add (repeatable)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    args = parser.parse_args(argv)
    app = create_app(args.upstream, dict(args.header))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # IPPROTO_TCP: asyncio sets NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, args.port))
    sock.listen(128)
    print(BANNER.format(host=LOOPBACK, port=sock.getsockname()[1]), flush=True)
    # the upstream's Date and Server headers pass through: do not add a second pair
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, date_header=False,
                            timeout_graceful_shutdown=2)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
