"""The spec format and one spec file read against it: spec.schema.json completed from the registries, YAML parsed,
validated (a one-line SpecError naming file and place), validation skipped for bytes the tests validated."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import yaml

from . import field_facets, param_facets
from .behaviours import names as behaviour_names
from .errors import SpecError
from .features import FEATURES
from .surfaces import DEFAULT as DEFAULT_SURFACE, registry as surfaces, stream_keys

SCHEMA_FILE = "spec.schema.json"
VALIDATED_FILE = "validated.json"  # digests of the shipped specs that passed validation (tests/test_spec.py writes it)

# libyaml's loader when present: parsing is most of a cold start
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def schema(directory: Path) -> dict:
    """The spec format whole: spec.schema.json completed with the registries' names and fragments."""
    out = json.loads((directory / SCHEMA_FILE).read_text(encoding="utf-8"))
    # the behaviours and capabilities a spec may name are the registries' (conformance/behaviours/,
    # conformance/features.py): a typo fails loading
    out["$defs"]["sourced"]["properties"]["feature"]["enum"] = list(FEATURES)
    out["properties"]["behaviours"]["propertyNames"] = {"enum": sorted(behaviour_names())}
    # the surfaces a spec may name, and the stream rules it may state, are the surfaces' (conformance/surfaces/)
    out["properties"]["surface"] = {"enum": sorted(surfaces()), "default": DEFAULT_SURFACE,
                                    "description": "The API surface the document describes."}
    out["properties"]["stream"]["properties"].update(
        {key: {"$ref": "#/$defs/valued" if rule.valued else "#/$defs/rule"} for key, rule in stream_keys().items()})
    # a field entry's facets are the field facet modules' (conformance/field_facets/), each with its fragment
    out["$defs"]["field"]["properties"].update({f.name: f.spec for f in field_facets.registry().values()})
    out["$defs"]["param"]["properties"].update({f.name: f.spec for f in param_facets.registry().values() if f.spec})
    return out


def read_spec(path: Path, directory: Path) -> dict:
    """A spec file as data, validated against the spec format of `directory` (a one-line SpecError if not)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"{path}: {where}: not valid YAML ({reason})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read it: {getattr(exc, 'strerror', None) or exc}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: top level must be a mapping")
    if validated_digest(text, directory) in _validated(directory):
        return data  # these very bytes passed against this very format (a shipped spec, as the tests left it)
    import jsonschema  # here: most runs load only validated specs, and the import is a twentieth of a second

    validator = jsonschema.Draft202012Validator(schema(directory))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise SpecError(f"{path}: at {where}: {error.message}")
    return data


def validated_digest(text: str, directory: Path) -> str:
    """A spec's text together with the full spec format it is validated against: a change to either is new."""
    digest = hashlib.sha256(_schema_text(directory).encode("utf-8"))
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _schema_text(directory: Path) -> str:
    return json.dumps(schema(directory), sort_keys=True)


@lru_cache(maxsize=4)
def _validated(directory: Path) -> frozenset[str]:
    try:
        listed = json.loads((directory / VALIDATED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()  # none listed: every spec is validated
    return frozenset(d for d in listed.get("digests", []) if isinstance(d, str)) if isinstance(listed, dict) else frozenset()
