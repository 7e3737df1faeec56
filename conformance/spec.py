"""Provider specs: load a `specs/NAME.yaml`, validate it, merge it with its baseline.

A profile's own rules keep their level (MUST unless the spec says otherwise).
Where the document is silent, the baseline profile's rule applies at SHOULD:
an OpenAI convention is never a failure of a profile that does not state it.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import field_facets, param_facets
from .behaviours import applies as behaviour_applies
from .surfaces import DEFAULT as DEFAULT_SURFACE, registry as surfaces
from .errors import SpecError, UsageError
# reading and validating one spec file, and the spec format it is validated against
from .spec_format import SCHEMA_FILE, VALIDATED_FILE, read_spec as _read_spec, schema as _schema  # noqa: F401
from .spec_checks import check_facets, check_quotes, normalise, quotes
# the merged profile's data model (conformance/profile.py), built here; other modules import it from either
from .profile import (MUST, SHOULD, AuthScheme, Example, Field, Param,  # noqa: F401
                      Profile, Rule, Source)


def _shipped_specs() -> Path:
    """Installed from a wheel, the specs ship inside the package (conformance/specs, mapped from the top-level
    specs/ by pyproject.toml); in a checkout, editable install or not, they are the top-level specs/ itself."""
    here = Path(__file__).resolve().parent
    inside = here / "specs"
    return inside if (inside / SCHEMA_FILE).is_file() else here.parent / "specs"


DEFAULT_SPECS_DIR = _shipped_specs()


# ---------------------------------------------------------------- loading

def specs_dir(path: str | Path | None = None) -> Path:
    return Path(path) if path else DEFAULT_SPECS_DIR


def profile_names(directory: str | Path | None = None) -> list[str]:
    """Profiles in the order a newcomer expects: the seed documents, then the rest."""
    names = [p.stem for p in specs_dir(directory).glob("*.yaml")]
    return sorted(names, key=lambda n: (not _load_raw(n, specs_dir(directory)).get("baseline"), n))


def seed_profiles(directory: str | Path | None = None) -> list[str]:
    """The seed documents' profiles: each falls back on a baseline where it is silent. The official contracts
    (openai, anthropic) are their own baselines."""
    return [n for n in profile_names(directory) if load_raw(n, directory).get("baseline")]


def full_schema(directory: str | Path | None = None) -> dict:
    """The spec format whole: spec.schema.json completed with the behaviour names and every facet module's fragment."""
    return copy.deepcopy(_schema(specs_dir(directory)))


def load_raw(name: str, directory: str | Path | None = None) -> dict:
    """The spec file as data, validated against spec.schema.json."""
    return _load_raw(name, specs_dir(directory))


@lru_cache(maxsize=64)
def _load_raw(name: str, directory: Path) -> dict:
    path = directory / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(profile_names(directory)) or "none"
        raise UsageError(f"unknown profile '{name}' (known: {known})")
    data = _read_spec(path, directory)
    if data["profile"] != name:
        raise SpecError(f"{path}: profile is '{data['profile']}', expected '{name}' (the file name)")
    return data


def load_profile(name: str, directory: str | Path | None = None) -> Profile:
    directory = specs_dir(directory)
    return _load_profile(name, directory)


@lru_cache(maxsize=32)
def _load_profile(name: str, directory: Path) -> Profile:
    raw = _load_raw(name, directory)
    base_name = raw.get("baseline")
    base = _load_raw(base_name, directory) if base_name else None
    profile = _Merger(raw, base).profile()
    check_facets(profile, directory / f"{name}.yaml")
    return profile


def load_spec_file(path: str | Path) -> Profile:
    """A user's spec (`--spec FILE`): any file name; its baseline, if any, a shipped profile; every quote checked
    verbatim against the document it names (next to it, or in its sources/ folder). A shipped spec given by its
    path is that shipped profile."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise UsageError(f"--spec {path}: no such file")
    file = file.resolve()
    if file.parent == DEFAULT_SPECS_DIR.resolve() and file.suffix == ".yaml":
        return load_profile(file.stem)
    return _load_spec_file(file)


@lru_cache(maxsize=16)
def _load_spec_file(file: Path) -> Profile:
    raw = _read_spec(file, DEFAULT_SPECS_DIR)
    shipped = profile_names()
    if raw["profile"] in shipped:
        raise SpecError(f"{file}: at profile: '{raw['profile']}' is the name of a shipped profile: name yours otherwise "
                        "(its case IDs start with it)")
    base_name = raw.get("baseline")
    if base_name and base_name not in shipped:
        raise SpecError(f"{file}: at baseline: '{base_name}' is not a shipped profile (known: {', '.join(shipped)})")
    check_quotes(raw, file)
    profile = _Merger(raw, load_raw(base_name) if base_name else None).profile()
    check_facets(profile, file)
    profile.spec_file = str(file)
    return profile


def chosen_profiles(spec_files: list[str], names: list[str], default: list[str]) -> list[Profile]:
    """The profiles of `--spec FILE` and `--profile NAME`, in that order, each once (a case ID names one verdict);
    `default` names the profiles when neither is given."""
    chosen = [load_spec_file(path) for path in spec_files]
    chosen += [load_profile(name) for name in names or ([] if chosen else default)]
    unique: dict[str, Profile] = {}
    for profile in chosen:
        unique.setdefault(profile.name, profile)
    return list(unique.values())


def load_ref(ref: str) -> Profile:
    """A profile by name, or a user's spec by the path `profile_ref` gave (an xdist worker rebuilds its plan so)."""
    return load_spec_file(ref) if ref.endswith((".yaml", ".yml")) else load_profile(ref)


def profile_ref(profile: Profile) -> str:
    return profile.spec_file or profile.name


# ---------------------------------------------------------------- merging

class _Merger:
    """Builds a Profile from a spec and its baseline (baseline rules become SHOULD)."""

    def __init__(self, raw: dict, base: dict | None):
        self.raw = raw
        self.base = base or {}
        self.doc = raw["document"]
        self.base_doc = self.base.get("document", self.doc)

    # -- rules
    def _rule(self, rule_id: str, entry: dict, facet: str | None, value: Any, inherited: bool) -> Rule:
        quotes, schemas = entry.get("quotes") or {}, entry.get("schemas") or {}
        levels = entry.get("levels") or {}
        if facet == "integer":  # derived from `type: integer`: cited and levelled as the type
            quotes, schemas, levels = ({**m, "integer": m.get("integer", m.get("type"))} for m in (quotes, schemas, levels))
        quote, schema = quotes.get(facet), schemas.get(facet)
        if quote is None and schema is None:
            quote, schema = entry.get("quote"), entry.get("schema")
        level = levels.get(facet) if facet else None
        level = level or entry.get("level") or MUST
        if inherited:
            level = SHOULD
        note = entry.get("note")
        if inherited:
            note = "OpenAI convention: the profile's document is silent here." + (f" {note}" if note else "")
        source = Source(self.base_doc if inherited else self.doc, quote, schema, note)
        return Rule(rule_id, level, source, value, entry.get("feature"), inherited)

    # -- params
    @staticmethod
    def _facet_values(entry: dict) -> dict[str, Any]:
        values = {f: entry[f] for f in param_facets.registry() if f in entry}
        if "type" in values:
            types = values["type"] if isinstance(values["type"], list) else [values["type"]]
            if "integer" in types:
                types = ["number" if t == "integer" else t for t in types]
                values["integer"] = True
            values["type"] = list(dict.fromkeys(types))
        return values

    def _param(self, name: str, own: dict | None, base: dict | None) -> Param:
        param = Param(name, documented=own is not None)
        sources = [(own, False), (base, True)]
        for entry, inherited in sources:
            if entry is None:
                continue
            for facet, value in self._facet_values(entry).items():
                if facet not in param.facets:
                    param.facets[facet] = self._rule(f"request.{name}.{facet}", entry, facet, value, inherited)
            param.multiplies_output = param.multiplies_output or bool(entry.get("multiplies_output"))
            for kind in ("accepts", "rejects"):
                have = {e.name for e in getattr(param, kind)}
                for ex in entry.get(kind) or []:
                    if ex["name"] in have:
                        continue
                    rule = self._rule(f"request.{name}.{kind}.{ex['name']}", ex, None, ex["value"], inherited)
                    getattr(param, kind).append(Example(ex["name"], ex["value"], rule, dict(ex.get("with") or {})))
        return param

    def _params(self) -> tuple[dict[str, Param], dict[str, Rule]]:
        own = self.raw["request"]["params"]
        base = (self.base.get("request") or {}).get("params") or {}
        rejects = self._policy_entry()["policy"] == "reject"
        params: dict[str, Param] = {}
        unknown: dict[str, Rule] = {}
        for name in list(own) + [n for n in base if n not in own]:
            if name not in own and rejects:
                rule = self._rule("request.unknown_fields", self._policy_entry(), None, "reject", False)
                unknown[name] = rule
                continue
            params[name] = self._param(name, own.get(name), base.get(name))
        # an example may need fields the profile does not know: drop it there
        for param in params.values():
            for kind in ("accepts", "rejects"):
                kept = [e for e in getattr(param, kind) if all(k in params for k in e.with_)]
                setattr(param, kind, kept)
            companions = param.companions
            if companions and not all(k in params for k in companions):
                param.facets.pop("requires", None)
        return params, unknown

    def _policy_entry(self) -> dict:
        entry = self.raw["request"].get("unknown_fields")
        if entry:
            return entry
        base = (self.base.get("request") or {}).get("unknown_fields")
        return dict(base or {"policy": "undocumented", "schema": "none"}, level=SHOULD)

    # -- fields
    def _fields(self, own: dict, base: dict, prefix: str) -> dict[str, Field]:
        out: dict[str, Field] = {}
        for path in list(own) + [p for p in base if p not in own]:
            fld = Field(path)
            for entry, inherited in ((own.get(path), False), (base.get(path), True)):
                if entry is None:
                    continue
                for facet in field_facets.names():
                    if facet in entry and facet not in fld.facets:
                        fld.facets[facet] = self._rule(f"{prefix}.{path}.{facet}", entry, facet, entry[facet], inherited)
            out[path] = fld
        return out

    @staticmethod
    def _needs_tools(params: dict, fields: dict[str, Field]) -> dict[str, Field]:
        """Inherited tool-call fields only apply where tools can be asked for."""
        if "tools" in params:
            return fields
        return {k: f for k, f in fields.items()
                if "tool_calls" not in k or any(not r.inherited for r in f.facets.values())}

    def _section(self, key: str, names: tuple[str, ...] | None, prefix: str) -> dict[str, Rule]:
        own = self.raw.get(key) or {}
        base = self.base.get(key) or {}
        out: dict[str, Rule] = {}
        for name in list(own) + [n for n in base if n not in own]:
            if names is not None and name not in names:
                continue
            inherited = name not in own
            entry = base[name] if inherited else own[name]
            out[name] = self._rule(f"{prefix}.{name}", entry, None, entry.get("value", True), inherited)
        return out

    def profile(self) -> Profile:
        raw, base = self.raw, self.base
        params, unknown = self._params()
        schemes = [
            AuthScheme(s["name"], s["header"], s["prefix"], self._rule(f"auth.{s['name']}", s, None, s["header"], False))
            for s in raw["auth"]["schemes"]
        ]
        models_own, models_base = raw.get("models"), base.get("models") or {}
        models_entry = models_own or models_base or {"path": "/v1/models", "schema": "none"}
        models_rule = self._rule("models", models_entry, None, models_entry["path"], models_own is None)
        models_fields = self._fields((models_own or {}).get("fields") or {}, models_base.get("fields") or {}, "models")
        surface = raw.get("surface", DEFAULT_SURFACE)
        own_keys = dict.fromkeys(rule.key for rule in surfaces()[surface].stream_rules)  # its stream rules, in order
        stream_own = {k: v for k, v in (raw.get("stream") or {}).items() if k != "fields"}
        stream_base = {k: v for k, v in (base.get("stream") or {}).items() if k != "fields"}
        stream = {}
        for key in own_keys:
            entry, inherited = (stream_own[key], False) if key in stream_own else (stream_base.get(key), True)
            if entry:
                stream[key] = self._rule(f"stream.{key}", entry, None, entry.get("value", True), inherited)
        caps = {k: r for k, r in self._section("token_caps", None, "token_caps").items() if k in params}
        behaviours = {k: r for k, r in self._section("behaviours", None, "behaviours").items()
                      if behaviour_applies(k, surface, params)}
        body_entry = raw["request"].get("body") or (base.get("request") or {}).get("body")
        return Profile(
            name=raw["profile"],
            title=raw["title"],
            document=raw["document"],
            notes=list(raw.get("notes") or []),
            baseline=raw.get("baseline"),
            auth=schemes,
            models_path=models_entry["path"],
            models_rule=models_rule,
            models_fields=models_fields,
            request_path=raw["request"]["path"],
            body_rule=self._rule("request.body", body_entry, None, "object", "body" not in raw["request"]),
            unknown_policy=self._rule(
                "request.unknown_fields", self._policy_entry(), None, self._policy_entry()["policy"],
                "unknown_fields" not in raw["request"],
            ),
            params=params,
            unknown_params=unknown,
            response_fields=self._needs_tools(params, self._fields(
                raw["response"]["fields"], (base.get("response") or {}).get("fields") or {}, "response")),
            usage_total=self._section("response", ("usage_total",), "response").get("usage_total"),
            stream=stream,
            stream_fields=self._needs_tools(params, self._fields((raw.get("stream") or {}).get("fields") or {}, (base.get("stream") or {}).get("fields") or {}, "stream.chunk")),
            token_caps=caps,
            behaviours=behaviours,
            errors=self._section("errors", None, "errors"),
            headers={name: self._rule(f"request.headers.{name}", entry, None, entry.get("value"), False)
                     for name, entry in (raw["request"].get("headers") or {}).items()},
            surface=surface,
        )


def foreign_enum_values(profile: Profile, name: str, directory: str | Path | None = None) -> list[str]:
    """String values other profiles' documents list for parameter `name` that this profile's enum does not:
    the near misses a gateway sharing one list across providers would wrongly accept."""
    own = profile.params[name].get("enum") or []
    found: list[str] = []
    for other in profile_names(directory):
        if other == profile.name:
            continue
        param = load_profile(other, directory).params.get(name)
        for value in (param.get("enum") or []) if param else []:
            if isinstance(value, str) and value not in own and value not in found:
                found.append(value)
    return found


# ---------------------------------------------------------------- quotes

def unquoted(raw: dict, document_text: str) -> list[str]:
    """Quotes in a raw spec that do not appear verbatim (up to whitespace) in its document."""
    haystack = normalise(document_text)
    return [f"{place}: {quote}" for place, quote in quotes(raw) if normalise(quote) not in haystack]
