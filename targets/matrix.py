"""Run routecheck against real targets x profiles, then write docs/compatibility.md and one HTML report.

    python targets/matrix.py --targets litellm_mock,litellm_reference,portkey_reference
    python targets/matrix.py --targets llamacpp            # separately: compiles once, runs slowly
    python targets/matrix.py --targets llama_server --profiles anthropic,openai-responses --doc docs/compatibility-surfaces.md

Each target is installed (once, under .targets/), started once, run for every profile, and stopped.
Results go to reports/real/<target>-<profile>.json; the table is built from every such file present.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets import TARGET_NAMES  # noqa: E402
from targets.common import REPO, RunningGateway, TargetStartError, state_dir  # noqa: E402
from targets.compat import load_runs, render  # noqa: E402
from targets.foreground import raise_interrupt  # noqa: E402

PROFILES = ("routify-mvp", "routify", "routeapi", "routmy", "routeway", "openai", "anthropic", "openai-responses")
RESULTS_DIR = REPO / "reports" / "real"
DOC_PATH = REPO / "docs" / "compatibility.md"
HAND_WRITTEN = "<!-- hand-written from here on: targets/matrix.py keeps it when it writes the page -->"
REPORT_PATH = RESULTS_DIR / "report.html"
HELP_SECONDS = 30.0
REPORT_SECONDS = 300.0


@dataclass(frozen=True)
class Plan:
    """How one target is run: what its model lacks (--without), extra run options, a deadline per run."""

    module: str
    note: str
    without: tuple[str, ...] = ()
    run_args: tuple[str, ...] = ()
    run_seconds: float = 600.0
    upstream_per_profile: bool = False  # restart per profile in front of that profile's reference gateway

    def load(self):
        return importlib.import_module(f"targets.{self.module}")


def plans() -> dict[str, Plan]:
    # A gateway in front of the reference gateway is judged against the profile its upstream serves:
    # with an openai upstream, a routify-mvp run would mostly report that the upstream is not Routify.
    # Restarting per profile (about 13 s for LiteLLM, 3 s for Portkey) leaves only what the gateway changes.
    reference_note = "in front of routecheck's reference gateway serving the profile under test."
    return {
        # mock_response returns one fixed string whatever is asked: it can make no tool call and no JSON, and
        # honours neither caps nor stop: a mock has no model behaviour to judge. Image parts are simply
        # ignored (accepted), so vision stays on.
        "litellm_mock": Plan("litellm_mock", "LiteLLM proxy, `mock_response` model, no upstream; "
                             "run `--without tools,json_mode,behaviour`.", without=("tools", "json_mode", "behaviour")),
        # the upstream implements tools, JSON mode and image parts: nothing is left out
        "litellm_reference": Plan("litellm_reference", f"LiteLLM proxy {reference_note}", upstream_per_profile=True),
        "portkey_reference": Plan("portkey_reference", f"Portkey gateway (behind a header-adding proxy) {reference_note}",
                                  upstream_per_profile=True),
        # gemma-3-270m is a text-only base model (no image projector), and llama-cpp-python's `gemma` chat
        # format has no function calling; JSON mode stays on: llama-cpp-python enforces json_object by grammar.
        # The server answers one request at a time and sends nothing until a non-streamed completion is done,
        # so one request in flight and generous deadlines: an uncapped answer runs to the 2048-token context,
        # about 110 s at 19 tokens/s on 2 busy cores, so 120 s was too close.
        "llamacpp": Plan("llamacpp", "llama-cpp-python server, real model gemma-3-270m (a base model); "
                         "run `--without tools,vision`.", without=("tools", "vision"),
                         run_args=("--concurrency", "1", "--response-timeout", "400", "--idle-timeout", "400",
                                   "--stream-timeout", "400", "--max-duration", "3600"),  # not the default 900 s
                         run_seconds=3600.0),
        # llama.cpp's own server: every surface on one engine, the same base model, so the same capabilities
        # left out; two slots (-np 2), so two requests in flight
        "llama_server": Plan("llama_server", "llama.cpp's llama-server (b11434, built for AVX2), real model "
                             "gemma-3-270m (a base model); run `--without tools,vision`.", without=("tools", "vision"),
                             run_args=("--concurrency", "2", "--response-timeout", "400", "--idle-timeout", "400",
                                       "--stream-timeout", "400", "--max-duration", "3600"), run_seconds=3600.0),
    }


@dataclass
class Timing:
    target: str
    install_s: float = 0.0
    start_s: float = 0.0
    runs_s: dict[str, float] | None = None
    problem: str = ""


def _run_profile(plan: Plan, target: RunningGateway, profile: str, log_dir: Path) -> str:
    """One `routecheck run`; returns its summary line (or what went wrong)."""
    results = RESULTS_DIR / f"{target.name}-{profile}.json"
    command = [sys.executable, "-m", "conformance.cli", "run", "--base-url", target.base_url, "--profile", profile,
               "--model", target.model, "--api-key-env", target.key_env, "--json", str(results), "--no-html",
               *plan.run_args]
    if plan.without:
        command += ["--without", ",".join(plan.without)]
    log_path = log_dir / f"routecheck-{profile}.log"
    with open(log_path, "wb") as log:
        try:
            code = subprocess.run(command, cwd=REPO, env=target.env(), stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=plan.run_seconds).returncode
        except subprocess.TimeoutExpired:
            return f"did not finish within {plan.run_seconds:g}s (log: {log_path})"
    lines = log_path.read_text(errors="replace").splitlines()
    summary = next((line for line in reversed(lines) if "passed," in line and line.startswith("routecheck:")), "")
    if code in (0, 1) and summary:
        return summary.removeprefix("routecheck: ")
    return f"exit {code}: {lines[-1] if lines else 'no output'} (log: {log_path})"


def run_target(name: str, plan: Plan, profiles: tuple[str, ...], skip_install: bool, say: Callable[[str], None]) -> Timing:
    timing = Timing(name, runs_s={})
    module = plan.load()
    started = time.monotonic()
    try:
        module.install(skip_install)
        timing.install_s = time.monotonic() - started
        # one start for every profile, or (upstream_per_profile) one start per profile, each on its own upstream
        batches = [(p,) for p in profiles] if plan.upstream_per_profile else [profiles]
        for batch in batches:
            started = time.monotonic()
            options = {"profile": batch[0]} if plan.upstream_per_profile else {}
            with module.running(skip_install=True, **options) as target:
                timing.start_s += time.monotonic() - started
                say(f"{name}: up at {target.base_url} (model {target.model})"
                    + (f" in front of the {batch[0]} reference gateway" if plan.upstream_per_profile else ""))
                for profile in batch:
                    target.check_alive()
                    t0 = time.monotonic()
                    outcome = _run_profile(plan, target, profile, state_dir(name) / "logs")
                    timing.runs_s[profile] = round(time.monotonic() - t0, 1)
                    say(f"{name} {profile}: {outcome} [{timing.runs_s[profile]:.1f}s]")
    except TargetStartError as exc:
        timing.problem = str(exc)
        say(f"{name}: error: {exc}")
    return timing


def write_report(files: list[Path], say: Callable[[str], None]) -> None:
    """`routecheck report` over every results file, if this routecheck has that command."""
    base = [sys.executable, "-m", "conformance.cli", "report"]
    try:
        has_report = subprocess.run(base + ["--help"], cwd=REPO, capture_output=True, timeout=HELP_SECONDS).returncode == 0
    except subprocess.TimeoutExpired:
        has_report = False
    if not has_report or not files:
        say("report: skipped (no `routecheck report` command, or no results)")
        return
    done = subprocess.run(base + [str(f) for f in files] + ["-o", str(REPORT_PATH)], cwd=REPO, capture_output=True,
                          text=True, timeout=REPORT_SECONDS)
    say(done.stdout.strip() if done.returncode == 0 else f"report: failed ({done.returncode}): {done.stderr.strip()[-200:]}")


def _record_timings(timings: list[Timing], total: float) -> None:
    """reports/real/matrix-timings.json: the latest timing per target (a llamacpp run keeps the others' entries)."""
    path = RESULTS_DIR / "matrix-timings.json"
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    by_target = recorded.get("targets") if isinstance(recorded.get("targets"), dict) else {}
    for t in timings:
        by_target[t.target] = {"install_s": round(t.install_s, 1), "start_s": round(t.start_s, 1),
                               "runs_s": t.runs_s, "problem": t.problem,
                               "invocation_total_s": round(total, 1)}
    path.write_text(json.dumps({"targets": by_target}, indent=1), encoding="utf-8")


def hand_written(doc: Path) -> str:
    """The page's hand-written part (from the HAND_WRITTEN line on), kept as it is; "" when there is none."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    at = text.find(HAND_WRITTEN)
    return "\n" + text[at:] if at >= 0 else ""


def _names(text: str, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"matrix: unknown {what} '{unknown[0]}' (known: {', '.join(known)})")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python targets/matrix.py", description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="litellm_mock,litellm_reference,portkey_reference",
                        help=f"comma-separated, from: {', '.join(TARGET_NAMES)}")
    parser.add_argument("--profiles", default=",".join(PROFILES), help="comma-separated (default: all eight)")
    parser.add_argument("--skip-install", action="store_true", help="fail instead of installing what is missing")
    parser.add_argument("--doc", type=Path, default=DOC_PATH,
                        help="the page to write (default docs/compatibility.md); another page holds only --profiles' columns")
    parser.add_argument("--render-only", action="store_true",
                        help="start nothing: rebuild docs/compatibility.md and the report from the results files")
    args = parser.parse_args(argv)
    targets = () if args.render_only else _names(args.targets, TARGET_NAMES, "target")
    profiles = _names(args.profiles, PROFILES, "profile")
    for signum in (signal.SIGTERM, signal.SIGINT):  # stop the targets on the way out (SIGINT: also when started with `&`)
        signal.signal(signum, raise_interrupt)

    def say(line: str) -> None:
        print(f"matrix: {line}", flush=True)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    all_plans = plans()
    began = time.monotonic()
    timings = [run_target(name, all_plans[name], profiles, args.skip_install, say) for name in targets]
    total = time.monotonic() - began

    columns = PROFILES if args.doc == DOC_PATH else profiles  # a page of its own: the profiles it was run for
    runs = load_runs(RESULTS_DIR, TARGET_NAMES, columns)
    doc = args.doc.resolve()
    page = render(runs, TARGET_NAMES, columns, {n: p.note for n, p in all_plans.items()})
    doc.write_text(page + hand_written(doc), encoding="utf-8")
    say(f"table: {doc.relative_to(REPO) if doc.is_relative_to(REPO) else doc} ({len(runs)} results files)")
    write_report([r.path for r in runs], say)
    if timings:
        _record_timings(timings, total)
    for t in timings:
        runs_s = sum((t.runs_s or {}).values())
        say(f"time {t.target}: install {t.install_s:.1f}s, start {t.start_s:.1f}s, runs {runs_s:.1f}s"
            + (f", error: {t.problem}" if t.problem else ""))
    say(f"total {total:.1f}s")
    return 1 if any(t.problem for t in timings) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("matrix: interrupted", file=sys.stderr)
        sys.exit(130)
