"""The `routecheck` command line's grammar: commands, options, and the checks on their values.

A value argparse refuses (a negative timeout, `-n abc`, a bad variable name) is a one-line usage
error with exit 2, raised by _Parser; conformance/cli.py carries the commands out.
"""

from __future__ import annotations

import argparse
import math

from . import __version__
from .engine import DEFAULT_MAX_DURATION
from .errors import UsageError
from .features import FEATURES
from .target import DEFAULT_KEY_ENV, HEADER_HELP, env_name


def _seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse turns the ValueError into a one-line usage error)."""
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(text)
    return value


_seconds.__name__ = "positive number"  # what argparse names in its message


def _env_name(text: str) -> str:
    try:
        return env_name(text)
    except UsageError:
        raise ValueError(text) from None


_env_name.__name__ = "environment variable name"


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


_count.__name__ = "whole number of at least 1"


def _workers(text: str) -> str:
    return text if text == "auto" else str(_count(text))


_workers.__name__ = "worker count (a whole number of at least 1, or auto)"


DESCRIPTION = """\
Test an OpenAI-compatible LLM gateway against what its provider documents: every documented
parameter, range, auth scheme, stream and response field becomes test cases, each quoting
its source."""

EPILOG = """\
examples:
  routecheck run                    every profile against the bundled reference gateway
  export ROUTECHECK_API_KEY=sk-...  the key comes from the environment, never the command line
  routecheck run --base-url http://127.0.0.1:4000/v1 --profile routeway --markdown summary.md
  routecheck profiles               the profiles (one per provider document), case counts
  routecheck report reports/results.json -o report.html

exit codes: 0 no MUST failure, 1 a MUST failure, 2 usage or configuration error,
            3 target unreachable or harness error
`routecheck COMMAND --help` lists a command's options."""


def _port(text: str) -> int:
    from .gateway.server import port_number  # imported only for `serve`: the gateway's modules load slowly

    return port_number(text)


_port.__name__ = "port (0 to 65535)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + message
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="routecheck", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"routecheck {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, title="commands", metavar="COMMAND")

    run = sub.add_parser("run", help="run the conformance suite against a gateway (default: the bundled one)")
    run.add_argument("--base-url", help="target base URL as the OpenAI SDK takes base_url: used as given, /v1 added only "
                     "to a URL with no path (http://host:4000 -> http://host:4000/v1; http://host/openai as is); "
                     "may contain {profile}")
    run.add_argument("--profile", action="append", default=[],
                     help="profile to run (repeatable; default: openai with --base-url, all without)")
    run.add_argument("--spec", action="append", default=[], metavar="FILE",
                     help="your own spec file (repeatable): its profile runs with the --profile ones (default: only it)")
    run.add_argument("--model", help="model id (default: first id from GET /v1/models)")
    run.add_argument("--api-key-env", default=DEFAULT_KEY_ENV, type=_env_name,
                     help=f"variable holding the API key (default {DEFAULT_KEY_ENV}); reproduce commands name it")
    run.add_argument("-H", "--header", action="append", default=[], metavar="NAME:VALUE", help=HEADER_HELP)
    run.add_argument("--json", dest="json_path", default="reports/results.json", help="canonical results file")
    run.add_argument("--junitxml", help="also write JUnit XML here")
    run.add_argument("--html", default="reports/report.html", help="HTML report path")
    run.add_argument("--no-html", action="store_true", help="do not write the HTML report")
    run.add_argument("-k", dest="keyword", help="only cases whose ID matches this pytest -k expression")
    run.add_argument("-n", dest="workers", type=_workers, help="pytest-xdist workers (default: none; requests already run concurrently)")
    run.add_argument("--without", action="append", default=[], help=f"features the model lacks: {', '.join(FEATURES)}")
    run.add_argument("--require", action="append", default=[],
                     help="features the model has: refusing them fails instead of being inconclusive")
    run.add_argument("--concurrency", type=_count, default=4,
                     help="requests in flight at once (default 4: best on loopback; raise it for slow remote targets)")
    run.add_argument("--rate-limit", type=_seconds, help="at most this many requests per second")
    run.add_argument("--fault", help="bundled gateway only: break one rule (see `routecheck faults`)")
    for name, default in (("connect-timeout", 5.0), ("response-timeout", 30.0), ("stream-timeout", 60.0), ("idle-timeout", 15.0)):
        run.add_argument(f"--{name}", type=_seconds, default=default, help=f"seconds (default {default:g})")
    run.add_argument("--max-duration", type=_seconds, default=DEFAULT_MAX_DURATION,
                     help=f"seconds for the whole run; cases not done by then end as harness errors (default {DEFAULT_MAX_DURATION:g})")
    run.add_argument("-v", "--verbose", action="store_true", help="pytest's verbose listing")
    run.add_argument("--baseline", metavar="OLD.json", help="an earlier results file: exit 1 only on MUST failures it did not have")
    run.add_argument("--expect", metavar="FILE", help="expectations (YAML): accepted failures, shown as expected-fail")
    run.add_argument("--alluredir", metavar="DIR", help="also write Allure results here (allure-pytest)")
    run.add_argument("--markdown", metavar="FILE", help="also write a Markdown summary here (gate, counts, first failures)")
    run.add_argument("--har", metavar="FILE", help="also write a HAR 1.2 file of every exchange behind a case that did not pass")

    serve = sub.add_parser("serve", help="serve the reference gateway for one profile on loopback",
                           description="Serve the reference gateway, faithful to one profile (or with one fault), "
                                       "on 127.0.0.1 until Ctrl-C.")
    serve.add_argument("--profile", help="the shipped profile to serve faithfully (see `routecheck profiles`; or --spec)")
    serve.add_argument("--spec", metavar="FILE", help="serve your own spec file faithfully (or --profile)")
    serve.add_argument("--port", type=_port, default=8080, help="port on 127.0.0.1 (default 8080; 0: any free port)")
    serve.add_argument("--fault", help="break one rule (see `routecheck faults`)")
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    serve.add_argument("--api-key-env", default=DEFAULT_KEY_ENV, type=_env_name,
                       help=f"variable holding the key clients must send (default {DEFAULT_KEY_ENV})")

    sub.add_parser("profiles", help="list the profiles, their source documents and case counts")
    cases = sub.add_parser("cases", help="list case IDs of a profile without sending anything")
    cases.add_argument("--profile", action="append", default=[], help="a shipped profile to list (repeatable)")
    cases.add_argument("--spec", action="append", default=[], metavar="FILE", help="your own spec file (repeatable)")
    faults = sub.add_parser("faults", help="list the reference gateway's faults for a profile")
    faults.add_argument("--profile", help="a shipped profile whose faults to list (or --spec)")
    faults.add_argument("--spec", metavar="FILE", help="your own spec file (or --profile)")
    sub.add_parser("schema", help="print the spec file format whole: spec.schema.json with every facet module's fragment")

    imp = sub.add_parser("import", help="write a spec of the chat completions request from a gateway's OpenAPI document")
    imp.add_argument("openapi", metavar="OPENAPI", help="the OpenAPI document: a file (JSON or YAML) or a loopback URL")
    imp.add_argument("-o", "--output", required=True, metavar="SPEC.yaml",
                     help="the spec to write; the document is written next to it as SPEC.openapi.json, its quotes' source")
    imp.add_argument("--profile", help="the profile's name (default: from the document's title)")
    report = sub.add_parser("report", help="one HTML report from one or more results files, side by side")
    report.add_argument("results", nargs="+", metavar="RESULTS.json", help="results files (routecheck run --json), one column each")
    report.add_argument("-o", "--output", default="reports/report.html", help="HTML file (default reports/report.html)")
    report.add_argument("--label", action="append", default=[], help="column name per results file, in order (default: file name)")
    report.add_argument("--baseline", metavar="OLD.json", help="mark regressions and fixes against this results file")
    report.add_argument("--expect", metavar="FILE", help="expectations (YAML): mark expected failures and stale entries")
    report.add_argument("--markdown", metavar="FILE", help="also write a Markdown summary of each results file here")
    expect = sub.add_parser("expect", help="write expectations accepting every failed or warned case of a run")
    expect.add_argument("--from", dest="source", required=True, metavar="RESULTS.json", help="the results file of the run to accept")
    expect.add_argument("-o", "--output", help="file to write (default: standard output)")
    return parser
