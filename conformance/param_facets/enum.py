"""enum: the parameter takes one of the documented values, and nothing near them.

Bugs live at near misses: a case-insensitive compare, a strip(), one value list shared by every
provider. So besides every documented value (accepted) and an unknown one (rejected), a documented
value in another letter case or with surrounding spaces, and another document's value for the same
parameter, must be rejected too.
"""

from __future__ import annotations

from . import ACCEPTED, REJECTED, ParamFacet, fault
from ..jsontypes import same  # strict JSON types: a bool is not a number; 1 == 1.0
from ..features import PARTIAL
UNKNOWN = "routecheck-unknown"


def _partial(rule) -> bool:
    """A model-bound control (reasoning): a model takes some of its documented values, not all."""
    return rule.feature in PARTIAL


def _forwarded(profile) -> bool:
    """The gateway passes what it does not know on to the provider, which judges other documents' values."""
    return profile.unknown_policy.value == "forward"


def cases(b, param, rule) -> list:
    from ..spec import foreign_enum_values  # other documents' values: read once specs are loaded (tests/test_imports.py)

    partial = _partial(rule)
    values = [v for v in rule.value if v is not None]
    out = []
    if partial and len(values) > 1:
        out.append(b.case("ranges", param.name, "enum-one-accepted", rule,
                          title=f"at least one documented {param.name} value is accepted",
                          expected=f"{ACCEPTED} for one of: {', '.join(map(str, values))}",
                          request=b.post(b.param_body(param, values[0])), check="one_value_accepted",
                          parameter=param.name))
    out += [b.case("ranges", param.name, f"enum-{value}", rule, title=f"{param.name} '{value}' (a documented value) is accepted",
                   expected=ACCEPTED + (" (a refusal as unsupported by the model is inconclusive)" if partial else ""),
                   request=b.post(b.param_body(param, value)),
                   check="accepted_unless_unsupported" if partial else "accepted", parameter=param.name,
                   weaker=partial and len(values) > 1)
            for value in values]
    out.append(b.case("ranges", param.name, "enum-unknown", rule,
                      title=f"{param.name} '{UNKNOWN}' (not a documented value) is rejected",
                      expected=REJECTED, request=b.post(b.param_body(param, UNKNOWN)), check="rejected",
                      parameter=param.name))
    documented = [v for v in rule.value if isinstance(v, str)]
    near = [("enum-other-case", documented[-1].swapcase(), "in another letter case"),
            ("enum-padded", f" {documented[-1]} ", "with surrounding spaces")] if documented else []
    near += [(f"enum-foreign-{v}", v, "another document's value, not this one's")
             for v in foreign_enum_values(b.profile, param.name)[:2]]
    for variant, value, how in near:
        # where the gateway forwards to the provider, the provider may take another document's value
        out.append(b.case("ranges", param.name, variant, rule,
                          title=f"{param.name} {value!r} ({how}) is rejected", expected=REJECTED,
                          request=b.post(b.param_body(param, value)), check="rejected", parameter=param.name,
                          weaker=variant.startswith("enum-foreign-") and _forwarded(b.profile)))
    return out


def validate(param, value, fault_of) -> str | None:
    enum = param.get("enum")
    listed = any(same(value, e) for e in enum) or _near_miss_let_through(value, enum, fault_of)
    rejected = fault_of("enum-value-rejected")
    if (not listed and not fault_of("enum-open")) or (rejected and same(value, rejected.arg)):
        return f"must be one of {', '.join(map(str, enum))}"
    return None


def _near_miss_let_through(value, enum: list, fault_of) -> bool:
    """Under a near-miss fault, a near miss of a listed value passes as if listed."""
    if not isinstance(value, str):
        return False
    texts = [e for e in enum if isinstance(e, str)]
    shared = fault_of("enum-superset")
    return ((bool(fault_of("enum-case-insensitive")) and value.lower() in (e.lower() for e in texts))
            or (bool(fault_of("enum-stripped")) and value.strip() in texts)
            or (shared is not None and value in shared.arg))


def faults(profile, param, value) -> list:
    from ..spec import foreign_enum_values  # other documents' values: read once specs are loaded (tests/test_imports.py)

    name = param.name
    partial = _partial(param.facets["enum"]) and len([v for v in value if v is not None]) > 1
    out = [fault(param, "enum-open", "enum-open", f"any value of {name} is accepted"),
           fault(param, "enum-value-rejected", "enum-value-rejected", f"the listed value {value[-1]!r} of {name} is rejected",
                 value[-1], level="SHOULD" if partial else None)]
    if any(isinstance(v, str) for v in value):
        out += [fault(param, "enum-case-insensitive", "enum-case-insensitive", f"{name} is compared ignoring letter case"),
                fault(param, "enum-stripped", "enum-stripped", f"{name} is compared after stripping spaces")]
    foreign = foreign_enum_values(profile, name)
    if foreign:
        out.append(fault(param, "enum-shared-list", "enum-superset",
                         f"{name} takes every value any provider lists ({', '.join(foreign)} too)", tuple(foreign),
                         level="SHOULD" if _forwarded(profile) else None))
    return out


FACET = ParamFacet(
    name="enum", spec={"type": "array", "minItems": 1},
    text=lambda value: "one of: " + ", ".join(map(str, value)) if value else "enum: values left empty",
    cases=cases, validate=validate, faults=faults,
    kinds=("enum-open", "enum-value-rejected", "enum-case-insensitive", "enum-stripped", "enum-superset"),
)
