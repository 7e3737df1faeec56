"""`routecheck import OPENAPI -o spec.yaml`: a spec for the chat completions request from a gateway's OpenAPI document.

Facets come from the request body's schema keywords: type, enum, minimum/maximum (exclusive ones too, in OpenAPI
3.0's boolean and 3.1's numeric forms), required, nullable (3.0 `nullable: true`, 3.1 `type: [.., "null"]` or an
`anyOf` branch of type null), minItems and maxItems, following `$ref`. Each rule cites the JSON pointer of the node
it comes from (`schemas`) and quotes that node's own JSON; the document is written next to the spec as that same
JSON rendering, so every quote is verbatim in it and the spec passes the check every spec gets.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .errors import UsageError
from .spec import load_spec_file, profile_names
from .spec_checks import normalise

CHAT = "/chat/completions"
EXCLUSIVE_STEP = 0.01  # an exclusive fractional bound b: b ± this is the inclusive bound tested (just past it: b)
MAX_DOCUMENT = 16 << 20


def read_document(source: str) -> dict:
    """The OpenAPI document from a file (JSON or YAML), or from a loopback URL."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https"):
        if not _loopback(parts.hostname or ""):
            raise UsageError(f"import {source}: only a loopback URL (127.0.0.1, localhost, [::1]) or a file")
        import httpx

        try:
            answer = httpx.get(source, timeout=10.0, trust_env=False, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise UsageError(f"import {source}: {type(exc).__name__}: {exc}") from None
        if answer.status_code != 200 or len(answer.content) > MAX_DOCUMENT:
            raise UsageError(f"import {source}: answered {answer.status_code} ({len(answer.content)} bytes)")
        text = answer.text
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"import {source}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        doc = json.loads(text)  # first: YAML reads JSON's surrogate pair escapes (an emoji) as two lone halves
    except ValueError:
        doc = None
    try:
        doc = yaml.safe_load(text) if doc is None else doc
    except yaml.YAMLError as exc:
        raise UsageError(f"import {source}: neither JSON nor YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise UsageError(f"import {source}: not an OpenAPI document (no `paths`)")
    return doc


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Doc:
    """The document, its JSON rendering (the spec's source), and $ref resolution by JSON pointer."""

    def __init__(self, doc: dict):
        self.doc = doc

    def node(self, pointer: str) -> Any:
        node: Any = self.doc
        for part in pointer.lstrip("#/").split("/") if pointer.strip("#/") else []:
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def resolve(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow $ref (a chain of them too) to the node it names, with that node's pointer."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            pointer = node["$ref"]
            if pointer in seen:
                raise UsageError(f"import: $ref cycle at {pointer}")
            seen.add(pointer)
            try:
                node = self.node(pointer)
            except (KeyError, IndexError, ValueError):
                raise UsageError(f"import: $ref {pointer} names nothing in the document") from None
        return node, pointer


def quote_of(node: Any) -> str:
    """A node's own text as the written source shows it, on one line (quotes are compared up to whitespace)."""
    return normalise(render(node))


def render(doc: Any) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False)


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def chat_operation(doc: dict) -> tuple[str, dict, str]:
    """The chat completions POST: its path, its operation, and that operation's pointer (a /v1 path first)."""
    found = [p for p, item in doc["paths"].items() if p.endswith(CHAT) and isinstance(item, dict) and "post" in item]
    if not found:
        raise UsageError(f"import: the document has no POST ...{CHAT} path")
    path = sorted(found, key=lambda p: (not p.startswith("/v1/"), len(p)))[0]
    return path, doc["paths"][path]["post"], _pointer("paths", path, "post")


class _Importer:
    def __init__(self, doc: dict, document_name: str):
        self.d = _Doc(doc)
        self.doc = doc
        self.document = document_name
        self.notes: list[str] = []

    def _cite(self, entry: dict, facet: str | None, node: Any, pointer: str) -> None:
        """The quote and pointer of where `facet` is written (the entry's own when it is the property's node)."""
        if facet is None:
            entry["quote"], entry["schema"] = quote_of(node), pointer
        elif pointer != entry["schema"]:
            entry.setdefault("quotes", {})[facet] = quote_of(node)
            entry.setdefault("schemas", {})[facet] = pointer

    def param(self, name: str, written: Any, pointer: str, required: bool) -> dict:
        entry: dict = {}
        self._cite(entry, None, written, pointer)
        node, where = self.d.resolve(written, pointer)
        branches = [(node, where)]
        for key in ("anyOf", "oneOf"):
            if isinstance(node.get(key) if isinstance(node, dict) else None, list):
                branches = [self.d.resolve(b, f"{where}/{key}/{i}") for i, b in enumerate(node[key])]
        if isinstance(node, dict) and isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
            branches = [self.d.resolve(node["allOf"][0], f"{where}/allOf/0")]
        types: list[str] = []
        nullable = isinstance(node, dict) and node.get("nullable") is True
        typed = []
        for branch, at in branches:
            if not isinstance(branch, dict):
                continue
            kinds = branch.get("type")
            kinds = kinds if isinstance(kinds, list) else [kinds] if isinstance(kinds, str) else []
            if "null" in kinds or branch.get("nullable") is True:
                nullable = True
            kinds = [k for k in kinds if k != "null"]
            if kinds:
                typed.append((branch, at))
                types += [k for k in kinds if k not in types]
            elif not branch.get("enum") == [None] and branch.get("type") != "null":
                typed.append((branch, at))  # no type: a branch that admits anything keeps the type open
                types = []
                break
        if types and len(typed) == len([b for b in branches if isinstance(b[0], dict)
                                        and b[0].get("type") not in ("null", ["null"])]):
            entry["type"] = types[0] if len(types) == 1 else types
            if len(typed) == 1:
                self._cite(entry, "type", *typed[0])
        # said either way: an optional property must not inherit the baseline's `required` (OpenAI's model)
        entry["required"] = required
        if nullable:
            entry["nullable"] = True
        if len(typed) == 1:
            self._facets(entry, *typed[0], types)
        return entry

    def _facets(self, entry: dict, node: dict, at: str, types: list[str]) -> None:
        integer = types == ["integer"]
        enum = [v for v in node.get("enum") or [] if v is not None]
        if None in (node.get("enum") or []):
            entry["nullable"] = True
        if enum:
            entry["enum"] = enum
            self._cite(entry, "enum", node, at)
        for keyword, facet, sign in (("minimum", "minimum", 1), ("maximum", "maximum", -1)):
            exclusive = "exclusiveMinimum" if facet == "minimum" else "exclusiveMaximum"
            bound, strict = node.get(keyword), False
            if isinstance(node.get(exclusive), (int, float)) and not isinstance(node.get(exclusive), bool):
                bound, strict = node[exclusive], True  # OpenAPI 3.1: the exclusive bound itself
            elif node.get(exclusive) is True:
                strict = True  # OpenAPI 3.0: the bound in minimum/maximum is exclusive
            if not isinstance(bound, (int, float)) or isinstance(bound, bool):
                continue
            if strict:
                step = 1 if integer else EXCLUSIVE_STEP
                self.notes.append(f"{at}: {exclusive} {bound} is tested as the inclusive {facet} "
                                  f"{round(bound + sign * step, 6)}; just past it is {bound}, which is refused")
                bound = round(bound + sign * step, 6)
            entry[facet] = bound
            self._cite(entry, facet, node, at)
        for keyword, facet in (("minItems", "min_items"), ("maxItems", "max_items")):
            value = node.get(keyword)
            if isinstance(value, int) and not isinstance(value, bool) and value >= (0 if facet == "min_items" else 1):
                entry[facet] = value
                self._cite(entry, facet, node, at)
        items = node.get("items")
        if isinstance(items, dict):
            resolved, _ = self.d.resolve(items, f"{at}/items")
            kind = resolved.get("type") if isinstance(resolved, dict) else None
            if isinstance(kind, str) and kind != "null":
                entry["items"] = {"type": kind}

    def spec(self, profile: str) -> dict:
        path, operation, op_pointer = chat_operation(self.doc)
        body, body_at = self.d.resolve(operation.get("requestBody"), f"{op_pointer}/requestBody")
        content = ((body if isinstance(body, dict) else {}).get("content") or {}).get("application/json") or {}
        if "schema" not in content:
            raise UsageError(f"import: POST {path} has no application/json request body schema")
        schema, at = self.d.resolve(content["schema"], f"{body_at}/content/application~1json/schema")
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(properties, dict) or not properties:
            raise UsageError(f"import: the request body schema at {at} lists no properties")
        required = set(schema.get("required") or [])
        params = {name: self.param(name, node, f"{at}/properties/{_escape(name)}", name in required)
                  for name, node in properties.items() if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)}
        request: dict = {"path": path, "params": params, "body": {"schema": at}}
        if schema.get("type") == "object":
            request["body"]["quote"] = '"type": "object"'
        if schema.get("additionalProperties") is False:
            request["unknown_fields"] = {"policy": "reject", "quote": '"additionalProperties": false', "schema": at}
        info = self.doc.get("info") or {}
        spec = {"profile": profile, "title": str(info.get("title") or profile), "document": self.document,
                "baseline": "openai", "notes": [f"Imported from the OpenAPI document {self.document} by routecheck import."]
                + self.notes, "auth": {"schemes": self.auth()}, "request": request,
                "response": {"fields": {}}, "stream": {"fields": {}}}
        models = self.models()
        if models:
            spec["models"] = models
        caps = {n: {"quote": params[n]["quote"], "schema": params[n]["schema"]}
                for n in ("max_tokens", "max_completion_tokens") if n in params}
        if caps:
            spec["token_caps"] = caps
        return spec

    def auth(self) -> list[dict]:
        schemes = ((self.doc.get("components") or {}).get("securitySchemes") or {})
        out = []
        for name, node in schemes.items():
            node, at = self.d.resolve(node, _pointer("components", "securitySchemes", name))
            slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "scheme"
            slug = slug if slug[0].isalpha() else f"s-{slug}"
            if node.get("type") == "http" and str(node.get("scheme", "")).lower() == "bearer":
                out.append({"name": slug, "header": "Authorization", "prefix": "Bearer ", "quote": quote_of(node), "schema": at})
            elif node.get("type") == "apiKey" and node.get("in") == "header" and node.get("name"):
                out.append({"name": slug, "header": node["name"], "prefix": "", "quote": quote_of(node), "schema": at})
        return out or [{"name": "bearer", "header": "Authorization", "prefix": "Bearer ",
                        "schema": "(no security scheme in the document)",
                        "note": "The document names no security scheme: the key is sent as OpenAI clients send it."}]

    def models(self) -> dict | None:
        found = [p for p, item in self.doc["paths"].items()
                 if p.endswith("/models") and isinstance(item, dict) and "get" in item]
        if not found:
            return None
        path = sorted(found, key=lambda p: (not p.startswith("/v1/"), len(p)))[0]
        return {"path": path, "schema": _pointer("paths", path, "get"),
                "quote": f'"{path}"'}


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _profile_name(doc: dict, given: str | None) -> str:
    name = given or re.sub(r"[^a-z0-9]+", "-", str((doc.get("info") or {}).get("title") or "imported").lower()).strip("-")
    name = name if name and name[0].isalpha() else f"gw-{name or 'imported'}"
    if name in profile_names():
        name += "-imported"
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise UsageError(f"import: profile name {name!r}: lower-case letters, digits and - only")
    return name


def import_openapi(source: str, output: str, profile: str | None = None) -> tuple[Path, Path, int]:
    """Write the spec and, next to it, its source document; the spec is loaded (every check) before this returns."""
    doc = read_document(source)
    out = Path(output)
    document = out.with_name(f"{out.stem}.openapi.json")
    spec = _Importer(doc, document.name).spec(_profile_name(doc, profile))
    header = (f"# Imported by `routecheck import` from {source}: the chat completions request only.\n"
              f"# Each rule cites the JSON pointer of its schema node (schema/schemas) and quotes that node from "
              f"{document.name}.\n")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        document.write_text(render(doc) + "\n", encoding="utf-8")
        out.write_text(header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    load_spec_file(out)  # the output passes every check a spec gets, or this is our bug, said in one line
    return out, document, len(spec["request"]["params"])
