"""The canonical results file: built from case results, written, read and validated.

Every reporter reads this one document, so a report can be rebuilt, merged or
diffed without running anything again. Its format: conformance/data/results.schema.json.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any


from . import __version__
from .errors import UsageError
from .request import DEFAULT_SURFACE
from .verdicts import summarise

FORMAT = "routecheck-results/1"
SCHEMA_PATH = Path(__file__).parent / "data" / "results.schema.json"


def build(cases: list[dict], *, targets: dict[str, str], model: str, started: str, duration: float,
          notes: list[str] | None = None, complete: bool = True) -> dict:
    cases = _with_blocked_under_roots(sorted(cases, key=lambda c: c["id"]))
    by_profile: dict[str, list[dict]] = defaultdict(list)
    for case in cases:
        by_profile[case["profile"]].append(case)
    profiles = list(targets) or sorted(by_profile)
    surfaces = {p: cs[0].get("surface", DEFAULT_SURFACE) for p, cs in sorted(by_profile.items())}
    return {
        "format": FORMAT,
        "suite_version": __version__,
        "complete": complete,  # false: the run was interrupted, these are the cases judged before it stopped
        "target": _common_target(targets),
        "targets": targets,
        "profiles": profiles,
        "model": model,
        "started": started,
        "duration_s": round(duration, 3),
        "summary": dict(summarise(c["outcome"] for c in cases), must_failed=_must_failed(cases)),
        "profile_summaries": {
            p: dict(summarise(c["outcome"] for c in cs), must_failed=_must_failed(cs), cost=_cost(cs))
            for p, cs in sorted(by_profile.items())
        },
        # each profile's API surface, and the surfaces side by side: a gateway's Responses beside its chat completions
        "surfaces": surfaces,
        "surface_summaries": _surface_summaries(by_profile, surfaces),
        "cost": _cost(cases),
        "notes": (notes or []) + _notes(cases),
        "cases": cases,
    }


def _surface_summaries(by_profile: dict[str, list[dict]], surfaces: dict[str, str]) -> dict[str, dict]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for profile, surface in surfaces.items():
        grouped[surface].append(profile)
    return {surface: dict(summarise(c["outcome"] for p in profiles for c in by_profile[p]),
                          must_failed=sum(_must_failed(by_profile[p]) for p in profiles), profiles=profiles)
            for surface, profiles in sorted(grouped.items())}


SHOWN_BLOCKED = 8


def _with_blocked_under_roots(cases: list[dict]) -> list[dict]:
    """A root case lists the cases its failure blocked (`blocks`, and a line under its message), so every
    report shows one cause with its consequences under it rather than a cascade of failures."""
    blocked: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        if case.get("blocked_by"):
            blocked[case["blocked_by"]].append(case["id"])
    out = []
    for case in cases:
        ids = blocked.get(case["id"])
        if ids and "blocks" not in case:
            shown = ", ".join(ids[:SHOWN_BLOCKED]) + (f" (+{len(ids) - SHOWN_BLOCKED} more)" if len(ids) > SHOWN_BLOCKED else "")
            case = dict(case, blocks=ids, message=(case["message"] + "\n" if case["message"] else "")
                        + f"  Blocks:      {len(ids)} case(s) whose rule this hides: {shown}")
        out.append(case)
    return out


def _notes(cases: list[dict]) -> list[str]:
    gone = [c for c in cases if c["outcome"] == "error" and "stopped answering" in c["message"]]
    if gone:
        return [f"the target went away during the run: {len(gone)} cases could not be sent"]
    return []


def _common_target(targets: dict[str, str]) -> str:
    urls = sorted(set(targets.values()))
    return urls[0] if len(urls) == 1 else ", ".join(urls)


def _must_failed(cases: list[dict]) -> int:
    return sum(1 for c in cases if c["outcome"] == "failed" and c["level"] == "MUST")


def _cost(cases: list[dict]) -> dict:
    """Distinct requests sent, and the token caps of those the target accepted: a refused request
    generates nothing, so probes a conforming gateway refuses cost nothing."""
    sent: dict[str, int] = {}
    for case in cases:
        if case["outcome"] == "skipped":
            continue
        pairs = [(case.get("request") or {}, case.get("response") or {})]
        pairs += [(e["request"], e["response"]) for e in case.get("evidence") or []]
        for request, response in pairs:
            if "key" in request:
                sent[request["key"]] = max(sent.get(request["key"], 0), _tokens_asked(request, response))
    return {"requests": len(sent), "completion_tokens_requested": sum(sent.values())}


HUGE_CAP = 1024  # above this a cap is a probe of the parser (2^31), not a budget: count what was generated


def _tokens_asked(request: dict, response: dict) -> int:
    """The cap of an accepted request (0 if refused); for a huge cap, the completion tokens the answer reports."""
    if not (isinstance(response.get("status"), int) and 200 <= response["status"] < 300):
        return 0
    budget = request.get("completion_budget", 0)
    if budget <= HUGE_CAP:
        return budget
    if isinstance(response.get("completion_tokens"), int):  # a long answer's usage, kept apart from its cut body
        return min(response["completion_tokens"], budget)
    try:
        usage = json.loads(response.get("body") or "null")["usage"]
        # chat's completion_tokens, or Messages' and Responses' output_tokens
        reported = usage["completion_tokens"] if "completion_tokens" in usage else usage["output_tokens"]
    except (ValueError, TypeError, KeyError):
        return budget  # nothing reported: the cap is all we know
    return reported if isinstance(reported, int) and 0 <= reported <= budget else budget


def read_unvalidated(path: str | Path) -> dict:
    """A results file this run wrote (its writer's schema is ours): read, not validated again."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read results file {path}: {exc}") from None


def read_validated(path: str | Path) -> dict:
    """A results file from elsewhere (a baseline, a report's input): read and validated against the schema."""
    import jsonschema  # only for a file from elsewhere: a run never reads one back

    doc = read_unvalidated(path)
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema()).iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise UsageError(f"{path}: not a routecheck results file: at {where}: {error.message[:160]}")
    return doc


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def case_dict(result: Any) -> dict:
    """A judged Result as it goes into the results file, with its request key and cost (redaction happens at write)."""
    out = result.to_dict()
    judged = [(out["request"], result.judged_request)]
    judged += [(e["request"], result.evidence[e["name"]].request) for e in out.get("evidence", [])]
    for record, request in judged:
        record["key"] = hashlib.sha1(f"{result.base_url} {request.fingerprint}".encode()).hexdigest()[:16]
        record["completion_budget"] = request.completion_budget()
    return out  # no key to redact here: requests hold a placeholder and the engine scrubbed what came back
