"""Builder.sample: the value the forwarding cases send for a parameter, one the documents accept.

Only the upstream cases call it, so the pinned case digests never reach it; each branch is held here.
"""

from __future__ import annotations

import pytest

from conformance.cases.builder import Builder
from conformance.profile import MUST, Example, Param, Rule, Source

SOURCE = Source("test document", "a sentence")


def param(accepts: tuple = (), **facets) -> Param:
    rules = {name: Rule(f"request.p.{name}", MUST, SOURCE, value) for name, value in facets.items()}
    examples = [Example(name, value, Rule("request.p.accepts", MUST, SOURCE), with_) for name, value, with_ in accepts]
    return Param("p", rules, examples)


@pytest.mark.parametrize("given, expected", [
    (param(accepts=(("documented", "low", {}),), enum=["high", "low"], type=["string"]), "low"),
    (param(enum=["high", "low"], type=["string"]), "high"),
    (param(type=["number"], integer=True, minimum=0, maximum=10), 1),
    (param(type=["number"], integer=True, minimum=5, maximum=10), 5),
    (param(type=["number"], integer=True, minimum=1, maximum=1), 1),
    (param(type=["number"], integer=True, minimum=0, maximum=0), 0),
    (param(type=["number"], integer=True, minimum=-3), 1),
    (param(type=["number"], integer=True, maximum=0), 1),
    (param(type=["number"], integer=True), 1),
    (param(type=["number"], minimum=0, maximum=2), 1.0),
    (param(type=["number"], minimum=-2), -2),
    (param(type=["number"], maximum=7), 0.5),
    (param(type=["number"]), 0.5),
    (param(type=["boolean"]), False),
    (param(type=["array"], items={"type": "string"}), ["<rc-stop>"]),
    (param(type=["array"], items={"type": ["string"]}), ["<rc-stop>"]),
    (param(type=["array"], items={"type": "object"}), []),
    (param(type=["array"]), []),
    (param(type=["object"]), {}),
    (param(type=["string"]), "routecheck"),
])
def test_sample_is_a_documented_value(given, expected):
    value = Builder.sample(given)
    assert value == expected and type(value) is type(expected)


def test_an_example_that_needs_companions_is_not_sent_alone():
    given = param(accepts=(("with-schema", "json_schema", {"schema": {}}),), enum=["text", "json_schema"],
                  type=["string"])
    assert Builder.sample(given) == "text"
