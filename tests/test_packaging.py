"""The installed routecheck needs nothing from the checkout: every package and every data file is in the wheel."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_every_package_directory_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "conformance").rglob("__init__.py")}
    assert found - listed == set()


def test_the_wheel_holds_the_code_the_specs_and_their_documents(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path), str(REPO)], capture_output=True, text=True)
    if built.returncode != 0:
        pytest.skip(f"no wheel could be built here without the network: {built.stderr.strip().splitlines()[-1:]}")
    names = set(zipfile.ZipFile(next(tmp_path.glob("routecheck-*.whl"))).namelist())
    wanted = {f"conformance/{p.relative_to(REPO / 'conformance')}" for p in (REPO / "conformance").rglob("*")
              if p.is_file() and p.suffix in (".py", ".json")}
    wanted |= {f"conformance/specs/{p.relative_to(REPO / 'specs')}" for p in (REPO / "specs").rglob("*")
               if p.is_file() and p.suffix in (".yaml", ".json", ".txt", ".md")}  # every document a quote cites
    assert wanted - names == set()
