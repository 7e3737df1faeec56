"""validation: documented example values, unknown fields per the documented policy, malformed and
non-ASCII bodies. Each parameter facet (required, type, nullability, ranges...) generates its own
cases (conformance/param_facets/)."""

from __future__ import annotations

from ..case import Case
from ..param_facets import ACCEPTED, REJECTED
from ..spec import Param
from .builder import UNKNOWN_FIELD, Builder

NON_ASCII_PROMPT = "Скажи привет. 你好。 👋 𝄞"


def _example_cases(b: Builder, param: Param) -> list[Case]:
    cases = []
    for example in param.accepts:
        body = b.param_body(param, example.value, **example.with_)
        cases.append(b.case("validation", param.name, f"accepts-{example.name}", example.rule,
                            title=f"documented {param.name} value '{example.name}' is accepted", expected=ACCEPTED,
                            request=b.post(body), check="accepted", parameter=param.name))
    for example in param.rejects:
        body = b.param_body(param, example.value, **example.with_)
        cases.append(b.case("validation", param.name, f"rejects-{example.name}", example.rule,
                            title=f"invalid {param.name} value '{example.name}' is rejected", expected=REJECTED,
                            request=b.post(body), check="rejected", parameter=param.name))
    return cases


def _unknown_field_cases(b: Builder) -> list[Case]:
    policy = b.profile.unknown_policy
    probe = b.post(b.body(**{UNKNOWN_FIELD: True}))
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
                                expected=REJECTED, request=b.post(b.body(**{variant: value})), check="rejected",
                                parameter=name))
        for name in b.profile.unknown_params:
            reference = b.baseline_param(name)
            value = b.sample(reference) if reference else True
            # sent with the companions OpenAI requires of it (stream_options with stream: true, top_logprobs with
            # logprobs: true...), and a token cap without this profile's own: a gateway that enforces the companion
            # rule must not pass by refusing it for that reason (an unknown companion is its own case's finding)
            body = b.body(cap=None if name in b.baseline_caps() else 2, **{name: value})
            for companion, companion_value in (reference.companions.items() if reference else ()):
                body.setdefault(companion, companion_value)
            cases.append(b.case("validation", "unknown-field", name, policy,
                                title=f"{name}, which this document does not list, is rejected as an unknown field",
                                expected=REJECTED, request=b.post(body), check="rejected", parameter=name))
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
        cases += _example_cases(b, param)
    cases += _unknown_field_cases(b)
    body_rule = b.profile.body_rule
    cases.append(b.case("validation", "body", "malformed-json", body_rule, title="a body that is not valid JSON is rejected",
                        expected=REJECTED, request=b.malformed(),
                        check="rejected"))
    cases.append(b.case("validation", "body", "not-an-object", body_rule, title="a JSON array as the body is rejected",
                        expected=REJECTED, request=b.post([b.body()]), check="rejected"))
    cases.append(b.case("validation", "body", "non-ascii-content", body_rule,
                        title="a message in Cyrillic, CJK, emoji and a character outside the BMP is never a 5xx",
                        expected="a 2xx or 4xx answer, never 5xx", request=b.post(b.body(prompt=NON_ASCII_PROMPT)),
                        check="not_server_error", parameter=b.surface.prompt_param,
                        convention="JSON is UTF-8: text outside ASCII, and outside the BMP, is ordinary content, "
                                   "so it is never a server error."))
    return cases
