"""The `routecheck` command: run the suite (wrapping pytest), serve the reference gateway, list things.

Bad input ends with one line on stderr and a documented exit code, never a traceback:
0 no MUST failure, 1 a MUST failure (with --baseline / --expect: one they do not account for, see
conformance/gating.py), 2 usage or configuration error, 3 target or harness error.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import signal
import os
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import gating, wire
from .errors import RoutecheckError, TargetError, UsageError
from .cli_args import build_parser
from .launch import launch_args
from .reporters import Context, compare_outputs, outputs_wanted, write_outputs
from .reporters.console import start_lines
from .cases import generate_cases
from .features import parse_disabled, parse_required
from .checks import derive
from .verdicts import derived_for, jobs_for
from .request import redact
from .plan import RunPlan, Settings
from .sender import Sender
from .spec import Profile, chosen_profiles, load_profile, load_spec_file, profile_names
from .target import (DEFAULT_KEY_ENV, BundledGateway, Target, check_key, check_model, check_reachable, discover_model,
                     new_key, normalise_base_url, parse_headers, read_key, secrets_in_env)

if TYPE_CHECKING:
    from .upstream.serve import RecordingUpstream

PLACEHOLDER_MODEL = "MODEL"
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is needed: run, report, expect, import, serve, profiles, cases, faults or schema (see `routecheck --help`)")
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, not at exit: a reader that left (`| head`) is then caught below
        return code
    except RoutecheckError as exc:
        # the message may quote what the target sent: a key (or -H secret) it echoed is redacted here too
        print(f"routecheck: error: {redact(str(exc), _secrets(locals().get('args')))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("routecheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `routecheck cases | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


# ---------------------------------------------------------------- run

def cmd_run(args: argparse.Namespace) -> int:
    """No collector pass over what start-up builds to keep (specs, cases, the plan: a gen-2 pass over them cost
    a tenth of a second each): frozen as pytest starts (_pytest_run); what the run leaves is not walked at exit."""
    gc.disable()
    try:
        with wire.blocking_only():
            return _cmd_run(args)
    finally:
        gc.freeze()
        gc.enable()


def _cmd_run(args: argparse.Namespace) -> int:
    # "is my gateway OpenAI-compatible?" is the first question for a URL; all profiles for the bundled gateway
    # a profile named twice is judged once: a case ID names one verdict
    # a bad spec or unknown profile stops here, before anything starts
    profiles = selected_profiles(args, default=["openai"] if args.base_url else profile_names())
    parse_required(args.require, parse_disabled(args.without))
    if args.keyword:
        _check_keyword(args.keyword)
    if args.fault and args.base_url:
        raise UsageError("--fault applies to the bundled gateway only (drop --base-url)")
    if args.upstream and not args.base_url:
        raise UsageError("--upstream records what a gateway forwards: give --base-url, the gateway that forwards there")
    if args.upstream and args.workers:
        raise UsageError("--upstream judges in one process: run it without -n")
    gate_inputs = gating.load_inputs(args.baseline, args.expect)  # a bad file stops here, before anything runs
    outputs = outputs_wanted(args)
    for name, output in outputs.items():  # an unwritable report path fails now, not after the run
        (_writable_dir if name == "allure" else _writable_file)(output)
    base_url = normalise_base_url(args.base_url) if args.base_url else None
    given = os.environ.get(args.api_key_env)
    key = read_key(args.api_key_env) if base_url else check_key(given, args.api_key_env) if given else new_key()
    headers, env = parse_headers(args.header, profiles, args.api_key_env)
    target = Target(base_url or "", key, "", headers, env)
    upstream = None
    if args.upstream:
        from .upstream.serve import recording_upstream  # the server's imports only when a run asks for it
        upstream, target = recording_upstream(args.upstream, target, args.upstream_key_env, profiles)
    if args.fault:
        from .gateway import find_fault
        for profile in profiles:
            try:
                find_fault(profile, args.fault)
            except KeyError:
                raise UsageError(f"profile {profile.name} has no fault '{args.fault}' "
                                 f"(see `routecheck faults --profile {profile.name}`)") from None
    for name, stale in outputs.items():  # an old report must never look like this run's (a CI job would upload it)
        if name != "allure":
            Path(stale).unlink(missing_ok=True)
    # SIGTERM ends a run like Ctrl-C: results of what ran, marked incomplete, and exit 130
    previous = signal.signal(signal.SIGTERM, _interrupt)
    # the sending process starts now, so its start-up overlaps ours (xdist workers send for themselves)
    sender = None if args.workers else Sender(derive)
    try:
        if base_url:
            with upstream or contextlib.nullcontext():  # serving before the plan's first request: the gateway forwards it
                return _run_against(args, target, profiles, gate_inputs, sender, upstream)
        with BundledGateway(key, specs=[p.spec_file for p in profiles if p.spec_file]) as gateway:
            print(f"routecheck: bundled reference gateway at {gateway.root}" + (f" with fault {args.fault}" if args.fault else ""))
            return _run_against(args, replace(target, base_url=gateway.base_url(args.fault)), profiles, gate_inputs,
                                sender)
    except KeyboardInterrupt:  # before or after pytest ran: nothing judged that is not already written
        return _interrupted(args, target.secrets)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if sender is not None:
            sender.close()


def _secrets(args: argparse.Namespace | None) -> tuple[str, ...]:
    return secrets_in_env(getattr(args, "api_key_env", None), getattr(args, "header", None) or [])


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _interrupted(args: argparse.Namespace, secrets: tuple[str, ...]) -> int:
    """Exit 130, leaving a results file (and report) marked incomplete with whatever was judged."""
    from . import results
    from .verdicts import now_iso

    path = Path(args.json_path)
    doc = results.read_unvalidated(path) if path.exists() else None
    if doc is None:
        doc = results.build([], targets={}, model=args.model or "", started=now_iso(), duration=0.0,
                            complete=False)
        write_outputs(doc, {"json": str(path)}, Context(secrets=secrets))
    if not args.no_html:
        write_outputs(doc, {"html": args.html}, Context(secrets=secrets, label="interrupted"))
    print(f"routecheck: interrupted: {doc['summary']['total']} cases judged before the stop, in {path} "
          "(marked complete: false)", file=sys.stderr)
    return EXIT_INTERRUPTED


def _run_against(args: argparse.Namespace, target: Target, profiles: list[Profile],
                 gate_inputs: gating.Inputs, sender: Sender | None, upstream: RecordingUpstream | None = None) -> int:
    plan = _plan(args, target, profiles, upstream)
    print(redact("\n".join(start_lines(target.base_url, plan.target.model, plan.profiles)), target.secrets))
    if sender is not None and not args.keyword:
        # every case's request, in test order, sent while pytest starts; -k selects after collection, so
        # with -k the plugin hands over the selected requests itself
        pairs = [(plan.target.url(c.profile), c) for c in plan.cases]
        sender.send(plan.settings.engine(target.key, target.env), jobs_for(pairs, plan.disabled), derived_for(pairs, plan.disabled))
    doc, failed_tests = _pytest_run(args, plan, sender)
    if failed_tests and not doc["summary"]["failed"] + doc["summary"]["errors"]:
        raise TargetError("pytest reported failed tests that the results do not show: a routecheck bug (see above)")
    gate = gating.evaluate(doc, gate_inputs.baseline, gate_inputs.expectations, gate_inputs.notes)
    doc["gate"] = gate.record(doc)  # part of the record: a CI job reads it back
    label = f"reference + {args.fault}" if args.fault else "reference" if not args.base_url else None
    outputs: dict[str, str | None] = {"console": None, **outputs_wanted(args)}
    for line in write_outputs(doc, outputs, Context(secrets=target.secrets, gate=gate, label=label)):
        print(line if line.startswith("routecheck") else f"routecheck: {line}")
    return gate.exit_code


def _plan(args: argparse.Namespace, target: Target, profiles: list[Profile], upstream: RecordingUpstream | None = None) -> RunPlan:
    """The run plan (conformance/plan.py): the model found or checked, one token cap probe per profile."""
    first = profiles[0]
    listing_timeout = min(args.response_timeout, 10.0)
    if not args.model:
        return _build_plan(args, replace(target, model=discover_model(target, first, timeout=listing_timeout)), profiles,
                           upstream)
    check_reachable(target.url(first.name), timeout=args.connect_timeout)
    target = replace(target, model=args.model)
    with ThreadPoolExecutor(max_workers=1) as pool:  # the models list is read while the plan's probes run
        warning = pool.submit(check_model, target, first, timeout=listing_timeout)
        plan = _build_plan(args, target, profiles, upstream)
        if warning.result():
            print(f"routecheck: warning: {warning.result()}", file=sys.stderr)
    return plan


def _build_plan(args: argparse.Namespace, target: Target, profiles: list[Profile],
                upstream: RecordingUpstream | None = None) -> RunPlan:
    return RunPlan.build(target, args.api_key_env, profiles,
                         Settings.from_options(args), without=args.without, require=args.require, upstream=upstream)


def _pytest_run(args: argparse.Namespace, plan: RunPlan, sender: Sender | None) -> tuple[dict, bool]:
    """pytest judges the plan's cases; its results file, and whether pytest saw failed tests."""
    import pytest  # here, not at the top: the sending process starts sending while pytest is imported

    from .collector import Handover

    json_path = Path(args.json_path)
    json_path.unlink(missing_ok=True)
    handover = Handover()  # the results document, in memory: written once, with the gate, by _run_against
    # only the plugins this run needs: autoloaded ones add hooks to every one of ~1500 tests
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    gc.freeze()  # see cmd_run
    gc.enable()
    try:
        code = pytest.main(launch_args(args), plugins=[plan, handover, *([sender] if sender is not None else [])])
    finally:
        os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise UsageError(f"no case matched -k {args.keyword!r}" if args.keyword else "no case was collected")
    if code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt  # pytest wrote the cases it judged, marked incomplete: cmd_run reports them
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR) or handover.doc is None:
        raise TargetError(f"the run did not complete (pytest exit code {int(code)})")
    return handover.doc, code == pytest.ExitCode.TESTS_FAILED


def _check_keyword(expression: str) -> None:
    """A -k expression pytest would refuse is a usage error here, in one line, before anything starts."""
    try:
        from _pytest.mark.expression import Expression
    except ImportError:  # a private module: if it moves, pytest itself refuses the expression
        return
    try:
        Expression.compile(expression)
    except Exception as exc:  # noqa: BLE001 - pytest 8 raises its ParseError, pytest 9 a SyntaxError
        raise UsageError(f"-k {expression!r} is not a valid expression: {getattr(exc, 'msg', None) or exc}") from None


def _writable_file(path: str) -> None:
    target = Path(path)
    _writable_dir(str(target.parent))
    if target.is_dir() or not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"cannot write {path}")


def _writable_dir(path: str) -> None:
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------- report, expect

def cmd_report(args: argparse.Namespace) -> int:
    from . import results
    from .report import unique_labels

    docs = [results.read_validated(path) for path in args.results]
    if args.label and len(args.label) != len(docs):
        raise UsageError(f"--label given {len(args.label)} times for {len(docs)} results files (one per file, in order)")
    labels = args.label or unique_labels([Path(p).stem for p in args.results])
    inputs = gating.load_inputs(args.baseline, args.expect)
    gates = [gating.evaluate(doc, inputs.baseline, inputs.expectations, inputs.notes) for doc in docs]
    outputs = {"html": args.output, **({"markdown": args.markdown} if args.markdown else {})}
    for line in compare_outputs(docs, outputs, [Context(gate=g, label=lb) for g, lb in zip(gates, labels)]):
        print(f"routecheck: {line}")
    return 0


def cmd_expect(args: argparse.Namespace) -> int:
    from . import results

    doc = results.read_validated(args.source)
    text = gating.expectations_yaml(doc, Path(args.source).name)
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    entries = sum(1 for c in doc["cases"] if c["outcome"] in gating.NOT_MET)
    print(f"routecheck: {entries} expectations written to {args.output}; replace each placeholder reason")
    return 0


# ---------------------------------------------------------------- the rest

def selected_profiles(args: argparse.Namespace, default: list[str] = ()) -> list[Profile]:
    return chosen_profiles(getattr(args, "spec", None) or [], args.profile, list(default))


def _one_profile(args: argparse.Namespace) -> Profile:
    if bool(args.profile) == bool(args.spec):
        raise UsageError(f"{args.command} takes one profile: --profile NAME or --spec FILE")
    return load_spec_file(args.spec) if args.spec else load_profile(args.profile)


def cmd_serve(args: argparse.Namespace) -> int:
    from .gateway.__main__ import main as gateway_main

    if bool(args.spec) == bool(args.profile):
        raise UsageError("serve takes --profile NAME (repeatable: one per surface) or --spec FILE")
    if args.spec:
        argv = ["--spec", load_spec_file(args.spec).spec_file]
    else:  # an unknown profile is a one-line error here, before the gateway starts
        argv = [arg for name in args.profile for arg in ("--profile", load_profile(name).name)]
    argv += ["--port", str(args.port), "--api-key-env", args.api_key_env, "--latency", str(args.latency)]
    if args.fault:
        argv += ["--fault", args.fault]
    return gateway_main(argv) or 0


def cmd_profiles(args: argparse.Namespace) -> int:
    print(f"{'profile':<13} {'cases':>5} {'MUST':>5} {'SHOULD':>6}  document (file in specs/sources/)")
    for name in profile_names():
        profile = load_profile(name)
        levels = Counter(c.level for c in generate_cases(profile, PLACEHOLDER_MODEL))
        print(f"{name:<13} {sum(levels.values()):>5} {levels['MUST']:>5} {levels['SHOULD']:>6}  "
              f"{profile.title} ({profile.document})")
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    if not args.profile and not args.spec:
        raise UsageError("cases needs --profile NAME or --spec FILE (repeatable)")
    for profile in selected_profiles(args):
        for case in generate_cases(profile, PLACEHOLDER_MODEL):
            print(f"{case.id}  [{case.level}]  {case.title}")
    return 0


def cmd_faults(args: argparse.Namespace) -> int:
    from .gateway import faults_for

    from .documents import titles

    profile = _one_profile(args)
    named = titles([profile])
    for fault in faults_for(profile):
        src = profile.rule(fault.rule).source
        print(f"{fault.name}  [{fault.level}] breaks {fault.rule}: {fault.description}\n"
              f"    source: {named.get(src.document, src.document)}: " + (f'"{src.quote}"' if src.quote else f"[{src.schema}]"))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from .spec import full_schema

    print(json.dumps(full_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .openapi_import import import_openapi

    spec, document, params = import_openapi(args.openapi, args.output, args.profile)
    print(f"routecheck: {spec}: {params} request parameters, quoting {document} "
          f"(check it with `routecheck serve --spec {spec}` and `routecheck run --spec {spec}`)")
    return 0


COMMANDS = {"import": cmd_import, "run": cmd_run, "serve": cmd_serve, "profiles": cmd_profiles, "cases": cmd_cases, "faults": cmd_faults,
            "schema": cmd_schema, "report": cmd_report, "expect": cmd_expect}

if __name__ == "__main__":
    sys.exit(main())
