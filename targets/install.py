"""Idempotent installs into .targets/<name>/: a venv per Python target, a node_modules per Node target.

Each install writes a stamp naming exactly what it installed (requirements, lock file hashes,
interpreter); the next call with the same stamp does nothing. `skip=True` (--skip-install) never
installs: a missing or outdated install is then a one-line error.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from .common import TargetStartError, loopback_env

STAMP = "installed.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_logged(command: list[str], *, cwd: Path, log_path: Path, timeout: float, what: str,
                env: dict[str, str] | None = None) -> None:
    with open(log_path, "ab") as log:
        log.write(("$ " + " ".join(command) + "\n").encode())
        log.flush()
        try:
            code = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                  env=env or loopback_env(), timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            raise TargetStartError(f"installing {what} took longer than {timeout:g}s (log: {log_path})") from None
    if code != 0:
        lines = [line for line in log_path.read_text(errors="replace").splitlines()
                 if line.strip() and not line.startswith("WARNING: Location")]
        raise TargetStartError(f"installing {what} failed ({code}): {lines[-1][:200] if lines else ''} (log: {log_path})")


def _stamped(directory: Path, wanted: dict) -> bool:
    try:
        return json.loads((directory / STAMP).read_text()) == wanted
    except (OSError, ValueError):
        return False


def _require(directory: Path, wanted: dict, skip: bool, what: str) -> bool:
    """True when the install is already there; with skip, its absence is an error."""
    if _stamped(directory, wanted):
        return True
    if skip:
        raise TargetStartError(f"{what} is not installed in {directory} (or is outdated): run without --skip-install")
    return False


def venv_python(directory: Path) -> Path:
    return directory / "venv" / "bin" / "python"


def ensure_venv(directory: Path, requirements: list[str], *, constraints: Path | None = None, skip: bool = False,
                timeout: float = 900.0, build_env: dict[str, str] | None = None) -> Path:
    """A venv at directory/venv holding `requirements` (pip, within `constraints`); returns its bin dir.
    `build_env` (compiler settings) is part of the stamp: other settings build afresh, in a new venv and
    without pip's wheel cache, which would otherwise hand back the wheel built with the old ones."""
    wanted = {"python": sys.version.split()[0], "requirements": requirements,
              "constraints": _sha256(constraints) if constraints else None}
    if build_env:
        wanted["build_env"] = build_env
    bin_dir = venv_python(directory).parent
    if _require(directory, wanted, skip, " ".join(requirements)):
        return bin_dir
    directory.mkdir(parents=True, exist_ok=True)
    (directory / STAMP).unlink(missing_ok=True)
    if build_env and (directory / "venv").exists():
        shutil.rmtree(directory / "venv")
    if not venv_python(directory).exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(directory / "venv")
    log_path = directory / "logs" / "install.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("")
    command = [str(venv_python(directory)), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
               *(["--no-cache-dir"] if build_env else [])]
    if constraints:
        command += ["-c", str(constraints)]
    _run_logged(command + requirements, cwd=directory, log_path=log_path, timeout=timeout,
                what=" ".join(requirements), env=loopback_env(build_env) if build_env else None)
    (directory / STAMP).write_text(json.dumps(wanted, indent=1))
    return bin_dir


def ensure_npm(directory: Path, package_dir: Path, *, skip: bool = False, timeout: float = 600.0) -> Path:
    """node_modules at directory from package_dir's package.json + package-lock.json (`npm ci`)."""
    manifests = ("package.json", "package-lock.json")
    wanted = {name: _sha256(package_dir / name) for name in manifests}
    if _require(directory, wanted, skip, f"the npm packages of {package_dir.name}"):
        return directory / "node_modules"
    if shutil.which("npm") is None:
        raise TargetStartError("npm is not installed (apt-get install nodejs npm)")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / STAMP).unlink(missing_ok=True)
    for name in manifests:
        shutil.copyfile(package_dir / name, directory / name)
    log_path = directory / "logs" / "install.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("")
    # --ignore-scripts: the gateway's only install script is patch-package, with no patches published
    _run_logged(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=directory, log_path=log_path,
                timeout=timeout, what=f"npm packages for {package_dir.name}")
    (directory / STAMP).write_text(json.dumps(wanted, indent=1))
    return directory / "node_modules"
