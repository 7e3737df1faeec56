"""The `routecheck` command: run the suite (wrapping pytest), serve the reference gateway, list things.

Bad input ends with one line on stderr and a documented exit code, never a traceback:
0 no MUST failure, 1 a MUST failure, 2 usage or configuration error, 3 target or harness error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from . import __version__
from .errors import EXIT_HARNESS, EXIT_USAGE, RoutecheckError, TargetError, UsageError
from .features import FEATURES, parse_disabled
from .spec import load_profile, profile_names
from .target import DEFAULT_KEY_ENV, BundledGateway, check_reachable, discover_model, new_key, normalise_base_url, read_key

PACKAGE_DIR = Path(__file__).resolve().parent
PLACEHOLDER_MODEL = "MODEL"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + message
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="routecheck", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"routecheck {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = sub.add_parser("run", help="run the conformance suite against a gateway (default: the bundled one)")
    run.add_argument("--base-url", help="target base URL, with or without /v1; may contain {profile}")
    run.add_argument("--profile", action="append", default=[], help="profile to run (repeatable; default: all)")
    run.add_argument("--model", help="model id (default: first id from GET /v1/models)")
    run.add_argument("--api-key-env", default=DEFAULT_KEY_ENV, help=f"variable holding the API key (default {DEFAULT_KEY_ENV})")
    run.add_argument("--json", dest="json_path", default="reports/results.json", help="canonical results file")
    run.add_argument("--junitxml", help="also write JUnit XML here")
    run.add_argument("--html", default="reports/report.html", help="HTML report path")
    run.add_argument("--no-html", action="store_true", help="do not write the HTML report")
    run.add_argument("-k", dest="keyword", help="only cases whose ID matches this pytest -k expression")
    run.add_argument("-n", dest="workers", help="pytest-xdist workers (default: none; requests already run concurrently)")
    run.add_argument("--without", action="append", default=[], help=f"features the model lacks: {', '.join(FEATURES)}")
    run.add_argument("--concurrency", type=int, default=8, help="requests in flight at once (default 8)")
    run.add_argument("--rate-limit", type=float, help="at most this many requests per second")
    run.add_argument("--fault", help="bundled gateway only: break one rule (see `routecheck faults`)")
    for name, default in (("connect-timeout", 5.0), ("response-timeout", 30.0), ("stream-timeout", 60.0), ("idle-timeout", 15.0)):
        run.add_argument(f"--{name}", type=float, default=default, help=f"seconds (default {default:g})")
    run.add_argument("-v", "--verbose", action="store_true", help="pytest's verbose listing")

    serve = sub.add_parser("serve", help="serve the reference gateway for one profile on loopback")
    serve.add_argument("--profile", required=True)
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--fault", help="break one rule (see `routecheck faults`)")
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    serve.add_argument("--api-key-env", default=DEFAULT_KEY_ENV)

    sub.add_parser("profiles", help="list the profiles, their source documents and case counts")
    cases = sub.add_parser("cases", help="list case IDs of a profile without sending anything")
    cases.add_argument("--profile", action="append", default=[], required=True)
    faults = sub.add_parser("faults", help="list the reference gateway's faults for a profile")
    faults.add_argument("--profile", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is needed: run, serve, profiles, cases or faults (see `routecheck --help`)")
        return COMMANDS[args.command](args)
    except RoutecheckError as exc:
        print(f"routecheck: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("routecheck: interrupted", file=sys.stderr)
        return 130


# ---------------------------------------------------------------- run

def cmd_run(args: argparse.Namespace) -> int:
    profiles = args.profile or profile_names()
    for name in profiles:
        load_profile(name)  # a bad spec or unknown profile stops here, before anything starts
    parse_disabled(args.without)
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if args.fault and args.base_url:
        raise UsageError("--fault applies to the bundled gateway only (drop --base-url)")
    if args.base_url:
        base_url = normalise_base_url(args.base_url)
        key = read_key(args.api_key_env)
        return _run_against(args, base_url, key, profiles)
    key = os.environ.get(args.api_key_env) or new_key()
    if args.fault:
        from .gateway import find_fault
        for name in profiles:
            try:
                find_fault(load_profile(name), args.fault)
            except KeyError:
                raise UsageError(f"profile {name} has no fault '{args.fault}' (see `routecheck faults --profile {name}`)") from None
    with BundledGateway(key) as gateway:
        print(f"routecheck: bundled reference gateway at {gateway.root}" + (f" with fault {args.fault}" if args.fault else ""))
        os.environ[args.api_key_env] = key  # for pytest in this process and any xdist worker
        return _run_against(args, gateway.base_url(args.fault), key, profiles)


def _run_against(args: argparse.Namespace, base_url: str, key: str, profiles: list[str]) -> int:
    import pytest

    from . import results

    first = load_profile(profiles[0])
    first_url = base_url.replace("{profile}", first.name)
    model = args.model
    if model:
        check_reachable(first_url, timeout=args.connect_timeout)
    else:
        model = discover_model(first_url, first, key, timeout=max(args.connect_timeout, 10.0))
    json_path = Path(args.json_path)
    if json_path.exists():
        json_path.unlink()
    pytest_args = [str(PACKAGE_DIR / "test_conformance.py"), "-p", "conformance.plugin", "-p", "no:cacheprovider", "-p", "no:anyio", "-W", "ignore::pytest.PytestAssertRewriteWarning",
                   "--base-url", base_url, "--model", model, "--api-key-env", args.api_key_env,
                   "--rc-json", str(json_path), "--rc-concurrency", str(args.concurrency),
                   "--connect-timeout", str(args.connect_timeout), "--response-timeout", str(args.response_timeout),
                   "--stream-timeout", str(args.stream_timeout), "--idle-timeout", str(args.idle_timeout),
                   "--rootdir", str(PACKAGE_DIR.parent), "-o", "addopts=", "--no-header", "--tb=no" if not args.verbose else "--tb=short",
                   "-rf", "-v" if args.verbose else "-q"]
    if args.rate_limit:
        pytest_args += ["--rate-limit", str(args.rate_limit)]
    for name in profiles:
        pytest_args += ["--profile", name]
    for feature in args.without:
        pytest_args += ["--without", feature]
    if args.junitxml:
        pytest_args += ["--rc-junit", args.junitxml]
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    if args.workers:
        pytest_args += ["-n", str(args.workers)]
    code = pytest.main(pytest_args)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise UsageError(f"no case matched -k {args.keyword!r}" if args.keyword else "no case was collected")
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR) or not json_path.exists():
        raise TargetError(f"the run did not complete (pytest exit code {int(code)})")
    doc = results.load(json_path)
    print(results.summary_line(doc))
    for note in doc.get("notes", []):
        print(f"routecheck: note: {note}")
    print(f"routecheck: results in {json_path}" + (f", JUnit in {args.junitxml}" if args.junitxml else ""))
    if not args.no_html:
        from .report import write_html
        print(f"routecheck: report in {write_html([doc], args.html, secrets=(key,))}")
    return results.exit_code(doc)


# ---------------------------------------------------------------- the rest

def cmd_serve(args: argparse.Namespace) -> int:
    from .gateway.__main__ import main as gateway_main

    load_profile(args.profile)
    argv = ["--profile", args.profile, "--port", str(args.port), "--api-key-env", args.api_key_env,
            "--latency", str(args.latency)]
    if args.fault:
        argv += ["--fault", args.fault]
    return gateway_main(argv) or 0


def cmd_profiles(args: argparse.Namespace) -> int:
    from .cases import generate_cases

    print(f"{'profile':<13} {'cases':>5} {'MUST':>5} {'SHOULD':>6}  document / title")
    for name in profile_names():
        profile = load_profile(name)
        levels = Counter(c.level for c in generate_cases(profile, PLACEHOLDER_MODEL))
        print(f"{name:<13} {sum(levels.values()):>5} {levels['MUST']:>5} {levels['SHOULD']:>6}  "
              f"{profile.document} ({profile.title})")
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    from .cases import generate_cases

    for name in args.profile:
        for case in generate_cases(load_profile(name), PLACEHOLDER_MODEL):
            print(f"{case.id}  [{case.level}]  {case.title}")
    return 0


def cmd_faults(args: argparse.Namespace) -> int:
    from .gateway import faults_for

    profile = load_profile(args.profile)
    for fault in faults_for(profile):
        rule = profile.rule(fault.rule)
        print(f"{fault.name}  [{fault.level}] breaks {fault.rule}: {fault.description}\n    source: {rule.source.cite()}")
    return 0


COMMANDS = {"run": cmd_run, "serve": cmd_serve, "profiles": cmd_profiles, "cases": cmd_cases, "faults": cmd_faults}

if __name__ == "__main__":
    sys.exit(main())
