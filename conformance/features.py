"""Feature registry: model capabilities a case may need. Skipping, and calling a capability
absent, are decided here and only here.

A capability is skipped when the user says the model lacks it (`--without`). Otherwise it is
discovered from evidence: a case of a capability carries, as evidence, the requests that set its
parameter to each documented value. When every one of them (two at least) is refused alike, with a 4xx naming
the parameter or the model, the model lacks the capability: the case is inconclusive, quoting
that answer, never failed. `--require CAP` says the model has it, so such refusals fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .case import Case
from .errors import UsageError

if TYPE_CHECKING:
    from .engine import Exchange

FEATURES = {
    "tools": "function tools and tool_choice (tool calling)",
    "json_mode": "response_format JSON object / JSON schema output",
    "vision": "image content parts in messages",
    "image_output": "images generated through the chat endpoint (modalities, image_config)",
    "reasoning": "reasoning controls (reasoning_effort, reasoning summaries, verbosity)",
    "behaviour": "a model whose output follows the request (token caps, stop sequences, tool calls, JSON mode)",
}
# words an error may use for a capability, besides the parameter's own name and "model"
KEYWORDS = {"tools": ("tool",), "json_mode": ("response_format", "json"), "vision": ("image",), "image_output": ("image", "modalit"),
            "reasoning": ("reasoning",), "behaviour": ()}
CAPABILITY_EVIDENCE = "capability:"  # prefix of the evidence names that probe a capability
# capabilities whose documented values a model supports only in part (no single model takes all six reasoning
# efforts): one documented value accepted is the MUST, each further value a SHOULD, inconclusive when refused
# as unsupported by the model
PARTIAL = ("reasoning",)


def parse_features(names: list[str] | None, option: str = "--without") -> frozenset[str]:
    chosen = frozenset(n.strip() for raw in names or [] for n in raw.split(",") if n.strip())
    unknown = sorted(chosen - FEATURES.keys())
    if unknown:
        raise UsageError(f"{option}: unknown feature '{unknown[0]}' (known: {', '.join(FEATURES)})")
    return chosen


def parse_disabled(names: list[str] | None) -> frozenset[str]:
    return parse_features(names, "--without")


def parse_required(names: list[str] | None, disabled: frozenset[str] = frozenset()) -> frozenset[str]:
    required = parse_features(names, "--require")
    both = sorted(required & disabled)
    if both:
        raise UsageError(f"feature '{both[0]}' is both required (--require) and missing (--without)")
    return required


def skip_reason(case: Case, disabled: frozenset[str]) -> str | None:
    missing = [f for f in case.features if f in disabled]
    if missing:
        return f"the target's model lacks {', '.join(FEATURES[f] for f in missing)} (--without {','.join(missing)})"
    return None


def capability_absent(case: Case, evidence: dict[str, "Exchange"], required: frozenset[str]) -> str | None:
    """Why the model evidently lacks the capability this case needs, or None (present, required or unknown)."""
    probes = [ex for name, ex in evidence.items() if name.startswith(CAPABILITY_EVIDENCE)]
    features = [f for f in case.features if f in KEYWORDS]
    # one documented value refused tells a missing capability from a broken parameter by nothing: judge it
    if len(probes) < 2 or not features or all(f in required for f in features):
        return None
    statuses = {ex.status for ex in probes}
    if len(statuses) != 1 or not all(s is not None and 400 <= s < 500 for s in statuses):
        return None  # some documented value was taken (or the refusals differ): the capability is there
    # the refusal names the capability, the model, or the parameter it probed (capability:PARAM=VALUE)
    words = [w.lower() for f in features for w in KEYWORDS[f]] + ["model"]
    words += [name[len(CAPABILITY_EVIDENCE):].split("=")[0].lower() for name in evidence if name.startswith(CAPABILITY_EVIDENCE)]
    if case.parameter:
        words.append(case.parameter.lower())
    if not all(any(w in ex.text().lower() for w in words) for ex in probes):
        return None  # refused for some other reason: the cases judge that
    shown = " ".join(probes[0].text().split())[:200]
    return (f"the model lacks {' and '.join(FEATURES[f] for f in features)}: all {len(probes)} documented values "
            f"of its parameters were refused alike ({probes[0].status} {shown!r}); "
            f"--require {','.join(features)} makes this a failure")
