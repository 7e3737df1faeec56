"""The console: what a run checks (before it starts), then each MUST failure's Requirement / Expected /
Actual / Sent / Reproduce block, the summary, notes, the SHOULD cases not met, the cases without a verdict
(inconclusive, blocked), and what the gate made of the run."""

from __future__ import annotations

from .. import gating
from ..request import redact
from ..upstream.matching import upstream_line
from . import Context

SHOWN_FAILURES = 20
SHOWN_WARNINGS = 15
SHOWN_UNJUDGED = 10  # inconclusive or blocked cases named, of each


def start_lines(url: str, model: str, profiles: list) -> list[str]:
    """Printed before the first case: where the run goes, with which model, against which documents."""
    return [f"routecheck: target {url} · model {model}",
            "routecheck: profiles: " + "; ".join(f"{p.name} ({p.title})" for p in profiles)]


def summary_line(doc: dict) -> str:
    s = doc["summary"]
    cost = doc.get("cost", {})
    return (f"routecheck: {s['passed']} passed, {s['failed']} failed ({s['must_failed']} MUST), {s['warned']} warned, "
            f"{s.get('inconclusive', 0)} inconclusive, {s.get('blocked', 0)} blocked, "
            f"{s['skipped']} skipped, {s['errors']} errors; {cost.get('requests', 0)} requests, "
            f"{cost.get('completion_tokens_requested', 0)} completion tokens requested")


def must_failures(doc: dict) -> list[str]:
    failed = [c for c in doc["cases"] if c["outcome"] == "failed" and c["level"] == "MUST"]
    lines = [c["message"] + "\n" for c in failed[:SHOWN_FAILURES]]
    if len(failed) > SHOWN_FAILURES:
        lines.append(f"routecheck: ... and {len(failed) - SHOWN_FAILURES} more MUST failures (see the report)")
    return lines


def unjudged(doc: dict) -> list[str]:
    """The inconclusive and blocked cases by name, each with why (the first line of its message)."""
    lines = []
    for outcome, why in (("inconclusive", "the target could not show the rule either way"),
                         ("blocked", "a case they rest on failed")):
        found = [c for c in doc["cases"] if c["outcome"] == outcome]
        if found:
            lines.append(f"routecheck: {outcome} ({len(found)}): {why}:")
            lines += [f"  {c['id']}: {c['message'].splitlines()[0] if c['message'] else outcome}"
                      for c in found[:SHOWN_UNJUDGED]]
            if len(found) > SHOWN_UNJUDGED:
                lines.append(f"  ... and {len(found) - SHOWN_UNJUDGED} more: the report's \"{outcome}\" chip lists "
                             f"them all, as do the cases of results.json with \"outcome\": \"{outcome}\"")
    return lines


class ConsoleReporter:
    name = "console"

    def write(self, doc: dict, context: Context) -> str:
        lines = must_failures(doc) + [summary_line(doc)]
        lines += [f"routecheck: note: {note}" for note in doc.get("notes", [])]
        lines += [f"routecheck: {line}" for line in [upstream_line(doc)] if line]  # --upstream: what reached it
        warned = [c for c in doc["cases"] if c["outcome"] == "warned"]
        lines += [f"routecheck: SHOULD not met: {c['id']}: {c['title']}" for c in warned[:SHOWN_WARNINGS]]
        if len(warned) > SHOWN_WARNINGS:
            lines.append(f"routecheck: ... and {len(warned) - SHOWN_WARNINGS} more SHOULD cases not met (see the report)")
        lines += unjudged(doc)
        if context.gate is not None:
            lines += gating.console_lines(context.gate)
        return redact("\n".join(lines), context.secrets)
