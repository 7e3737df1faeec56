"""The floor of bench/speed.py as a command: a plain httpx loop sending a list of requests one after another.

    RC_BENCH_KEY=... python bench/floor_loop.py requests.json

It is timed from start to exit, as `routecheck run` is: Python start-up and importing
httpx are part of both. The file holds `{key}` placeholders, never the key.
"""

import json
import os
import sys

import httpx


def main() -> int:
    key = os.environ["RC_BENCH_KEY"]
    with open(sys.argv[1], encoding="utf-8") as file:
        requests = json.load(file)
    with httpx.Client(timeout=30, trust_env=False, verify=False) as client:  # plain http: no CA bundle, as routecheck
        for r in requests:
            headers = {name: value.replace("{key}", key) for name, value in r["headers"].items()}
            client.request(r["method"], r["url"], content=r["content"], headers=headers).read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
