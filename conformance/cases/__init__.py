"""Case generators: each turns one part of a merged profile into cases. No provider is named here."""

from __future__ import annotations

from ..case import Case
from ..spec import Profile
from . import auth, behaviours, error_answers, param_facets, response, streaming, token_caps, validation
from .builder import Builder

GENERATORS = (auth, validation, param_facets, streaming, response, token_caps, behaviours, error_answers)


def generate_cases(profile: Profile, model: str, *options) -> list[Case]:
    """`options`: the Builder's (the cap parameter the preflight chose, the -H headers), defaulted there only."""
    builder = Builder(profile, model, *options)
    cases: list[Case] = []
    for module in GENERATORS:
        cases += module.generate(builder)
    return cases
