"""What else each fault breaks: the rules, besides its own, whose cases it also fails or warns.

A fault breaks one rule, but other cases may read what it breaks (the behaviour checks read
the completion's fields; a 500 for every refusal breaks every validation rule). Each row
declares that, with why: a fault name pattern, the rule id patterns it may also break (both
fnmatch). tests/test_kill_matrix.py runs every case under every fault and checks both ways:
no fault breaks an undeclared rule, and every declared pattern is seen on some profile.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

# (fault name pattern, rule id patterns, why)
COLLATERAL: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("auth.any-key", ("errors.auth_status", "auth.*"),
     "a wrong key is accepted: the 401-status case and the other schemes' wrong-key cases see it too"),
    ("auth.no-key", ("errors.auth_status",), "the missing-key status case is answered 200"),
    ("auth.*-ignored", ("models",), "GET /models presents the first scheme's credential"),
    ("behaviour.cap-ignored.*", ("behaviours.explicit_values",), "max_tokens: 0 sent explicitly is not honoured either"),
    ("errors.validation-500", ("request.*",), "every refusal is a 500, and a 500 is not a rejection"),
    ("messages.type-unchecked", ("errors.validation_status",), "the status case's invalid request is a wrong-type messages"),
    ("input.type-unchecked", ("errors.validation_status",), "the status case's invalid request is a wrong-type input"),
    ("max_output_tokens.minimum-exclusive", ("token_caps.*", "behaviours.*"),
     "the caps' cases send the documented minimum (16), which is now refused"),
    ("models.data*", ("models",), "the listing loses its model ids"),
    ("models.wrong-shape", ("models.data.required",), "a bare array has no `data`"),
    ("*.enum-open", ("request.*.rejects.*",), "a documented rejected example is a value outside the enum"),
    ("*.maximum-exclusive", ("request.*.type",), "the type case's valid number is the maximum"),
    ("*.accepts.*-rejected", ("behaviours.*", "response.*", "stream.*"),
     "the behaviour and tool-call shape cases send the documented value that is now refused"),
    ("modalities.accepts.*-rejected", ("request.image_config.accepts.*",),
     "image_config's documented example is sent with the documented modalities"),
    ("response.*", ("behaviours.*",), "the behaviour checks read the same completion fields"),
    ("response.*", ("response.*",), "a field of the wrong type loses its value's facets too (enum, const, seconds)"),
    ("response.no-choices", ("stream.non_stream_json",), "stream: false is judged on the completion's choices"),
    ("stream.*", ("stream.*", "behaviours.*"),
     "the other stream cases read the same chunks (the last finish_reason, the usage chunk, the framing)"),
    ("stream.bad-json-line", ("token_caps.*",), "a cap is judged on the streamed text too"),
    ("stream.chunk-after-finish", ("token_caps.*",), "the chunk after the finish goes past the cap"),
    ("stream.cumulative-deltas*", ("token_caps.*",), "the text a client assembles from the text so far goes past the cap"),
    ("stream.plain-json", ("request.stream_options.nullable",), "stream_options: null is sent on a stream"),
    ("unknown-model-accepted", ("errors.unknown_model_status",), "the unknown-model status case is answered 200"),
    ("*.string-form-rejected", ("request.*.accepts.*",), "a documented example is the string form (system, input)"),
    ("tools.accepts.client-tool-rejected", ("request.tool_choice.accepts.*",),
     "tool_choice's documented values are sent with the documented tool"),
    ("response.type.*", ("stream.non_stream_json",), "stream: false is judged on the message's type"),
    ("stream.event-after-stop", ("token_caps.*",), "the delta after message_stop goes past the cap"),
)


def also_breaks(fault_name: str) -> tuple[str, ...]:
    """The rule id patterns the fault named `fault_name` declares it may also break."""
    patterns = (rules for pattern, rules, _ in COLLATERAL if fnmatchcase(fault_name, pattern))
    return tuple(dict.fromkeys(rule for group in patterns for rule in group))
