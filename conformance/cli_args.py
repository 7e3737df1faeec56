"""The `routecheck` command line's grammar: commands and their options (`run`'s from conformance/options.py).

A value argparse refuses (a negative timeout, `-n abc`, a bad variable name) is a one-line usage
error with exit 2, raised by _Parser; conformance/cli.py carries the commands out.
"""

from __future__ import annotations

import argparse

from . import __version__
from .errors import UsageError
from .option import variable_name
from .options import run_options
from .target import DEFAULT_KEY_ENV

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
    for option in run_options():  # one table with the pytest plugin's (conformance/options.py)
        option.add_to(run)

    serve = sub.add_parser("serve", help="serve the reference gateway for one profile (or one per surface) on loopback",
                           description="Serve the reference gateway, faithful to one profile (or with one fault), "
                                       "on 127.0.0.1 until Ctrl-C; several --profile of different surfaces are served "
                                       "side by side, each at its own path.")
    serve.add_argument("--profile", action="append", default=[],
                       help="the shipped profile to serve faithfully (see `routecheck profiles`; or --spec); repeatable: "
                            "profiles of different surfaces are served side by side, each at its own path")
    serve.add_argument("--spec", metavar="FILE", help="serve your own spec file faithfully (or --profile)")
    serve.add_argument("--port", type=_port, default=8080, help="port on 127.0.0.1 (default 8080; 0: any free port)")
    serve.add_argument("--fault", help="break one rule (see `routecheck faults`)")
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    serve.add_argument("--api-key-env", default=DEFAULT_KEY_ENV, type=variable_name,
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
