"""The canonical results file itself (redacted at write)."""

from __future__ import annotations

from . import Context


class JsonReporter:
    name = "json"

    def __init__(self, path: str):
        self.path = path

    def write(self, doc: dict, context: Context) -> str:
        from ..results import write  # the one writer of the canonical file

        return f"results in {write(doc, self.path, context.secrets)}"
