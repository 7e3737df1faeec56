"""--base-url as the OpenAI SDK takes base_url: used as given, /v1 added only to a URL with no path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.responses import JSONResponse

from conformance.errors import UsageError
from conformance.gateway import create_app, start_in_thread
from conformance.urls import api_url, normalise_base_url

REPO = Path(__file__).resolve().parent.parent
KEY = "rc-test-key-prefix-0001"


@pytest.mark.parametrize("given, chat, models", [
    ("http://host:4000", "http://host:4000/v1/chat/completions", "http://host:4000/v1/models"),
    ("http://host:4000/", "http://host:4000/v1/chat/completions", "http://host:4000/v1/models"),
    ("http://host:4000/v1", "http://host:4000/v1/chat/completions", "http://host:4000/v1/models"),
    ("http://host:4000/v1/", "http://host:4000/v1/chat/completions", "http://host:4000/v1/models"),
    ("http://host/openai", "http://host/openai/chat/completions", "http://host/openai/models"),
    ("https://gw.example/api/v2", "https://gw.example/api/v2/chat/completions", "https://gw.example/api/v2/models"),
    ("http://host/p/{profile}/v1", "http://host/p/{profile}/v1/chat/completions", "http://host/p/{profile}/v1/models"),
])
def test_the_base_url_is_used_as_given_with_v1_only_for_a_bare_host(given, chat, models):
    base = normalise_base_url(given)
    assert api_url(base, "/v1/chat/completions") == chat and api_url(base, "/v1/models") == models


@pytest.mark.parametrize("bad", ["http://[::1", "http://host/a b", "ftp://host", "http://host:99999", "http://h/?x=1",
                                 "http://h/\n"])
def test_a_base_url_that_cannot_be_used_is_a_usage_error(bad):
    with pytest.raises(UsageError, match="invalid --base-url"):
        normalise_base_url(bad)


class Mounted:
    """The reference gateway as a gateway whose clients use http://host/openai: chat at /openai/chat/completions,
    models at /openai/models, and nothing at /openai/v1/..."""

    def __init__(self) -> None:
        self.app = create_app("openai", api_key=KEY)
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        self.paths.append(scope["path"])
        if not scope["path"].startswith("/openai/") or scope["path"].startswith("/openai/v1/"):
            await JSONResponse({"error": {"message": "not found"}}, status_code=404)(scope, receive, send)
            return
        rest = "/v1" + scope["path"][len("/openai"):]
        await self.app({**scope, "path": rest, "raw_path": rest.encode()}, receive, send)


def test_a_gateway_under_a_prefix_is_addressed_as_its_clients_address_it(tmp_path):
    mounted = Mounted()
    running = start_in_thread(mounted)
    try:
        done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--base-url", f"{running.url}/openai",
                               "--profile", "openai", "-k", "auth or response", "--json", str(tmp_path / "r.json"),
                               "--no-html"], cwd=REPO, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "ROUTECHECK_API_KEY": KEY})
    finally:
        running.stop()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["summary"]["failed"] == 0 and doc["summary"]["passed"] > 10
    assert doc["model"] == "routecheck-echo-1"  # read from /openai/models
    assert "/openai/models" in mounted.paths and "/openai/chat/completions" in mounted.paths
    assert not [p for p in mounted.paths if "/v1" in p]
    curls = {word for c in doc["cases"] for word in c.get("request", {}).get("curl", "").split(" ") if word.startswith("http")}
    assert curls == {f"{running.url}/openai/chat/completions", f"{running.url}/openai/models"}
