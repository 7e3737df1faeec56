"""The merged profile as data: rules with their sources, parameters, fields, auth schemes.

Built by conformance/spec.py from one spec file and its baseline; read by the case generators,
the checks and the reference gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


MUST, SHOULD = "MUST", "SHOULD"

@dataclass(frozen=True)
class Source:
    document: str
    quote: str | None = None
    schema: str | None = None
    note: str | None = None

    def cite(self) -> str:
        text = f'"{self.quote}"' if self.quote else f"[{self.schema}]"
        return f"{self.document}: {text}"


@dataclass(frozen=True)
class Rule:
    """One documented requirement: what it says, how binding, and where it is written."""

    id: str
    level: str
    source: Source
    value: Any = True
    feature: str | None = None
    inherited: bool = False  # from the baseline: the profile's document is silent here


@dataclass(frozen=True)
class Example:
    """A documented value of a parameter that must be accepted (or rejected)."""

    name: str
    value: Any
    rule: Rule
    with_: dict = field(default_factory=dict)


@dataclass
class Param:
    name: str
    facets: dict[str, Rule] = field(default_factory=dict)
    accepts: list[Example] = field(default_factory=list)
    rejects: list[Example] = field(default_factory=list)
    multiplies_output: bool = False
    documented: bool = True  # False when it comes from the baseline only

    def get(self, facet: str) -> Any:
        rule = self.facets.get(facet)
        return None if rule is None else rule.value

    @property
    def types(self) -> list[str]:
        return list(self.get("type") or [])

    @property
    def companions(self) -> dict:
        return dict(self.get("requires") or {})


@dataclass
class Field:
    path: str
    facets: dict[str, Rule] = field(default_factory=dict)

    def get(self, facet: str) -> Any:
        rule = self.facets.get(facet)
        return None if rule is None else rule.value


@dataclass(frozen=True)
class AuthScheme:
    name: str
    header: str
    prefix: str
    rule: Rule

    def value(self, key: str) -> str:
        return f"{self.prefix}{key}"


@dataclass
class Profile:
    name: str
    title: str
    document: str
    notes: list[str]
    baseline: str | None
    auth: list[AuthScheme]
    models_path: str
    models_rule: Rule
    models_fields: dict[str, Field]
    request_path: str
    body_rule: Rule
    unknown_policy: Rule
    params: dict[str, Param]
    unknown_params: dict[str, Rule]  # baseline params this profile rejects as unknown
    response_fields: dict[str, Field]
    usage_total: Rule | None
    stream: dict[str, Rule]
    stream_fields: dict[str, Field]
    token_caps: dict[str, Rule]
    behaviours: dict[str, Rule]
    errors: dict[str, Rule]
    headers: dict[str, Rule] = field(default_factory=dict)  # required besides the credentials; rule value: the value sent
    surface: str = "chat_completions"  # the API surface the document describes (conformance/surfaces/)
    spec_file: str | None = None  # a user's spec (--spec FILE); None for a shipped profile, found by name

    def rules(self) -> list[Rule]:
        """Every rule of the merged profile, each once."""
        found: list[Rule] = [s.rule for s in self.auth] + list(self.headers.values())
        found += [self.models_rule, self.body_rule, self.unknown_policy]
        for f in self.models_fields.values():
            found += f.facets.values()
        for p in self.params.values():
            found += p.facets.values()
            found += [e.rule for e in p.accepts + p.rejects]
        found += self.unknown_params.values()
        for fields in (self.response_fields, self.stream_fields):
            for f in fields.values():
                found += f.facets.values()
        found += [r for r in (self.usage_total,) if r]
        found += list(self.stream.values()) + list(self.token_caps.values())
        found += list(self.behaviours.values()) + list(self.errors.values())
        unique: dict[str, Rule] = {}
        for rule in found:
            unique.setdefault(rule.id, rule)
        return list(unique.values())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules():
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
