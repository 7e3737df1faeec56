"""response: the documented shape of a completion and of GET /v1/models."""

from __future__ import annotations

from ..case import Case
from .builder import Builder
from .fields import field_cases


def generate(b: Builder) -> list[Case]:
    p = b.profile
    completion = b.post()
    plain = {k: f for k, f in p.response_fields.items() if "tool_calls" not in k}
    cases = field_cases(b, plain, category="response", subject="completion", where="response",
                        request=completion, check_title="in a completion")
    tool_fields = {k: f for k, f in p.response_fields.items() if "tool_calls" in k}
    if tool_fields:  # judged where tool calls are: on a forced call, not on a plain answer (a vacuous pass)
        forced = b.post(b.tool_body())
        cases += field_cases(b, tool_fields, category="response", subject="tool-call", where="response",
                             request=forced, check_title="in a forced tool call", features=("tools",))
    if p.usage_total is not None:
        cases.append(b.case("response", "completion/usage", "total", p.usage_total,
                            title="usage.total_tokens = prompt_tokens + completion_tokens",
                            expected="total_tokens equal to prompt_tokens + completion_tokens",
                            request=completion, check="usage_total", parameter="usage"))
    models = b.models()
    cases.append(b.case("response", "models", "listed", p.models_rule, title=f"GET {p.models_path} lists the models as JSON",
                        expected="a 2xx JSON answer listing at least one model", request=models, check="models_listed"))
    cases += field_cases(b, p.models_fields, category="response", subject="models", where="models",
                         request=models, check_title=f"in GET {p.models_path}")
    return cases
