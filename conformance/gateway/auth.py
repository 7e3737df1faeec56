"""Credential check: a request passes iff one of the profile's auth schemes matches exactly."""

from __future__ import annotations

from collections.abc import Mapping

from ..spec import AuthScheme, Profile
from .faults import Fault, hits


def _scheme_accepts(scheme: AuthScheme, value: str, api_key: str, fault: Fault | None) -> bool:
    prefix = scheme.prefix
    if hits(fault, "auth-empty-token") and value.strip().lower() == prefix.strip().lower():
        return True
    # the auth-scheme word (e.g. "Bearer") is case-insensitive in HTTP; the key is not
    if value[: len(prefix)].lower() != prefix.lower():
        return False
    key = value[len(prefix):]
    if hits(fault, "auth-any-key"):
        return bool(key)
    if hits(fault, "auth-case-insensitive"):
        return key.lower() == api_key.lower()
    if hits(fault, "auth-truncated-compare"):  # a fixed-width compare of all but the last character
        return len(key) >= len(api_key) - 1 and key[: len(api_key) - 1] == api_key[:-1]
    return key == api_key


def authorized(profile: Profile, headers: Mapping[str, str], api_key: str, fault: Fault | None = None) -> bool:
    """`headers` must look names up case-insensitively (Starlette's Headers do)."""
    schemes = [s for s in profile.auth if not hits(fault, "auth-scheme-ignored", s.name)]
    sent = [(s, headers.get(s.header)) for s in profile.auth]
    if hits(fault, "auth-no-key") and all(value is None for _, value in sent):
        return True
    for scheme, value in sent:
        if value is None:
            continue
        if scheme in schemes and _scheme_accepts(scheme, value, api_key, fault):
            return True
        if hits(fault, "auth-wrong-scheme") and value.split()[-1:] == [api_key]:
            return True
    return False
