"""The parameter facets' two halves against each other, in process: every validation and range case the
six profiles generate gets, from the reference gateway's request validation, the answer its check
expects; and every facet fault flips the verdict of some case of the rule it breaks. (The kill matrix
shows the same over HTTP for whole runs; this is its fast, exact half for the facets.)"""

from __future__ import annotations

import pytest

from conformance import param_facets
from conformance.cases import generate_cases
from conformance.gateway.faults import faults_for
from conformance.gateway.validate import RequestError, validate_request
from conformance.request import NO_BODY
from conformance.spec import load_profile, profile_names

MODEL = "m-1"
CHECKS = ("accepted", "accepted_unless_unsupported", "rejected", "not_server_error")
# the gateway's halves are run in process with chat's wire format; the anthropic profile's facets and fields are
# judged over HTTP by the kill matrix (tests/test_kill_matrix.py)
CHAT_PROFILES = [n for n in profile_names() if load_profile(n).surface == "chat_completions"]


def status(profile, request, fault=None) -> int:
    try:
        validate_request(profile, request.body, models=(MODEL,), fault=fault)
    except RequestError as exc:
        return exc.status
    return 200


def holds(check: str, code: int) -> bool:
    return {"accepted": 200 <= code < 300, "accepted_unless_unsupported": 200 <= code < 300, "rejected": 400 <= code < 500, "not_server_error": code < 500}[check]


def judged(profile_name: str) -> tuple:
    profile = load_profile(profile_name)
    cases = [c for c in generate_cases(profile, MODEL) if c.category in ("validation", "ranges") and c.check in CHECKS
             and c.request.raw is None
             and c.request.body is not NO_BODY and isinstance(c.request.body, dict)
             and c.request.path.endswith("/chat/completions")]
    return profile, cases


@pytest.mark.parametrize("profile_name", CHAT_PROFILES)
def test_the_faithful_gateway_answers_every_validation_case_as_its_check_expects(profile_name):
    profile, cases = judged(profile_name)
    assert len(cases) > 50
    wrong = [(c.id, status(profile, c.request)) for c in cases if not holds(c.check, status(profile, c.request))]
    assert not wrong


@pytest.mark.parametrize("profile_name", CHAT_PROFILES)
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
