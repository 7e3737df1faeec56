"""Case generation: stable IDs, levels, sources, and the cases the documents call for."""

from __future__ import annotations

import pytest

from conformance.case import CATEGORIES
from conformance.cases import generate_cases
from conformance.checks import check_named
from conformance.surfaces import surface_named
from conformance.spec import MUST, SHOULD, load_profile, profile_names


def cases_of(profile: str) -> dict:
    return {c.id: c for c in generate_cases(load_profile(profile), "m-1")}


@pytest.mark.parametrize("name", profile_names())
def test_cases_are_complete_and_ids_unique_and_stable(name):
    first = generate_cases(load_profile(name), "m-1")
    again = generate_cases(load_profile(name), "other-model")
    assert [c.id for c in first] == [c.id for c in again]  # IDs depend on the spec, not the run
    assert len({c.id for c in first}) == len(first)
    for case in first:
        segment = surface_named(load_profile(name).surface).segment
        assert case.id.startswith(f"{name}/{segment}/{case.category}/")  # profile/surface segment/category
        assert case.category in CATEGORIES and case.level in (MUST, SHOULD)
        assert check_named(case.check) and case.title and case.expected
        assert case.rule.source.quote or case.rule.source.schema


def test_documented_bounds_are_probed_at_and_just_past():
    cases = cases_of("routify")
    assert cases["routify/chat/ranges/temperature/at-max"].request.body["temperature"] == 2
    above = cases["routify/chat/ranges/temperature/above-max"]
    assert above.request.body["temperature"] == 2.01 and above.check == "rejected" and above.level == MUST
    assert cases["routify/chat/ranges/top_p/at-min"].request.body["top_p"] == 0
    assert cases["routify/chat/ranges/max_tokens/at-min"].request.body["max_tokens"] == 1
    assert cases["routify/chat/ranges/max_tokens/below-min"].request.body["max_tokens"] == 0
    assert len(cases["routify/chat/ranges/stop/at-max-items"].request.body["stop"]) == 4
    assert len(cases["routify/chat/ranges/stop/above-max-items"].request.body["stop"]) == 5
    assert cases["routify/chat/ranges/messages/below-min-items"].request.body["messages"] == []
    routeway = cases_of("routeway")
    assert routeway["routeway/chat/ranges/presence_penalty/at-min"].request.body["presence_penalty"] == -2
    assert routeway["routeway/chat/ranges/presence_penalty/above-max"].request.body["presence_penalty"] == 2.01


def test_silence_gives_should_cases_and_never_must():
    cases = cases_of("routeapi")
    assert cases["routeapi/chat/ranges/temperature/above-max"].level == SHOULD  # no range in RouteAPI's document
    assert cases["routeapi/chat/validation/temperature/type-string"].level == MUST  # the type is documented
    assert cases["routeapi/chat/validation/unknown-field/no-server-error"].level == SHOULD


def test_unknown_field_policies_give_opposite_cases():
    mvp, routify = cases_of("routify-mvp"), cases_of("routify")
    assert mvp["routify-mvp/chat/validation/unknown-field/routecheck_unknown_field"].check == "rejected"
    assert mvp["routify-mvp/chat/validation/unknown-field/tools"].level == MUST
    forwarded = routify["routify/chat/validation/unknown-field/forwarded"]
    assert forwarded.check == "accepted" and forwarded.level == SHOULD


def test_alternative_auth_header_and_nullability():
    cases = cases_of("routeway")
    assert cases["routeway/chat/auth/x-api-key/valid-key"].request.headers == (("x-api-key", "{key}"),)
    assert cases["routeway/chat/validation/temperature/null-accepted"].check == "accepted"
    assert "routeway/chat/validation/response_format/null-rejected" not in cases  # the document says nothing of null there
    assert cases["routeway/chat/validation/temperature/type-boolean"].request.body["temperature"] is True


def test_requests_never_hold_the_key_and_stay_cheap():
    for name in profile_names():
        for case in generate_cases(load_profile(name), "m-1"):
            assert "rc-" not in str(case.request.headers).replace("rc-invalid-key", "")
            if case.id.endswith("/large-valid"):  # 2^31 probes the parser of a cap with no maximum: short prompt
                prompt = case.request.body.get("messages") or case.request.body["input"]  # chat and Messages; Responses
                assert prompt[0]["content"] == "Say hello." and case.check == "not_server_error"
                continue
            # the largest: n 129 (past n's maximum of 128, refused by a conforming gateway) at the base cap of 2
            assert case.request.completion_budget() <= 2 * 129


def test_accepted_requests_carry_a_small_cap():
    for case in generate_cases(load_profile("routmy"), "m-1"):
        # a document's own example is sent as written: rout.my's asks for max_tokens 256
        if case.check == "accepted" and isinstance(case.request.body, dict) and "documented-example" not in case.id:
            assert case.request.completion_budget() <= 32, case.id


@pytest.mark.parametrize("key", ["rc-local-0123abcdef", "sk-Proj_MixedCase-x"])
def test_every_reproduce_header_gives_in_a_shell_exactly_what_was_sent(key):
    import subprocess

    from conformance.request import _filled

    shown = {}
    for name in profile_names():
        for case in generate_cases(load_profile(name), "m"):
            for (header, value), show in zip(case.request.headers, case.request.shown_headers().values()):
                shown[show] = _filled(value, key)
    script = "".join(f'printf "%s\\0" "{show}"\n' for show in shown)
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env={"ROUTECHECK_API_KEY": key})
    assert out.stdout.split("\0")[:-1] == list(shown.values())


def test_the_stream_terminator_is_the_documents_value_carried_by_each_stream_request():
    from dataclasses import replace as copy_with

    from conformance.checks.common import NotAccepted, chunks
    from conformance.engine import Exchange
    from conformance.sse import SseEvent

    cases = cases_of("routmy")
    stream = cases["routmy/chat/streaming/stream/content-type"].request
    assert stream.terminator == "[DONE]" and cases["routmy/chat/auth/bearer/valid-key"].request.terminator is None
    events = [SseEvent(data='{"choices": []}'), SseEvent(data="[END]")]
    ended = Exchange(copy_with(stream, terminator="[END]"), "http://127.0.0.1", status=200, events=events)
    assert len(chunks(ended)) == 1  # a document saying "[END]" ends its streams with it
    with pytest.raises(NotAccepted, match="event 2 is not JSON"):
        chunks(Exchange(stream, "http://127.0.0.1", status=200, events=events))


def _levels(profile: str) -> dict[str, str]:
    return {c.id.split("/", 2)[2]: c.level for c in generate_cases(load_profile(profile), "m")}


def test_levels_rest_on_what_each_document_states():
    mvp, routify, routeway, openai = (_levels(p) for p in ("routify-mvp", "routify", "routeway", "openai"))
    # one documented reasoning value at MUST; each further value SHOULD (no model takes all six efforts)
    for levels in (mvp, routify, routeway):
        assert levels["ranges/reasoning_effort/enum-one-accepted"] == "MUST"
        assert levels["ranges/reasoning_effort/enum-high"] == "SHOULD"
        assert levels["ranges/reasoning_effort/enum-unknown"] == "MUST"
    # routify forwards to the provider, whose errors for unsupported values come back: another document's
    # value may be the provider's own; routify-mvp rejects what it does not list
    for case in ("ranges/reasoning_effort/enum-foreign-none", "ranges/reasoning_effort/enum-foreign-minimal",
                 "validation/reasoningSummary/rejects-openai-detailed"):
        assert (mvp[case], routify[case]) == ("MUST", "SHOULD"), case
    # the openai profile's spec note and its level agree
    assert openai["validation/unknown-field/no-server-error"] == "SHOULD"


def test_conventions_no_document_states_cite_no_quote():
    cases = {c.id: c for c in generate_cases(load_profile("routeapi"), "m")}
    for case_id in ("routeapi/chat/validation/body/non-ascii-content", "routeapi/chat/ranges/max_tokens/large-valid",
                    "routeapi/chat/streaming/stream/final-finish-reason", "routeapi/chat/streaming/stream/finish-last"):
        source = cases[case_id].rule.source
        assert cases[case_id].level == "SHOULD" and source.quote is None, case_id
        assert "convention" in source.schema and source.note, case_id
    # RouteAPI's max_tokens is a "number" with no maximum: it gets the 2^31 probe, as rout.my's integer does
    assert "routmy/chat/ranges/max_tokens/large-valid" in {c.id for c in generate_cases(load_profile("routmy"), "m")}


def test_unknown_field_probes_carry_the_companions_openai_requires():
    bodies = {c.id.rsplit("/", 1)[1]: c.request.body for c in generate_cases(load_profile("routify-mvp"), "m")
              if "/unknown-field/" in c.id}
    assert bodies["stream_options"]["stream"] is True
    assert bodies["top_logprobs"]["logprobs"] is True
    assert bodies["tool_choice"]["tools"]
    assert "max_tokens" not in bodies["max_completion_tokens"]
