"""LiteLLM proxy forwarding to routecheck's reference gateway (one profile, default openai).

    python targets/litellm_reference.py [--profile openai] [--skip-install]

The client's key is LiteLLM's master key; LiteLLM calls the upstream with a different key of its own,
as a real deployment would.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conformance.spec import load_profile  # noqa: E402
from targets.common import RunningGateway, new_key, state_dir  # noqa: E402
# install is re-exported: matrix.py installs every target through its own module
from targets.litellm_proxy import install, litellm_proxy  # noqa: E402,F401
from targets.reference import (DEFAULT_PROFILE, UPSTREAM_KEY_ENV, UPSTREAM_MODEL, reference_gateway,  # noqa: E402
                               run_in_front_of_reference)

NAME = "litellm_reference"


@contextmanager
def running(key: str | None = None, *, profile: str = DEFAULT_PROFILE, skip_install: bool = False) -> Iterator[RunningGateway]:
    upstream_key = new_key("rc-upstream-")
    # the upstream speaks the surface under test: LiteLLM's openai/ provider for chat completions, its anthropic/
    # provider for Messages (its openai/ provider would translate Messages into the Responses API instead)
    messages = load_profile(profile).surface == "messages"
    with reference_gateway(profile, upstream_key, state_dir(NAME) / "logs") as upstream:
        model_list = [{
            "model_name": UPSTREAM_MODEL,
            "litellm_params": {"model": f"{'anthropic' if messages else 'openai'}/{UPSTREAM_MODEL}",
                               "api_base": upstream.root if messages else upstream.base_url,
                               "api_key": f"os.environ/{UPSTREAM_KEY_ENV}"},
        }]
        with litellm_proxy(NAME, model_list, key or new_key(), skip_install=skip_install,
                           upstream=(upstream.child,), extra_env={UPSTREAM_KEY_ENV: upstream_key}) as target:
            yield target



if __name__ == "__main__":
    sys.exit(run_in_front_of_reference(NAME, running, __doc__.splitlines()[0]))
