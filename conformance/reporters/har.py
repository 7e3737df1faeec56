"""HAR 1.2 (HTTP Archive) of every exchange behind a case that did not pass: a file a gateway's vendor can
open in a browser's network panel or any HAR viewer, attached to an issue.

Rendered from the results file alone, so it holds what that file holds: each request as recorded (the key
as the variable it comes from, `$ROUTECHECK_API_KEY`, never its value; every byte redacted again), and each
answer's first 4000 characters. An exchange shared by several cases is one entry naming them all.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

from .. import __version__
from ..request import redact
from . import Context, write_text

NOT_PASSING = ("failed", "warned", "error", "inconclusive", "blocked")


def har(doc: dict) -> dict:
    entries: dict[str, dict] = {}
    for case in doc["cases"]:
        if case["outcome"] not in NOT_PASSING:
            continue
        pairs = [("", case.get("request"), case.get("response"))]
        pairs += [(f" ({e['name']})", e["request"], e["response"]) for e in case.get("evidence") or []]
        for role, request, response in pairs:
            if not request or not response:  # a blocked case sent nothing of its own: its root's entry shows why
                continue
            key = request.get("key") or request.get("curl") or json.dumps(request, sort_keys=True)
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = _entry(doc, case["base_url"], request, response)
            entry["comment"] += f"{'; ' if entry['comment'] else ''}{case['id']}{role}: {case['outcome']}"
    return {"log": {"version": "1.2", "creator": {"name": "routecheck", "version": __version__},
                    "pages": [], "entries": list(entries.values()),
                    "comment": f"routecheck run of {doc['started']} against {doc['target']}, model {doc['model']}: "
                               "the exchanges behind every case that did not pass"}}


def _entry(doc: dict, base_url: str, request: dict, response: dict) -> dict:
    elapsed = float(response.get("elapsed_ms") or 0)
    return {"startedDateTime": _iso(doc["started"]), "time": elapsed, "request": _request(base_url, request),
            "response": _response(response), "cache": {},
            "timings": {"send": 0, "wait": elapsed, "receive": 0}, "comment": ""}


def _request(base_url: str, request: dict) -> dict:
    url = base_url.rstrip("/") + request["path"]
    headers = _pairs(request.get("headers") or {})
    out = {"method": request["method"], "url": url, "httpVersion": "HTTP/1.1", "cookies": [], "headers": headers,
           "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)],
           "headersSize": -1, "bodySize": 0}
    text = request["raw_body"] if "raw_body" in request else \
        json.dumps(request["body"], ensure_ascii=False) if "body" in request else None
    if text is not None:  # what was sent: the same serialisation as the request itself (conformance/request.py)
        if not any(h["name"].lower() == "content-type" for h in headers):
            headers.append({"name": "Content-Type", "value": "application/json"})
        out["postData"] = {"mimeType": "application/json", "text": text}
        out["bodySize"] = len(text.encode("utf-8", errors="backslashreplace"))
    return out


def _response(response: dict) -> dict:
    status = response.get("status")
    headers = response.get("headers") or {}  # a dict (results.schema.json): names lower-cased by the engine
    body = response.get("body") or ""
    notes = [f"{k}: {response[k]}" for k in ("error", "dropped", "ended", "anomalies", "statuses", "attempts")
             if response.get(k) not in (None, [], 1)]
    if body.endswith("...") or response.get("truncated"):
        notes.append("body cut: the results file keeps its first 4000 characters")
    return {"status": status if isinstance(status, int) else 0,  # 0: no answer came (HAR's convention)
            "statusText": _reason(status), "httpVersion": "HTTP/1.1", "cookies": [],
            "headers": _pairs(headers),
            "content": {"size": len(body.encode("utf-8", errors="backslashreplace")),
                        "mimeType": str(headers.get("content-type", "")), "text": body},
            "redirectURL": "", "headersSize": -1, "bodySize": -1, **({"comment": "; ".join(notes)} if notes else {})}


def _pairs(headers: dict) -> list[dict]:
    return [{"name": str(k), "value": str(v)} for k, v in headers.items()]


def _reason(status: object) -> str:
    try:
        return HTTPStatus(status).phrase if isinstance(status, int) else ""
    except ValueError:
        return ""


def _iso(started: str) -> str:
    return started if "." in started else started.replace("Z", ".000Z")


class HarReporter:
    name = "har"

    def __init__(self, path: str):
        self.path = path

    def write(self, doc: dict, context: Context) -> str:
        archive = har(doc)
        text = redact(json.dumps(archive, ensure_ascii=False, indent=1), context.secrets)
        return (f"HAR of {len(archive['log']['entries'])} exchanges behind the cases that did not pass in "
                f"{write_text(self.path, text)}")
