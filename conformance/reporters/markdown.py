"""A Markdown summary for people who read CI pages (GitHub's job summary, a merge request comment):
the gate's result, counts per profile, then the first failures that count, each with its quote and a curl.

Whatever the target sent goes into fenced blocks only, so its text cannot become markup or links.
"""

from __future__ import annotations

import re

from .. import gating
from ..documents import title_of
from ..errors import EXIT_OK
from ..request import redact
from . import Context, write_text

SHOWN_FAILURES = 10
SHOWN_ERRORS = 5
COLUMNS = ("passed", "failed", "warned", "inconclusive", "blocked", "skipped", "errors")
ACTUAL = re.compile(r"^\s*Actual:\s*(.*)$", re.M)


def markdown(doc: dict, gate: gating.Gate | None = None, label: str | None = None) -> str:
    gate = gate if gate is not None else gating.evaluate(doc)
    ok = gate.exit_code == EXIT_OK
    lines = [f"## {'✅' if ok else '❌'} routecheck{f' ({inline(label)})' if label else ''}: "
             f"gate {inline(gating.verdict(gate))} (exit {gate.exit_code})", ""]
    s = doc["summary"]
    lines.append(f"Target `{code(doc['target'])}` · model `{code(doc['model'])}` · {s['total']} cases · "
                 f"{doc.get('cost', {}).get('requests', 0)} requests · started {doc['started']}"
                 + ("" if doc.get("complete", True) else " · **interrupted: incomplete**"))
    lines += [""] + [f"> {inline(note)}" for note in gate.notes + doc.get("notes", [])]
    lines += ["", "| profile | document | MUST failed | " + " | ".join(COLUMNS) + " |",
              "|---|---|---:|" + "---:|" * len(COLUMNS)]
    for name, counts in doc.get("profile_summaries", {}).items():
        document = (doc.get("documented") or {}).get(name, {}).get("title", "")
        lines.append(f"| {inline(name)} | {inline(document)} | {counts['must_failed']} | "
                     + " | ".join(str(counts.get(c, 0)) for c in COLUMNS) + " |")
    lines += _failures(doc, gate) + _listed("Stale expectations: these cases pass now, remove them from the file",
                                            [f"`{code(cid)}` (matched by `{code(e.case)}`)" for cid, e in gate.stale.items()])
    errors = {c["id"]: c for c in doc["cases"] if c["id"] in set(gate.counted_errors)}
    lines += _listed("Harness errors (no verdict)", [f"`{code(cid)}`: {inline(c['message'].splitlines()[0])}"
                                                     for cid, c in list(errors.items())[:SHOWN_ERRORS]],
                     len(errors) - SHOWN_ERRORS)
    return "\n".join(lines) + "\n"


def _failures(doc: dict, gate: gating.Gate) -> list[str]:
    by_id = {c["id"]: c for c in doc["cases"]}
    counted = [by_id[cid] for cid in gate.counted]
    if not counted:
        return []
    lines = ["", f"### MUST failures that count ({min(len(counted), SHOWN_FAILURES)} of {len(counted)} shown)"]
    for case in counted[:SHOWN_FAILURES]:
        src = case["source"]
        said = f"> {inline(src['quote'])}" if src.get("quote") else f"> schema: {inline(src.get('schema') or '')}"
        actual = ACTUAL.search(case["message"])
        lines += ["", f"**`{code(case['id'])}`** [{case['level']}] {inline(case['title'])}", "",
                  said, f"> — {inline(title_of(doc, src['document']))} (`{code(src['document'])}`)", "",
                  f"Expected: {inline(case['expected'])}", "",
                  fenced(f"Actual: {actual[1] if actual else case['message']}", "text"),
                  fenced(case["request"]["curl"], "sh")]
    if len(counted) > SHOWN_FAILURES:
        lines += ["", f"… and {len(counted) - SHOWN_FAILURES} more in the HTML report and results.json."]
    return lines


def _listed(title: str, items: list[str], more: int = 0) -> list[str]:
    if not items:
        return []
    return ["", f"### {title} ({len(items) + max(more, 0)})", ""] + [f"- {item}" for item in items] + \
        ([f"- … and {more} more"] if more > 0 else [])


def inline(text: str) -> str:
    """Plain text in a Markdown line: markup characters escaped, no line breaks."""
    return re.sub(r"([\\`*_\[\]<>|~&])", r"\\\1", " ".join(str(text).split()))


def code(text: str) -> str:
    """Text inside a single-backtick code span."""
    return " ".join(str(text).split()).replace("`", "'")


def fenced(text: str, lang: str) -> str:
    """A fenced block no backtick run inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


class MarkdownReporter:
    name = "markdown"

    def __init__(self, path: str):
        self.path = path

    def write(self, doc: dict, context: Context) -> str:
        text = markdown(doc, context.gate, context.label)
        return f"Markdown summary in {write_text(self.path, redact(text, context.secrets))}"

    def compare(self, docs: list[dict], contexts: list[Context]) -> str:
        """One summary per run, one after the other; each names its run only when there are several."""
        text = "\n".join(markdown(doc, c.gate, c.label if len(docs) > 1 else None) for doc, c in zip(docs, contexts))
        return f"Markdown summary in {write_text(self.path, redact(text, tuple(s for c in contexts for s in c.secrets)))}"
