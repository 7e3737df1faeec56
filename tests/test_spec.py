"""Spec loading: schema validation, one-line errors, verbatim quotes, baseline merge."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

import conformance.spec as spec_mod
import conformance.spec_format as spec_format

from conformance.errors import SpecError, UsageError
from conformance.spec import DEFAULT_SPECS_DIR, MUST, SHOULD, load_profile, load_raw, profile_names, unquoted

SOURCES = DEFAULT_SPECS_DIR / "sources"
SEED_PROFILES = {"routify-mvp": "000_900c9670aa9bdcbc.txt", "routify": "001_9acc2e208232e8f5.txt",
                 "routeapi": "002_8a5db9d326d127fd.txt", "routmy": "003_c92b199887c9019b.txt",
                 "routeway": "004_b1197cec447d28e1.txt"}


def test_one_spec_per_seed_document():
    for name, document in SEED_PROFILES.items():
        assert load_raw(name)["document"] == document
    assert set(SEED_PROFILES) | {"openai", "anthropic", "openai-responses"} == set(profile_names())  # and the official contracts


@pytest.mark.parametrize("name", profile_names())
def test_every_quote_is_verbatim_in_its_document(name):
    raw = load_raw(name)
    assert unquoted(raw, (SOURCES / raw["document"]).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", profile_names())
def test_every_rule_cites_its_source(name):
    for rule in load_profile(name).rules():
        assert rule.source.quote or rule.source.schema, rule.id
        assert rule.level in (MUST, SHOULD)


def test_silence_falls_back_to_the_baseline_at_should():
    routeapi = load_profile("routeapi")
    temperature = routeapi.params["temperature"]
    assert temperature.facets["type"].level == MUST  # RouteAPI documents the type...
    assert temperature.facets["maximum"].level == SHOULD  # ...but no range: OpenAI's 0..2 at SHOULD
    assert temperature.facets["maximum"].source.document == "openai-chat-completions.md"
    assert routeapi.params["max_tokens"].facets["integer"].level == SHOULD  # documented as "number"
    assert load_profile("routify").params["temperature"].facets["maximum"].level == MUST


def test_the_documents_disagree_where_they_should():
    mvp, routify, routeway = load_profile("routify-mvp"), load_profile("routify"), load_profile("routeway")
    assert mvp.unknown_policy.value == "reject" and "tools" in mvp.unknown_params
    assert routify.unknown_policy.value == "forward" and "tools" in routify.params
    assert [s.header for s in routeway.auth] == ["Authorization", "x-api-key"]
    assert routeway.params["reasoning_effort"].get("enum")[:2] == ["none", "minimal"]
    # '| null' where the document says so; elsewhere it says nothing of null (and OpenAI has no null there either)
    assert routeway.params["temperature"].get("nullable") is True
    assert routeway.params["response_format"].get("nullable") is None
    assert routeway.params["temperature"].facets["type"].level == SHOULD  # "string" vs "number | null"


def _broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    directory = tmp_path / "specs"
    shutil.copytree(DEFAULT_SPECS_DIR, directory, ignore=shutil.ignore_patterns("sources"))
    path = directory / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return directory


@pytest.mark.parametrize("old, new, says", [
    ("      minimum: 0\n", "      minimum: zero\n", "at request/params/temperature/minimum"),
    # beyond the schema (conformance/spec_checks.py): a shipped spec gets the checks a user's spec gets
    ("      maximum: 2\n", "      maximum: -1\n", "at request/params/temperature: minimum 0 is greater than maximum -1"),
])
def test_a_spec_that_breaks_the_schema_or_contradicts_itself_is_one_line_naming_file_and_place(tmp_path, old, new, says):
    directory = _broken_copy(tmp_path, "routeway", old, new)
    with pytest.raises(SpecError) as err:
        load_profile("routeway", directory)
    message = str(err.value)
    assert "\n" not in message and "routeway.yaml" in message and says in message


def test_a_spec_that_is_not_yaml_is_one_line_with_its_line(tmp_path):
    directory = _broken_copy(tmp_path, "routeapi", "profile: routeapi", "profile: [routeapi")
    with pytest.raises(SpecError) as err:
        load_profile("routeapi", directory)
    assert "\n" not in str(err.value) and "routeapi.yaml: line" in str(err.value)


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(UsageError, match="unknown profile 'nope'.*routify-mvp"):
        load_profile("nope")


def test_a_feature_name_is_one_of_the_registry_and_a_typo_fails_loading(tmp_path):
    """--without skips by feature: a misspelt `feature:` in a spec would silently never be skipped."""
    import json

    from conformance.features import FEATURES
    from conformance.spec import full_schema

    # the file leaves the names to the registry, which the loader fills in: one list, never two
    on_disk = json.loads((DEFAULT_SPECS_DIR / "spec.schema.json").read_text())
    assert not [d for d in _dicts(on_disk) if isinstance(d.get("feature"), dict) and "enum" in d["feature"]]
    enums = [d["feature"]["enum"] for d in _dicts(full_schema()) if isinstance(d.get("feature"), dict) and "enum" in d["feature"]]
    assert enums and all(e == list(FEATURES) for e in enums)
    directory = _broken_copy(tmp_path, "openai", "          feature: vision\n", "          feature: visoin\n")
    with pytest.raises(SpecError) as err:
        load_profile("openai", directory)
    assert "\n" not in str(err.value) and "openai.yaml" in str(err.value) and "feature" in str(err.value)


def _dicts(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


def test_field_facets_come_from_their_modules_and_an_unknown_one_fails_loading(tmp_path):
    """Each field facet's spec fragment lives in its module (conformance/field_facets/): the loader
    accepts exactly those, so a misspelt facet is a one-line error, not a silently unchecked field."""
    from conformance import field_facets

    profile = load_profile("openai")
    fields = [*profile.response_fields.values(), *profile.stream_fields.values(), *profile.models_fields.values()]
    used = {facet for fld in fields for facet in fld.facets}
    assert used <= set(field_facets.names()) and {"unix_seconds", "const", "enum"} <= used
    directory = _broken_copy(tmp_path, "openai", "      unix_seconds: true\n", "      unix_second: true\n")
    with pytest.raises(SpecError) as err:
        load_profile("openai", directory)
    assert "\n" not in str(err.value) and "unix_second" in str(err.value)


@pytest.mark.parametrize("old, new, named", [
    ("      maximum: 2\n", "      maximun: 2\n", "maximun"),  # a misspelt facet
    ("      maximum: 2\n", "      maximum: two\n", "two"),  # the facet's own fragment types its value
])
def test_param_facets_come_from_their_modules_and_a_wrong_one_fails_loading(tmp_path, old, new, named):
    """Each request parameter facet's spec fragment lives in its module (conformance/param_facets/):
    every facet a spec uses is one of them, and a misspelt or mistyped one is a one-line error."""
    from conformance import param_facets

    used = {facet for name in profile_names() for p in load_profile(name).params.values() for facet in p.facets}
    assert used <= set(param_facets.registry()) and {"type", "minimum", "must_exist", "requires", "enum"} <= used
    directory = _broken_copy(tmp_path, "openai", old, new)
    with pytest.raises(SpecError) as err:
        load_profile("openai", directory)
    assert "\n" not in str(err.value) and named in str(err.value)



# ------------------------------------------------------------------ specs/validated.json: validation skipped only for bytes that passed

def validated_manifest() -> dict:
    """Every shipped spec, validated here against the full spec format; the digests of those that pass."""
    import jsonschema

    directory = spec_mod.DEFAULT_SPECS_DIR
    validator = jsonschema.Draft202012Validator(spec_format.schema(directory))
    digests = []
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        errors = list(validator.iter_errors(yaml.safe_load(text)))
        assert not errors, f"{path.name}: {errors[0].message}"
        digests.append(spec_format.validated_digest(text, directory))
    return {"about": "sha256 of (the full spec format, a shipped spec's text) for each shipped spec that passed "
                     "validation: conformance/spec_format.py skips validating these very bytes. Written by "
                     "`python tests/test_spec.py`.", "digests": digests}


def test_the_validated_manifest_lists_exactly_the_shipped_specs_as_they_are():
    """A spec or the spec format changed without `python tests/test_spec.py`: the spec is still validated at
    every load (only slower); this test says the manifest is stale."""
    path = spec_mod.DEFAULT_SPECS_DIR / spec_format.VALIDATED_FILE
    assert json.loads(path.read_text(encoding="utf-8")) == validated_manifest(), "run `python tests/test_spec.py`"


def test_a_spec_whose_bytes_were_not_validated_is_validated_at_load(tmp_path):
    """The manifest lets through only the exact bytes it lists: one character more and the schema judges."""
    directory = tmp_path / "specs"
    shutil.copytree(spec_mod.DEFAULT_SPECS_DIR, directory)
    text = (directory / "routify-mvp.yaml").read_text(encoding="utf-8")
    assert spec_format.validated_digest(text, directory) in spec_format._validated(directory)
    broken = text.replace("profile: routify-mvp", "profile: routify-mvp\nsurface: 7", 1)
    (directory / "routify-mvp.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(SpecError, match="at surface"):
        spec_mod.load_raw("routify-mvp", directory)


if __name__ == "__main__":
    target = spec_mod.DEFAULT_SPECS_DIR / spec_format.VALIDATED_FILE
    target.write_text(json.dumps(validated_manifest(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}")
