"""Field-path rules (response, stream chunk, /v1/models) turned into one case per facet."""

from __future__ import annotations

from ..case import Case
from ..request import Request
from ..spec import Field
from .builder import Builder


def describe(path: str, facet: str, value) -> str:
    if facet == "required":
        return f"`{path}` is present"
    if facet == "type":
        kinds = value if isinstance(value, list) else [value]
        return f"`{path}` is {' or '.join(map(str, kinds))}"
    if facet == "const":
        return f"`{path}` is {value!r}"
    if facet == "enum":
        return f"`{path}` is one of {', '.join(map(repr, value))}"
    if facet == "min_items":
        return f"`{path}` has at least {value} item(s)"
    if facet == "unix_seconds":
        return f"`{path}` is a plausible Unix time in seconds (within a day of now)"
    raise ValueError(facet)


def field_cases(b: Builder, fields: dict[str, Field], *, category: str, subject: str, where: str,
                request: Request, check_title: str, features: tuple[str, ...] = ()) -> list[Case]:
    cases = []
    for path, fld in fields.items():
        for facet, rule in fld.facets.items():
            text = describe(path, facet, rule.value)
            cases.append(b.case(
                category, f"{subject}/{path}", facet, rule, title=f"{check_title}: {text}", expected=text,
                request=request, check="field", args={"where": where, "path": path, "facet": facet, "value": rule.value},
                parameter=path, features=features))
    return cases
