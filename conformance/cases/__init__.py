"""Case generators: each turns one part of a merged profile into cases. No provider is named here."""

from __future__ import annotations

from ..case import Case
from ..spec import Profile
from . import auth, behaviours, error_answers, param_facets, response, streaming, token_caps, validation
from .builder import Builder

GENERATORS = (auth, validation, param_facets, streaming, response, token_caps, behaviours, error_answers)


def generate_cases(profile: Profile, model: str, cap_param: str = "max_tokens", extra_headers: tuple = ()) -> list[Case]:
    builder = Builder(profile, model, cap_param, extra_headers)
    cases: list[Case] = []
    for module in GENERATORS:
        cases += module.generate(builder)
    return cases
