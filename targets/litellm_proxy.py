"""The LiteLLM proxy (one venv in .targets/litellm/, shared by the LiteLLM targets), started with a config."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from .common import LOOPBACK, STATE_ROOT, Child, RunningGateway, first_model_id, free_port, loopback_env, state_dir, wait_until
from .install import ensure_venv
from .loopback import assert_loopback_only

VERSION = "1.106.2"
REQUIREMENTS = [f"litellm[proxy]=={VERSION}", "prisma==0.15.0"]  # without prisma a missing key is a 500, not a 401
CONSTRAINTS = Path(__file__).resolve().parent / "locks" / "litellm.txt"
VENV_DIR = STATE_ROOT / "litellm"
MASTER_KEY_ENV = "LITELLM_MASTER_KEY"
START_SECONDS = 120.0  # ~6 s idle, far more while a compile runs beside it
QUIET_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # the bundled price map: no fetch at import
    "LITELLM_TELEMETRY": "False",
    "LITELLM_LOG": "WARNING",
}


def install(skip: bool = False) -> Path:
    """The venv's bin directory (installs litellm[proxy] and prisma once)."""
    return ensure_venv(VENV_DIR, REQUIREMENTS, constraints=CONSTRAINTS, skip=skip)


@contextmanager
def litellm_proxy(name: str, model_list: list[dict], key: str, *, skip_install: bool = False,
                  upstream: tuple[Child, ...] = (), extra_env: dict[str, str] | None = None) -> Iterator[RunningGateway]:
    """LiteLLM serving `model_list` on a free loopback port, auth enforced with `key` as master key."""
    bin_dir = install(skip_install)
    directory = state_dir(name)
    config = {
        "model_list": model_list,
        # read from the environment, so the key is in neither the config file nor the command line
        "general_settings": {"master_key": f"os.environ/{MASTER_KEY_ENV}"},
        "litellm_settings": {"telemetry": False},
    }
    config_path = directory / "config.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    port = free_port()
    env = loopback_env({**QUIET_ENV, MASTER_KEY_ENV: key, **(extra_env or {})})
    child = Child(f"LiteLLM proxy ({name})",
                  [str(bin_dir / "litellm"), "--config", str(config_path), "--host", LOOPBACK, "--port", str(port)],
                  log_path=directory / "logs" / "litellm.log", env=env, cwd=directory)
    base_url = f"http://{LOOPBACK}:{port}/v1"
    try:
        child.start()
        model = wait_until(lambda: first_model_id(base_url, key), what=child.label, deadline_s=START_SECONDS,
                           children=[child, *upstream])
        assert_loopback_only(child.pid, child.label)
        yield RunningGateway(name, base_url, model, key, children=(*upstream, child))
    finally:
        child.stop()
