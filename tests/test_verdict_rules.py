"""conformance/verdicts.py and conformance/features.py on recorded exchanges: which outcome each path gives,
with its exact message. `judge` reads exchanges through `fetch`, here a table of recorded answers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conformance.cases import generate_cases
from conformance.cases.builder import STOP_PROMPT
from conformance.case import Prereq
from conformance.engine import Exchange, fingerprint
from conformance.errors import UsageError
from conformance.features import capability_absent, parse_disabled, parse_required, skip_reason
from conformance.spec import load_profile
from conformance.verdicts import (BLOCKED, ERROR, FAILED, INCONCLUSIVE, PASSED, SKIPPED, WARNED, Result, _once_each,
                                  derived_for, execute, explain, jobs_for, judge, now_iso, summarise, unmet_need)

from test_checks_table import build_exchange

URL = "http://127.0.0.1:9"
CASES = {c.id: c for c in generate_cases(load_profile("openai"), "m-1")}
BASE = CASES["openai/chat/response/completion/choices/type"]
COMPLETION = {"id": "c", "object": "chat.completion", "created": 1, "model": "m-1",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def ex(request, status=200, body=b"", ctype="application/json", **more) -> Exchange:
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return Exchange(request, URL, status=status, headers={"content-type": ctype}, body=body, **more)


def fetch_from(answers: dict, default=None):
    """A fetch answering each request by its fingerprint from `answers`, else with `default(request)`; it counts calls."""
    calls = []

    def fetch(request):
        calls.append(request.fingerprint)
        if request.fingerprint in answers:
            return answers[request.fingerprint]
        return default(request)
    fetch.calls = calls
    return fetch


# ------------------------------------------------------------------ unmet_need

@pytest.mark.parametrize("exchange, need, unmet", [
    (None, "accepted", "not sent"),
    (dict(status=None, error="connection refused"), "accepted", "connection refused"),
    (dict(status=429, statuses=[429, 429], attempts=2), "accepted", "rate-limited (429) on all 2 attempts"),
    (dict(status=200, statuses=[429, 200], attempts=2, body=COMPLETION), "completion", None),
    (dict(status=400, body={"error": {}}), "accepted", 'answered 400 (application/json) {"error": {}}'),
    (dict(status=300, body=b"x"), "accepted", "answered 300 (application/json) x"),
    (dict(status=199, body=b"x"), "accepted", "answered 199 (application/json) x"),
    (dict(status=None, dropped="reset"), "accepted", "no answer (reset)"),
    (dict(status=204), "accepted", None),
    (dict(status=200, body=b"not json"), "accepted", None),
    (dict(status=200, body=b"not json"), "stream", "no event stream came back: 200 (application/json) not json"),
    (dict(status=200, body=b"not json"), "json", "the 2xx answer is not JSON: 200 (application/json) not json"),
    (dict(status=200, body=[1]), "json", None),
    (dict(status=200, body=[1]), "completion", "the 2xx answer is not a JSON object: 200 (application/json) [1]"),
    (dict(status=299, body=COMPLETION), "completion", None),
])
def test_unmet_need_says_why_an_exchange_gives_nothing_to_build_on(exchange, need, unmet):
    given = None if exchange is None else ex(BASE.request, **exchange)
    assert unmet_need(given, need) == unmet


def test_a_stream_need_is_met_by_events():
    from conformance.sse import SseEvent
    assert unmet_need(ex(BASE.request, events=[SseEvent("{}")]), "stream") is None


# ------------------------------------------------------------------ judge

def judge_case(case, fetch, **options):
    """judge(), with what every result carries checked: the case judged, the base URL, the key's variable."""
    result = judge(case, URL, fetch, **options)
    assert (result.case.id, result.base_url, result.key_env) == (case.id, URL, options.get("key_env", "ROUTECHECK_API_KEY"))
    return result


def test_a_passing_case_passes_with_its_exchange_and_no_message():
    answer = ex(BASE.request, body=COMPLETION)
    result = judge_case(BASE, fetch_from({BASE.request.fingerprint: answer}))
    assert (result.outcome, result.message, result.exchange, result.problem, result.evidence) == (PASSED, "", answer, None, {})


def test_a_failing_must_case_fails_with_the_h2spec_explanation():
    answer = ex(BASE.request, body={"choices": "no"})
    result = judge_case(BASE, fetch_from({BASE.request.fingerprint: answer}), key_env="MY_KEY")
    assert result.outcome == FAILED and result.key_env == "MY_KEY" and result.problem
    assert result.message == explain(BASE, URL, result.problem, None, "MY_KEY")
    lines = result.message.splitlines()
    assert lines[0] == f"{BASE.id} [MUST] {BASE.title}"
    assert [line.split(":")[0] for line in lines[1:]] == ["  Requirement", "  Expected", "  Actual", "  Sent", "  Reproduce"]
    assert lines[3] == f"  Actual:      {result.problem}" and "$MY_KEY" in lines[4] and "$MY_KEY" in lines[5]
    assert result.exchange == answer and (result.request, result.evidence) == (None, {})


def test_a_should_case_that_fails_is_warned():
    should = replace(BASE, weaker=True)
    result = judge_case(should, fetch_from({}, lambda r: ex(r, body={"choices": "no"})))
    assert result.outcome == WARNED and result.message.startswith(f"{BASE.id} [SHOULD]")


def test_a_rule_source_note_is_a_line_of_its_own():
    case = next(c for c in CASES.values() if c.rule.source.note)
    text = explain(case, URL, "what came back")
    assert text.splitlines()[2] == f"  Note:        {case.rule.source.note}"
    assert "  Note:" not in explain(BASE, URL, "what came back")


@pytest.mark.parametrize("exchange, outcome, message", [
    (dict(status=None, error="connection refused"), ERROR, "harness error, not a verdict: connection refused"),
    (dict(status=429, statuses=[429], attempts=1), ERROR, "harness error, not a verdict: rate-limited (429) on all 1 attempts"),
    (dict(status=None, unsendable="no near miss"), SKIPPED, "not applicable to this key: no near miss"),
    (dict(status=None, dropped="reset", attempts=2), FAILED, None),
])
def test_harness_problems_are_errors_and_a_dropped_connection_is_a_failure(exchange, outcome, message):
    answer = ex(BASE.request, **exchange)
    result = judge_case(BASE, fetch_from({}, lambda r: answer))
    assert result.outcome == outcome and result.exchange is answer
    if message:
        assert result.message == message
    else:
        assert result.problem == "no answer: the target closed the connection (reset) on 2 attempts"


def test_a_check_that_raises_is_the_case_s_error_not_the_run_s():
    result = judge_case(replace(BASE, check="no such check"), fetch_from({}, lambda r: ex(r, body=COMPLETION)))
    assert result.outcome == ERROR
    assert result.message == ("harness error, not a verdict: judging it raised KeyError: "
                              + repr(str(KeyError("no such check"))))
    long = judge_case(replace(BASE, check="x" * 300), fetch_from({}, lambda r: ex(r, body=COMPLETION)))
    assert long.message == "harness error, not a verdict: judging it raised KeyError: " + repr("'" + "x" * 199)


def test_a_case_of_a_missing_feature_is_skipped_and_sends_nothing():
    case = CASES["openai/chat/behaviour/tool-choice/none-calls-no-tool"]
    fetch = fetch_from({})
    result = judge_case(case, fetch, disabled=frozenset({"tools"}))
    assert (result.outcome, fetch.calls) == (SKIPPED, [])
    assert result.message == skip_reason(case, frozenset({"tools"}))
    assert jobs_for([(URL, case)], frozenset({"tools"})) == []
    assert jobs_for([(URL, case)], frozenset()) == [(URL, r) for r in case.requests()]


def test_an_inconclusive_check_keeps_its_exchange_and_evidence():
    case = CASES["openai/chat/behaviour/tool-choice/none-calls-no-tool"]
    plain = ex(case.request, body=COMPLETION)
    result = judge_case(case, fetch_from({}, lambda r: plain))
    assert result.outcome == INCONCLUSIVE
    assert result.message == "inconclusive: the control, with the tool forced, made no tool call: nothing shows this model calls tools"
    assert result.exchange == plain and result.evidence == {name: plain for name, _ in case.evidence}
    assert list(result.evidence)[0] == "control" and result.request is None


def test_each_distinct_request_is_fetched_once_per_case_its_root_included():
    case = next(c for c in CASES.values() if c.prereqs)
    roots = {p.root: CASES[p.root] for p in case.prereqs}
    refused = fetch_from({}, lambda r: ex(r, status=400, body={"error": {}}))
    result = judge_case(case, refused, roots=roots)
    assert result.outcome == BLOCKED and result.blocked_by == case.prereqs[0].root
    assert result.message == (f"blocked by {case.prereqs[0].root}: its request was answered 400 (application/json) "
                              '{"error": {}}')
    assert len(refused.calls) == len(set(refused.calls))
    alone = fetch_from({}, lambda r: ex(r, status=400, body={"error": {}}))
    assert judge_case(case, alone).outcome != BLOCKED  # its roots are not in the run: judged on its own


def said(request):
    """A model that says the colours to the stop prompt, another sentence to any other, and honours stop."""
    prompt = request.body["messages"][-1]["content"]
    text = "red orange yellow green blue" if prompt == STOP_PROMPT else "the sea is wide"
    if request.stream:
        chunks = [{"choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]} for w in text.split(" ")]
        return build_exchange({"chunks": chunks + [{"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]},
                              request)
    content = text if "stop" not in request.body else text.split(request.body["stop"][0])[0]
    return ex(request, body={"choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                          "finish_reason": "stop"}], "usage": {"completion_tokens": 5}})


def test_a_derived_probe_is_fetched_and_judged_with_the_control_as_evidence():
    case = next(c for c in CASES.values() if c.derive)
    assert derived_for([(URL, case), (URL, BASE)], frozenset()) == [(URL, case)]
    assert derived_for([(URL, case)], frozenset(case.features)) == []
    fetch = fetch_from({}, said)
    result = judge_case(case, fetch)
    assert result.outcome == PASSED, result.message
    assert result.request is not None and result.request != case.request and result.request.fingerprint in fetch.calls
    assert result.judged_request == result.request and "control" in result.evidence
    assert result.to_dict()["request"]["body"] == result.request.body


def test_a_probe_handed_in_is_judged_as_it_is_never_derived_again(monkeypatch):
    """The sending side derives each probe once and hands it on: judge takes that request, and a probe it is
    handed raising Inconclusive (derived from a control that showed nothing) makes the case inconclusive."""
    import conformance.verdicts as verdicts
    from conformance.checks import Inconclusive, derive

    case = next(c for c in CASES.values() if c.derive)
    handed = derive(case, said(case.request), {name: said(r) for name, r in case.evidence})
    monkeypatch.setattr(verdicts, "derive", lambda *args: pytest.fail("derived again"))
    seen = []

    def probe(c, control, evidence):
        seen.append((c.id, control.request, set(evidence)))
        return handed
    fetch = fetch_from({}, said)
    result = judge(case, URL, fetch, probe=probe)
    assert result.outcome == PASSED and result.request is handed and handed.fingerprint in fetch.calls
    assert seen == [(case.id, case.request, {name for name, _ in case.evidence})]

    def nothing_shown(c, control, evidence):
        raise Inconclusive("the control said no stop word")
    result = judge(case, URL, fetch_from({}, said), probe=nothing_shown)
    assert (result.outcome, result.message) == (INCONCLUSIVE, "inconclusive: the control said no stop word")


def test_the_result_record_names_its_root_and_evidence():
    case = CASES["openai/chat/behaviour/tool-choice/none-calls-no-tool"]
    plain = ex(case.request, body=COMPLETION)
    record = Result(case, URL, BLOCKED, "m", exchange=plain, blocked_by="root/id", evidence={"control": plain}).to_dict()
    assert (record["outcome"], record["message"], record["base_url"], record["blocked_by"]) == (BLOCKED, "m", URL, "root/id")
    assert record["request"]["curl"].startswith("curl ") and record["response"]["status"] == 200
    assert [e["name"] for e in record["evidence"]] == ["control"] and record["evidence"][0]["response"]["status"] == 200
    keyed = Result(case, URL, BLOCKED, exchange=plain, evidence={"control": plain}, key_env="MY_KEY").to_dict()
    for request in (keyed["request"], keyed["evidence"][0]["request"]):
        assert request["headers"]["Authorization"] == "Bearer $MY_KEY"
        assert request["curl"] == case.request.curl(URL, "MY_KEY") and "$MY_KEY" in request["curl"]
    assert keyed["evidence"][0]["request"]["body"] == case.request.body and keyed["id"] == case.id
    bare = Result(case, URL, PASSED).to_dict()
    assert "response" not in bare and "blocked_by" not in bare and "evidence" not in bare


def test_summarise_counts_each_outcome():
    assert summarise([PASSED, PASSED, FAILED, WARNED, INCONCLUSIVE, BLOCKED, SKIPPED, ERROR, ERROR]) == {
        "passed": 2, "failed": 1, "warned": 1, "inconclusive": 1, "blocked": 1, "skipped": 1, "errors": 2, "total": 9}


# ------------------------------------------------------------------ features

def test_feature_options_parse_commas_and_name_the_unknown():
    assert parse_disabled([" tools, vision", "json_mode,,"]) == {"tools", "vision", "json_mode"}
    assert parse_disabled(None) == frozenset()
    with pytest.raises(UsageError) as caught:
        parse_disabled(["tools,cats"])
    assert str(caught.value).startswith("--without: unknown feature 'cats' (known: tools, json_mode, vision,")
    with pytest.raises(UsageError, match="^--require: unknown feature 'dogs'"):
        parse_required(["dogs"])
    with pytest.raises(UsageError) as both:
        parse_required(["vision,tools"], frozenset({"tools", "vision"}))
    assert str(both.value) == "feature 'tools' is both required (--require) and missing (--without)"
    assert parse_required(["tools"], frozenset({"vision"})) == {"tools"}


def test_skip_reason_names_each_missing_feature():
    case = replace(BASE, features=("tools", "behaviour"))
    assert skip_reason(case, frozenset({"vision"})) is None
    assert skip_reason(case, frozenset({"tools", "behaviour"})) == (
        "the target's model lacks function tools and tool_choice (tool calling), a model whose output follows the "
        "request (token caps, stop sequences, tool calls, JSON mode) (--without tools,behaviour)")


def _probes(*answers, names=("capability:tool_choice=auto", "capability:tool_choice=required")):
    return {name: ex(BASE.request, status=status, body=text.encode()) for name, (status, text) in zip(names, answers)}


TOOLS_CASE = replace(BASE, features=("tools",), parameter=None)


@pytest.mark.parametrize("case, answers, required, absent", [
    (TOOLS_CASE, [(400, "tools are not supported"), (400, "Tools unsupported")], frozenset(), True),
    (TOOLS_CASE, [(400, "this model cannot"), (400, "no such model")], frozenset(), True),
    (TOOLS_CASE, [(400, "bad tool_choice value"), (400, "tool_choice no")], frozenset(), True),  # the parameter probed
    (TOOLS_CASE, [(400, "tools are not supported")], frozenset(), False),  # one value tells nothing
    (TOOLS_CASE, [(400, "tools are not supported"), (200, "{}")], frozenset(), False),
    (TOOLS_CASE, [(400, "tools are not supported"), (422, "tools are not supported")], frozenset(), False),
    (TOOLS_CASE, [(500, "tools are not supported"), (500, "tools are not supported")], frozenset(), False),
    (TOOLS_CASE, [(399, "tools are not supported"), (399, "tools are not supported")], frozenset(), False),
    (TOOLS_CASE, [(400, "tools are not supported"), (400, "slow down")], frozenset(), False),
    (TOOLS_CASE, [(400, "tools are not supported"), (400, "tools are not supported")], frozenset({"tools"}), False),
    (replace(BASE, features=()), [(400, "model"), (400, "model")], frozenset(), False),
    (replace(BASE, features=("tools",), parameter="Top_K"), [(400, "bad top_k"), (400, "TOP_K")], frozenset(), True),
])
def test_a_capability_is_absent_only_when_every_documented_value_is_refused_alike(case, answers, required, absent):
    evidence = {**_probes(*answers), "control": ex(BASE.request, status=400, body=b"unrelated")}
    found = capability_absent(case, evidence, required)
    assert (found is not None) == absent, found


def test_the_absent_capability_message_quotes_the_first_refusal():
    evidence = _probes((400, "tools  are\nnot supported"), (400, "tools unsupported"))
    assert capability_absent(TOOLS_CASE, evidence, frozenset()) == (
        "the model lacks function tools and tool_choice (tool calling): all 2 documented values of its parameters "
        "were refused alike (400 'tools are not supported'); --require tools makes this a failure")
    two = replace(BASE, features=("tools", "json_mode", "behaviour"))
    assert capability_absent(two, _probes((400, "json tool"), (400, "json tool")), frozenset({"tools"})).startswith(
        "the model lacks function tools and tool_choice (tool calling) and response_format JSON object / JSON schema "
        "output and a model whose output follows the request")
    long = capability_absent(TOOLS_CASE, _probes((400, "tool " + "x" * 400), (400, "tool")), frozenset())
    assert "'tool " + "x" * 195 + "'" in long


def test_a_fetch_that_already_reads_once_is_used_as_it_is():
    case = next(c for c in CASES.values() if c.prereqs)
    roots = {p.root: CASES[p.root] for p in case.prereqs}
    refused = fetch_from({}, lambda r: ex(r, status=400, body={"error": {}}))
    refused.once_each = True  # the caller's promise: then the case's root reads the shared exchange again
    assert judge_case(case, refused, roots=roots).outcome == BLOCKED
    assert len(refused.calls) > len(set(refused.calls))


def test_a_derived_probe_that_could_not_be_sent_is_a_harness_error_with_its_request():
    case = next(c for c in CASES.values() if c.derive)

    def answer(request):
        return ex(request, status=None, error="connection reset") if "stop" in request.body else said(request)
    result = judge_case(case, fetch_from({}, answer))
    assert (result.outcome, result.message) == (ERROR, "harness error, not a verdict: connection reset")
    assert "stop" in result.request.body and result.exchange.error == "connection reset"
    assert set(result.evidence) == {"control", *(name for name, _ in case.evidence)}


def test_now_iso_is_utc_to_the_second():
    import re
    from conformance.verdicts import now_iso
    assert re.fullmatch(r"20\d\d-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-6]\dZ", now_iso())


def test_once_each_wraps_a_fetch_once():
    fetch = fetch_from({}, lambda r: ex(r, body=COMPLETION))
    once = _once_each(fetch)
    assert once is not fetch and _once_each(once) is once
    assert once(BASE.request) is once(BASE.request) and fetch.calls == [BASE.request.fingerprint]


JSON_CASE = CASES["openai/chat/validation/response_format/accepts-json-object"]


def refuses_json_mode(request):
    """A gateway whose model lacks JSON mode (it says so for every documented value) and answers the rest."""
    if "response_format" in request.body:
        return ex(request, status=400, body={"error": {"message": "response_format is not supported"}})
    return ex(request, body=COMPLETION)


@pytest.mark.parametrize("disabled, required, outcome", [
    ({"json_mode"}, set(), PASSED),  # the root is skipped: it shows nothing
    (set(), set(), PASSED),  # the root is inconclusive, the capability evidently absent
    (set(), {"json_mode"}, BLOCKED),  # the capability required: the root fails, and hides the rule
])
def test_a_root_blocks_only_when_it_fails_under_the_run_s_features(disabled, required, outcome):
    assert JSON_CASE.features == ("json_mode",) and len([n for n, _ in JSON_CASE.evidence if n.startswith("capability:")]) == 2
    dependent = replace(BASE, prereqs=(Prereq(JSON_CASE.id, JSON_CASE.request, "completion"),))
    result = judge_case(dependent, fetch_from({}, refuses_json_mode), disabled=frozenset(disabled),
                        required=frozenset(required), roots={JSON_CASE.id: JSON_CASE})
    assert result.outcome == outcome, result.message


def test_a_case_whose_capability_is_evidently_absent_is_inconclusive_with_its_evidence():
    fetch = fetch_from({}, refuses_json_mode)
    result = judge_case(JSON_CASE, fetch)
    evidence = {name: refuses_json_mode(request) for name, request in JSON_CASE.evidence}
    assert result.outcome == INCONCLUSIVE
    assert result.message == "inconclusive: " + capability_absent(JSON_CASE, evidence, frozenset())
    assert result.exchange.status == 400 and result.exchange.request == JSON_CASE.request
    assert {n: e.request for n, e in result.evidence.items()} == {n: r for n, r in JSON_CASE.evidence}
    assert judge_case(JSON_CASE, fetch, required=frozenset({"json_mode"})).outcome == FAILED


def test_a_need_met_does_not_judge_the_root_even_if_the_root_would_fail():
    framing = CASES["openai/chat/streaming/stream/framing"]
    roots = {p.root: CASES[p.root] for p in framing.prereqs}
    assert [p.need for p in framing.prereqs] == ["completion", "accepted"]

    def answer(request):  # accepted, but neither JSON nor an event stream
        return ex(request, body=b"not json") if request.stream else ex(request, body=COMPLETION)
    result = judge_case(framing, fetch_from({}, answer), roots=roots)
    assert result.outcome == FAILED and "no SSE events came back" in result.problem


def _stop_case():
    return next(c for c in CASES.values() if c.derive and not c.request.stream)


def test_a_derived_probe_that_breaks_the_rule_fails_with_its_own_request_and_exchange():
    case = _stop_case()

    def ignores_stop(request):
        if "stop" not in request.body:
            return said(request)
        return ex(request, body=said(replace(request, body={k: v for k, v in request.body.items() if k != "stop"})).body)
    fetch = fetch_from({}, ignores_stop)
    result = judge_case(case, fetch, key_env="MY_KEY")
    assert result.outcome == FAILED and "stop" in result.request.body
    assert result.message == explain(case, URL, result.problem, result.request, "MY_KEY")
    assert result.exchange.request == result.request and result.exchange.body == ignores_stop(result.request).body
    assert set(result.evidence) == {"control", *(name for name, _ in case.evidence)}


def test_a_derived_probe_that_shows_nothing_is_inconclusive_with_its_request():
    case = _stop_case()

    def otherwise(request):
        if "stop" in request.body:
            return ex(request, body={"choices": [{"index": 0, "message": {"role": "assistant", "content": "zzz"},
                                                  "finish_reason": "stop"}]})
        return said(request)
    result = judge_case(case, fetch_from({}, otherwise))
    assert result.outcome == INCONCLUSIVE and result.message.startswith("inconclusive: the answer with stop does not start")
    assert "stop" in result.request.body and result.exchange.request == result.request
    assert set(result.evidence) == {"control", *(name for name, _ in case.evidence)}


class RecordedEngine:
    """An engine answering from a function, each distinct request once a run, as Engine.run; it records what each run sent."""

    def __init__(self, answer):
        self.answer, self.sent = answer, []

    def run(self, jobs):
        jobs = list(jobs)
        self.sent.append(list(dict.fromkeys(fingerprint(url, request) for url, request in jobs)))
        return {fingerprint(url, request): self.answer(request) for url, request in jobs}


def test_execute_sends_each_request_once_then_judges_every_case_with_its_roots_and_features():
    def answer(request):
        if request.stream and request.body["messages"][-1]["content"] != STOP_PROMPT:
            return ex(request, status=400, body={"error": {"message": "no streams"}})
        return refuses_json_mode(request) if "response_format" in request.body else said(request)
    ids = ["openai/chat/response/completion/choices/type", "openai/chat/streaming/stream/content-type",
           "openai/chat/streaming/stream/framing", _stop_case().id, JSON_CASE.id,
           "openai/chat/validation/messages/accepts-image-data-url"]
    engine = RecordedEngine(answer)
    results = execute(engine, ((URL, CASES[i]) for i in ids), frozenset({"vision"}), frozenset({"json_mode"}))
    assert [(r.case.id, r.base_url, r.outcome) for r in results] == [
        (ids[0], URL, PASSED), (ids[1], URL, FAILED), (ids[2], URL, BLOCKED), (ids[3], URL, PASSED),
        (ids[4], URL, FAILED), (ids[5], URL, SKIPPED)]
    assert results[2].blocked_by == ids[1]
    sent = [key for run in engine.sent for key in run]
    assert len(sent) == len(set(sent)) and len(engine.sent) == 2  # sent once; the derived probe in a second run
    assert engine.sent[1] == [fingerprint(URL, results[3].request)]
    assert fingerprint(URL, CASES[ids[5]].request) not in sent  # the skipped case sends nothing of its own


def test_now_iso_is_utc_whatever_the_local_zone(monkeypatch):
    import datetime
    import time
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+5:30: never within a minute of UTC
    time.tzset()
    try:
        stamp = datetime.datetime.strptime(now_iso(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        assert abs((datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()) < 60
    finally:
        monkeypatch.undo()
        time.tzset()


def test_parse_features_names_the_without_option_by_default():
    from conformance.features import parse_features
    with pytest.raises(UsageError, match="^--without: unknown feature 'cats'"):
        parse_features(["cats"])


def test_the_probed_parameter_named_in_a_refusal_shows_the_capability_absent():
    """No keyword of the capability in the refusal: only the parameter the probe's evidence name carries."""
    case = replace(BASE, features=("reasoning",), parameter=None)
    names = ("capability:effort_level=low", "capability:effort_level=high")
    assert capability_absent(case, _probes((400, "bad effort_level"), (400, "effort_level?"), names=names), frozenset())
    assert capability_absent(case, _probes((400, "bad value"), (400, "value?"), names=names), frozenset()) is None


def test_the_absent_capability_message_names_every_feature_to_require():
    case = replace(BASE, features=("tools", "json_mode"), parameter=None)
    assert capability_absent(case, _probes((400, "json tool"), (400, "json tool")), frozenset()).endswith(
        "; --require tools,json_mode makes this a failure")


# ------------------------------------------------------------------ Unobserved: what another case's rule requires never came

def _responses_answers(call_in_plain_answer: bool):
    """A Responses target that streams text only, even when a function call is forced; its plain answer to the
    forced request carries the call or not."""
    from conformance.gateway.model import Generation, ToolCall
    from conformance.sse import SseParser
    from conformance.surfaces.responses.wire import Reply, chunk_bodies, completion_body
    said = Generation("Hello.", ["Hel", "lo."], "stop", 2)
    called = Generation(None, [], "tool_calls", 3, tool_call=ToolCall("call_1", "get_order", '{"order_id": "1"}'))

    def answer(request):
        if request.stream:
            events = chunk_bodies(Reply("resp_1", 1, "m-1", said, 3, "item1"))
            text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
            parser = SseParser()
            parser.feed(text)
            parser.close()
            return ex(request, body=text.encode(), ctype="text/event-stream", events=parser.kept())
        forced = called if call_in_plain_answer and "tool_choice" in (request.body or {}) else said
        return ex(request, body=completion_body(Reply("resp_1", 1, "m-1", forced, 3, "item1")))
    return answer


@pytest.mark.parametrize("call_in_plain_answer, outcome, message", [
    (False, BLOCKED, "blocked by openai-responses/responses/behaviour/tools/forced-call: no function_call item came"),
    (True, FAILED, "openai-responses/responses/streaming/stream/arguments-assemble [MUST]"),
])
def test_a_rule_whose_subject_never_came_is_blocked_by_the_case_that_owns_it_when_that_one_fails(
        call_in_plain_answer, outcome, message):
    """One cause, one failure: a forced tool_choice ignored everywhere fails the forced-call case alone; a call
    that comes unstreamed only fails the streamed-arguments case."""
    cases = {c.id: c for c in generate_cases(load_profile("openai-responses"), "m-1")}
    case = cases["openai-responses/responses/streaming/stream/arguments-assemble"]
    assert case.args["root"] == "openai-responses/responses/behaviour/tools/forced-call"
    result = judge_case(case, fetch_from({}, _responses_answers(call_in_plain_answer)), roots=cases)
    assert result.outcome == outcome and result.message.startswith(message), result.message
    assert result.blocked_by == (case.args["root"] if outcome == BLOCKED else None)
    if outcome == FAILED:
        assert "no function_call item came" in result.message
