"""token caps: a cap bounds usage.completion_tokens, in a completion and in a stream.

No pass without evidence: a cap is judged only when a control (the same request with a larger
cap) went past it, so a model whose answer is short anyway gives an inconclusive verdict rather
than a vacuous pass. The capped request and the control are built here for the behaviours that
read them too (finish_reason "length", the stop and explicit-values controls).
"""

from __future__ import annotations

from ..case import Case
from ..vocabulary import FEATURES, cap_at, capped_body, evidence, usage_options
from .builder import Builder

def generate(b: Builder) -> list[Case]:
    cases = []
    usage = usage_options(b)
    for name, rule in b.profile.token_caps.items():
        body, cap, usage_field = capped_body(b, name), cap_at(b, name), b.surface.words["usage"]
        cases.append(b.case("behaviour", name, "bounds-completion", rule,
                            title=f"{name} {cap} bounds {usage_field} (the control without it went past {cap})",
                            expected=f"{usage_field} <= {cap}, and no more than {cap} words of text",
                            request=b.post(body), check="token_cap",
                            args={"cap": cap}, parameter=name, features=FEATURES, evidence=evidence(b)))
        cases.append(b.case("behaviour", name, "bounds-stream", rule,
                            title=f"{name} {cap} bounds a streamed completion too",
                            expected=f"at most {cap} completion tokens (usage chunk), and no more than {cap} words "
                                     "in the text the chunks assemble",
                            request=b.post(dict(body, stream=True, **usage)), check="token_cap_stream",
                            args={"cap": cap}, parameter=name, features=FEATURES,
                            evidence=evidence(b, stream=True, **usage) + (("capped-plain", b.post(body)),),
                            weaker=not usage))
    return cases
