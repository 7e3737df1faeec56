"""errors: status codes and error bodies of rejections (OpenAI convention unless documented)."""

from __future__ import annotations

from ..case import Case
from .builder import UNKNOWN_MODEL, WRONG_KEY, Builder

ERROR_SHAPE = 'a JSON body {"error": {"message": string, "type": string, ...}}'


def generate(b: Builder) -> list[Case]:
    errors = b.profile.errors
    prompt, (value, how) = b.surface.prompt_param, b.surface.invalid_prompt
    invalid = b.post(b.body(**{prompt: value}))  # a prompt of a type no document of the surface allows
    anonymous = b.post(headers=())
    unknown_model = b.post(b.body(model=UNKNOWN_MODEL))
    # answered by the gateway itself, never by an upstream: its own error path must keep the shape too
    malformed = b.malformed()
    cases = []
    if "validation_status" in errors:
        rule = errors["validation_status"]
        cases.append(b.case("errors", "validation", "status", rule,
                            title=f"an invalid request ({prompt} {how}) is answered with the documented status",
                            expected=f"status {rule.value}", request=invalid, check="status_is",
                            args={"status": rule.value}, parameter=prompt))
    if "auth_status" in errors:
        rule = errors["auth_status"]
        cases.append(b.case("errors", "auth", "status", rule, title="a request without credentials gets the documented status",
                            expected=f"status {rule.value}", request=anonymous, check="status_is", args={"status": rule.value}))
        cases.append(b.case("errors", "auth-wrong-key", "status", rule, title="a wrong key gets the documented status",
                            expected=f"status {rule.value}", request=b.post(headers=b.auth(0, WRONG_KEY)),
                            check="status_is", args={"status": rule.value}))
    if "unknown_model_status" in errors:
        rule = errors["unknown_model_status"]
        cases.append(b.case("errors", "unknown-model", "status", rule,
                            title=f"an unknown model id ({UNKNOWN_MODEL}) gets the documented status",
                            expected=f"status {rule.value}", request=unknown_model, check="status_is",
                            args={"status": rule.value}, parameter="model"))
    if "body" in errors:
        rule = errors["body"]
        for variant, request in (("validation", invalid), ("auth", anonymous), ("unknown-model", unknown_model),
                                 ("malformed-json", malformed)):
            cases.append(b.case("errors", variant, "body", rule, title=f"the {variant} error body has the documented shape",
                                expected=ERROR_SHAPE, request=request, check="error_body"))
    return cases
