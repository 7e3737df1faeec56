"""validation: required fields, JSON types, integer-ness, nullability, documented values,
unknown fields per the documented policy, malformed bodies and unknown models."""

from __future__ import annotations

from typing import Any

from ..case import Case
from ..spec import Param
from .builder import UNKNOWN_FIELD, UNKNOWN_MODEL, Builder

REJECTED = "a 4xx answer"
NON_ASCII_PROMPT = "Скажи привет. 你好。 👋 𝄞"
ACCEPTED = "a 2xx completion"
JSON_TYPES = ("string", "number", "boolean", "array", "object")
STRING_FORM = "<rc-stop>"  # a string the answer to a short prompt never holds


def _probe(json_type: str, param: Param, b: Builder) -> Any:
    """A value of `json_type` that a client might plausibly send by mistake."""
    if json_type == "object" and (param.get("items") or {}).get("type") == "object":
        # one item where a list of them is due: messages as one message, tools as one tool
        documented = [e.value for e in param.accepts if not e.with_]
        for listed in [b.body().get(param.name)] + documented:
            if isinstance(listed, list) and listed and isinstance(listed[0], dict):
                return listed[0]
    if json_type == "string":
        sample = b.sample(param)
        if isinstance(sample, bool):
            return "true"
        return str(sample) if isinstance(sample, (int, float)) else "routecheck"
    return {"number": 1, "boolean": True, "array": ["routecheck"], "object": {"routecheck": 1}}[json_type]


def _type_cases(b: Builder, param: Param) -> list[Case]:
    cases = []
    type_rule = param.facets.get("type")
    if type_rule is not None:
        allowed = param.types
        for json_type in JSON_TYPES:
            if json_type in allowed:
                continue
            value = _probe(json_type, param, b)
            cases.append(b.case(
                "validation", param.name, f"type-{json_type}", type_rule,
                title=f"{param.name} as {'an' if json_type[0] in 'aeiou' else 'a'} {json_type} ({value!r}) is rejected; documented type: {' or '.join(allowed)}",
                expected=REJECTED, request=b.chat(b.param_body(param, value)), check="rejected", parameter=param.name))
    if type_rule is not None and {"string", "array"} <= set(param.types) and _string_items(param):
        # "string or list of strings": the plain string is as documented as the list
        cases.append(b.case(
            "validation", param.name, "string-form", type_rule,
            title=f"{param.name} as a plain string ({STRING_FORM!r}) is accepted; documented type: {' or '.join(param.types)}",
            expected=ACCEPTED, request=b.chat(b.param_body(param, STRING_FORM)), check="accepted", parameter=param.name))
    integer_rule = param.facets.get("integer")
    if integer_rule is not None:
        cases.append(b.case(
            "validation", param.name, "non-integer", integer_rule, title=f"{param.name} 1.5 (not an integer) is rejected",
            expected=REJECTED, request=b.chat(b.param_body(param, 1.5)), check="rejected", parameter=param.name))
    return cases


def _string_items(param: Param) -> bool:
    items = (param.get("items") or {}).get("type")
    return items in (None, "string", ["string"])


def _null_cases(b: Builder, param: Param) -> list[Case]:
    nullable = param.facets.get("nullable")
    if nullable is not None and nullable.value:
        return [b.case("validation", param.name, "null-accepted", nullable, title=f"{param.name}: null is accepted",
                       expected=ACCEPTED, request=b.chat(b.param_body(param, None)), check="accepted", parameter=param.name)]
    rule = nullable if nullable is not None else param.facets.get("required") if param.get("required") else None
    if rule is None:
        return []  # nullability undocumented: no verdict either way
    return [b.case("validation", param.name, "null-rejected", rule, title=f"{param.name}: null is rejected",
                   expected=REJECTED, request=b.chat(b.param_body(param, None)), check="rejected", parameter=param.name)]


def _example_cases(b: Builder, param: Param) -> list[Case]:
    cases = []
    for example in param.accepts:
        body = b.param_body(param, example.value, **example.with_)
        cases.append(b.case("validation", param.name, f"accepts-{example.name}", example.rule,
                            title=f"documented {param.name} value '{example.name}' is accepted", expected=ACCEPTED,
                            request=b.chat(body), check="accepted", parameter=param.name))
    for example in param.rejects:
        body = b.param_body(param, example.value, **example.with_)
        cases.append(b.case("validation", param.name, f"rejects-{example.name}", example.rule,
                            title=f"invalid {param.name} value '{example.name}' is rejected", expected=REJECTED,
                            request=b.chat(body), check="rejected", parameter=param.name))
    return cases


def _param_cases(b: Builder, param: Param) -> list[Case]:
    cases = []
    required = param.facets.get("required")
    if required is not None and required.value:
        body = b.body()
        body.pop(param.name, None)
        cases.append(b.case("validation", param.name, "missing", required, title=f"a request without {param.name} is rejected",
                            expected=REJECTED, request=b.chat(body), check="rejected", parameter=param.name))
    requires = param.facets.get("requires")
    if requires is not None:
        body = b.param_body(param, b.sample(param))
        for companion in param.companions:
            body.pop(companion, None)
        names = ", ".join(f"{k}={v!r}" for k, v in param.companions.items())
        cases.append(b.case("validation", param.name, "without-companion", requires,
                            title=f"{param.name} without {names} is rejected", expected=REJECTED,
                            request=b.chat(body), check="rejected", parameter=param.name))
    must_exist = param.facets.get("must_exist")
    if must_exist is not None:
        cases.append(b.case("validation", param.name, "unknown-id", must_exist,
                            title=f"an unknown {param.name} id ({UNKNOWN_MODEL}) is rejected", expected=REJECTED,
                            request=b.chat(b.param_body(param, UNKNOWN_MODEL)), check="rejected", parameter=param.name))
    return cases + _type_cases(b, param) + _null_cases(b, param) + _example_cases(b, param)


def _unknown_field_cases(b: Builder) -> list[Case]:
    policy = b.profile.unknown_policy
    probe = b.chat(b.body(**{UNKNOWN_FIELD: True}))
    if policy.value == "reject":
        cases = [b.case("validation", "unknown-field", UNKNOWN_FIELD, policy,
                        title=f"an unknown top-level field ({UNKNOWN_FIELD}) is rejected", expected=REJECTED,
                        request=probe, check="rejected")]
        # a documented name in another letter case is not that field: an unknown one
        for name, value in (("temperature", 1), ("max_tokens", 2)):
            param = b.profile.params.get(name)
            if param is None:
                continue
            variant = name.capitalize() if name == "temperature" else name.upper()
            cases.append(b.case("validation", "unknown-field", f"case-variant-{variant}", policy,
                                title=f"{variant}, {name} in another letter case, is rejected as an unknown field",
                                expected=REJECTED, request=b.chat(b.body(**{variant: value})), check="rejected",
                                parameter=name))
        for name in b.profile.unknown_params:
            reference = b.baseline_param(name)
            value = b.sample(reference) if reference else True
            cases.append(b.case("validation", "unknown-field", name, policy,
                                title=f"{name}, which this document does not list, is rejected as an unknown field",
                                expected=REJECTED, request=b.chat(b.body(**{name: value})), check="rejected",
                                parameter=name))
        return cases
    if policy.value == "forward":
        return [b.case("validation", "unknown-field", "forwarded", policy,
                       title=f"an unknown top-level field ({UNKNOWN_FIELD}) is passed on, not rejected",
                       expected=ACCEPTED, request=probe, check="accepted")]
    return [b.case("validation", "unknown-field", "no-server-error", policy,
                   title=f"an unknown top-level field ({UNKNOWN_FIELD}) is not answered with a 5xx",
                   expected="a 2xx or 4xx answer, never 5xx", request=probe, check="not_server_error")]


def generate(b: Builder) -> list[Case]:
    cases: list[Case] = []
    for param in b.profile.params.values():
        cases += _param_cases(b, param)
    cases += _unknown_field_cases(b)
    body_rule = b.profile.body_rule
    cases.append(b.case("validation", "body", "malformed-json", body_rule, title="a body that is not valid JSON is rejected",
                        expected=REJECTED, request=b.malformed(),
                        check="rejected"))
    cases.append(b.case("validation", "body", "not-an-object", body_rule, title="a JSON array as the body is rejected",
                        expected=REJECTED, request=b.chat([b.body()]), check="rejected"))
    # JSON is UTF-8: text outside ASCII, and outside the BMP, is ordinary content (no document says so: SHOULD)
    cases.append(b.case("validation", "body", "non-ascii-content", body_rule,
                        title="a message in Cyrillic, CJK, emoji and a character outside the BMP is never a 5xx",
                        expected="a 2xx or 4xx answer, never 5xx", request=b.chat(b.body(prompt=NON_ASCII_PROMPT)),
                        check="not_server_error", parameter="messages", weaker=True))
    return cases
