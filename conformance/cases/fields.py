"""Field-path rules (response, stream chunk, /v1/models) turned into one case per facet."""

from __future__ import annotations

from .. import field_facets
from ..case import Case
from ..request import Request
from ..spec import Field
from .builder import Builder


def field_cases(b: Builder, fields: dict[str, Field], *, category: str, subject: str, where: str,
                request: Request, check_title: str, features: tuple[str, ...] = ()) -> list[Case]:
    cases = []
    for path, fld in fields.items():
        for facet, rule in fld.facets.items():
            text = field_facets.registry()[facet].describe(path, rule.value)
            cases.append(b.case(
                category, f"{subject}/{path}", facet, rule, title=f"{check_title}: {text}", expected=text,
                request=request, check="field", args={"where": where, "path": path, "facet": facet, "value": rule.value},
                parameter=path, features=features))
    return cases
