"""What a spec must get right beyond its schema, each problem one line naming the file and the place:
every quote verbatim in the document it names, and facets that do not contradict each other (a minimum above
the maximum, an enum value outside the bounds or of another type, a documented example the facets refuse).

Facets are checked on the merged profile (a spec's own facets with those its baseline adds at SHOULD), since
cases and the reference gateway read them merged: a maximum of -1 under an inherited minimum of 0 would make
the faithful gateway refuse what the spec says it accepts.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Iterator

from .errors import SpecError
from .profile import Param, Profile

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _WS.sub(" ", text).strip()


def quotes(raw: dict) -> Iterator[tuple[str, str]]:
    """(place, quote) for every quote in a raw spec; the place as a path (request/params/temperature/quotes/maximum)."""

    def walk(node: Any, where: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "quote" and isinstance(value, str):
                    yield "/".join(where + (key,)), value
                elif key == "quotes" and isinstance(value, dict):
                    yield from (("/".join(where + (key, facet)), q) for facet, q in value.items() if isinstance(q, str))
                elif key not in ("value", "with"):
                    yield from walk(value, where + (str(key),))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, where + (str(i),))

    return walk(raw, ())


def source_file(spec: Path, document: str) -> Path:
    """The document a user's spec names: next to the spec, or in the `sources/` folder beside it."""
    for candidate in (spec.parent / document, spec.parent / "sources" / document):
        if candidate.is_file():
            return candidate
    raise SpecError(f"{spec}: at document: '{document}' is neither next to the spec nor in {spec.parent / 'sources'}/ "
                    "(every quote is checked against it)")


def check_quotes(raw: dict, spec: Path) -> None:
    source = source_file(spec, raw["document"])
    try:
        haystack = normalise(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{spec}: cannot read its document {source}: {getattr(exc, 'strerror', None) or exc}") from None
    for place, quote in quotes(raw):
        if normalise(quote) not in haystack:
            shown = quote if len(quote) <= 80 else quote[:77] + "..."
            raise SpecError(f"{spec}: at {place}: the quote is not in {source.name} (verbatim, up to whitespace): {shown!r}")


# ---------------------------------------------------------------- facets

def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: a bool is no number
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "unknown")


def _number(value: Any) -> bool:
    return _json_type(value) == "number" and math.isfinite(value)


def check_facets(profile: Profile, spec: Path | str) -> None:
    for param in profile.params.values():
        problem = _param_problem(param, profile.baseline)
        if problem:
            raise SpecError(f"{spec}: at request/params/{param.name}: {problem}")


def _param_problem(param: Param, baseline: str | None) -> str | None:
    def said(facet: str) -> str:
        rule = param.facets[facet]
        return f"{facet} {rule.value!r}" + (f" (from the baseline {baseline})" if rule.inherited else "")

    types = set(param.types)
    low, high = param.get("minimum"), param.get("maximum")
    if _number(low) and _number(high) and low > high:
        return f"{said('minimum')} is greater than {said('maximum')}"
    if param.get("min_items") is not None and param.get("max_items") is not None \
            and param.get("min_items") > param.get("max_items"):
        return f"{said('min_items')} is greater than {said('max_items')}"
    values = param.get("values") or {}
    if _number(values.get("minimum")) and _number(values.get("maximum")) and values["minimum"] > values["maximum"]:
        return f"values: minimum {values['minimum']!r} is greater than maximum {values['maximum']!r}"
    for facet, wants in (("minimum", "number"), ("maximum", "number"), ("min_items", "array"), ("max_items", "array")):
        if facet in param.facets and types and wants not in types:
            return f"{said(facet)} applies to a {wants}, but {said('type')} has none"
    if param.get("required") and param.get("nullable") is True:
        # the required facet reads null as "not sent" and refuses it (conformance/param_facets/required.py)
        return f"{said('required')} and {said('nullable')}: a required parameter may not be null"
    if param.get("nullable") is False and "null" in types:
        return f"{said('nullable')} contradicts {said('type')}, which lists null"
    for value in param.get("enum") or []:
        refused = _refused(param, value, types, check_enum=False)
        if refused:
            return f"the enum value {value!r} {refused}"
    for example in param.accepts:
        refused = _refused(param, example.value, types, check_enum=True)
        if refused:
            return f"the accepted example '{example.name}' ({example.value!r}) {refused}"
    return None


def _refused(param: Param, value: Any, types: set[str], check_enum: bool) -> str | None:
    """Why the param's own facets would refuse `value`, or None."""
    if value is None:
        nullable = param.get("nullable") is True or "null" in types
        return None if nullable or not (types or param.get("nullable") is False) else "is null, which it may not be"
    kind = _json_type(value)
    if types and kind not in types:
        return f"is a {kind}, not {' | '.join(sorted(types))}"
    if kind == "number" and param.get("integer") and not float(value).is_integer():
        return "is not an integer"
    low, high = param.get("minimum"), param.get("maximum")
    if kind == "number" and _number(low) and value < low:
        return f"is below the minimum {low!r}"
    if kind == "number" and _number(high) and value > high:
        return f"is above the maximum {high!r}"
    enum = param.get("enum")
    if check_enum and enum and kind in ("string", "number") and value not in enum:
        return f"is not one of the enum {enum!r}"
    if kind == "array":
        if param.get("min_items") is not None and len(value) < param.get("min_items"):
            return f"has fewer than min_items {param.get('min_items')}"
        if param.get("max_items") is not None and len(value) > param.get("max_items"):
            return f"has more than max_items {param.get('max_items')}"
    return None
