"""type: the parameter's JSON type(s). Every other JSON type is rejected, each as a plausible mistake
(the number as a string, one message where a list is due); a documented "string or list" takes the
plain string; a number may be written as a JSON integer. A numeric token cap with no documented maximum
takes a huge valid value (2^31) without a 5xx, whatever else its document states of it."""

from __future__ import annotations

import math

from . import ABSENT, ACCEPTED, FILL, ParamFacet, REJECTED, RequestError, Use, fault
from ..jsontypes import is_number, json_type  # strict JSON types: a bool is not a number; 1 == 1.0

JSON_TYPES = ("string", "number", "boolean", "array", "object")
STRING_FORM = "<rc-stop>"  # a string the answer to a short prompt never holds
LARGE_VALID = 2 ** 31


def _probe(json_type: str, param, b):
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


def _string_items(param) -> bool:
    return (param.get("items") or {}).get("type") in (None, "string", ["string"])


def cases(b, param, rule) -> list:
    allowed = param.types
    out = []
    for json_type in (t for t in JSON_TYPES if t not in allowed):
        value = _probe(json_type, param, b)
        out.append(b.case(
            "validation", param.name, f"type-{json_type}", rule,
            title=f"{param.name} as {'an' if json_type[0] in 'aeiou' else 'a'} {json_type} ({value!r}) is rejected; documented type: {' or '.join(allowed)}",
            expected=REJECTED, request=b.post(b.param_body(param, value)), check="rejected", parameter=param.name))
    if {"string", "array"} <= set(allowed) and _string_items(param):
        # "string or list of strings": the plain string is as documented as the list
        out.append(b.case(
            "validation", param.name, "string-form", rule,
            title=f"{param.name} as a plain string ({STRING_FORM!r}) is accepted; documented type: {' or '.join(allowed)}",
            expected=ACCEPTED, request=b.post(b.param_body(param, STRING_FORM)), check="accepted", parameter=param.name))
    return out + _json_integer_cases(b, param, rule) + _large_valid_cases(b, param, rule)


def _uncapped_token_cap(profile, param) -> bool:
    return param.name in profile.token_caps and "number" in param.types and param.get("maximum") is None


def _large_valid_cases(b, param, rule) -> list:
    """2^31 is a valid cap where no maximum is documented. It may be refused (a model has a context window),
    never with a 5xx: an int32 parse overflows there."""
    if not _uncapped_token_cap(b.profile, param):
        return []
    return [b.case("ranges", param.name, "large-valid", rule,
                   title=f"{param.name} {LARGE_VALID} (valid: no maximum is documented) is never a 5xx",
                   expected="a 2xx or 4xx answer, never 5xx", request=b.post(b.param_body(param, LARGE_VALID)),
                   check="not_server_error", parameter=param.name,
                   convention=f"A token cap with no documented maximum takes {LARGE_VALID}: it may be refused (a "
                              "model has a context window), but a 5xx is a parser overflow, never an answer.")]


def _json_integer_cases(b, param, rule) -> list:
    if "number" not in param.types or param.get("integer"):
        return []
    lo, hi = param.get("minimum"), param.get("maximum")
    # 1 where the range holds it: 0 is OpenAI's minimum, a value the document may never state
    whole = 1 if (lo is None or lo <= 1) and (hi is None or hi >= 1) else math.ceil(lo)
    if hi is not None and whole > hi:
        return []
    return [b.case("ranges", param.name, "json-integer", rule,
                   title=f"{param.name} as the JSON integer {whole} is accepted (a number may be written without a fraction)",
                   expected=ACCEPTED, request=b.post(b.param_body(param, int(whole))), check="accepted", parameter=param.name)]


def validate(param, value, fault_of):
    if fault_of("large-value-500") and is_number(value) and value >= LARGE_VALID:
        raise RequestError(500, "internal error", kind="server", error_type="server_error")  # an int32 parse
    types = param.types
    wrapped = isinstance(value, dict) and "array" in types and bool(fault_of("object-wrapped"))
    if isinstance(value, str) and fault_of("string-form-rejected"):
        return "must be a list"
    if wrapped:
        return Use([value])  # a lenient gateway: one item where a list is due
    if json_type(value) in types:
        return None
    if fault_of("bool-as-number") and json_type(value) == "boolean":
        return Use(ABSENT)
    if fault_of("type-unchecked"):
        return Use(FILL)  # the wrong value ignored: a default in its place
    return f"must be of type {' or '.join(types)}, not {json_type(value)}"


def faults(profile, param, value) -> list:
    name = param.name
    out = [fault(param, "type-unchecked", "type-unchecked", f"{name} of any JSON type is accepted (a wrong type is ignored)")]
    if "number" in value:
        out.append(fault(param, "bool-as-number", "bool-as-number", f"JSON true/false is accepted as a number for {name}"))
    if "array" in value and (param.get("items") or {}).get("type") == "object":
        out.append(fault(param, "lone-object-wrapped", "object-wrapped",
                         f"one object sent as {name} is taken as a list of that one item"))
    if "array" in value and "string" in value:
        out.append(fault(param, "string-form-rejected", "string-form-rejected",
                         f"{name} as a plain string is rejected (only the list form is taken)"))
    if _uncapped_token_cap(profile, param):
        out.append(fault(param, "large-value-500", "large-value-500",
                         f"{name} 2^31 or more (valid: no maximum) is answered 500 (an int32 overflow)", level="SHOULD"))
    return out


FACET = ParamFacet(
    name="type", spec={"$ref": "#/$defs/types"}, text=lambda value: "type: " + " | ".join(value),
    cases=cases, validate=validate, faults=faults,
    kinds=("type-unchecked", "bool-as-number", "object-wrapped", "string-form-rejected", "large-value-500"),
)
