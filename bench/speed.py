"""Speed and cost of a routecheck run, measured on this machine in one go.

    python bench/speed.py [--rounds 3] [--latency 0.2] [--profile routeway] [--latency-rounds 5]

1. Overhead: `routecheck run` over the five seed profiles against the reference gateway,
   next to a plain httpx loop sending the same distinct requests (the floor): as a command
   of its own (bench/floor_loop.py, timed like routecheck from start to exit) and inside
   this process (warm, no start-up: the strictest reading). Target: at most 1.5x the command.
   The same for the profiles of the other surfaces (anthropic on Messages, openai-responses on
   Responses), whose streams routecheck parses event by event. Target: at most 2x the command.
2. Latency: the gateway with --latency added to every answer; one full profile at
   concurrency 1, 4, 16 and 32 (requests in flight in one process), and with
   pytest-xdist workers instead (-n 4), to pick the design by the numbers. The run at 32 is
   repeated (--latency-rounds): the target must be met in every round.
3. Cost: requests sent and completion tokens requested per profile.
Everything runs on 127.0.0.1. The machine's load average is printed with the figures: a figure
measured while other work runs is not comparable with one measured on a quiet machine.
Under PYTHONDONTWRITEBYTECODE=1 an editable install's modules are compiled again on every run
(an installed wheel's are compiled once, at install); --compiled byte-compiles routecheck's
modules first, as installing a wheel does, and removes what it wrote at the end.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

import conformance
from conformance.cases import generate_cases
from conformance.spec import load_profile, seed_profiles
from conformance.request import KEY_PLACEHOLDER, Request
from conformance.target import BundledGateway, new_key
from floor_loop import send  # bench/ is on the path: this script's own directory

MODEL = "routecheck-echo-1"


def routecheck_run(base_url: str, key: str, profiles: list[str], *extra: str) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        command = [sys.executable, "-m", "conformance.cli", "run", "--base-url", base_url, "--model", MODEL,
                   "--json", str(out), "--no-html", *extra]
        for name in profiles:
            command += ["--profile", name]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "RC_BENCH_KEY": key},
                              timeout=1800)
        seconds = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(f"routecheck run failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        return seconds, json.loads(out.read_text())


def distinct_requests(base_url: str, profiles: list[str]) -> list[tuple[str, Request]]:
    """What routecheck sends for these profiles: each distinct (URL, request) once, in test order."""
    requests = {}
    for name in profiles:
        for case in generate_cases(load_profile(name), MODEL):
            url = base_url.replace("{profile}", name)
            requests.setdefault(url + case.request.fingerprint, (url, case.request))
    return list(requests.values())


def floor(requests: list[tuple[str, Request]], key: str) -> float:
    """A plain sequential httpx loop inside this process (warm: no start-up, no imports)."""
    started = time.monotonic()
    with httpx.Client(timeout=30, trust_env=False, verify=False) as client:  # plain http: no CA bundle, as routecheck
        for url, request in requests:
            send(client, request.method, url + request.path, request.content(), request.send_headers(key))
    return time.monotonic() - started


def floor_process(requests_file: Path, key: str) -> float:
    """The same loop as a command of its own (bench/floor_loop.py), timed from start to exit like routecheck."""
    started = time.monotonic()
    subprocess.run([sys.executable, str(Path(__file__).with_name("floor_loop.py")), str(requests_file)],
                   check=True, env={**os.environ, "RC_BENCH_KEY": key}, timeout=600)
    return time.monotonic() - started


def write_requests(requests: list[tuple[str, Request]], path: Path) -> None:
    rows = [{"method": r.method, "url": url + r.path, "headers": r.send_headers(KEY_PLACEHOLDER),
             "content": None if r.content() is None else r.content().decode()} for url, r in requests]
    path.write_text(json.dumps(rows), encoding="utf-8")


OVERHEAD_TARGET = 1.5  # routecheck run at most this many times the plain loop run as a command
SURFACE_TARGET = 2.0  # the same for the profiles of the Messages and Responses surfaces
SURFACE_PROFILES = ["anthropic", "openai-responses"]


def _list(seconds: list[float]) -> str:
    return " ".join(f"{s:.2f}" for s in seconds)


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


@contextlib.contextmanager
def compiled(on: bool):
    """routecheck's modules byte-compiled for the runs, as installing a wheel does; what was written is removed."""
    package = Path(conformance.__file__).parent
    before = set(package.rglob("*.pyc"))
    if on:
        compileall.compile_dir(package, quiet=1)
    try:
        yield
    finally:
        for path in set(package.rglob("*.pyc")) - before:
            path.unlink()


def _bytecode(package: Path) -> str:
    if any(package.rglob("__pycache__/*.pyc")):
        return "routecheck's modules byte-compiled"
    if sys.flags.dont_write_bytecode:
        return "routecheck's modules compiled on every run (PYTHONDONTWRITEBYTECODE=1, no bytecode cached)"
    return "routecheck's modules compiled at their first import"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--profile", default="routeway", help="profile for the latency runs")
    parser.add_argument("--rounds", type=int, default=3, help="overhead rounds (the median is shown)")
    parser.add_argument("--latency-rounds", type=int, default=5, help="runs at concurrency 32 (each must meet the target)")
    parser.add_argument("--no-latency", action="store_true", help="leave out section 2 (it takes a few minutes)")
    parser.add_argument("--compiled", action="store_true", help="byte-compile routecheck's modules first (see above)")
    args = parser.parse_args()
    key = new_key()
    os.environ["RC_BENCH_KEY"] = key
    common = ("--api-key-env", "RC_BENCH_KEY")
    with compiled(args.compiled):
        print(f"before: {_load()}; {_bytecode(Path(conformance.__file__).parent)}")
        doc = overhead(args, key, common, seed_profiles(), OVERHEAD_TARGET, "five seed profiles")
        overhead(args, key, common, SURFACE_PROFILES, SURFACE_TARGET, "the Messages and Responses profiles")
        if not args.no_latency:
            latency(args, key, common)
    cost(doc)
    return 0


def overhead(args: argparse.Namespace, key: str, common: tuple[str, ...], seeds: list[str], target: float,
             what: str) -> dict:
    """Section 1 for `seeds` (`what`); the results document of the last routecheck run (section 3 reads its cost)."""
    with BundledGateway(key) as gateway, tempfile.TemporaryDirectory() as tmp:
        base = gateway.base_url()
        requests = distinct_requests(base, seeds)
        requests_file = Path(tmp) / "requests.json"
        write_requests(requests, requests_file)
        floor(requests, key)  # warm-up, not timed: the gateway's first answers are slower for everyone
        runs, floors, processes = [], [], []
        for _ in range(args.rounds):  # interleaved, so a noisy neighbour on the machine hits all three alike
            run_s, doc = routecheck_run(base, key, seeds, *common)
            runs.append(run_s)
            floors.append(floor(requests, key))
            processes.append(floor_process(requests_file, key))
    run_s, floor_s, process_s = (statistics.median(x) for x in (runs, floors, processes))
    total = doc["summary"]["total"]
    print(f"1. overhead: {what} against the reference gateway (median of {args.rounds} interleaved rounds)")
    print(f"   routecheck run                    {run_s:6.2f} s  {total} cases, {total / run_s:4.0f} cases/s, "
          f"{doc['cost']['requests']} requests (start-up, model lookup, pytest included)   rounds: {_list(runs)}")
    print(f"   plain httpx loop, as a command    {process_s:6.2f} s  the same {len(requests)} requests one after "
          f"another, start-up and import included   rounds: {_list(processes)}")
    print(f"   plain httpx loop, in this process {floor_s:6.2f} s  the same, warm: no start-up at all   rounds: {_list(floors)}")
    print(f"   ratio to the command              {run_s / process_s:6.2f} x  (target: at most {target:g}x) -> "
          f"{'met' if run_s <= target * process_s else 'NOT met'}   rounds: "
          + " ".join(f"{r / p:.2f}" for r, p in zip(runs, processes)))
    print(f"   ratio to the in-process loop      {run_s / floor_s:6.2f} x  (the strictest reading)")
    print(f"   after: {_load()}")
    return doc


def latency(args: argparse.Namespace, key: str, common: tuple[str, ...]) -> None:
    print(f"\n2. latency: profile {args.profile}, gateway answering after {args.latency:g} s")
    with BundledGateway(key) as gateway:
        base = gateway.base_url()
        routecheck_run(base, key, [args.profile], *common, "--concurrency", "32")  # warm-up: the gateway's first answers
        zeros = [routecheck_run(base, key, [args.profile], *common, "--concurrency", "32") for _ in range(3)]
    zero_s, zero_doc = statistics.median(z[0] for z in zeros), zeros[0][1]
    requests = zero_doc["cost"]["requests"]
    bound = 1.3 * (requests * args.latency / 32) + zero_s
    with BundledGateway(key, latency=args.latency) as gateway:
        base = gateway.base_url()
        figures = {}
        for concurrency in (1, 4, 16):
            figures[concurrency], _ = routecheck_run(base, key, [args.profile], *common, "--concurrency", str(concurrency))
            print(f"   concurrency {concurrency:>2}     {figures[concurrency]:7.2f} s")
        at_32 = [routecheck_run(base, key, [args.profile], *common, "--concurrency", "32")[0]
                 for _ in range(max(1, args.latency_rounds))]
        print(f"   concurrency 32     {statistics.median(at_32):7.2f} s  (median)   rounds: {_list(at_32)}")
        xdist_s, _ = routecheck_run(base, key, [args.profile], *common, "-n", "4", "--concurrency", "1")
        print(f"   xdist -n 4         {xdist_s:7.2f} s  (one request at a time per worker process)")
    met = sum(1 for s in at_32 if s <= bound)
    print(f"   target at 32: <= 1.3 x ({requests} requests x {args.latency:g} s / 32) + {zero_s:.2f} s "
          f"(no-latency run, median of 3) = {bound:.2f} s, in every round -> met in {met} of {len(at_32)} rounds: "
          f"{'met' if met == len(at_32) else 'NOT met'}")
    print(f"   in-process concurrency 4 vs xdist -n 4: {figures[4]:.2f} s vs {xdist_s:.2f} s")
    print(f"   after: {_load()}")


def cost(doc: dict) -> None:
    print("\n3. cost of a full run (completion tokens requested = sum of the caps of distinct requests)")
    for name, summary in doc["profile_summaries"].items():
        print(f"   {name:<12} {summary['cost']['requests']:>4} requests  {summary['cost']['completion_tokens_requested']:>5} tokens")
    tokens = doc["cost"]["completion_tokens_requested"]
    print(f"   five seed profiles: {doc['cost']['requests']} requests, {tokens} completion tokens requested "
          f"(target: at most 2000) -> {'met' if tokens <= 2000 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
