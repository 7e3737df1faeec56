"""`routecheck import OPENAPI -o spec.yaml`: a spec from a gateway's OpenAPI document that loads, passes every check,
and is served faithfully by `routecheck serve --spec`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.errors import UsageError
from conformance.gateway import start_in_thread
from conformance.openapi_import import import_openapi
from conformance.spec import load_spec_file
from test_user_spec import KEY, routecheck, serve_spec, stop

REPO = Path(__file__).resolve().parent.parent
LLAMA = REPO / "tests" / "data" / "openapi" / "llama-cpp-python.openapi.json"  # origin: tests/data/openapi/ORIGIN.md

SYNTHETIC = {
    "openapi": "3.0.3", "info": {"title": "Toy Gateway", "version": "1"},
    "paths": {"/v1/chat/completions": {"post": {"requestBody": {"$ref": "#/components/requestBodies/Chat"}}},
              "/v1/models": {"get": {"summary": "models"}}},
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Toy-Key"}},
        "requestBodies": {"Chat": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}},
        "schemas": {
            "Req": {"type": "object", "required": ["model", "messages"], "additionalProperties": False, "properties": {
                "model": {"type": "string"},
                "messages": {"type": "array", "minItems": 1, "maxItems": 64, "items": {"$ref": "#/components/schemas/Msg"}},
                "temperature": {"$ref": "#/components/schemas/Temp"},
                "top_p": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1},
                "n": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 5},
                "mode": {"type": "string", "enum": ["fast", "slow", None], "description": "How hard to think."},
                "seed": {"type": ["integer", "null"]},
                "user": {"anyOf": [{"type": "string"}, {"type": "null"}]}}},
            "Temp": {"$ref": "#/components/schemas/TempNumber"},
            "TempNumber": {"type": "number", "minimum": 0, "maximum": 1.5, "nullable": True},
            "Msg": {"type": "object"}}}}


def test_the_schema_keywords_become_facets_each_citing_its_pointer_and_quoting_its_node(tmp_path):
    source = tmp_path / "toy.json"
    source.write_text(json.dumps(SYNTHETIC))
    spec_path, document, count = import_openapi(str(source), str(tmp_path / "out" / "toy.yaml"))
    spec = yaml.safe_load(spec_path.read_text())
    params = spec["request"]["params"]
    assert count == 8 and spec["profile"] == "toy-gateway" and document.name == "toy.openapi.json"
    assert spec["auth"]["schemes"][0]["header"] == "X-Toy-Key" and spec["request"]["unknown_fields"]["policy"] == "reject"
    assert params["model"]["required"] is True and params["user"]["required"] is False
    assert params["messages"]["min_items"] == 1 and params["messages"]["max_items"] == 64
    assert params["messages"]["items"] == {"type": "object"}  # through its $ref
    temperature = params["temperature"]  # through a chain of two $refs, 3.0's nullable
    assert (temperature["minimum"], temperature["maximum"], temperature["nullable"]) == (0, 1.5, True)
    assert temperature["schemas"]["maximum"] == "#/components/schemas/TempNumber"
    assert temperature["quotes"]["maximum"] == '{ "type": "number", "minimum": 0, "maximum": 1.5, "nullable": true }'
    assert params["top_p"]["minimum"] == 0.01 and params["top_p"]["maximum"] == 1  # 3.0's exclusiveMinimum: true
    assert params["n"]["minimum"] == 1 and params["n"]["maximum"] == 4  # 3.1's numeric exclusive bounds, integers
    assert params["mode"]["enum"] == ["fast", "slow"] and params["mode"]["nullable"] is True
    assert params["seed"]["type"] == "integer" and params["seed"]["nullable"] is True  # 3.1's type list with null
    assert params["user"]["type"] == "string" and params["user"]["nullable"] is True  # anyOf a null branch
    assert params["seed"]["schema"] == "#/components/schemas/Req/properties/seed"
    profile = load_spec_file(spec_path)  # every quote verbatim in the document written beside it
    assert profile.params["temperature"].facets["maximum"].source.schema == "#/components/schemas/TempNumber"


def test_a_real_openapi_document_imports_and_its_spec_is_served_faithfully(tmp_path):
    done = routecheck("import", str(LLAMA), "-o", str(tmp_path / "llama.yaml"), timeout=60)
    assert done.returncode == 0, done.stderr
    spec = tmp_path / "llama.yaml"
    profile = load_spec_file(spec)
    params = profile.params
    assert params["top_p"].get("minimum") == 0 and params["top_p"].get("maximum") == 1
    assert params["top_logprobs"].get("minimum") == 0 and params["stop"].types == ["string", "array"]
    assert params["max_tokens"].get("nullable") is True and params["model"].get("required") is False
    process, url = serve_spec(spec)
    try:
        run = routecheck("run", "--base-url", url, "--spec", str(spec), "--json", str(tmp_path / "r.json"), "--no-html")
    finally:
        stop(process)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    summary = json.loads((tmp_path / "r.json").read_text())["summary"]
    assert summary["failed"] == 0 and summary["errors"] == 0 and summary["passed"] > 300


def test_a_loopback_url_is_read_and_any_other_refused(tmp_path):
    app = Starlette(routes=[Route("/openapi.json", lambda request: JSONResponse(SYNTHETIC))])
    running = start_in_thread(app)
    try:
        spec, _, _ = import_openapi(f"{running.url}/openapi.json", str(tmp_path / "toy.yaml"), profile="toy")
    finally:
        running.stop()
    assert load_spec_file(spec).name == "toy"
    with pytest.raises(UsageError, match="only a loopback URL"):
        import_openapi("https://gateway.example/openapi.json", str(tmp_path / "x.yaml"))


@pytest.mark.parametrize("document, says", [
    ({"openapi": "3.1.0", "paths": {"/v1/embeddings": {"post": {}}}}, "no POST .../chat/completions"),
    ({"openapi": "3.1.0"}, "not an OpenAPI document"),
    ({"openapi": "3.1.0", "paths": {"/v1/chat/completions": {"post": {}}}}, "no application/json request body"),
])
def test_a_document_without_a_chat_request_is_one_line_exit_2(tmp_path, document, says):
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(document))
    done = routecheck("import", str(source), "-o", str(tmp_path / "s.yaml"), timeout=60)
    assert done.returncode == 2 and says in done.stderr and len(done.stderr.strip().splitlines()) == 1
