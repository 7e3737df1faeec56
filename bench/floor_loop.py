"""The floor of bench/speed.py as a command: a plain httpx loop sending a list of requests one after another.

    RC_BENCH_KEY=... python bench/floor_loop.py requests.json

It is timed from start to exit, as `routecheck run` is: Python start-up and importing
httpx are part of both. The file holds `{key}` placeholders, never the key.
"""

import http.client
import json
import os
import sys
from urllib.parse import urlsplit

# as in routecheck run's processes (conformance/wire.py, blocking_only): httpcore's import-time look for trio,
# where trio is installed (the test extras bring it), is no part of sending, so neither side pays it
sys.modules.setdefault("trio", None)  # type: ignore[arg-type]

import httpx  # noqa: E402


def send(client: httpx.Client, method: str, url: str, content: bytes | str | None, headers: dict[str, str]) -> None:
    """One request, its answer read. A header value h11 refuses (`Bearer ` with an empty token) goes out
    through http.client, as routecheck sends it (conformance/verbatim.py): the floor sends what routecheck sends."""
    try:
        client.request(method, url, content=content, headers=headers).read()
    except httpx.LocalProtocolError:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request(method, parts.path, body=content, headers=headers)
            conn.getresponse().read()
        finally:
            conn.close()


def main() -> int:
    key = os.environ["RC_BENCH_KEY"]
    with open(sys.argv[1], encoding="utf-8") as file:
        requests = json.load(file)
    with httpx.Client(timeout=30, trust_env=False, verify=False) as client:  # plain http: no CA bundle, as routecheck
        for r in requests:
            headers = {name: value.replace("{key}", key) for name, value in r["headers"].items()}
            send(client, r["method"], r["url"], r["content"], headers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
