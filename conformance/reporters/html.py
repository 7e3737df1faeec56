"""The self-contained HTML report (conformance/report.py renders it)."""

from __future__ import annotations

from . import Context


class HtmlReporter:
    name = "html"

    def __init__(self, path: str):
        self.path = path

    def write(self, doc: dict, context: Context) -> str:
        from ..report import write_html  # the page's assets load only when a report is written

        path = write_html([doc], self.path, secrets=context.secrets, labels=[context.label] if context.label else None,
                          gates=[context.gate] if context.gate is not None else None)
        return f"report in {path}"
