"""A conformance case: one documented rule, one request, one check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .request import Request
from .spec import MUST, SHOULD, Rule

CATEGORIES = ("auth", "validation", "ranges", "streaming", "response", "behaviour", "errors")


@dataclass(frozen=True)
class Case:
    id: str  # stable: profile/category/subject/variant, never a position
    profile: str
    category: str
    rule: Rule
    title: str  # what is checked, in one line
    expected: str  # what the document requires of the answer
    request: Request
    check: str  # name in conformance.checks.CHECKS
    args: dict[str, Any] = field(default_factory=dict)
    parameter: str | None = None
    features: tuple[str, ...] = ()
    weaker: bool = False  # a heuristic check of a MUST rule: reported at SHOULD

    @property
    def level(self) -> str:
        return SHOULD if self.weaker else self.rule.level

    @property
    def is_must(self) -> bool:
        return self.level == MUST

    def describe(self) -> dict:
        src = self.rule.source
        return {
            "id": self.id,
            "profile": self.profile,
            "category": self.category,
            "level": self.level,
            "rule": self.rule.id,
            "parameter": self.parameter,
            "title": self.title,
            "expected": self.expected,
            "features": list(self.features),
            "source": {"document": src.document, "quote": src.quote, "schema": src.schema, "note": src.note},
        }
