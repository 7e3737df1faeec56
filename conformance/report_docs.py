"""What the providers *document*, side by side: parameters x profiles, from the spec files.

Each fact (a type, a bound, an enum, nullability, the unknown-field policy, an
auth header) keeps its rule's source, so the report can show the quote it rests
on, and whether it is the profile's own statement or the OpenAI baseline's
convention inherited at SHOULD where the document is silent.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .errors import UsageError
from .spec import Param, Profile, Rule, load_profile, profile_names

Cite = Callable[..., int]  # (document, quote, schema, note) -> index in the report's source table
POLICY_TEXT = {"reject": "rejected (4xx)", "forward": "forwarded upstream", "undocumented": "not documented"}


def documented(tested: list[str], cite: Cite) -> dict:
    """Every profile (those with results first): one row per parameter, plus auth and the unknown-field policy."""
    names = [n for n in tested if n in profile_names()] + [n for n in profile_names() if n not in tested]
    profiles = []
    for name in names:
        try:
            profiles.append(load_profile(name))
        except UsageError:
            continue  # a spec that does not load is reported by `run`; the results can still be read

    rows = [{"name": "auth headers", "kind": "auth", "cells": [_auth(p, cite) for p in profiles]},
            {"name": "unknown top-level fields", "kind": "policy", "cells": [_policy(p, cite) for p in profiles]}]
    params: list[str] = []
    for profile in profiles:
        params += [n for n in list(profile.params) + list(profile.unknown_params) if n not in params]
    rows += [{"name": name, "kind": "param", "cells": [_param_cell(p, name, cite) for p in profiles]} for name in params]
    return {"profiles": [{"name": p.name, "title": p.title, "document": p.document, "tested": p.name in tested}
                         for p in profiles],
            "rows": rows}


def _fact(text: str, rule: Rule, cite: Cite) -> dict:
    src = rule.source
    return {"t": text, "l": rule.level, "i": rule.inherited, "r": rule.id,
            "s": cite(src.document, src.quote, src.schema, src.note)}


def _auth(profile: Profile, cite: Cite) -> list[dict]:
    return [_fact(f"{s.header}: {s.prefix}<key>", s.rule, cite) for s in profile.auth]


def _policy(profile: Profile, cite: Cite) -> list[dict]:
    rule = profile.unknown_policy
    return [_fact(POLICY_TEXT.get(rule.value, str(rule.value)), rule, cite)]


def _param_cell(profile: Profile, name: str, cite: Cite) -> list[dict] | None:
    if name in profile.unknown_params:
        return [_fact("not listed: rejected as an unknown field", profile.unknown_params[name], cite)]
    param = profile.params.get(name)
    if param is None:
        return None
    return [_fact(text, rule, cite) for text, rule in _param_facts(param)]


def _param_facts(param: Param) -> list[tuple[str, Rule]]:
    facts = []
    for facet, rule in param.facets.items():
        text = _facet_text(facet, rule.value)
        if text:
            facts.append((text, rule))
    return facts


def _facet_text(facet: str, value: Any) -> str | None:
    if facet == "type":
        return "type: " + " | ".join(value)
    if facet == "integer":
        return "integer" if value else None
    if facet == "nullable":
        return "nullable" if value else "not nullable"
    if facet == "required":
        return "required" if value else "optional"
    if facet == "minimum":
        return f"≥ {value}"
    if facet == "maximum":
        return f"≤ {value}"
    if facet == "enum":
        return "one of: " + ", ".join(map(str, value)) if value else "enum: values left empty"
    if facet == "min_items":
        return f"≥ {value} items"
    if facet == "max_items":
        return f"≤ {value} items"
    if facet == "requires":
        return "needs " + ", ".join(value)
    if facet == "must_exist":
        return "must name an existing model" if value else None
    return f"{facet}: {json.dumps(value, ensure_ascii=False)}"
