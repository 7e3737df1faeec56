"""LiteLLM proxy in front of routecheck's recording upstream (--upstream): what LiteLLM forwards, and how it relays
the upstream's faults, judged.

    python targets/litellm_upstream.py [--skip-install] [-- ROUTECHECK RUN OPTIONS]

LiteLLM's openai/ provider points at http://127.0.0.1:PORT/v1 (a free port); then `routecheck run --base-url
LITELLM --upstream 127.0.0.1:PORT --upstream-key-env ROUTECHECK_UPSTREAM_KEY` runs with the options given (default
`--profile openai -k forwarding`), and LiteLLM stops when it ends. The client's key is LiteLLM's master key; LiteLLM
sends the upstream a key of its own. Findings: docs/compatibility.md, "Forwarding through LiteLLM".
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets.common import DEFAULT_KEY_ENV, LOOPBACK, free_port, new_key  # noqa: E402
from targets.litellm_proxy import litellm_proxy  # noqa: E402
from targets.reference import UPSTREAM_KEY_ENV, UPSTREAM_MODEL  # noqa: E402
from targets.upstream_run import parse, run_behind  # noqa: E402

NAME = "litellm_upstream"


def main(argv: list[str] | None = None) -> int:
    args, options = parse("python targets/litellm_upstream.py", __doc__.splitlines()[0], argv)
    port, key, upstream_key = free_port(), new_key(), new_key("rc-upstream-")
    model_list = [{"model_name": UPSTREAM_MODEL,
                   "litellm_params": {"model": f"openai/{UPSTREAM_MODEL}", "api_base": f"http://{LOOPBACK}:{port}/v1",
                                      "api_key": f"os.environ/{UPSTREAM_KEY_ENV}"}}]
    with litellm_proxy(NAME, model_list, key, skip_install=args.skip_install,
                       extra_env={UPSTREAM_KEY_ENV: upstream_key}) as target:
        return run_behind(target.base_url, port, options, {DEFAULT_KEY_ENV: key, UPSTREAM_KEY_ENV: upstream_key},
                          "--upstream-key-env", UPSTREAM_KEY_ENV)


if __name__ == "__main__":
    sys.exit(main())
