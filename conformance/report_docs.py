"""What the providers *document*, side by side: parameters x profiles.

`facts` writes each profile's documented facts into the results file, as judged in that run;
`documented` rebuilds the report's table from results alone. Each fact (a type, a bound, an
enum, nullability, the unknown-field policy, an auth header) keeps its rule's source, so the
report can show the quote it rests on, and whether it is the profile's own statement or the
OpenAI baseline's convention inherited at SHOULD where the document is silent.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from . import param_facets
from .errors import UsageError
from .spec import Param, Profile, Rule, load_profile

Cite = Callable[..., int]  # (document, quote, schema, note) -> index in the report's source table
POLICY_TEXT = {"reject": "rejected (4xx)", "forward": "forwarded upstream", "undocumented": "not documented"}


def facts(profiles: list[Profile]) -> dict[str, dict]:
    """Per profile, what its merged spec documents: the `documented` section of a results file."""
    return {p.name: {"title": p.title, "document": p.document,
                     "auth": [_fact(f"{s.header}: {s.prefix}<key>", s.rule) for s in p.auth],
                     "policy": [_fact(POLICY_TEXT.get(p.unknown_policy.value, str(p.unknown_policy.value)),
                                      p.unknown_policy)],
                     "params": _params(p)}
            for p in profiles}


def documented(docs: list[dict], cite: Cite) -> dict:
    """The report's table: one row per parameter, plus auth and the unknown-field policy, for every
    profile the results were judged against (a results file from before 0.2 has no facts: its
    profiles are read from the installed spec files)."""
    known: dict[str, dict] = {}
    for doc in docs:
        for name, entry in doc.get("documented", {}).items():
            known.setdefault(name, entry)
        missing = [name for name in doc.get("profiles", []) if name not in known]
        known.update(facts(loadable(missing)))
    profiles = [dict(entry, name=name) for name, entry in known.items()]
    rows = [{"name": "auth headers", "kind": "auth", "cells": [_cited(p["auth"], cite) for p in profiles]},
            {"name": "unknown top-level fields", "kind": "policy", "cells": [_cited(p["policy"], cite) for p in profiles]}]
    params: list[str] = []
    for profile in profiles:
        params += [n for n in profile["params"] if n not in params]
    rows += [{"name": name, "kind": "param",
              "cells": [_cited(p["params"][name], cite) if name in p["params"] else None for p in profiles]}
             for name in params]
    return {"profiles": [{"name": p["name"], "title": p["title"], "document": p["document"], "tested": True}
                         for p in profiles],
            "rows": rows}


def loadable(names: list[str]) -> list[Profile]:
    profiles = []
    for name in names:
        try:
            profiles.append(load_profile(name))
        except UsageError:
            continue  # a profile this installation does not have: its facts cannot be shown
    return profiles


def _fact(text: str, rule: Rule) -> dict:
    src = rule.source
    return {"text": text, "level": rule.level, "inherited": rule.inherited, "rule": rule.id,
            "source": {"document": src.document, "quote": src.quote, "schema": src.schema, "note": src.note}}


def _cited(facts_: list[dict], cite: Cite) -> list[dict]:
    """The page's compact form: the quote is interned in the report's source table."""
    return [{"t": f["text"], "l": f["level"], "i": f["inherited"], "r": f["rule"],
             "s": cite(f["source"]["document"], f["source"].get("quote"), f["source"].get("schema"),
                       f["source"].get("note"))}
            for f in facts_]


def _params(profile: Profile) -> dict[str, list[dict]]:
    params = {name: [_fact(text, rule) for text, rule in _param_facts(param)] for name, param in profile.params.items()}
    for name, rule in profile.unknown_params.items():
        params[name] = [_fact("not listed: rejected as an unknown field", rule)]
    return params


def _param_facts(param: Param) -> list[tuple[str, Rule]]:
    facts = []
    for facet, rule in param.facets.items():
        text = _facet_text(facet, rule.value)
        if text:
            facts.append((text, rule))
    return facts


def _facet_text(facet: str, value: Any) -> str | None:
    if facet in param_facets.registry():
        return param_facets.registry()[facet].text(value)
    return f"{facet}: {json.dumps(value, ensure_ascii=False)}"
