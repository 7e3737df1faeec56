"""The parameter facets on a spec written to reach what no shipped profile reaches (tests/data/facet_edges/edges.yaml):
its cases and faults pinned whole, as tests/test_generated_cases.py pins the shipped profiles'; what the reference
gateway says when it refuses a value, and how the report states each facet. tests/test_facet_validation.py
runs the faithful gateway and every facet fault against its cases too.

When a change to its cases or faults is meant, regenerate tests/data/facet_edges/cases.json with
`python tests/test_facet_edges.py` and say why in the commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import param_facets
from conformance.cases import generate_cases
from conformance.gateway.faults import faults_for
from conformance.gateway.validate import RequestError, validate_request
from conformance.param_facets import FILL, Use, _bounds, required
from conformance.spec import load_profile, load_spec_file

from test_generated_cases import MODEL, compare, described, digest, fault_described

EDGES = Path(__file__).parent / "data" / "facet_edges" / "edges.yaml"
SNAPSHOT = EDGES.parent / "cases.json"


def edges():
    return load_spec_file(EDGES)


def pinned_now() -> dict:
    profile = edges()
    return {"cases": {c.id: digest(described(c)) for c in generate_cases(profile, MODEL)},
            "faults": {f.name: digest(fault_described(f)) for f in faults_for(profile)}}


def test_the_edges_spec_generates_the_cases_and_faults_it_did():
    profile, now, pinned = edges(), pinned_now(), json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    cases = {c.id: c for c in generate_cases(profile, MODEL)}
    faults = {f.name: f for f in faults_for(profile)}
    compare(now["cases"], pinned["cases"], "case(s)", lambda i: json.dumps(described(cases[i]), default=repr))
    compare(now["faults"], pinned["faults"], "fault(s)", lambda n: json.dumps(fault_described(faults[n]), default=repr))


def _case(profile, case_id: str):
    return next(c for c in generate_cases(profile, MODEL) if c.id == case_id)


# what the faithful reference gateway answers each facet's refusal with: the parameter, then why
@pytest.mark.parametrize("profile_name, case_id, status, message", [
    ("edges", "edges/chat/validation/model/missing", 400, "model: is required"),
    ("edges", "edges/chat/validation/model/null-rejected", 400, "model: is required and may not be null"),
    ("edges", "edges/chat/validation/seed/null-rejected", 400, "seed: may not be null"),
    ("edges", "edges/chat/validation/seed/type-string", 400, "seed: must be of type number, not string"),
    ("edges", "edges/chat/validation/seed/non-integer", 400, "seed: must be an integer"),
    ("edges", "edges/chat/ranges/weight/below-min", 400, "weight: must be at least 2.5"),
    ("edges", "edges/chat/ranges/weight/above-max", 400, "weight: must be at most 10.0"),
    ("edges", "edges/chat/ranges/tags/below-min-items", 400, "tags: needs at least 2 items"),
    ("edges", "edges/chat/ranges/messages/above-max-items", 400, "messages: takes at most 3 items"),
    ("edges", "edges/chat/validation/parts/item-type-number", 400, "parts: item 0 must be of type string or object"),
    ("edges", "edges/chat/ranges/mode/enum-unknown", 400, "mode: must be one of fast, slow"),
    ("edges", "edges/chat/ranges/level/enum-unknown", 400, "level: must be one of 1, 2"),
    ("edges", "edges/chat/validation/fallback_model/unknown-id", 404, "fallback_model: the requested fallback_model does not exist"),
    ("openai", "openai/chat/ranges/logit_bias/value-above-max", 400, "logit_bias: every value must be a number from -100 to 100"),
    ("openai", "openai/chat/validation/stop/type-number", 400, "stop: must be of type string or array, not number"),
    ("openai", "openai/chat/validation/stream_options/without-companion", 400, "stream_options: needs stream: true"),
    ("openai", "openai/chat/validation/tool_choice/without-companion", 400, "tool_choice: needs tools"),
])
def test_the_gateway_says_why_it_refuses(profile_name, case_id, status, message):
    profile = edges() if profile_name == "edges" else load_profile(profile_name)
    with pytest.raises(RequestError) as refused:
        validate_request(profile, _case(profile, case_id).request.body, models=(MODEL,))
    assert (refused.value.status, refused.value.message) == (status, message)


def test_an_empty_list_is_no_companion():
    profile = load_profile("openai")
    body = dict(_case(profile, "openai/chat/validation/tool_choice/without-companion").request.body, tools=[])
    with pytest.raises(RequestError, match="^tool_choice: needs tools$"):
        validate_request(profile, body, models=(MODEL,))


@pytest.mark.parametrize("fault_name, case_id, answer", [
    ("max_tokens.large-value-500", "edges/chat/ranges/max_tokens/large-valid", (500, "internal error", "server", "server_error", None)),
    ("stop.string-form-rejected", "edges/chat/validation/stop/string-form",
     (400, "stop: must be a list", "validation", "invalid_request_error", "stop")),
])
def test_a_fault_s_refusal_is_the_error_it_names(fault_name, case_id, answer):
    profile = edges()
    fault = next(f for f in faults_for(profile) if f.name == fault_name)
    with pytest.raises(RequestError) as refused:
        validate_request(profile, _case(profile, case_id).request.body, models=(MODEL,), fault=fault)
    error = refused.value
    assert (error.status, error.message, error.kind, error.error_type, error.param) == answer


# how the report's Documented parameters view states each facet's value
@pytest.mark.parametrize("facet, value, text", [
    ("required", True, "required"), ("required", False, "optional"),
    ("nullable", True, "nullable"), ("nullable", False, "not nullable"),
    ("type", ["string", "array"], "type: string | array"), ("integer", True, "integer"),
    ("minimum", 2.5, "≥ 2.5"), ("maximum", 10, "≤ 10"),
    ("enum", ["fast", "slow"], "one of: fast, slow"), ("enum", [], "enum: values left empty"),
    ("min_items", 2, "≥ 2 items"), ("max_items", 3, "≤ 3 items"),
    ("items", {"type": ["string", "object"]}, 'items: {"type": ["string", "object"]}'),
    ("values", {"minimum": -100, "maximum": 100}, "values ≥ -100 and ≤ 100"), ("values", {"maximum": 5}, "values ≤ 5"),
    ("values", {"minimum": 0}, "values ≥ 0"),
    ("must_exist", True, "must name an existing model"), ("must_exist", False, None),
])
def test_each_facet_states_its_value(facet, value, text):
    assert param_facets.registry()[facet].text(value) == text


def test_the_bound_facets_declare_the_kinds_of_their_faults():
    # the FACETs' kinds are made at import; calling the maker shows what it makes
    profile = edges()
    for facet, param in (("minimum", profile.params["weight"]), ("maximum", profile.params["weight"])):
        kinds = _bounds.kinds(facet)
        assert kinds == (f"{facet}-ignored", f"{facet}-exclusive", f"{facet}-overflow") == param_facets.registry()[facet].kinds
        assert {f.kind for f in _bounds.faults(profile, param, param.get(facet), facet)} == set(kinds)


def test_a_required_parameter_missing_is_refused_unless_the_fault_fills_it():
    # the required FACET's hooks are made at import; calling the maker shows what it makes
    profile = edges()
    check = required._missing("is required")
    assert check(profile.params["model"], lambda kind: None) == "is required"
    assert check(profile.params["model"], lambda kind: object() if kind == "not-required" else None) == Use(FILL)
    assert check(profile.params["model"], lambda kind: object() if kind == "other" else None) == "is required"
    assert check(profile.params["seed"], lambda kind: object()) is None  # not required: nothing to refuse



def faulty(*kinds):
    return lambda kind: object() if kind in kinds else None


def test_the_type_facet_s_lenient_faults_use_what_they_say():
    from conformance.param_facets import ABSENT, type as type_facet
    profile = edges()
    parts, weight = profile.params["parts"], profile.params["weight"]
    assert type_facet.validate(parts, {"a": 1}, faulty("object-wrapped")) == Use([{"a": 1}])  # one item, as a list
    assert type_facet.validate(parts, {"a": 1}, faulty()) == "must be of type array, not object"
    assert type_facet.validate(weight, True, faulty("bool-as-number")) == Use(ABSENT)  # dropped, as if not sent
    assert type_facet.validate(weight, True, faulty("type-unchecked")) == Use(FILL)


def test_an_enum_refuses_an_unlisted_value_that_is_no_string_under_near_miss_faults_too():
    from conformance.param_facets import enum
    level = edges().params["level"]
    for fault_of in (faulty(), faulty("enum-case-insensitive", "enum-stripped")):
        assert enum.validate(level, 3, fault_of) == "must be one of 1, 2"
        assert enum.validate(level, 2, fault_of) is None


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(pinned_now(), indent=0) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
