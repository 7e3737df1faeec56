"""The canonical results file itself (redacted at write): its one writer."""

from __future__ import annotations

import json

from ..request import redact
from . import Context, write_text


class JsonReporter:
    name = "json"

    def __init__(self, path: str):
        self.path = path

    def write(self, doc: dict, context: Context) -> str:
        return f"results in {write_text(self.path, redact(json.dumps(doc, ensure_ascii=False), context.secrets))}"
