"""Choices made once per run, before any case, from what the target answers.

Base requests carry a token cap so a run stays cheap. `max_tokens` is the cap every document
offers, but some models refuse it (OpenAI's o-series and gpt-5 ask for `max_completion_tokens`).
Where the profile's own document offers both, one request tells which the model takes; every
base request then uses that one, so a refused cap does not block the whole profile.
"""

from __future__ import annotations

from .cases.builder import Builder
from .engine import Engine, fingerprint
from .spec import Profile

DEFAULT_CAP = "max_tokens"
ALTERNATIVE_CAP = "max_completion_tokens"


def offers_both_caps(profile: Profile) -> bool:
    params = profile.params
    return all(name in params and params[name].documented for name in (DEFAULT_CAP, ALTERNATIVE_CAP))


def choose_cap_param(engine: Engine, url: str, profile: Profile, model: str, headers: tuple = ()) -> str:
    """max_tokens, unless the model refuses it with a 4xx that names it and the document offers the other."""
    if not offers_both_caps(profile):
        return DEFAULT_CAP
    request = Builder(profile, model, extra_headers=headers).post()
    exchange = engine.run([(url, request)])[fingerprint(url, request)]
    refused = exchange.status is not None and 400 <= exchange.status < 500 and DEFAULT_CAP in exchange.text()
    return ALTERNATIVE_CAP if refused else DEFAULT_CAP
