"""The run options, one table for both entry points: `routecheck run`'s parser (conformance/cli_args.py) and
the pytest plugin's addoption (conformance/plugin_options.py) are generated from it, and so is what `routecheck
run` hands on to its pytest command line (conformance/launch.py). The output options come from the reporters
that own them (conformance/reporters/__init__.py). An Option's `pytest` says how the plugin's differs.
"""

from __future__ import annotations

from .engine import DEFAULT_MAX_DURATION, Deadlines
from .features import FEATURES
from .option import Option, count, loopback_address, seconds, variable_name, workers
from .reporters import output_options
from .target import DEFAULT_KEY_ENV, HEADER_HELP

NOT_IN_PYTEST = None  # pytest's own option (-k, -v), or pytest-xdist's (-n), or a run's only (the bundled gateway's fault)

TARGET = (
    Option(("--base-url",), "target base URL as the OpenAI SDK takes base_url: used as given, /v1 added only to a URL "
           "with no path (http://host:4000 -> http://host:4000/v1; http://host/openai as is); may contain {profile}",
           pytest={"help": "target base URL as the OpenAI SDK takes base_url (/v1 added only to a URL with no path; "
                           "may contain {profile}); default: start the bundled reference gateway on loopback"}),
    Option(("--profile",), "profile to run (repeatable; default: openai with --base-url, all without)",
           action="append", default=[]),
    Option(("--spec",), "your own spec file (repeatable): its profile runs with the --profile ones (default: only it)",
           action="append", default=[], metavar="FILE", pytest={"dest": "rc_spec"}),
    Option(("--model",), "model id (default: first id from GET /v1/models)"),
    # the plugin checks the name itself, when it builds the plan: routecheck run's one line and exit code
    Option(("--api-key-env",), f"variable holding the API key (default {DEFAULT_KEY_ENV}); reproduce commands name it",
           default=DEFAULT_KEY_ENV, type=variable_name, pytest={"type": None}),
    Option(("-H", "--header"), HEADER_HELP, action="append", default=[], metavar="NAME:VALUE",
           pytest={"dest": "rc_header"}),
    Option(("--upstream",), "serve a recording upstream (OpenAI chat completions) on this loopback address, where the "
           "gateway under test forwards, and judge what reaches it (the forwarding cases)", type=loopback_address,
           metavar="127.0.0.1:PORT"),
    Option(("--upstream-key-env",), "variable holding the key the gateway sends upstream (default: the client's key)",
           type=variable_name, metavar="VAR", pytest={"type": None}),
)

SELECTION = (
    Option(("-k",), "only cases whose ID matches this pytest -k expression", dest="keyword", forward=True,
           pytest=NOT_IN_PYTEST),
    Option(("-n",), "pytest-xdist workers (default: none; requests already run concurrently)", dest="workers",
           type=workers, forward=True, pytest=NOT_IN_PYTEST),
    Option(("--without",), f"features the model lacks: {', '.join(FEATURES)}", action="append", default=[]),
    Option(("--require",), "features the model has: refusing them fails instead of being inconclusive",
           action="append", default=[]),
)

SENDING = (
    Option(("--concurrency",), "requests in flight at once (default 4: best on loopback; raise it for slow remote targets)",
           type=count, default=4, pytest={"dest": "rc_concurrency"}),
    Option(("--rate-limit",), "at most this many requests per second", type=seconds),
    Option(("--fault",), "bundled gateway only: break one rule (see `routecheck faults`)", pytest=NOT_IN_PYTEST),
    *(Option((f"--{name}",), f"seconds (default {default:g})", type=seconds, default=default)
      for name, default in (("connect-timeout", Deadlines.connect), ("response-timeout", Deadlines.response),
                            ("stream-timeout", Deadlines.stream_total), ("idle-timeout", Deadlines.stream_idle))),
    Option(("--max-duration",), "seconds for the whole run; cases not done by then end as harness errors "
           f"(default {DEFAULT_MAX_DURATION:g})", type=seconds, default=DEFAULT_MAX_DURATION),
    Option(("-v", "--verbose"), "pytest's verbose listing", action="store_true", forward=True, pytest=NOT_IN_PYTEST),
)

GATING = (
    Option(("--baseline",), "an earlier results file: exit 1 only on MUST failures it did not have", metavar="OLD.json",
           pytest=NOT_IN_PYTEST),
    Option(("--expect",), "expectations (YAML): accepted failures, shown as expected-fail", metavar="FILE",
           pytest={"dest": "rc_expect",
                   "help": "expectations file: its failed/error cases are marked xfail(strict) (a fixed one then fails)"}),
)

PYTEST_ONLY = (
    Option(("--rc-progress",), "no letter per case; one progress line on a terminal (routecheck run prints the summary)",
           action="store_true", run=False),
    Option(("--cap-param",), "token cap of the base requests per profile (default: max_tokens, or max_completion_tokens "
           "where the document offers both and the model refuses max_tokens; one request decides)",
           action="append", default=[], metavar="PROFILE=PARAM", run=False),
)


def all_options() -> list[Option]:
    """Every run option, in the order `routecheck run --help` lists them."""
    return [*TARGET, *output_options(), *SELECTION, *SENDING, *GATING, *PYTEST_ONLY]


def run_options() -> list[Option]:
    return [o for o in all_options() if o.run]


def pytest_options() -> list[Option]:
    return [o for o in all_options() if o.pytest is not None]
