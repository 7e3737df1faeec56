"""The field facets' two halves against each other: every response and chunk field case passes on the
reference gateway's answer to its own request, and each field fault of the gateway (a facet's `breaks`)
fails some case of the rule it breaks. In process, on the answers the gateway would send."""

from __future__ import annotations

import time

import pytest

from conformance.cases import generate_cases
from conformance.checks import evaluate
from conformance.gateway.faults import faults_for
from conformance.gateway.mutate import apply_field_fault
from conformance.gateway.validate import validate_request
from conformance.spec import load_profile, profile_names

from test_behaviour_faults import gateway_answer
from test_checks_table import build_exchange

KINDS = {"response-field": "response_fields", "chunk-field": "stream_fields"}
# the gateway's halves are run in process with chat's wire format; the anthropic profile's facets and fields are
# judged over HTTP by the kill matrix (tests/test_kill_matrix.py)
CHAT_PROFILES = [n for n in profile_names() if load_profile(n).surface == "chat_completions"]


def judged(profile, case, fault=None) -> str | None:
    params = validate_request(profile, case.request.body, models=("m-1",))
    sent = gateway_answer(profile, params, created=int(time.time()))
    if fault is not None:
        for doc in sent if isinstance(sent, list) else [sent]:
            apply_field_fault(doc, fault, fault.kind, getattr(profile, KINDS[fault.kind]))
    return evaluate(build_exchange({"chunks": sent} if isinstance(sent, list) else {"json": sent}, case.request), case)


def field_cases(profile) -> list:
    return [c for c in generate_cases(profile, "m-1") if c.check == "field" and c.request.path.endswith("/chat/completions")]


@pytest.mark.parametrize("name", CHAT_PROFILES)
def test_every_field_case_passes_on_the_reference_answer_and_each_field_fault_fails_one_of_its_rule(name):
    profile = load_profile(name)
    cases = field_cases(profile)
    assert [c.id for c in cases if judged(profile, c) is not None] == []
    faults = [f for f in faults_for(profile) if f.kind in KINDS]
    assert len(faults) > 10
    missed = [f.name for f in faults if all(judged(profile, c, f) is None for c in cases if c.rule.id == f.rule)]
    assert missed == []
