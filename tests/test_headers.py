"""-H/--header NAME:VALUE on every request; NAME:env:VAR takes the value from the environment and keeps it a
secret like the key: shown as $VAR, redacted from every output even when the target echoes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from starlette.responses import JSONResponse

from conformance.errors import UsageError
from conformance.gateway import create_app, start_in_thread
from conformance.spec import load_profile
from conformance.target import parse_headers

REPO = Path(__file__).resolve().parent.parent
KEY = "rc-test-key-headers-0001"


class NeedsHeaders:
    """The reference gateway behind a front that refuses any request without X-Org and the right X-Tenant-Token,
    and echoes the token back in a header of every answer (and in the body of its refusals)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.app = create_app("routify-mvp", api_key=KEY)
        self.refused = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if headers.get("x-org") != "acme" or headers.get("x-tenant-token") != self.token:
            self.refused += 1
            got = headers.get("x-tenant-token", "")
            await JSONResponse({"error": {"message": f"bad tenant token {got}"}}, status_code=403)(scope, receive, send)
            return

        async def echoing(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (b"x-tenant-echo", self.token.encode())]}
            await send(message)

        await self.app(scope, receive, echoing)


def _run(tmp_path: Path, url: str, token: str, *extra: str, command: tuple = ("-m", "conformance.cli", "run")):
    return subprocess.run([sys.executable, *command, "--base-url", url, "--profile", "routify-mvp",
                           *extra], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ROUTECHECK_API_KEY": KEY, "RC_TENANT_TOKEN": token})


def test_headers_reach_every_request_and_a_secret_one_is_in_no_output(tmp_path):
    token = f"tt-{uuid.uuid4().hex}"
    front = NeedsHeaders(token)
    running = start_in_thread(front)
    try:
        headers = ("-H", "X-Org: acme", "--header", "X-Tenant-Token:env:RC_TENANT_TOKEN")
        done = _run(tmp_path, running.url, token, *headers, "-k", "auth or ranges/temperature", "-v",
                    "--json", "out/results.json", "--html", "out/report.html", "--junitxml", "out/junit.xml",
                    "--alluredir", "out/allure")
        refused_with_headers = front.refused
        plain = _run(tmp_path, running.url, token, *headers, "-k", "auth or ranges/temperature", "--json",
                     "out/plain.json", "-p", "no:cacheprovider", command=("-m", "pytest", str(REPO / "conformance")))
        without = _run(tmp_path, running.url, token, "--json", "out/without.json", "--no-html")
    finally:
        running.stop()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert refused_with_headers == 0  # the model listing, every case, every probe carried both headers
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert doc["summary"]["passed"] == doc["summary"]["total"] > 10
    curls = [c["request"]["curl"] for c in doc["cases"] if c.get("request", {}).get("curl")]
    assert curls and all("-H 'X-Org: acme'" in c and '-H "X-Tenant-Token: ${RC_TENANT_TOKEN}"' in c for c in curls)
    echoed = [c for c in doc["cases"] if c.get("response", {}).get("headers", {}).get("x-tenant-echo")]
    assert echoed and all(c["response"]["headers"]["x-tenant-echo"] == "[REDACTED]" for c in echoed)
    assert plain.returncode == 0, plain.stdout[-3000:]
    assert without.returncode == 2 and "403" in without.stderr  # without them the gateway refuses the listing
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 10
    assert [p.name for p in written if token.encode() in p.read_bytes()] == []
    assert token not in done.stdout + done.stderr + plain.stdout + plain.stderr + without.stdout + without.stderr


@pytest.mark.parametrize("item, env, says", [
    ("X-Org", {}, "expected NAME:VALUE"),
    ("Bad Name: x", {}, "expected NAME:VALUE"),
    ("Authorization: Bearer abc", {}, "the profile sends the key in Authorization itself"),
    ("Content-Type: text/plain", {}, "routecheck sets Content-Type itself"),
    ("X-T:env:RC_UNSET_VAR", {}, "the environment variable RC_UNSET_VAR is not set"),
    ("X-T:env:1BAD", {}, "is not an environment variable name"),
    ("X-T:env:RC_H_VALUE", {"RC_H_VALUE": "line\nbreak-secret"}, "contains a line break"),
    ("X-T:env:RC_H_VALUE", {"RC_H_VALUE": "café-secret"}, "non-ASCII"),
])
def test_a_bad_header_is_one_line_and_never_shows_a_secret_value(item, env, says, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("RC_UNSET_VAR", raising=False)
    with pytest.raises(UsageError) as err:
        parse_headers([item], [load_profile("routify-mvp")], "ROUTECHECK_API_KEY")
    assert says in str(err.value) and "\n" not in str(err.value) and "secret" not in str(err.value)


def test_a_bad_header_exits_2_with_one_line():
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "-H", "X-T:env:RC_UNSET_VAR"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "RC_UNSET_VAR" in done.stderr
