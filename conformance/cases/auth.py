"""auth: every documented credential header accepted; a missing, wrong or mis-schemed key rejected; a request
without a header the document requires besides the credentials (anthropic-version) rejected."""

from __future__ import annotations

from ..case import Case
from ..request import KEY_PLACEHOLDER, key_placeholder
from .builder import WRONG_KEY, Builder

REJECTED = "a 4xx answer (the request is not authenticated)"
# the key, nearly: where prefix compares, case-folding and truncating buffers let a wrong key in
NEAR_MISSES = (("key-with-suffix", KEY_PLACEHOLDER + "x", "the key with a character added"),
               ("key-other-case", key_placeholder("swapcase"), "the key in another letter case"),
               ("key-truncated", key_placeholder("drop-last"), "the key without its last character"),
               ("key-one-changed", key_placeholder("flip-last"), "the key with its last character changed"),
               ("empty-token", "", "the scheme with no key after it"))


def generate(b: Builder) -> list[Case]:
    cases = []
    first = b.profile.auth[0]
    cases.append(b.case(
        "auth", "missing-key", "rejected", first.rule, title="a request without credentials is rejected",
        expected=REJECTED, request=b.post(headers=()), check="rejected"))
    for variant, token, what in NEAR_MISSES:
        # exactly as named: "Bearer " with its space, which httpx refuses and conformance/verbatim.py sends
        value = first.prefix + token
        if value.strip() or not first.prefix:  # a bare key's header sent empty; "Bearer " as named (verbatim)
            cases.append(b.case(
                "auth", first.name, variant, first.rule, title=f"{what} in `{first.header}` is rejected",
                expected=REJECTED, request=b.post(headers=((first.header, value),)), check="rejected"))
    for i, scheme in enumerate(b.profile.auth):
        header = scheme.header
        cases.append(b.case(
            "auth", scheme.name, "valid-key", scheme.rule, title=f"the key in `{header}` alone is accepted",
            expected="a 2xx completion", request=b.post(headers=b.auth(i)), check="accepted"))
        cases.append(b.case(
            "auth", scheme.name, "wrong-key", scheme.rule, title=f"a wrong key in `{header}` is rejected",
            expected=REJECTED, request=b.post(headers=b.auth(i, WRONG_KEY)), check="rejected"))
        if scheme.prefix.strip():
            wrong = (("Authorization" if header.lower() == "authorization" else header, "Basic {key}"),)
            # the documents tell clients to send Bearer; none says a server must refuse another scheme
            cases.append(b.case(
                "auth", scheme.name, "wrong-scheme", scheme.rule,
                title=f"the right key under another scheme (`Basic`) in `{header}` is rejected",
                expected=REJECTED, request=b.post(headers=wrong), check="rejected", weaker=True))
    for name, rule in b.profile.headers.items():  # required besides the credentials
        cases.append(b.case(
            "auth", f"header-{name.lower()}", "missing", rule, title=f"a request without the `{name}` header is rejected",
            expected=f"a 4xx answer (`{name}` is required)", request=b.post(omit=name), check="rejected"))
    return cases
