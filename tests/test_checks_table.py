"""Every check against a table of recorded exchanges, each with the verdict it must give.

In the style of JSON-Schema-Test-Suite: the data is in tests/data/exchanges/*.yaml (one file per
group of checks), this module only loads and runs it. An entry:

    - description: what the exchange shows (unique within its file)
      check: stream_terminator             # a check's name: a core one or a behaviour module's
      args: {terminator: "[DONE]"}         # the case's args (optional)
      stream: true                         # the case's request asks for a stream (optional)
      body: {max_tokens: 0}                # more fields of the case's request body (optional)
      path: /v1/models                     # the case's request path (optional)
      case: routeapi/chat/errors/validation/body  # or: a generated case to take check, args and request from
      exchange: {...}                      # what came back (below)
      evidence: {control: {...}}           # further exchanges, for checks that read evidence (optional)
      expect: pass | fail | inconclusive
      message: a substring of the failure or inconclusive message (required unless expect is pass)
      message_is: the whole message, where it is a fixed text (instead of `message`)

An exchange: `status` (default 200), `headers`, and the body as one of `json` (any JSON value),
`body` (text, sent as is: NaN, truncated JSON, HTML), `chunks` (JSON values, each one `data:` event,
then `data: [DONE]` unless `done: false`) or `sse` (raw stream text, parsed with conformance.sse).
`events` forces the parsed events (a list of data strings; `null`: none parsed); `anomalies`,
`ended`, `stream` and `stop` (the request's stop list) set the rest; `upstream` is what the recording upstream
received for it (a list of records: `body`, `credentials`, `status`). The string "$NOW" in a JSON
value is the current Unix time, "$NOW_MS" the same in milliseconds.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance import behaviours
from conformance import surfaces
from conformance.case import Case
from conformance.cases import generate_cases
from conformance.checks import CHECKS, Inconclusive, evaluate
from conformance.checks.common import Unobserved
from conformance.engine import Exchange
from conformance.request import Request
from conformance.spec import MUST, Rule, Source, load_profile
from conformance.sse import SseEvent, parse
from conformance.upstream import checks as forwarding_checks  # noqa: F401 - registers the --upstream checks
from conformance.upstream import fault_checks  # noqa: F401 - and the upstream-fault checks

TABLES = Path(__file__).parent / "data" / "exchanges"
ENTRY_KEYS = {"description", "check", "args", "stream", "body", "path", "case", "exchange", "evidence", "expect", "message",
              "message_is"}
EXCHANGE_KEYS = {"status", "headers", "json", "body", "chunks", "done", "sse", "events", "anomalies", "ended",
                 "stream", "stop", "upstream"}
VERDICTS = ("pass", "fail", "inconclusive")
BASE_BODY = {"model": "m", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 2}
JUDGED_ELSEWHERE = {"choices_indexed", "no_tool_call"}  # behaviour checks tested in tests/test_behaviours.py


def load_table() -> list[tuple[str, dict]]:
    entries = []
    for path in sorted(TABLES.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            entries.append((f"{path.stem}: {entry.get('description')}", entry))
    return entries


TABLE = load_table()
SURFACE_AT = {s.path: s.name for s in surfaces.registry().values()}  # an entry's path names its surface


@functools.lru_cache(maxsize=None)
def generated(case_id: str) -> Case:
    profile = case_id.split("/")[0]
    return next(c for c in generate_cases(load_profile(profile), "m") if c.id == case_id)


def now_values(value: Any) -> Any:
    if value == "$NOW":
        return int(time.time())
    if value == "$NOW_MS":
        return int(time.time() * 1000)
    if isinstance(value, dict):
        return {k: now_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [now_values(v) for v in value]
    return value


def build_case(entry: dict) -> Case:
    if "case" in entry:
        case = generated(entry["case"])
        assert entry.get("check", case.check) == case.check, f"{entry['case']} is judged by {case.check}"
        return replace(case, args={**case.args, **entry.get("args", {})})
    body = {**BASE_BODY, **entry.get("body", {}), **({"stream": True} if entry.get("stream") else {})}
    rule = Rule("table.rule", MUST, Source("table.txt", "a documented sentence"))
    return Case(id=f"table/{entry['check']}", profile="table", category="response", rule=rule, title="a table entry",
                expected="what the check requires",
                request=Request("POST", entry.get("path", "/v1/chat/completions"), body=body,
                                terminator="[DONE]" if body.get("stream") else None,
                                surface=SURFACE_AT.get(entry.get("path"), "chat_completions")),
                check=entry["check"], args=entry.get("args", {}))


def build_exchange(spec: dict, request: Request) -> Exchange:
    unknown = set(spec) - EXCHANGE_KEYS
    assert not unknown, f"unknown exchange keys {sorted(unknown)}"
    body = dict(request.body) if isinstance(request.body, dict) else {}
    if "stream" in spec:
        body["stream"] = spec["stream"]
    if "stop" in spec:
        body["stop"] = spec["stop"]
    if body:  # a stream request carries its profile's terminator, as the case builder gives it
        request = Request(request.method, request.path, body=body, terminator="[DONE]" if body.get("stream") else None,
                          surface=request.surface)
    events = anomalies = None
    ctype = "application/json"
    if "json" in spec:
        raw = json.dumps(now_values(spec["json"])).encode()
    elif "chunks" in spec or "sse" in spec:
        text = spec["sse"] if "sse" in spec else "".join(f"data: {json.dumps(now_values(c))}\n\n" for c in spec["chunks"])
        if "chunks" in spec and spec.get("done", True):
            text += "data: [DONE]\n\n"
        parsed = parse(text)
        events, anomalies, raw, ctype = parsed.events, parsed.anomalies, text.encode(), "text/event-stream"
    else:
        raw = spec.get("body", "").encode()
    if "events" in spec:
        events = None if spec["events"] is None else [SseEvent(d, data_lines=1) for d in spec["events"]]
    headers = spec.get("headers", {"content-type": ctype})
    return Exchange(request, "http://127.0.0.1:9", status=spec.get("status", 200), headers=headers, body=raw,
                    events=events, anomalies=spec.get("anomalies", anomalies or []), ended=spec.get("ended", "eof"),
                    upstream=spec.get("upstream"))


def verdict(entry: dict) -> tuple[str, str | None]:
    case = build_case(entry)
    exchange = build_exchange(entry["exchange"], case.request)
    evidence = {name: build_exchange(spec, case.request) for name, spec in (entry.get("evidence") or {}).items()}
    try:
        problem = evaluate(exchange, case, evidence)
    except Inconclusive as exc:
        return "inconclusive", str(exc)
    except Unobserved as exc:  # a failure of this check; verdicts.py blocks it when the case owning the cause failed
        return "fail", str(exc)
    return ("pass", None) if problem is None else ("fail", problem)


@pytest.mark.parametrize("entry", [e for _, e in TABLE], ids=[i for i, _ in TABLE])
def test_each_recorded_exchange_gets_its_verdict(entry):
    unknown = set(entry) - ENTRY_KEYS
    assert not unknown, f"unknown keys {sorted(unknown)}"
    assert entry["expect"] in VERDICTS
    got, message = verdict(entry)
    assert got == entry["expect"], f"{got}: {message}"
    if "message_is" in entry:
        assert message == entry["message_is"]
    elif got != "pass":
        assert entry["message"] in message, message


def test_the_table_is_well_formed_and_covers_every_check():
    descriptions = [i for i, _ in TABLE]
    assert len(descriptions) == len(set(descriptions)), "descriptions repeat within a file"
    checks = {build_case(e).check for _, e in TABLE}
    tabled = set(CHECKS) | set(behaviours.checks()) - JUDGED_ELSEWHERE
    assert tabled <= checks, sorted(tabled - checks)
    for check in checks:  # a check that can only pass, or only fail, is not tested
        verdicts = {e["expect"] for _, e in TABLE if build_case(e).check == check}
        assert {"pass", "fail"} <= verdicts, (check, verdicts)
