"""Detection power: every fault of the reference gateway is caught, the faithful gateway is clean,
every spec rule has a fault and every fault a case, and what else each fault breaks is declared."""

from __future__ import annotations

import pytest

from conformance.cases import generate_cases
from conformance.gateway import faults_for
from conformance.gateway.collateral import COLLATERAL
from conformance.killmatrix import run_matrix
from conformance.spec import load_profile, profile_names

MODEL = "routecheck-echo-1"


@pytest.fixture(scope="module")
def matrix(gateway):
    # every case under every fault (not only the broken rule's): the collateral checks below need it
    return run_matrix([load_profile(n) for n in profile_names()], root=gateway.root, key=gateway.key, model=MODEL,
                      full=True)


def test_the_faithful_gateway_gives_no_failure_and_no_warning(matrix):
    faithful = [p for p in matrix.pairs if p.fault is None]
    assert len(faithful) == len(profile_names())
    alarms = {p.profile: [r.message for r in p.findings()][:3] for p in matrix.false_alarms()}
    assert alarms == {}


def test_every_fault_is_caught_at_its_level(matrix):
    survivors = [f"{p.profile}:{p.name} ({p.fault.level} {p.fault.rule})" for p in matrix.survivors()]
    assert survivors == []
    assert len(matrix.fault_pairs) >= 150 and matrix.kill_rate == 1.0


@pytest.mark.parametrize("name", profile_names())
def test_every_rule_has_a_fault_and_every_fault_a_case(name):
    profile = load_profile(name)
    faults = faults_for(profile)
    assert len({f.name for f in faults}) == len(faults)
    broken = {f.rule for f in faults}
    unbroken = sorted(r.id for r in profile.rules() if r.id not in broken)
    assert unbroken == []
    checked = {c.rule.id for c in generate_cases(profile, MODEL)}
    unchecked = sorted(f"{f.name} -> {f.rule}" for f in faults if f.rule not in checked)
    assert unchecked == []


def test_no_fault_breaks_a_rule_it_does_not_declare(matrix):
    undeclared = {f"{p.profile}:{p.name}": p.undeclared() for p in matrix.fault_pairs if p.undeclared()}
    assert undeclared == {}


def test_every_declared_collateral_is_seen_on_some_profile(matrix):
    """A declaration nothing shows any more is stale: it would hide the next real collateral."""
    from fnmatch import fnmatchcase

    unseen = [f"{fault}: {rule}" for fault, rules, _ in COLLATERAL for rule in rules
              if not any(fnmatchcase(p.name, fault) and any(fnmatchcase(r, rule) for r in p.collateral)
                         for p in matrix.fault_pairs)]
    assert unseen == []
