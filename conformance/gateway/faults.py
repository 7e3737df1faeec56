"""Named faults: each one makes the reference gateway break exactly one rule of a profile.

A fault is data. The gateway's modules check it through `hits()` at one place per
concern (auth, validation, model, response fields, stream framing, errors), so the
faithful path is the same code with `fault=None`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import field_facets, param_facets
from ..behaviours import registry
from ..spec import Field, Profile
from ..surfaces import DEFAULT as DEFAULT_SURFACE, registry as surfaces, surface_named
from .collateral import also_breaks

# Fault kinds, grouped by the module that applies them.
AUTH_KINDS = ("header-ignored", "auth-scheme-ignored", "auth-any-key", "auth-no-key", "auth-wrong-scheme", "auth-case-insensitive",
              "auth-truncated-compare", "auth-empty-token")
REQUEST_KINDS = (  # a parameter facet's own kinds are its module's (conformance/param_facets/)
    "example-rejected", "example-accepted", "unknown-fields-inverted", "unknown-fields-case-folded", "non-bmp-500",
    "unknown-field-500", "body-not-object-500",
)
MODEL_KINDS = ("cap-ignored", "cap-ignored-in-streams", "behaviour")  # "behaviour": a fault a behaviour module owns (conformance/behaviours/)
FIELD_KINDS = ("response-field", "chunk-field", "models-field", "usage-sum")
STREAM_KINDS = ("stream-bad-json-line",) + tuple(dict.fromkeys(  # the rest are the surfaces' stream rules'
    f.kind for s in surfaces().values() for r in s.stream_rules for f in r.faults))
ERROR_KINDS = ("validation-status", "error-not-json", "error-echo-key", "auth-status", "auth-wrong-key-status",
               "unknown-model-status", "malformed-own-shape", "error-param-stringified")
MODELS_KINDS = ("models-wrong-shape", "models-missing")
FAULT_KINDS = AUTH_KINDS + REQUEST_KINDS + param_facets.kinds() + MODEL_KINDS + FIELD_KINDS + STREAM_KINDS + ERROR_KINDS + MODELS_KINDS


@dataclass(frozen=True)
class Fault:
    """One deliberate deviation: `rule` is the rule id it breaks, `kind` selects the hook."""

    name: str
    rule: str
    level: str
    description: str
    kind: str
    param: str | None = None  # the parameter, field path or auth scheme the fault is about
    arg: Any = field(default=None, hash=False)  # kind-specific detail (a value, a facet, a status)
    also: tuple[str, ...] = ()  # rule id patterns it may also break (gateway/collateral.py)


def hits(fault: Fault | None, kind: str, param: str | None = None) -> bool:
    """Whether `fault` is of `kind` (and about `param`, when one is given)."""
    if fault is None or fault.kind != kind:
        return False
    return param is None or fault.param == param


# ------------------------------------------------------------------ building

# Response/chunk field faults that have their own, more telling names.
NAMED_RESPONSE_FIELD_FAULTS = {
    ("object", "const"): ("response.object-wrong", "chat.completion.chunk"),
    ("created", "type"): ("response.created-string", None),
    ("created", "unix_seconds"): ("response.created-ms", None),
    ("id", "required"): ("response.no-id", None),
    ("usage", "required"): ("response.no-usage", None),
    ("choices", "required"): ("response.no-choices", None),
    ("choices[].message.role", "required"): ("response.no-role", None),
    ("choices[].finish_reason", "enum"): ("response.finish-reason-unknown", "done"),
}
NAMED_CHUNK_FIELD_FAULTS = {
    ("object", "const"): ("stream.chunk-object", "chat.completion"),
    ("created", "type"): ("stream.created-string", None),
}


class _Builder:
    def __init__(self, profile: Profile):
        self.profile = profile
        self.levels = {r.id: r.level for r in profile.rules()}
        self.faults: dict[str, Fault] = {}

    def add(self, name: str, rule: str, kind: str, description: str, param: str | None = None, arg: Any = None,
            level: str | None = None) -> None:
        """Add a fault when the profile has the rule it breaks (at the rule's level unless the case checks less)."""
        if rule not in self.levels:
            return
        if name in self.faults:
            raise ValueError(f"duplicate fault name {name!r} in profile {self.profile.name}")
        self.faults[name] = Fault(name, rule, level or self.levels[rule], description, kind, param, arg,
                                  also_breaks(name))

    # -- request
    def auth(self) -> None:
        schemes = self.profile.auth
        for scheme in schemes:
            self.add(f"auth.{scheme.name}-ignored", scheme.rule.id, "auth-scheme-ignored",
                     f"the {scheme.header} credential is no longer accepted", param=scheme.name)
        for name, rule in self.profile.headers.items():
            self.add(f"auth.header-{name.lower()}-not-required", rule.id, "header-ignored",
                     f"a request without the {name} header is accepted", param=name)
        first = schemes[0].rule.id
        self.add("auth.any-key", first, "auth-any-key", "any non-empty key is accepted")
        self.add("auth.no-key", first, "auth-no-key", "a request without credentials is accepted")
        self.add("auth.key-case-insensitive", first, "auth-case-insensitive", "the key is compared ignoring letter case")
        self.add("auth.key-truncated-compare", first, "auth-truncated-compare",
                 "only the key's characters but the last are compared (a longer, shorter or last-changed key passes)")
        self.add("auth.empty-token", first, "auth-empty-token", "the scheme word with no key after it is accepted")
        # SHOULD: the documents prescribe Bearer to clients, none says a server refuses other schemes; a key
        # sent bare (x-api-key) has no scheme word to get wrong
        if schemes[0].prefix.strip():
            self.add("auth.wrong-scheme-accepted", first, "auth-wrong-scheme",
                     "the key is accepted after any scheme word (e.g. 'Basic KEY')", level="SHOULD")

    def body(self) -> None:
        self.add("body.not-object-500", self.profile.body_rule.id, "body-not-object-500",
                 "a body that is not a JSON object is answered 500 instead of 400")
        self.add("body.non-bmp-500", self.profile.body_rule.id, "non-bmp-500",
                 "a message holding a character outside the BMP (an emoji) is answered 500", level="SHOULD")
        policy = self.profile.unknown_policy
        if policy.value == "reject":
            self.add("unknown-fields-inverted", policy.id, "unknown-fields-inverted", "unknown top-level fields are accepted")
            self.add("unknown-fields-case-folded", policy.id, "unknown-fields-case-folded",
                     "a documented field name in another letter case is taken as known (and its value ignored)")
        elif policy.value == "forward":
            self.add("unknown-fields-inverted", policy.id, "unknown-fields-inverted", "unknown top-level fields are rejected with 400")
        else:  # undocumented: a 4xx is as good as forwarding; only a 5xx breaks it
            self.add("unknown-field-500", policy.id, "unknown-field-500", "an unknown top-level field is answered 500")

    def params(self) -> None:
        for name, param in self.profile.params.items():
            for facet in param_facets.registry().values():  # each facet module names its faults
                rule = param.facets.get(facet.name)
                for f in facet.faults(self.profile, param, rule.value) if rule is not None else ():
                    self.add(f.name, rule.id, f.kind, f.description, name, f.arg, level=f.level)
            for ex in param.accepts:
                self.add(f"{name}.accepts.{ex.name}-rejected", ex.rule.id, "example-rejected",
                         f"the documented value '{ex.name}' of {name} is rejected with 400", param=name, arg=ex.value)
            for ex in param.rejects:
                self.add(f"{name}.rejects.{ex.name}-accepted", ex.rule.id, "example-accepted",
                         f"the invalid value '{ex.name}' of {name} is accepted", param=name, arg=ex.value)

    # -- response
    def fields(self, fields: dict[str, Field], prefix: str, kind: str, named: dict, name_prefix: str) -> None:
        for path, fld in fields.items():
            for facet, rule in fld.facets.items():
                name, override = named.get((path, facet), (f"{name_prefix}.{path}.{facet}-broken", None))
                description = field_facets.registry()[facet].fault.format(path=path, value=fld.get(facet))
                self.add(name, rule.id, kind, f"{prefix}: {description}", param=path, arg=(facet, override))

    def response(self) -> None:
        p = self.profile
        self.fields(p.response_fields, "non-stream response", "response-field", NAMED_RESPONSE_FIELD_FAULTS, "response")
        if p.usage_total:
            self.add("response.usage-sum", p.usage_total.id, "usage-sum", "usage.total_tokens is not prompt_tokens + completion_tokens")
        self.fields(p.stream_fields, "every stream chunk", "chunk-field", NAMED_CHUNK_FIELD_FAULTS, "stream.chunk")

    def stream(self) -> None:
        ids = {r.id for r in self.profile.rules()}
        for rule in surface_named(self.profile.surface).stream_rules:  # each stream rule names its faults
            for fault in rule.faults:
                self.add(fault.name, f"stream.{rule.key}", fault.kind, fault.description)
        # a rule whose check parses every event: a chunk field's (chat), the event names' (Messages), else framing
        bad_line_rule = next((r for r in ("stream.chunk.id.type", "stream.event_names") if r in ids), "stream.content_type")
        self.add("stream.bad-json-line", bad_line_rule, "stream-bad-json-line", "one data line of the stream is not JSON")

    def behaviours(self) -> None:
        add = self.add
        usage = self.profile.behaviours.get("include_usage")
        # the stream cap case is a SHOULD where the document has no usage chunk (cases/token_caps.py)
        stream_level = None if usage is not None and not usage.inherited else "SHOULD"
        for cap in self.profile.token_caps:
            add(f"behaviour.cap-ignored.{cap}", f"token_caps.{cap}", "cap-ignored",
                f"{cap} does not bound the output (it runs to its natural length)", param=cap)
            add(f"behaviour.cap-ignored-in-streams.{cap}", f"token_caps.{cap}", "cap-ignored-in-streams",
                f"{cap} does not bound a stream's text, while its usage chunk reports no more than the cap", param=cap,
                level=stream_level)
        for name, behaviour in registry().items():  # each behaviour module's own (conformance/behaviours/)
            for fault in behaviour.faults:
                if (fault.completion or fault.chunks) and self.profile.surface != DEFAULT_SURFACE:
                    continue  # an edit of chat completions' bodies: another surface's answer has none of them
                add(fault.name, f"behaviours.{name}", "behaviour", fault.description, param=name, arg=fault)

    def errors(self) -> None:
        add = self.add
        add("errors.validation-500", "errors.validation_status", "validation-status", "invalid requests are answered 500", arg=500)
        add("errors.validation-422", "errors.validation_status", "validation-status", "invalid requests are answered 422", arg=422)
        add("errors.not-json", "errors.body", "error-not-json", "error bodies are plain text, not the JSON error object")
        # real gateways do this ("Incorrect API key provided: sk-..."): the redaction tests rely on it
        add("errors.echo-key", "errors.body", "error-echo-key",
            "error bodies are a bare string that echoes the credentials the request presented")
        add("errors.auth-403", "errors.auth_status", "auth-status", "bad credentials are answered 403", arg=403)
        add("errors.wrong-key-400", "errors.auth_status", "auth-wrong-key-status", "a wrong key is answered 400, not 401")
        add("errors.malformed-own-shape", "errors.body", "malformed-own-shape",
            'a body that is not JSON gets the gateway\'s own error, {"status": "failure", "message": ...} (Portkey\'s)')
        if surface_named(self.profile.surface).error_param:  # only an error object with a param can print a null
            add("errors.param-none-string", "errors.body", "error-param-stringified",
                "error.param is the string \"None\" where it names no parameter (a Python null printed)")
        add("errors.unknown-model-400", "errors.unknown_model_status", "unknown-model-status", "an unknown model is answered 400", arg=400)

    def models(self) -> None:
        self.add("models.missing", self.profile.models_rule.id, "models-missing", "the models endpoint answers 404")
        # a bare array still lists the models; what it loses is the `object` of the documented envelope
        self.add("models.wrong-shape", "models.object.required", "models-wrong-shape",
                 "the models list is a bare JSON array, not {object, data}")
        self.fields(self.profile.models_fields, "models list", "models-field", {}, "models")

    def build(self) -> list[Fault]:
        for step in (self.auth, self.body, self.params, self.response, self.stream, self.behaviours, self.errors, self.models):
            step()
        return list(self.faults.values())


def faults_for(profile: Profile) -> list[Fault]:
    """Every fault of `profile`, in a fixed order, names unique."""
    return _Builder(profile).build()


def find_fault(profile: Profile, name: str) -> Fault:
    for fault in faults_for(profile):
        if fault.name == name:
            return fault
    raise KeyError(f"no fault {name!r} in profile {profile.name}")
