"""The self-contained HTML report (conformance/report.py renders it)."""

from __future__ import annotations

from . import Context


class HtmlReporter:
    name = "html"

    def __init__(self, path: str):
        self.path = path

    def write(self, doc: dict, context: Context) -> str:
        return self.compare([doc], [context])

    def compare(self, docs: list[dict], contexts: list[Context]) -> str:
        """One column per run (`routecheck report`); a single run's column is named only if it has a label."""
        from ..report import write_html  # the page's assets load only when a report is written

        labels = [c.label for c in contexts] if all(c.label for c in contexts) else None
        gates = [c.gate for c in contexts] if all(c.gate is not None for c in contexts) else None
        path = write_html(docs, self.path, secrets=tuple(s for c in contexts for s in c.secrets), labels=labels,
                          gates=gates)
        return f"report in {path}"
