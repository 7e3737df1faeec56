"""The parameter facets' two halves against each other, in process: every validation and range case the
six profiles generate gets, from the reference gateway's request validation, the answer its check
expects; and every facet fault flips the verdict of some case of the rule it breaks. (The kill matrix
shows the same over HTTP for whole runs; this is its fast, exact half for the facets.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance import param_facets
from conformance.cases import generate_cases
from conformance.gateway.faults import faults_for
from conformance.gateway.validate import RequestError, validate_request
from conformance.request import NO_BODY
from conformance.spec import load_profile, load_spec_file, profile_names

MODEL = "m-1"
# a spec reaching the facets' branches no shipped profile reaches (its cases pinned in tests/test_facet_edges.py)
EDGES = Path(__file__).parent / "data" / "facet_edges" / "edges.yaml"
# the gateway's halves are run in process with chat's wire format; the anthropic profile's facets are judged
# over HTTP by the kill matrix (tests/test_kill_matrix.py)
PROFILES = [*(n for n in profile_names() if load_profile(n).surface == "chat_completions"), "edges"]


def load(name: str):
    return load_spec_file(EDGES) if name == "edges" else load_profile(name)
CHECKS = ("accepted", "accepted_unless_unsupported", "rejected", "not_server_error")


def status(profile, request, fault=None) -> int:
    try:
        validate_request(profile, request.body, models=(MODEL,), fault=fault)
    except RequestError as exc:
        return exc.status
    return 200


def holds(check: str, code: int) -> bool:
    return {"accepted": 200 <= code < 300, "accepted_unless_unsupported": 200 <= code < 300, "rejected": 400 <= code < 500, "not_server_error": code < 500}[check]


def judged(profile_name: str) -> tuple:
    profile = load(profile_name)
    cases = [c for c in generate_cases(profile, MODEL) if c.category in ("validation", "ranges") and c.check in CHECKS
             and c.request.raw is None
             and c.request.body is not NO_BODY and isinstance(c.request.body, dict)
             and c.request.path.endswith("/chat/completions")]
    return profile, cases


@pytest.mark.parametrize("profile_name", PROFILES)
def test_the_faithful_gateway_answers_every_validation_case_as_its_check_expects(profile_name):
    profile, cases = judged(profile_name)
    assert len(cases) > 50
    wrong = [(c.id, status(profile, c.request)) for c in cases if not holds(c.check, status(profile, c.request))]
    assert not wrong


@pytest.mark.parametrize("profile_name", PROFILES)
def test_every_facet_fault_flips_a_case_of_the_rule_it_breaks(profile_name):
    profile, cases = judged(profile_name)
    kinds = set(param_facets.kinds())
    faults = [f for f in faults_for(profile) if f.kind in kinds]
    assert faults
    missed = []
    for fault in faults:
        mine = [c for c in cases if c.rule.id == fault.rule]
        if not any(not holds(c.check, status(profile, c.request, fault)) for c in mine):
            missed.append(fault.name)
    assert not missed


def test_a_facet_fault_breaks_only_its_own_parameter():
    """A fault on one parameter leaves every case of the other parameters' rules as the faithful gateway answers
    (on one profile: the kill matrix's --full run shows it for all)."""
    profile, cases = judged("routeapi")
    kinds = set(param_facets.kinds())
    faithful = {c.id: status(profile, c.request) for c in cases}
    for fault in (f for f in faults_for(profile) if f.kind in kinds):
        others = [c for c in cases if c.parameter not in (fault.param, None) and fault.param not in c.request.body]
        changed = [c.id for c in others if status(profile, c.request, fault) != faithful[c.id]]
        assert not changed, (fault.name, changed[:5])


# each facet fault kind: the variants (the last part of a case ID) of its rule's cases it flips, and no other
FLIPS = {
    "type-unchecked": r"type-.*", "bool-as-number": "type-boolean", "object-wrapped": "type-object",
    "string-form-rejected": "string-form", "large-value-500": "large-valid", "integer-unchecked": "non-integer",
    "items-unchecked": r"item-type-.*", "minimum-ignored": r"(far-)?below-min.*", "maximum-ignored": r"(far-)?above-max.*",
    "minimum-exclusive": "at-min", "maximum-exclusive": "at-max",
    "minimum-overflow": r"far-below-min.*", "maximum-overflow": r"far-above-max.*",  # where a wrapped parse lands inside
    "enum-open": r"enum-(unknown|other-case|padded|foreign-.*)", "enum-case-insensitive": "enum-other-case",
    "enum-stripped": "enum-padded", "enum-superset": r"enum-foreign-.*",
    "min-items-ignored": "below-min-items", "max-items-ignored": "above-max-items", "max-items-exclusive": "at-max-items",
    "must-exist-ignored": "unknown-id", "not-required": "missing|null-rejected", "null-accepted": "null-rejected",
    "null-rejected": "null-accepted", "requires-ignored": "without-companion", "values-unchecked": r"value-(below-min|above-max)",
}


def flipped_by_design(fault, case) -> bool:
    variant = case.id.rsplit("/", 1)[1]
    if fault.kind == "enum-value-rejected":
        return variant == f"enum-{fault.arg}"
    if fault.kind == "minimum-overflow" and variant == "below-min":  # just below a minimum of 0 is -1: far already
        return case.request.body[case.parameter] == -1
    return re.fullmatch(FLIPS[fault.kind], variant) is not None


@pytest.mark.parametrize("profile_name", PROFILES)
def test_each_facet_fault_flips_exactly_the_cases_named_for_it(profile_name):
    profile, cases = judged(profile_name)
    assert set(FLIPS) | {"enum-value-rejected"} == set(param_facets.kinds())
    wrong = []
    for fault in (f for f in faults_for(profile) if f.kind in param_facets.kinds()):
        for case in (c for c in cases if c.rule.id == fault.rule):
            if (not holds(case.check, status(profile, case.request, fault))) != flipped_by_design(fault, case):
                wrong.append((fault.name, case.id))
    assert not wrong


@pytest.mark.parametrize("profile_name", PROFILES)
def test_the_faithful_gateway_s_refusals_name_the_parameter_and_the_error(profile_name):
    profile, cases = judged(profile_name)
    # a facet's case is filed under its parameter (not an unknown-field case, which names the field sent)
    # (PROFILE/SURFACE/CATEGORY/PARAMETER/VARIANT)
    filed = [c for c in cases if c.check == "rejected" and c.parameter and c.id.split("/")[3] == c.parameter]
    assert len(filed) > 50 and any(c.id.endswith("/unknown-id") for c in filed), profile_name
    for case in filed:
        with pytest.raises(RequestError) as refused:
            validate_request(profile, case.request.body, models=(MODEL,))
        error = refused.value
        assert (error.param, error.error_type, str(error)) == (case.parameter, "invalid_request_error", error.message), case.id
        assert error.message.startswith(f"{case.parameter}: "), case.id
        unknown_model = case.id.endswith("/unknown-id")
        assert (error.status, error.kind, error.code) == ((404, "unknown_model", "model_not_found") if unknown_model
                                                          else (400, "validation", None)), case.id
