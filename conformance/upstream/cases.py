"""The forwarding cases of one profile (category `forwarding`), made only with --upstream: each judges what the
recording upstream received against what the client sent, and cites the profile's own rule.

- `PARAM/valid-value`: a valid value of a documented parameter arrives unchanged (its type rule);
- `PARAM/forwarded-as-unknown`: where the document forwards unknown fields, a parameter it does not list arrives
  as sent, and so does `unknown-field/forwarded` (the unknown-field rule, at MUST: its SHOULD only said a 4xx may
  be the upstream's, which the upstream's record now tells apart);
- `PARAM/not-added`: a documented parameter the client did not send is not added (the base request);
- `credential/SCHEME`: the client's credential, in each documented header, reaches the upstream as its auth;
- `SUBJECT/VARIANT-not-forwarded` (SHOULD) and `SUBJECT/VARIANT-not-rewritten` (MUST), for each request a MUST
  rule says is refused: refused by the gateway itself, and never forwarded with the offending values rewritten;
- `upstream-FAULT/relayed`: a fault the upstream serves on purpose reaches the client as it should (fault_cases.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..case import Case
from ..cases.builder import UNKNOWN_FIELD, Builder
from ..param_facets import REJECTED
from ..profile import MUST, Param, Profile, Rule
from . import checks  # noqa: F401 - registers the forwarding checks by name
from .checks import same
from .fault_cases import fault_cases

CATEGORY = "forwarding"
TOKEN_CAP_VALUE = 1000  # far above the base requests' 2: a gateway that caps or defaults token caps shows it
ARRIVES = "the upstream receives it as sent"
SKIPPED_KEYS = ("model",)  # gateways map model names to the upstream's: not a rewrite of the client's request
REFUSED_CATEGORIES = ("validation", "ranges")
UPSTREAM_SURFACE = "chat_completions"
# what no document says in words: a warning, never a failure (a gateway may add a harmless default, stream: false)
NOT_ADDED = ("No document says a gateway adds no parameter of its own; one that adds a sampling parameter "
             "changes the answer the client asked for.")


def valid_value(b: Builder, param: Param) -> Any:
    """A value the document accepts, away from the usual defaults, so a default put in its place shows."""
    if param.name == "stream_options":
        return {"include_usage": True}
    if param.name in b.profile.token_caps:
        high = param.get("maximum")
        return min(TOKEN_CAP_VALUE, high) if high is not None else TOKEN_CAP_VALUE
    if not param.accepts and "boolean" in param.types:
        return True
    low, high = param.get("minimum"), param.get("maximum")
    if not param.accepts and "number" in param.types and not param.get("integer") and low is not None and high is not None:
        return round(low + (high - low) * 0.3, 2)
    return b.sample(param)


def _rule(param: Param) -> Rule | None:
    return param.facets.get("type") or next(iter(param.facets.values()), None)


def _body(b: Builder, param: Param, value: Any) -> dict:
    if param.name in b.profile.token_caps:  # the only cap: nothing else bounds it, nothing renames it into another
        body = b.body(cap=None, **{param.name: value})
        for name, companion in param.companions.items():
            body.setdefault(name, companion)
        return body
    return b.param_body(param, value)


def _param_cases(b: Builder, forward: Rule | None) -> list[Case]:
    cases = []
    base = b.post()
    for param in b.profile.params.values():
        rule = _rule(param)
        if param.name in SKIPPED_KEYS or rule is None or (not param.documented and forward is None):
            continue
        if param.name == "messages":
            cases.append(b.case(CATEGORY, "messages", "valid-value", rule, request=base, check="forwarded_as_sent",
                                args={"keys": ["messages"]}, parameter="messages", expected=ARRIVES,
                                title="the messages arrive unchanged (the marker aside)"))
            continue
        value = valid_value(b, param)
        if param.documented:
            cases.append(b.case(CATEGORY, param.name, "valid-value", rule, request=b.post(_body(b, param, value)),
                                check="forwarded_as_sent", args={"keys": [param.name]}, parameter=param.name,
                                expected=ARRIVES, title=f"{param.name} {_shown(value)} arrives unchanged: not dropped, "
                                "renamed, clamped or defaulted"))
        else:
            cases.append(b.case(CATEGORY, param.name, "forwarded-as-unknown", forward,
                                request=b.post(_body(b, param, value)), check="forwarded_as_sent",
                                args={"keys": [param.name]}, parameter=param.name, expected=ARRIVES,
                                title=f"{param.name} {_shown(value)}, which this document does not list, is forwarded "
                                "as sent"))
        if param.documented and param.name not in base.body:
            cases.append(b.case(CATEGORY, param.name, "not-added", rule, request=base, check="not_added",
                                args={"key": param.name}, parameter=param.name,
                                expected="the upstream receives no parameter the client did not send",
                                title=f"{param.name}, not sent by the client, is not added on the way",
                                convention=NOT_ADDED))
    return cases


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else "(an object)" if isinstance(value, dict) else "(a list)"
    return text[:40]


def _auth_cases(b: Builder) -> list[Case]:
    return [b.case(CATEGORY, "credential", scheme.name, scheme.rule, request=b.post(headers=b.auth(i)),
                   check="upstream_credential", expected="the upstream receives its own credential, never an empty one",
                   title=f"the key sent in {scheme.header} reaches the upstream as its credential "
                   "(not empty, not `undefined`)")
            for i, scheme in enumerate(b.profile.auth)]


def _unknown_field_cases(b: Builder, forward: Rule | None) -> list[Case]:
    if forward is None:
        return []
    return [b.case(CATEGORY, "unknown-field", "forwarded", forward, request=b.post(b.body(**{UNKNOWN_FIELD: True})),
                   check="forwarded_as_sent", args={"keys": [UNKNOWN_FIELD]}, expected=ARRIVES,
                   title=f"an unknown top-level field ({UNKNOWN_FIELD}) reaches the upstream as sent")]


def _refused_cases(b: Builder, client_cases: list[Case]) -> list[Case]:
    """For each request a MUST rule says is refused: refused here (SHOULD: a faithful upstream refuses it too), and
    never forwarded rewritten (MUST: the upstream's refusal would then hide the rewrite)."""
    base = b.body()
    cases = []
    for case in client_cases:
        body = case.request.body
        if case.check != "rejected" or case.category not in REFUSED_CATEGORIES or not case.is_must \
                or not isinstance(body, dict) or case.request.path != b.profile.request_path:
            continue
        keys = [k for k in body if k not in SKIPPED_KEYS and (k not in base or not same(body[k], base[k]))]
        _, _, _, subject, variant = case.id.split("/", 4)
        common = dict(request=case.request, parameter=case.parameter, features=case.features)
        cases.append(b.case(CATEGORY, subject, f"{variant}-not-forwarded", case.rule, check="refused_here",
                            weaker=True, expected=f"{REJECTED} from the gateway itself; the upstream receives nothing",
                            title=f"{case.title}, by the gateway: it never reaches the upstream", **common))
        if keys:
            cases.append(b.case(CATEGORY, subject, f"{variant}-not-rewritten", case.rule, check="refused_not_rewritten",
                                args={"keys": keys}, expected=f"nothing forwarded, or {', '.join(keys)} as sent",
                                title=f"{case.title}: if forwarded, then as sent, never rewritten", **common))
    return cases


def forwarding_cases(profile: Profile, client_cases: list[Case], model: str, cap_param: str = "max_tokens",
                     extra_headers: tuple = ()) -> list[Case]:
    if profile.surface != UPSTREAM_SURFACE:  # the recording upstream speaks chat completions: a translation is no rewrite
        return []
    b = Builder(profile, model, cap_param, extra_headers)
    policy = profile.unknown_policy
    forward = replace(policy, level=MUST) if policy.value == "forward" else None
    return [*_param_cases(b, forward), *_unknown_field_cases(b, forward), *_auth_cases(b),
            *_refused_cases(b, client_cases), *fault_cases(b)]
