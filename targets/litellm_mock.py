"""LiteLLM proxy with a `mock_response` model: no upstream at all, auth enforced by a master key.

    python targets/litellm_mock.py [--skip-install]     # prints BASE_URL=... MODEL=..., serves until SIGTERM
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets.common import RunningGateway, new_key  # noqa: E402
from targets.foreground import run_foreground  # noqa: E402
# install is re-exported: matrix.py installs every target through its own module
from targets.litellm_proxy import install, litellm_proxy  # noqa: E402,F401

NAME = "litellm_mock"
MODEL = "routecheck-mock-1"
MOCK_TEXT = "Hello from the LiteLLM mock."


@contextmanager
def running(key: str | None = None, *, skip_install: bool = False) -> Iterator[RunningGateway]:
    model_list = [{
        "model_name": MODEL,
        # the openai/ prefix and a dummy key satisfy LiteLLM's provider checks; mock_response means no call is made
        "litellm_params": {"model": f"openai/{MODEL}", "api_key": "unused-mock", "mock_response": MOCK_TEXT},
    }]
    with litellm_proxy(NAME, model_list, key or new_key(), skip_install=skip_install) as target:
        yield target


def _start(args: argparse.Namespace, key: str):
    return running(key, skip_install=args.skip_install)


if __name__ == "__main__":
    sys.exit(run_foreground(NAME, _start, description=__doc__.splitlines()[0]))
