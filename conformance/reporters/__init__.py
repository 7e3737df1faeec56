"""Reporters: each renders the canonical results document (conformance/results.py) into one output.

Schemathesis-style: one result stream, many subscribers. A reporter is a small object with a
`name` and `write(doc, context) -> str` (one line saying what it wrote); it never runs anything,
so every output can be rebuilt from a results file alone. `routecheck run` and the pytest plugin
both go through `write_outputs`; adding an output is one module here and one REGISTRY entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import UsageError
from ..gating import Gate


@dataclass(frozen=True)
class Context:
    """What a reporter may need beyond the document."""

    secrets: tuple[str, ...] = ()  # redacted from every byte written
    gate: Gate | None = None  # baseline and expectations, when the run was gated
    label: str | None = None  # the target's name in the HTML report


class Reporter(Protocol):
    name: str

    def write(self, doc: dict, context: Context) -> str: ...


def write_text(path: str | Path, text: str) -> Path:
    """Every reporter's file writing: parent directories made, lone surrogates escaped, one-line errors."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def registry() -> dict[str, type]:
    from .allure import AllureReporter
    from .console import ConsoleReporter
    from .har import HarReporter
    from .html import HtmlReporter
    from .json import JsonReporter
    from .junit import JUnitReporter
    from .markdown import MarkdownReporter

    return {r.name: r for r in (ConsoleReporter, JsonReporter, JUnitReporter, AllureReporter, HtmlReporter,
                                MarkdownReporter, HarReporter)}


def write_outputs(doc: dict, outputs: dict[str, str | None], context: Context) -> list[str]:
    """Run the reporters named in `outputs` (name -> path, or None for the console), in registry order."""
    lines = []
    for name, cls in registry().items():
        if name in outputs:
            target = outputs[name]
            lines.append((cls(target) if target is not None else cls()).write(doc, context))
    return [line for line in lines if line]
