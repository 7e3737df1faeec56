"""The field facets' two halves against each other: every response and chunk field case passes on the
reference gateway's answer to its own request, and each field fault of the gateway (a facet's `breaks`)
fails some case of the rule it breaks. In process, on the answers the gateway would send."""

from __future__ import annotations

import copy
import time

import pytest

from conformance.cases import generate_cases
from conformance.checks import evaluate
from conformance.gateway.faults import faults_for
from conformance.gateway.mutate import apply_field_fault, break_field
from conformance.gateway.validate import validate_request
from conformance.profile import Field, Rule, Source
from conformance.spec import MUST, load_profile, profile_names

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


def _field(path: str, **facets) -> Field:
    source = Source("table.txt", "a documented sentence")
    return Field(path, {name: Rule(f"table.{name}", MUST, source, value) for name, value in facets.items()})


# what each field fault sends in place of the documented value: a near miss of it, not just anything wrong
@pytest.mark.parametrize("facet, fld, doc, broken", [
    ("const", _field("object", const="chat.completion"), {"object": "chat.completion"}, {"object": "chat.completion.wrong"}),
    ("enum", _field("choices[].finish_reason", enum=["stop"]), {"choices": [{"finish_reason": "stop"}, {"finish_reason": None}]},
     {"choices": [{"finish_reason": "done"}, {"finish_reason": None}]}),  # a null is the nullability's business
    ("items", _field("choices", items={"type": "object"}), {"choices": [{}, {}]}, {"choices": ["routecheck", "routecheck"]}),
    ("items", _field("choices", items={"type": "object"}), {"choices": []}, {"choices": ["routecheck"]}),
    ("items", _field("choices", items={"type": "object"}), {"choices": None}, {"choices": None}),
    ("min_items", _field("choices", min_items=1), {"choices": [{}]}, {"choices": []}),
    ("min_items", _field("choices", min_items=1), {}, {}),
    ("required", _field("id", required=True), {"id": "x", "model": "m"}, {"model": "m"}),
    ("required", _field("id", required=True), {"model": "m"}, {"model": "m"}),
    ("type", _field("created", type="integer"), {"created": 17}, {"created": "17"}),  # the number as a string
    ("type", _field("id", type="string"), {"id": "x"}, {"id": 123}),
    ("type", _field("usage", type="object"), {"usage": {"a": 1}}, {"usage": "routecheck"}),
    ("type", _field("content", type=["string", "null"]), {}, {"content": 123}),  # set even where absent
    ("unix_seconds", _field("created", unix_seconds=True), {"created": 1700000000}, {"created": 1700000000000}),
    ("unix_seconds", _field("created", unix_seconds=True), {"created": "1700000000"}, {"created": "1700000000"}),
])
def test_each_field_fault_sends_a_near_miss_of_the_documented_value(facet, fld, doc, broken):
    doc = copy.deepcopy(doc)  # broken in place: the parametrized one stays as written for the next run
    break_field(doc, fld, facet)
    assert doc == broken


@pytest.mark.parametrize("facet, fld", [("const", _field("object", const="chat.completion")),
                                         ("enum", _field("object", enum=["chat.completion"])),
                                         ("type", _field("object", type="string"))])
def test_a_field_fault_s_override_is_sent_as_it_is(facet, fld):
    doc = {"object": "chat.completion"}
    break_field(doc, fld, facet, override="chat.completion.chunk")
    assert doc == {"object": "chat.completion.chunk"}
