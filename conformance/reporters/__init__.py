"""Reporters: each renders the canonical results document (conformance/results.py) into one output.

Schemathesis-style: one result stream, many subscribers. A reporter is a small object with a
`name` and `write(doc, context) -> str` (one line saying what it wrote); it never runs anything,
so every output can be rebuilt from a results file alone. Each reporter owns its command-line
option, as pytest's junitxml does: REPORTERS declares them, `routecheck run` and the pytest plugin
take them from there, and `routecheck run`, `routecheck report` and the plugin's results collector
all write through `write_outputs` or `compare_outputs`. Adding an output is one module here and one
REPORTERS entry.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import UsageError
from ..gating import Gate
from ..option import Option


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


@dataclass(frozen=True)
class Entry:
    """A reporter as the entry points see it: its options, and its class loaded only when it writes (Allure's
    and the HTML page's modules load slowly)."""

    name: str
    module: str
    cls: str
    options: tuple[Option, ...] = ()
    off: str | None = None  # a flag that turns the output off although it has a default path

    def load(self) -> type:
        return getattr(importlib.import_module(f"{__name__}.{self.module}"), self.cls)

    def path(self, options: object, pytest: bool = False) -> str | None:
        """Where this run wants the output: from routecheck run's arguments, or the plugin's options (`pytest`)."""
        if not self.options or (self.options[0].pytest is None and pytest) or \
                (self.off and not pytest and getattr(options, self.off)):
            return None
        own = self.options[0]
        return getattr(options, own.pytest_dest if pytest else own.run_dest)


_NOT_IN_PYTEST = None  # the name is pytest's own (--junitxml), or a plugin's (allure-pytest's --alluredir, pytest-html's --html)
REPORTERS = (
    Entry("console", "console", "ConsoleReporter"),
    Entry("json", "json", "JsonReporter", (Option(
        ("--json",), "canonical results file", dest="json_path", default="reports/results.json", forward=True,
        # pytest mode's default is under the rootdir (the collector fills it in), not the working directory
        pytest={"dest": "rc_json", "default": None, "help": "canonical results file (default reports/results.json)"}),)),
    Entry("junit", "junit", "JUnitReporter", (Option(("--junitxml",), "also write JUnit XML here", pytest=_NOT_IN_PYTEST),)),
    Entry("allure", "allure", "AllureReporter", (Option(
        ("--alluredir",), "also write Allure results here (allure-pytest)", metavar="DIR", pytest=_NOT_IN_PYTEST),)),
    Entry("html", "html", "HtmlReporter", (
        Option(("--html",), "HTML report path", default="reports/report.html", pytest=_NOT_IN_PYTEST),
        Option(("--no-html",), "do not write the HTML report", action="store_true", pytest=_NOT_IN_PYTEST)), off="no_html"),
    # not in pytest either: the plugin is loaded into every project's pytest, where another plugin may own the name
    Entry("markdown", "markdown", "MarkdownReporter", (Option(
        ("--markdown",), "also write a Markdown summary here (gate, counts, first failures)", metavar="FILE",
        pytest=_NOT_IN_PYTEST),)),
    Entry("har", "har", "HarReporter", (Option(
        ("--har",), "also write a HAR 1.2 file of every exchange behind a case that did not pass", metavar="FILE",
        pytest=_NOT_IN_PYTEST),)),
)


def output_options() -> list[Option]:
    return [option for entry in REPORTERS for option in entry.options]


def outputs_wanted(options: object, pytest: bool = False) -> dict[str, str]:
    """Output name -> path, for each reporter whose option this run set (routecheck run's, or the plugin's)."""
    return {e.name: path for e in REPORTERS if (path := e.path(options, pytest))}


def registry() -> dict[str, type]:
    return {entry.name: entry.load() for entry in REPORTERS}


def _reporter(name: str, target: str | None) -> object:
    cls = next(e for e in REPORTERS if e.name == name).load()
    return cls(target) if target is not None else cls()


def write_outputs(doc: dict, outputs: dict[str, str | None], context: Context) -> list[str]:
    """Run the reporters named in `outputs` (name -> path, or None for the console), in REPORTERS order."""
    lines = [_reporter(e.name, outputs[e.name]).write(doc, context) for e in REPORTERS if e.name in outputs]
    return [line for line in lines if line]


def compare_outputs(docs: list[dict], outputs: dict[str, str], contexts: list[Context]) -> list[str]:
    """Several runs side by side (`routecheck report`), by the reporters that can compare (html, markdown)."""
    return [_reporter(e.name, outputs[e.name]).compare(docs, contexts) for e in REPORTERS if e.name in outputs]
