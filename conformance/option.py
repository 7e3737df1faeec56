"""One run option, declared once for both entry points: `routecheck run` (argparse) and the pytest plugin
(pytest's addoption). The table of them is conformance/options.py; the output options are declared by
the reporters that own them (conformance/reporters/__init__.py).

The values' parsers are here too: a value argparse refuses (a negative timeout, `-n abc`, a bad variable
name) becomes routecheck's one-line usage error (conformance/cli_args.py).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import UsageError
from .target import env_name


def seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse turns the ValueError into a one-line usage error)."""
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(text)
    return value


seconds.__name__ = "positive number"  # what argparse names in its message


def variable_name(text: str) -> str:
    try:
        return env_name(text)
    except UsageError:
        raise ValueError(text) from None


variable_name.__name__ = "environment variable name"


def loopback_address(text: str) -> str:
    """127.0.0.1:PORT, where --upstream serves: routecheck never listens anywhere else."""
    host, sep, port = text.removeprefix("http://").rstrip("/").rpartition(":")
    if not sep or host != "127.0.0.1" or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(text)
    return f"{host}:{int(port)}"


loopback_address.__name__ = "loopback address (127.0.0.1:PORT)"


def count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


count.__name__ = "whole number of at least 1"


def workers(text: str) -> str:
    return text if text == "auto" else str(count(text))


workers.__name__ = "worker count (a whole number of at least 1, or auto)"


@dataclass(frozen=True)
class Option:
    """`pytest`: None if the plugin does not take it (pytest or another plugin owns that name there), else what
    differs in the plugin: its `dest` where a bare one could clash with another plugin's, a permissive `type`
    where the plugin reports a bad value itself, a `help` or `default` where the plugin does something else."""

    flags: tuple[str, ...]
    help: str
    dest: str | None = None  # routecheck run's attribute (default: argparse's, from the long flag)
    default: Any = None
    type: Callable[[str], Any] | None = None
    action: str | None = None  # "append", "store_true"
    metavar: str | None = None
    run: bool = True  # `routecheck run` takes it
    forward: bool = False  # `routecheck run` hands it on to its pytest command line as is (conformance/launch.py)
    pytest: dict | None = field(default_factory=dict)

    def kwargs(self, overrides: dict | None = None) -> dict:
        given = {"help": self.help, "dest": self.dest, "default": self.default, "type": self.type,
                 "action": self.action, "metavar": self.metavar, **(overrides or {})}
        return {k: v for k, v in given.items() if v is not None}

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(*self.flags, **self.kwargs())

    def add_to_pytest(self, group: Any) -> None:
        group.addoption(*self.flags, **self.kwargs(self.pytest))

    @property
    def run_dest(self) -> str:
        return self.dest or self.flags[-1].lstrip("-").replace("-", "_")

    @property
    def pytest_dest(self) -> str:
        return (self.pytest or {}).get("dest") or self.run_dest

    def forwarded(self, args: argparse.Namespace) -> list[str]:
        """Its flag and value on a pytest command line, if given."""
        value = getattr(args, self.run_dest)
        if value in (None, False, [], ""):
            return []
        return [self.flags[-1]] if value is True else [self.flags[-1], str(value)]
