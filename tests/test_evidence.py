"""Evidence before verdict: no vacuous pass, one root cause instead of a cascade, capabilities
discovered rather than assumed. Each against a loopback server built to show it."""

from __future__ import annotations

import pytest
from starlette.responses import JSONResponse

from conformance.cases import generate_cases
from conformance.engine import Deadlines, Engine
from conformance.gateway import start_in_thread
from conformance.verdicts import BLOCKED, FAILED, INCONCLUSIVE, PASSED, WARNED, execute
from conformance.spec import load_profile
from conformance.target import normalise_base_url

from evidence_servers import FixedReplyModel, Proxy, SamplingModel

# generous: nothing here waits for a deadline to fire, so tight ones only made the verdicts depend on machine load
FAST = Deadlines(connect=10.0, response=60.0, stream_total=60.0, stream_idle=30.0, after_terminator=10.0)
MODEL = "routecheck-echo-1"


def judged(url: str, profile: str, key: str, model: str = MODEL, **options) -> dict:
    cases = generate_cases(load_profile(profile), model)
    url = normalise_base_url(url)  # as --base-url takes it: /v1 added to a bare root
    results = execute(Engine(key, deadlines=FAST), [(url, c) for c in cases], **options)
    return {r.case.id.split("/", 2)[2]: r for r in results}  # without profile/surface


@pytest.fixture()
def serve():
    running = []

    def start(app):
        running.append(start_in_thread(app))
        return running[-1].url

    yield start
    for server in running:
        server.stop()


def test_a_fixed_reply_model_gives_inconclusive_stop_and_cap_cases_alike(serve):
    # the same evidence (two prompts answered alike), the same rule: no parameter can be seen to steer a fixed reply
    results = judged(serve(FixedReplyModel()), "routify", "any-key", model="mock")
    stops = {k: r for k, r in results.items() if k.startswith("behaviour/stop/")}
    assert len(stops) == 4 and {r.outcome for r in stops.values()} == {INCONCLUSIVE}
    assert all("fixed reply" in r.message for r in stops.values())
    caps = {k: r for k, r in results.items() if k.startswith("behaviour/max_tokens/bounds-")}
    assert len(caps) == 2 and {r.outcome for r in caps.values()} == {INCONCLUSIVE}
    assert all("fixed reply" in r.message for r in caps.values())
    assert "completion_tokens 20 > 3" in caps["behaviour/max_tokens/bounds-completion"].message


def test_the_faithful_gateway_earns_its_behaviour_passes_with_evidence(gateway):
    results = judged(f"{gateway.root}/p/routify/f/none/v1", "routify", gateway.key)
    stop = results["behaviour/stop/later-in-list"]
    assert stop.outcome == PASSED
    sent = stop.judged_request.body["stop"]
    assert len(sent) == 3 and sent[-1] in stop.evidence["control"].text()  # a word the model really said
    assert sent[-1] not in stop.exchange.text()
    cap = results["behaviour/max_tokens/bounds-completion"]
    assert cap.outcome == PASSED and '"completion_tokens":8' in cap.evidence["control"].text().replace(" ", "")


def test_a_gateway_that_drops_stop_fails_every_stop_case(gateway):
    # the reference gateway's stop-in-output fault: the word the controls said stays in the answer
    results = judged(f"{gateway.root}/p/routify/f/behaviour.stop-in-output/v1", "routify", gateway.key)
    stops = [r for k, r in results.items() if k.startswith("behaviour/stop/")]
    assert len(stops) == 4 and {r.outcome for r in stops} == {FAILED}
    assert all("which the controls said without stop" in r.message for r in stops)


def test_a_gateway_that_adds_stream_options_gives_one_root_failure_not_a_cascade(gateway, serve):
    # LiteLLM adds stream_options to every stream; a strict upstream (routify-mvp rejects unknown fields) refuses it
    def add_stream_options(body: dict) -> dict:
        return dict(body, stream_options={"include_usage": True}) if body.get("stream") is True else body

    url = serve(Proxy(f"{gateway.root}/p/routify-mvp/f/none", rewrite=add_stream_options))
    results = judged(url, "routify-mvp", gateway.key)
    failed = sorted(k for k, r in results.items() if r.outcome == FAILED)
    assert failed == ["streaming/stream/content-type"]
    blocked = [r for r in results.values() if r.outcome == BLOCKED]
    assert len(blocked) >= 8
    assert {r.blocked_by for r in blocked} == {"routify-mvp/chat/streaming/stream/content-type"}
    assert results["streaming/stream/terminator"].outcome == BLOCKED


def test_a_rejected_base_request_blocks_everything_that_depends_on_it(gateway, serve):
    refuse_all = Proxy(gateway.root, refuse=lambda body: JSONResponse(
        {"error": {"message": "model not available", "type": "invalid_request_error"}}, status_code=404))
    results = judged(serve(refuse_all), "routify", gateway.key)
    root = results.pop("auth/bearer/valid-key")
    assert root.outcome == FAILED
    chat = {k: r for k, r in results.items() if not k.startswith("response/models")}
    assert {r.outcome for r in chat.values()} == {BLOCKED}


@pytest.mark.parametrize("drop_zero, outcome", [(False, PASSED), (True, WARNED)])
def test_an_explicit_temperature_zero_is_judged_against_a_sampling_control(serve, drop_zero, outcome):
    results = judged(serve(SamplingModel(drop_zero)), "routeapi", "any-key", model="mock")
    case = results["behaviour/explicit-values/temperature-zero"]
    assert case.outcome == outcome, case.message
    assert drop_zero == ("the 0 looks dropped" in case.message)


def test_an_explicit_temperature_zero_on_a_deterministic_model_is_inconclusive(gateway):
    results = judged(f"{gateway.root}/p/routeapi/f/none/v1", "routeapi", gateway.key)
    case = results["behaviour/explicit-values/temperature-zero"]
    assert case.outcome == INCONCLUSIVE and "sampling shows nothing" in case.message


REASONING = ("reasoning_effort", "reasoningSummary", "verbosity")


def _no_reasoning(body: dict):
    """A non-reasoning model behind the gateway: every reasoning control refused, naming the parameter."""
    named = [p for p in REASONING if p in body]
    if not named:
        return None
    return JSONResponse({"error": {"message": f"Unrecognized request argument supplied: {named[0]}",
                                   "type": "invalid_request_error", "param": named[0], "code": None}}, status_code=400)


def test_a_model_that_refuses_every_reasoning_control_gives_inconclusive_not_failed(gateway, serve):
    url = serve(Proxy(f"{gateway.root}/p/routify-mvp/f/none", refuse=_no_reasoning))
    results = judged(url, "routify-mvp", gateway.key)
    reasoning = {k: r for k, r in results.items() if r.case.parameter in REASONING}
    assert not [k for k, r in results.items() if r.outcome in (FAILED, WARNED)]
    inconclusive = [r for r in reasoning.values() if r.outcome == INCONCLUSIVE]
    assert len(inconclusive) >= 7 and all("refused alike" in r.message for r in inconclusive)
    assert results["ranges/reasoning_effort/enum-high"].outcome == INCONCLUSIVE


def test_require_turns_an_absent_capability_into_failures(gateway, serve):
    url = serve(Proxy(f"{gateway.root}/p/routify-mvp/f/none", refuse=_no_reasoning))
    results = judged(url, "routify-mvp", gateway.key, required=frozenset({"reasoning"}))
    # at MUST, one documented value must be taken; each further value is a SHOULD (no model takes every effort)
    assert results["ranges/reasoning_effort/enum-one-accepted"].outcome == FAILED
    assert "no documented value of reasoning_effort was accepted" in results["ranges/reasoning_effort/enum-one-accepted"].message
    assert results["ranges/reasoning_effort/enum-high"].outcome == WARNED
    assert "Unrecognized request argument" in results["ranges/reasoning_effort/enum-high"].message


def _no_xhigh(body: dict):
    """A reasoning model that takes low, medium and high but not xhigh, and says so."""
    if body.get("reasoning_effort") != "xhigh":
        return None
    return JSONResponse({"error": {"message": "reasoning_effort 'xhigh' is not supported by this model.",
                                   "type": "invalid_request_error", "param": "reasoning_effort", "code": None}},
                        status_code=400)


def test_a_model_that_refuses_one_reasoning_effort_as_unsupported_fails_nothing(gateway, serve):
    url = serve(Proxy(f"{gateway.root}/p/routify-mvp/f/none", refuse=_no_xhigh))
    results = judged(url, "routify-mvp", gateway.key)
    assert results["ranges/reasoning_effort/enum-one-accepted"].outcome == PASSED
    assert results["ranges/reasoning_effort/enum-high"].outcome == PASSED
    xhigh = results["ranges/reasoning_effort/enum-xhigh"]
    assert xhigh.outcome == INCONCLUSIVE and "refused as unsupported by the model" in xhigh.message
    assert not [k for k, r in results.items() if r.outcome in (FAILED, WARNED)]


def _no_max_tokens(body: dict):
    """An o-series-like model: max_tokens refused, max_completion_tokens taken."""
    if "max_tokens" not in body:
        return None
    return JSONResponse({"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
                                   "Use 'max_completion_tokens' instead.", "type": "invalid_request_error",
                                   "param": "max_tokens", "code": "unsupported_parameter"}}, status_code=400)


def test_base_requests_use_the_cap_the_model_takes_where_the_document_offers_both(gateway, serve):
    from conformance.preflight import choose_cap_param

    url = normalise_base_url(serve(Proxy(f"{gateway.root}/p/openai/f/none", refuse=_no_max_tokens)))
    engine = Engine(gateway.key, deadlines=FAST)
    cap = choose_cap_param(engine, url, load_profile("openai"), MODEL)
    assert cap == "max_completion_tokens"
    assert choose_cap_param(engine, f"{gateway.root}/p/openai/f/none", load_profile("openai"), MODEL) == "max_tokens"
    cases = generate_cases(load_profile("openai"), MODEL, cap)
    results = {r.case.id: r for r in execute(engine, [(url, c) for c in cases])}
    assert results["openai/chat/auth/bearer/valid-key"].outcome == PASSED
    assert not [r for r in results.values() if r.outcome == BLOCKED]  # the refused max_tokens blocks nothing


def _no_tools(body: dict):
    """A model without tool calling: every request that names tools, a tool choice or a tool message refused."""
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    roles = [m.get("role") for m in messages if isinstance(m, dict)]
    if "tools" in body or "tool_choice" in body or "tool" in roles:
        return JSONResponse({"error": {"message": "This model does not support tools.",
                                       "type": "invalid_request_error", "param": None, "code": None}}, status_code=400)
    return None


def _text_only(body: dict):
    """A text-only model: any message content that is a list of parts is refused."""
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    if any(isinstance(m, dict) and isinstance(m.get("content"), list) for m in messages):
        return JSONResponse({"error": {"message": "This model does not support image inputs or content parts.",
                                       "type": "invalid_request_error", "param": "messages", "code": None}},
                            status_code=400)
    return None


@pytest.mark.parametrize("refuse, feature, cases", [
    (_no_tools, "tools", ("validation/tools/accepts-function-tool", "validation/tool_choice/accepts-auto",
                          "validation/messages/accepts-role-tool")),
    (_text_only, "vision", ("validation/messages/accepts-image-data-url", "validation/messages/accepts-text-content-parts")),
])
def test_one_model_without_a_capability_gets_one_verdict_for_all_its_probes(gateway, serve, refuse, feature, cases):
    # evidence of a capability comes only from that capability's own probes (a role example says nothing of
    # vision), across every parameter that has it: so one probe alone never decides, and every case agrees
    url = serve(Proxy(f"{gateway.root}/p/routmy/f/none", refuse=refuse))
    results = judged(url, "routmy", gateway.key)
    assert {results[c].outcome for c in cases} == {INCONCLUSIVE}
    assert all("refused alike" in results[c].message for c in cases)
    must = [f"{k}: {r.message[:300]}" for k, r in results.items() if r.outcome == FAILED]
    assert must == []
    required = judged(url, "routmy", gateway.key, required=frozenset({feature}))
    assert {required[c].outcome for c in cases} <= {FAILED, WARNED}
