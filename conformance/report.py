"""Self-contained HTML report rendered from one or more canonical results files (no CDN, works offline)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .errors import UsageError
from .request import redact

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
.passed{color:#17692a}.failed{color:#b00020;font-weight:bold}.warned{color:#a15c00}.skipped{color:#777}.error{color:#6a1b9a}
pre{white-space:pre-wrap;background:#f6f6f6;padding:6px;margin:4px 0}summary{cursor:pointer}
.bar{margin:.6em 0}
"""
SCRIPT = """
function filt(){const o=document.getElementById('outcome').value,q=document.getElementById('q').value.toLowerCase();
for(const r of document.querySelectorAll('tr.case')){const ok=(!o||r.dataset.outcome===o)&&(!q||r.dataset.id.includes(q));r.style.display=ok?'':'none';}}
"""


def _row(case: dict) -> str:
    esc = html.escape
    src = case["source"]
    quote = f"“{src['quote']}”" if src.get("quote") else f"[{src.get('schema')}]"
    details = [f"<b>Requirement</b> [{case['level']}] {esc(src['document'])}: {esc(quote)}",
               f"<b>Expected</b> {esc(case['expected'])}"]
    if case.get("message"):
        details.append(f"<pre>{esc(case['message'])}</pre>")
    details.append(f"<b>Sent</b><pre>{esc(json.dumps(case['request'].get('body', case['request'].get('raw_body')), ensure_ascii=False, indent=1))}</pre>")
    if case.get("response"):
        details.append(f"<b>Received</b><pre>{esc(json.dumps(case['response'], ensure_ascii=False, indent=1)[:6000])}</pre>")
    details.append(f"<b>Reproduce</b><pre>{esc(case['request']['curl'])}</pre>")
    return (f"<tr class='case' data-outcome='{case['outcome']}' data-id='{esc(case['id'].lower())}'>"
            f"<td class='{case['outcome']}'>{case['outcome']}</td><td>{case['level']}</td>"
            f"<td><details><summary>{esc(case['id'])} — {esc(case['title'])}</summary>{'<br>'.join(details)}</details></td></tr>")


def render(docs: list[dict]) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>routecheck report</title><style>{STYLE}</style>"
             f"<script>{SCRIPT}</script></head><body><h1>routecheck report</h1>",
             "<div class='bar'>Outcome <select id='outcome' onchange='filt()'><option value=''>all</option>"
             + "".join(f"<option>{o}</option>" for o in ("failed", "warned", "passed", "skipped", "error"))
             + "</select> Case ID <input id='q' oninput='filt()' placeholder='search'></div>"]
    for doc in docs:
        s = doc["summary"]
        parts.append(f"<h2>{html.escape(doc['target'])} — model {html.escape(doc['model'])}</h2>"
                     f"<p>{s['passed']} passed, {s['failed']} failed ({s['must_failed']} MUST), {s['warned']} warned, "
                     f"{s['skipped']} skipped, {s['errors']} errors · started {doc['started']} · {doc['duration_s']} s</p>"
                     "<table><tr><th>verdict</th><th>level</th><th>case</th></tr>")
        parts += [_row(c) for c in doc["cases"]]
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def write_html(docs: list[dict], path: str | Path, secrets: tuple[str, ...] = ()) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redact(render(docs), secrets), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
