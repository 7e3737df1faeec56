"""Feature registry: model capabilities a case may need. Skipping is decided here and only here."""

from __future__ import annotations

from .case import Case
from .errors import UsageError

FEATURES = {
    "tools": "function tools and tool_choice (tool calling)",
    "json_mode": "response_format JSON object / JSON schema output",
    "vision": "image content parts in messages",
}


def parse_disabled(names: list[str] | None) -> frozenset[str]:
    disabled = frozenset(n.strip() for raw in names or [] for n in raw.split(",") if n.strip())
    unknown = sorted(disabled - FEATURES.keys())
    if unknown:
        raise UsageError(f"unknown feature '{unknown[0]}' (known: {', '.join(FEATURES)})")
    return disabled


def skip_reason(case: Case, disabled: frozenset[str]) -> str | None:
    missing = [f for f in case.features if f in disabled]
    if missing:
        return f"the target's model lacks {', '.join(FEATURES[f] for f in missing)} (--without {','.join(missing)})"
    return None
