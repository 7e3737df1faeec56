"""A conformance case: one documented rule, the exchanges that observe it, one check.

Most cases judge one exchange. Some need more to earn a verdict: `prereqs` name the
root cases whose exchanges must have worked for this rule to be observable at all
(else the case is blocked by that root, not failed); `evidence` are further requests
the check reads (controls, the other documented values of a capability); `derive`
names a probe built at run time from the first exchange (a stop word the model
really said)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .request import Request
from .profile import MUST, SHOULD, Rule

CATEGORIES = ("auth", "validation", "ranges", "streaming", "response", "behaviour", "errors", "forwarding")


@dataclass(frozen=True)
class Prereq:
    """An exchange this case's rule cannot be observed without, and the case that judges it."""

    root: str  # the root case's id
    request: Request
    # "completion": a 2xx JSON object; "json": a 2xx JSON answer; "accepted": a 2xx answer;
    # "stream": a 2xx answer carrying events. The root's own check must fail whenever its need is unmet
    need: str


@dataclass(frozen=True)
class Case:
    id: str  # stable: profile/surface/category/subject/variant (the surface's ID segment), never a position
    profile: str
    category: str
    rule: Rule
    title: str  # what is checked, in one line
    expected: str  # what the document requires of the answer
    request: Request
    check: str  # a check's name (conformance.checks.check_named)
    args: dict[str, Any] = field(default_factory=dict)
    parameter: str | None = None
    features: tuple[str, ...] = ()
    weaker: bool = False  # a heuristic check of a MUST rule: reported at SHOULD
    prereqs: tuple[Prereq, ...] = ()
    evidence: tuple[tuple[str, Request], ...] = ()
    derive: str | None = None  # a behaviour module's deriver (conformance.checks.derive)

    def requests(self) -> list[Request]:
        """Every request known before the run, prerequisites first: what the sender sends for this case."""
        return [p.request for p in self.prereqs] + [r for _, r in self.evidence] + [self.request]

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
            "surface": self.request.surface,
            "category": self.category,
            "level": self.level,
            "rule": self.rule.id,
            "parameter": self.parameter,
            "title": self.title,
            "expected": self.expected,
            "features": list(self.features),
            "source": {"document": src.document, "quote": src.quote, "schema": src.schema, "note": src.note},
        }
