"""The cases of the request parameter facets that own a module (conformance/param_facets/)."""

from __future__ import annotations

from .. import param_facets
from ..case import Case
from .builder import Builder


def generate(b: Builder) -> list[Case]:
    cases: list[Case] = []
    for param in b.profile.params.values():
        for facet in param_facets.registry().values():
            rule = param.facets.get(facet.name)
            if rule is not None:
                cases += facet.cases(b, param, rule)
    return cases
