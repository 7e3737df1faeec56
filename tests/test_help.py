"""`routecheck --help` is user help: what routecheck does, examples, exit codes; every option of every
command says what it is for."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from conformance.cli_args import build_parser


def commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_the_top_level_help_reads_as_user_help():
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "--help"], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ))
    assert done.returncode == 0
    text = done.stdout
    assert "grammar" not in text and "conformance/cli.py" not in text  # not a module docstring
    assert text.splitlines()[2].startswith("Test an OpenAI-compatible LLM gateway against what its provider documents")
    assert "routecheck run --base-url http://127.0.0.1:4000/v1" in text and "export ROUTECHECK_API_KEY=" in text
    assert "exit codes: 0 no MUST failure, 1 a MUST failure, 2 usage or configuration error" in text
    assert all(f"    {name}" in text for name in commands())  # every command listed with its help line
    assert max(len(line) for line in text.splitlines()) <= 100


@pytest.mark.parametrize("command", sorted(commands()))
def test_every_option_of_every_command_has_help_text(command):
    parser = commands()[command]
    undocumented = [a.option_strings or a.dest for a in parser._actions
                    if not isinstance(a, argparse._HelpAction) and not (a.help or "").strip()]
    assert undocumented == []
