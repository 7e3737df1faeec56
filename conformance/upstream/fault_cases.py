"""The upstream-fault cases of one profile (category `forwarding`, `upstream-FAULT/relayed`), made only with
--upstream: each request asks the recording upstream for one fault (faults.py) and the case judges how the gateway
relayed it (fault_checks.py).

Only Routify's full reference says anything of upstream errors ("errors for unsupported parameters come from the
provider"): its 400 case is a MUST citing that sentence. Every other case is a convention (SHOULD): no document
says how a gateway relays a provider's failure.
"""

from __future__ import annotations

from ..case import Case
from ..cases.builder import Builder
from ..profile import MUST, Rule, Source
from ..vocabulary import BASE_PROMPT
from . import fault_checks  # noqa: F401 - registers the fault checks by name
from .faults import FAULTS, Fault

CATEGORY = "forwarding"
VARIANT = "relayed"
# documents that say how a provider's errors reach the client, by document file: the sentence, quoted verbatim
PROVIDER_ERRORS = {
    "001_9acc2e208232e8f5.txt": "Ошибки для неподдерживаемых параметров (например, tools, response_format) приходят "
                                "от провайдера, а не от Routify.",
}
EVERY_ATTEMPT = "the upstream serves it to every attempt (the gateway's retries and routecheck's own alike)"
UNSAID = "No document says how a gateway relays a provider's "
HIDDEN = "a success or a 5xx in its place says the request was fine, or the server's fault, and hides {}."
SERVER = "a 200 in its place reports an answer that never came, and a 4xx blames the client."
TRUNCATED = "; a finish_reason or a [DONE] the provider never sent tells the client a truncated answer is complete."
FINALLY = "the answer routecheck finally gets, after its own retries, is "

# fault name -> (check, title, expected, convention: what no document says, and why it matters)
CASES = {
    "upstream-400": ("relays_client_error", "a provider's 400 naming a parameter (temperature) reaches the client "
                     "as a 4xx with its message", "a 4xx carrying the provider's message",
                     UNSAID + "refusal; " + HIDDEN.format("the provider's reason")),
    "upstream-404": ("relays_client_error", "a provider's 404 for the model reaches the client as a 4xx with its "
                     "message", "a 4xx carrying the provider's message",
                     UNSAID + "404 for a model; " + HIDDEN.format("that the model is not there")),
    "upstream-429": ("relays_rate_limit", "a provider's 429 (Retry-After: 1) reaches the client as a 429 with its "
                     "Retry-After", FINALLY + "a 429 with a Retry-After", UNSAID + "rate limit; a 429 with its "
                     "Retry-After is what tells a client to back off (OpenAI's SDK retries on it)."),
    "upstream-500": ("relays_server_error", "a provider's 500 reaches the client as a 5xx, never a success",
                     "a 5xx: not a 2xx, not a 4xx", UNSAID + "server error; " + SERVER),
    "upstream-503": ("relays_server_error", "a provider's 503 (overloaded) reaches the client as a 5xx, never a "
                     "success", FINALLY + "a 5xx: not a 2xx, not a 4xx", UNSAID + "overload; " + SERVER),
    "upstream-stream-error": ("stream_error_relayed", "an error in the middle of a provider's 200 stream reaches "
                              "the client; it never becomes a clean finish", "the error relayed (an error event or "
                              "chunk), or the stream left unfinished; never a finish_reason stop and [DONE] after it",
                              UNSAID + "error in the middle of a stream" + TRUNCATED),
    "upstream-stream-cut": ("stream_cut_not_completed", "a provider's stream cut without its [DONE] is not completed "
                            "on the way", "no [DONE] and no finish_reason the upstream never sent (an error event may "
                            "say it broke)", UNSAID + "stream cut before its end" + TRUNCATED),
}


def _request(b: Builder, fault: Fault):
    fields = {"stream": True} if fault.stream else {}
    if fault.error.get("param") in b.profile.params:  # the parameter the provider's refusal names was sent
        fields[fault.error["param"]] = 1
    return b.post(b.body(prompt=f"{BASE_PROMPT} {fault.directive}", **fields))


def _rule(b: Builder, fault: Fault) -> tuple[Rule, str | None]:
    """The document's sentence on provider errors for its 4xx refusal of a parameter; otherwise a convention."""
    document = b.profile.document
    quote = PROVIDER_ERRORS.get(document)
    if quote is not None and fault.name == "upstream-400":
        return Rule("upstream.provider_errors", MUST, Source(document, quote)), None
    return Rule(f"upstream.faults.{fault.name}", MUST, Source(document)), CASES[fault.name][3]


def fault_cases(b: Builder) -> list[Case]:
    cases = []
    for name, (check, title, expected, _) in CASES.items():
        fault = FAULTS[name]
        rule, convention = _rule(b, fault)
        cases.append(b.case(CATEGORY, name, VARIANT, rule, request=_request(b, fault), check=check,
                            args={"fault": name}, title=title, expected=f"{EVERY_ATTEMPT}: {expected}",
                            convention=convention))
    return cases
