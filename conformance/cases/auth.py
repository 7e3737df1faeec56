"""auth: every documented credential header accepted; a missing, wrong or mis-schemed key rejected."""

from __future__ import annotations

from ..case import Case
from .builder import WRONG_KEY, Builder

REJECTED = "a 4xx answer (the request is not authenticated)"


def generate(b: Builder) -> list[Case]:
    cases = []
    first = b.profile.auth[0]
    cases.append(b.case(
        "auth", "missing-key", "rejected", first.rule, title="a request without credentials is rejected",
        expected=REJECTED, request=b.chat(headers=()), check="rejected"))
    for i, scheme in enumerate(b.profile.auth):
        header = scheme.header
        cases.append(b.case(
            "auth", scheme.name, "valid-key", scheme.rule, title=f"the key in `{header}` alone is accepted",
            expected="a 2xx completion", request=b.chat(headers=b.auth(i)), check="accepted"))
        cases.append(b.case(
            "auth", scheme.name, "wrong-key", scheme.rule, title=f"a wrong key in `{header}` is rejected",
            expected=REJECTED, request=b.chat(headers=b.auth(i, WRONG_KEY)), check="rejected"))
        if scheme.prefix.strip():
            wrong = (("Authorization" if header.lower() == "authorization" else header, "Basic {key}"),)
            # the documents tell clients to send Bearer; none says a server must refuse another scheme
            cases.append(b.case(
                "auth", scheme.name, "wrong-scheme", scheme.rule,
                title=f"the right key under another scheme (`Basic`) in `{header}` is rejected",
                expected=REJECTED, request=b.chat(headers=wrong), check="rejected", weaker=True))
    return cases
