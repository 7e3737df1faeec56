"""Self-contained HTML report rendered from one or more canonical results files.

One file, inline CSS and JS, no network. Each results file is a *target* (a
column); cases are rows. The data travels as one JSON blob and the page builds
its DOM from it, so each case's static facts, each source quote and each
exchange (shared by the cases that sent the same request) appear once.
Bodies are truncated: the report is for reading, the results file for keeping.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from .case import CATEGORIES
from .errors import UsageError
from .request import DEFAULT_SURFACE
from .documents import title_of
from .gating import Gate, display_verdict, evaluate
from .report_docs import documented
from .report_page import SCRIPT, STYLE
from .request import redact

SHORT = {"passed": "pass", "failed": "fail", "warned": "warn", "inconclusive": "inconc", "blocked": "blocked",
         "skipped": "skip", "error": "error", "xfail": "xfail"}
BODY_LIMIT = 2000  # characters of a response body kept in the report
REQUEST_LIMIT = 3000  # characters of a request body (vision cases carry data URLs)
EVENTS_LIMIT = 40  # stream events kept (the last one is always kept: it shows how the stream ended)
MESSAGE_LIMIT = 2500


class SourceTable:
    """Interns (document, quote, schema, note): a rule's quote is stored once, however many cases cite it."""

    def __init__(self) -> None:
        self.rows: list[list] = []
        self.index: dict[tuple, int] = {}

    def cite(self, document: str, quote: str | None, schema: str | None = None, note: str | None = None) -> int:
        key = (document, quote, schema, note)
        if key not in self.index:
            self.index[key] = len(self.rows)
            self.rows.append(list(key))
        return self.index[key]


def default_labels(docs: list[dict]) -> list[str]:
    """Short column names: the target's host:port, numbered where two are the same."""
    names = [urlsplit(doc["target"].split(",")[0].strip()).netloc or f"target {i + 1}" for i, doc in enumerate(docs)]
    return unique_labels(names)


def unique_labels(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def model(docs: list[dict], labels: list[str] | None = None, gates: list[Gate | None] | None = None) -> dict:
    """The report's data: what the page renders."""
    if not docs:
        raise UsageError("no results to report")
    labels = unique_labels(labels) if labels else default_labels(docs)
    # every column gets its gate banner: an ungated run's gate is "any MUST failure" (conformance/gating.py)
    gates = [g if g is not None else evaluate(doc) for doc, g in zip(docs, gates or [None] * len(docs))]
    sources = SourceTable()
    static: dict[str, dict] = {}
    for doc in docs:
        for case in doc["cases"]:
            if case["id"] not in static:
                static[case["id"]] = _static(case, sources)
    order = sorted(static.values(), key=_row_order)
    row_of = {c["id"]: i for i, c in enumerate(order)}
    targets, cells, exchanges = [], [], []
    for doc, label, gate in zip(docs, labels, gates):
        column: list[dict | None] = [None] * len(order)
        table, badges = ExchangeTable(), marks(gate)
        for case in doc["cases"]:
            column[row_of[case["id"]]] = _cell(case, gate, badges, table)
        cells.append(column)
        exchanges.append(table.rows)
        targets.append(_target(doc, label, gate, column, order))
    return {
        "suite_version": __version__,
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "categories": list(CATEGORIES),
        "targets": targets,
        "cases": order,
        "cells": cells,
        "exchanges": exchanges,
        "documented": documented(docs, sources.cite),
        "sources": sources.rows,
        # each cited document's title (the quote's source keeps the file name)
        "titles": {row[0]: _title(docs, row[0]) for row in sources.rows},
    }


def _title(docs: list[dict], document: str) -> str:
    return next((t for t in (title_of(doc, document) for doc in docs) if t != document), document)


def _row_order(case: dict) -> tuple:
    category = CATEGORIES.index(case["category"]) if case["category"] in CATEGORIES else len(CATEGORIES)
    return category, case["parameter"] or "", case["id"]


def _static(case: dict, sources: SourceTable) -> dict:
    src = case["source"]
    return {"id": case["id"], "profile": case["profile"], "surface": case.get("surface", DEFAULT_SURFACE),
            "category": case["category"], "parameter": case.get("parameter"),
            "level": case["level"], "rule": case["rule"], "title": case["title"], "expected": case["expected"],
            "source": sources.cite(src["document"], src.get("quote"), src.get("schema"), src.get("note"))}


class ExchangeTable:
    """One target's exchanges, each stored once (cases sending the same request share it)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.index: dict[str, int] = {}

    def add(self, case: dict) -> int:
        request = case["request"]
        key = request.get("key") or request["curl"]
        if key not in self.index:
            self.index[key] = len(self.rows)
            self.rows.append(_exchange(request, case.get("response")))
        return self.index[key]


def _exchange(request: dict, response: dict | None) -> dict:
    out = {"method": request["method"], "path": request["path"], "headers": request["headers"],
           "curl": _cut(request["curl"], REQUEST_LIMIT + 500)}
    if "raw_body" in request:
        out["raw_body"] = _cut(request["raw_body"], REQUEST_LIMIT)  # shown verbatim: it may be malformed on purpose
    elif "body" in request:
        out["body"] = _cut(json.dumps(request["body"], ensure_ascii=False), REQUEST_LIMIT)  # the page indents it
    if response:
        received = {k: response[k] for k in ("status", "headers", "ended", "anomalies", "error", "elapsed_ms",
                                             "attempts", "statuses", "truncated") if k in response}
        events = response.get("events")
        if events is not None:
            # a stream's body is its events again: keep the transcript only
            kept = events if len(events) <= EVENTS_LIMIT else events[:EVENTS_LIMIT - 1] + [events[-1]]
            received["events"] = kept
            received["events_total"] = len(events)
        else:
            received["body"] = _cut(response.get("body", ""), BODY_LIMIT)
        out["response"] = received
        if "upstream" in response:  # --upstream: what the gateway forwarded, shown beside what the client sent
            out["upstream"] = [_forwarded(r) for r in response["upstream"]]
    return out


def _forwarded(record: dict) -> dict:
    out = {k: record.get(k) for k in ("method", "path", "status", "credentials", "marker_via")}
    out["body"] = _cut(record["raw_body"] if "raw_body" in record else json.dumps(record.get("body"), ensure_ascii=False),
                       REQUEST_LIMIT)
    return out


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters in the results file]"


def _cell(case: dict, gate: Gate | None, badges: dict[str, tuple[str, str]], exchanges: ExchangeTable) -> dict:
    cid = case["id"]
    cell: dict = {"v": SHORT[display_verdict(case["outcome"], cid, gate)], "x": exchanges.add(case)}
    if case["message"]:
        cell["m"] = _cut(case["message"], MESSAGE_LIMIT)
    if cid in badges:
        cell["k"], cell["n"] = badges[cid]
    return cell


def marks(gate: Gate | None) -> dict[str, tuple[str, str]]:
    """Per case ID: a badge for its cell, and the sentence explaining it. Expectations first, then the baseline."""
    if gate is None:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for title, changes in (("fixed", gate.fixes), ("new", gate.new_failures), ("regression", gate.regressions)):
        for c in changes:
            out[c.id] = (title, f"{title}: {c.before or 'not in the baseline'} in the baseline, {c.after} now")
    for cid, (exp, outcome) in gate.mismatched.items():
        out[cid] = ("unmet", f"expectation not met: {exp.case} expects {exp.verdict}, got {outcome}")
    for cid, exp in gate.stale.items():
        out[cid] = ("stale", f"stale expectation: {exp.case} expects {exp.verdict}, the case now passes ({exp.reason})")
    for cid, exp in gate.expected.items():
        out[cid] = ("expected", f"expected {exp.verdict} ({exp.case}): {exp.reason}")
    return out


def _target(doc: dict, label: str, gate: Gate | None, column: list[dict | None], order: list[dict]) -> dict:
    counts: dict = defaultdict(lambda: defaultdict(lambda: {"MUST": Counter(), "SHOULD": Counter()}))
    for case, cell in zip(order, column):
        if cell is not None:
            counts[case["profile"]][case["category"]][case["level"]][cell["v"]] += 1
    return {
        "label": label, "url": doc["target"], "urls": doc.get("targets", {}), "model": doc["model"],
        "started": doc["started"], "duration_s": doc["duration_s"], "suite_version": doc["suite_version"],
        "profiles": doc["profiles"], "surfaces": doc.get("surfaces", {}), "summary": doc["summary"], "cost": doc.get("cost", {}), "notes": doc.get("notes", []),
        "counts": {p: {c: {lv: dict(n) for lv, n in levels.items()} for c, levels in cats.items()} for p, cats in counts.items()},
        "gate": gate.as_dict() if gate is not None else None,
    }


def _blob(data: dict, secrets: tuple[str, ...]) -> str:
    # redacted before escaping (a key holding "<" would not be found after it); then, inside
    # <script type="application/json">, nothing may close the element or open a comment
    text = redact(json.dumps(data, ensure_ascii=False, separators=(",", ":")), secrets)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(docs: list[dict], labels: list[str] | None = None, gates: list[Gate | None] | None = None,
           secrets: tuple[str, ...] = ()) -> str:
    data = model(docs, labels, gates)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'><link rel='icon' href='data:,'>"
            f"<title>routecheck report</title><style>{STYLE}</style></head><body>"
            "<noscript>This report builds its tables with JavaScript; the data is in the results file.</noscript>"
            f"<script type='application/json' id='report-data'>{_blob(data, secrets)}</script>"
            f"<script>{SCRIPT}</script></body></html>")


def write_html(docs: list[dict], path: str | Path, secrets: tuple[str, ...] = (), *,
               labels: list[str] | None = None, gates: list[Gate | None] | None = None) -> Path:
    path = Path(path)
    text = redact(render(docs, labels, gates, secrets), secrets)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="backslashreplace")  # lone surrogates a target sent
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
