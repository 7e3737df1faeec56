"""The pytest markers of conformance cases: a case's level (`must`, `should`) and its category, so that
`pytest conformance -m must` or `-m "should and streaming"` selects cases."""

from __future__ import annotations

import pytest

from .case import CATEGORIES, Case

MARKERS = {"must": "a conformance case at level MUST (a failure fails the profile)",
           "should": "a conformance case at level SHOULD (reported as a warning, never a failure)",
           **{c: f"a conformance case of the {c} category" for c in CATEGORIES}}


def register(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def marks(case: Case) -> tuple:
    return getattr(pytest.mark, case.level.lower()), getattr(pytest.mark, case.category)
