"""The one redaction every output goes through: the key, raw or in any usual encoding.

A target may echo the key back raw, base64-encoded (standard or URL-safe, at any
offset inside a longer base64 string), hex-encoded, percent-encoded or as JSON
`\\uXXXX` escapes, and in any mix of the last three (a JSON string may escape some
characters and not others). One regular expression per run finds them all; what
it matches becomes [REDACTED]. Text is redacted after it is decoded (gzip, SSE
reassembly): the engine scrubs what it stores, and every writer redacts again.
"""

from __future__ import annotations

import base64
import functools
import re
from typing import Iterable

REDACTED = "[REDACTED]"
MIN_SECRET = 8  # a shorter key is redacted raw only: its encoded forms would match ordinary text
MIN_CORE = 6  # a base64 core shorter than this is too common to be evidence


class Redactor:
    """Built once from the secrets; `text` and `bytes` replace every form of them."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = tuple(dict.fromkeys(s for s in secrets if s))
        needles: list[str] = []
        for secret in self.secrets:
            needles += _forms(secret)
        needles = sorted(set(needles), key=len, reverse=True)  # the longest form wins where two overlap
        self._needles = tuple(needles)
        # text without one of these escapes holds no escaped form: plain search does, 100 times faster than the
        # pattern (a "%" alone is no escape: reproduce commands hold "${KEY%?}")
        quoted = "".join(re.escape(c) for c in "/\"\\" if any(c in n for n in needles))
        self._marks = re.compile(r"\\u[0-9a-fA-F]{4}|%[0-9a-fA-F]{2}" + (f"|\\\\[{quoted}]" if quoted else ""))
        # the lookahead skips, with one character test, the positions where no form can start
        starts = "".join(sorted({re.escape(n[0]) for n in needles}))
        self._pattern = re.compile(f"(?=[{starts}\\\\%])(?:" + "|".join(_escaped(n) for n in needles) + ")") if needles else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        if self._marks.search(text):
            return self._pattern.sub(REDACTED, text)
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, REDACTED)
        return text

    def bytes(self, data: bytes | bytearray) -> bytes:
        if self._pattern is None or not data:
            return bytes(data)
        # surrogateescape: bytes that are not UTF-8 pass through unchanged
        text = data.decode("utf-8", errors="surrogateescape")
        redacted = self.text(text)
        if redacted == text:
            del text, redacted  # a body of megabytes: one copy at a time
            return bytes(data)
        return redacted.encode("utf-8", errors="surrogateescape")

    def found(self, text: str) -> bool:
        return self._pattern is not None and self.text(text) != text

    def header_name(self, name: str) -> str:
        """Lower-cased like every stored header name, the redaction mark kept as it is."""
        return REDACTED.join(part.lower() for part in self.text(name).split(REDACTED))


@functools.lru_cache(maxsize=16)
def redactor(secrets: tuple[str, ...]) -> Redactor:
    return Redactor(secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    return redactor(tuple(secrets)).text(text)


def _forms(secret: str) -> list[str]:
    """The key as it may come back: raw (and its case variants), hex, and base64 at each offset."""
    if len(secret) < MIN_SECRET:
        return [secret]
    raw = secret.encode("utf-8")
    forms = [secret, secret.lower(), secret.upper(), raw.hex(), raw.hex().upper()]
    for offset in range(3):
        core = _base64_core(raw, offset)
        if len(core) >= MIN_CORE:
            forms += [core, core.replace("+", "-").replace("/", "_")]
    return forms


def _base64_core(raw: bytes, offset: int) -> str:
    """The characters of base64(prefix + raw) that depend on raw alone, for a prefix of `offset` bytes mod 3."""
    encoded = base64.b64encode(b"\0" * offset + raw).decode().rstrip("=")
    start = (0, 2, 3)[offset]  # characters that mix prefix bits with the secret's
    end = len(encoded) - (1 if (offset + len(raw)) % 3 else 0)  # the last one mixes with what follows
    return encoded[start:end]


def _escaped(needle: str) -> str:
    """A needle's characters each as themselves, a JSON \\u escape (any case, any number of backslashes)
    or a percent-encoding; `/` also as JSON's `\\/`."""
    parts = []
    for char in needle:
        code = ord(char)
        if code > 0xFFFF:
            parts.append(re.escape(char))
            continue
        options = [re.escape(char), r"\\+u" + "".join(_hex_digit(d) for d in f"{code:04x}")]
        if code < 0x80:
            options.append("%" + "".join(_hex_digit(d) for d in f"{code:02x}"))
            options.append("\\\\+" + re.escape(char) if char in "/\"\\" else "")
        else:
            options += ["".join("%" + "".join(_hex_digit(d) for d in f"{b:02x}") for b in char.encode())]
        parts.append("(?:" + "|".join(o for o in options if o) + ")")
    return "".join(parts)


def _hex_digit(digit: str) -> str:
    return f"[{digit}{digit.upper()}]" if digit.isalpha() else digit
