"""A target that echoes the key a few characters per stream event: no event holds the key, the events' text
joined does. Neither piece may survive in any output (results.json, report.html, Allure attachments, console)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from conformance.gateway import start_in_thread
from conformance.redaction import REDACTED, Redactor

REPO = Path(__file__).resolve().parent.parent


def _chunk(text: str) -> bytes:
    doc = {"id": "c1", "object": "chat.completion.chunk", "created": 1700000000, "model": "m",
           "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return f"data: {json.dumps(doc)}\n\n".encode()


async def _chat(request: Request):
    key = request.headers.get("authorization", "").removeprefix("Bearer ")
    body = await request.json()
    half = len(key) // 2
    if body.get("stream"):
        events = [_chunk("your key: "), _chunk(key[:half]), _chunk(key[half:]), b"data: [DONE]\n\n"]
        return StreamingResponse(iter(events), media_type="text/event-stream")
    return JSONResponse({"id": "c1", "object": "chat.completion", "created": 1700000000, "model": "m",
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},
                                      "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})


async def _models(request: Request):
    return JSONResponse({"object": "list", "data": [{"id": "m", "object": "model", "created": 1, "owned_by": "x"}]})


ECHO_SPLIT = Starlette(routes=[Route("/v1/chat/completions", _chat, methods=["POST"]),
                               Route("/v1/models", _models, methods=["GET"])])


def test_the_pieces_of_a_key_split_across_events_are_redacted_where_they_stand():
    key = "sk-rc-planted-0123456789abcdef"
    events = [_chunk("key: "), _chunk(key[:9]), _chunk(key[9:20]), _chunk(key[20:] + " done"), b"data: [DONE]\n\n"]
    out = Redactor((key,)).stream_bytes(b"".join(events)).decode()
    assert key[:9] not in out and key[9:20] not in out and key[20:] not in out
    contents = [json.loads(line[6:])["choices"][0]["delta"]["content"] for line in out.splitlines()
                if line.startswith("data: {")]
    assert contents == ["key: ", REDACTED, REDACTED, REDACTED + " done"]  # what is not the key stays
    assert out.endswith("data: [DONE]\n\n")
    plain = b"".join([_chunk("sk-rc-"), _chunk("planted, not a key")])
    assert Redactor((key,)).stream_bytes(plain) == plain  # pieces that join into no key are left alone


def test_a_key_echoed_in_two_stream_events_is_in_no_output(tmp_path):
    key = f"sk-rc-split-{uuid.uuid4().hex}"
    half = len(key) // 2
    running = start_in_thread(ECHO_SPLIT)
    try:
        done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--base-url", running.url,
                               "--profile", "openai", "-k", "streaming", "-v", "--json", "out/results.json",
                               "--html", "out/report.html", "--alluredir", "out/allure", "--junitxml", "out/junit.xml"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "ROUTECHECK_API_KEY": key})
    finally:
        running.stop()
    assert done.returncode in (0, 1), done.stderr[-2000:]
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert any(REDACTED in json.dumps(c.get("response", {})) for c in doc["cases"])  # the echo came back, redacted
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 10
    for piece in (key[:half], key[half:]):
        assert [p.name for p in written if piece.encode() in p.read_bytes()] == []
        assert piece not in done.stdout + done.stderr
