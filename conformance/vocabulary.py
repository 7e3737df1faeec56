"""What every case generator shares (conformance/cases/, the behaviours, the parameter facets): the prompts and
caps of its requests, and the capped request with its control that token caps and several behaviours judge by.

The functions take the profile's Builder (conformance/cases/builder.py) as `b`, and import nothing of it:
a behaviour or facet module reads its vocabulary here, not from the case generators' package.
"""

from __future__ import annotations

from .request import Request

# Prompts are short and caps tiny: a full run against a paid provider costs cents.
BASE_PROMPT = "Say hello."
LONG_PROMPT = ("Repeat these words: one two three four five six seven eight nine ten "
               "eleven twelve thirteen fourteen fifteen sixteen.")
# unlike LONG_PROMPT's answer, so a model answering both alike gives a fixed reply away
STOP_PROMPT = ("Name the colours of the rainbow in order, in words and nothing else: "
               "red orange yellow green blue indigo violet.")
TOOL_PROMPT = "What is the status of order 123? Use the get_order tool."
STOP_CAP = 12  # the stop controls' cap: room for the second half of the answer, where the stop word is taken
JSON_PROMPT = "Reply in JSON: an object whose key answer holds the word hello."
# asks for the conversation's first user message: only a model given the earlier turns can (the reference model
# answers it so: conformance/echo.py)
RECALL_PROMPT = "Repeat my first message word for word."
WRONG_KEY = "rc-invalid-key-0000000000"
UNKNOWN_FIELD = "routecheck_unknown_field"
UNKNOWN_MODEL = "routecheck-no-such-model"
TOOL = {"type": "function", "function": {
    "name": "get_order", "description": "Look up an order by ID.",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}}
STREAM_CAP = 4

# token caps: a capped request and the control that shows what the cap cut
CAP = 3
CONTROL_CAP = 8  # the control's cap: room to go past CAP, few tokens
FEATURES = ("behaviour",)


def usage_options(b) -> dict:
    """stream_options only where the profile's own document has include_usage (never an undocumented value at MUST)."""
    rule = b.profile.behaviours.get("include_usage")
    return {"stream_options": {"include_usage": True}} if rule is not None and not rule.inherited else {}


def cap_floor(b, name: str) -> int:
    """The smallest value the document allows for token cap `name` (Responses' max_output_tokens: 16), 0 if none."""
    param = b.profile.params.get(name)
    minimum = param.get("minimum") if param is not None else None
    return int(minimum) if isinstance(minimum, (int, float)) and not isinstance(minimum, bool) else 0


def cap_at(b, name: str) -> int:
    """The cap the caps' cases send: CAP, or the document's minimum where that is higher."""
    return max(CAP, cap_floor(b, name))


def _highest_cap(b) -> int:
    return max([cap_at(b, name) for name in b.profile.token_caps] + [cap_at(b, b.cap_param)])


def control_cap(b) -> int:
    """The control's cap: room to go past every cap the cases send."""
    highest = _highest_cap(b)
    return CONTROL_CAP if highest <= CAP else 2 * highest


def long_prompt(b) -> str:
    """A prompt whose answer goes past the control's cap: LONG_PROMPT, or a longer count where a document's
    minimum cap is higher than CAP."""
    if _highest_cap(b) <= CAP:
        return LONG_PROMPT
    return "Repeat these numbers: " + " ".join(str(n) for n in range(1, control_cap(b) + 9)) + "."


def capped_body(b, name: str) -> dict:
    """The long prompt with `name` at its cap, the only cap, so nothing else bounds it."""
    return b.body(prompt=long_prompt(b), cap=None, **{name: cap_at(b, name)})


def control(b, **fields) -> Request:
    """The long prompt allowed the control's cap: it goes past the cap unless the model stops early."""
    return b.post(b.body(prompt=long_prompt(b), cap=control_cap(b), **fields))


def evidence(b, **fields) -> tuple[tuple[str, Request], ...]:
    """What a cap is judged against: the control, and another prompt's answer, which tells a fixed reply (as for stop)."""
    return ("control", control(b, **fields)), ("other-prompt", b.stop_control())
