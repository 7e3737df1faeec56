"""enum: the parameter takes one of the documented values, and nothing near them.

Bugs live at near misses: a case-insensitive compare, a strip(), one value list shared by every
provider. So besides every documented value (accepted) and an unknown one (rejected), a documented
value in another letter case or with surrounding spaces, and another document's value for the same
parameter, must be rejected too.
"""

from __future__ import annotations

from . import ACCEPTED, REJECTED, ParamFacet, fault
UNKNOWN = "routecheck-unknown"


def cases(b, param, rule) -> list:
    from ..spec import foreign_enum_values

    out = [b.case("ranges", param.name, f"enum-{value}", rule, title=f"{param.name} '{value}' (a documented value) is accepted",
                  expected=ACCEPTED, request=b.chat(b.param_body(param, value)), check="accepted", parameter=param.name)
           for value in rule.value if value is not None]
    out.append(b.case("ranges", param.name, "enum-unknown", rule,
                      title=f"{param.name} '{UNKNOWN}' (not a documented value) is rejected",
                      expected=REJECTED, request=b.chat(b.param_body(param, UNKNOWN)), check="rejected",
                      parameter=param.name))
    documented = [v for v in rule.value if isinstance(v, str)]
    near = [("enum-other-case", documented[-1].swapcase(), "in another letter case"),
            ("enum-padded", f" {documented[-1]} ", "with surrounding spaces")] if documented else []
    near += [(f"enum-foreign-{v}", v, "another document's value, not this one's")
             for v in foreign_enum_values(b.profile, param.name)[:2]]
    for variant, value, how in near:
        out.append(b.case("ranges", param.name, variant, rule,
                          title=f"{param.name} {value!r} ({how}) is rejected", expected=REJECTED,
                          request=b.chat(b.param_body(param, value)), check="rejected", parameter=param.name))
    return out


def validate(param, value, fault_of) -> str | None:
    from ..gateway.jsontypes import same  # the gateway's JSON equality (1 == 1.0, True != 1)

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
    from ..spec import foreign_enum_values

    name = param.name
    out = [fault(param, "enum-open", "enum-open", f"any value of {name} is accepted"),
           fault(param, "enum-value-rejected", "enum-value-rejected", f"the listed value {value[-1]!r} of {name} is rejected", value[-1])]
    if any(isinstance(v, str) for v in value):
        out += [fault(param, "enum-case-insensitive", "enum-case-insensitive", f"{name} is compared ignoring letter case"),
                fault(param, "enum-stripped", "enum-stripped", f"{name} is compared after stripping spaces")]
    foreign = foreign_enum_values(profile, name)
    if foreign:
        out.append(fault(param, "enum-shared-list", "enum-superset",
                         f"{name} takes every value any provider lists ({', '.join(foreign)} too)", tuple(foreign)))
    return out


FACET = ParamFacet(
    name="enum", spec={"type": "array", "minItems": 1},
    text=lambda value: "one of: " + ", ".join(map(str, value)) if value else "enum: values left empty",
    cases=cases, validate=validate, faults=faults,
    kinds=("enum-open", "enum-value-rejected", "enum-case-insensitive", "enum-stripped", "enum-superset"),
)
