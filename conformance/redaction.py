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
import json
import re
from json.decoder import scanstring
from typing import Iterable, Iterator

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
        # an escape or a plain form, in one pass: most text (a whole results file) holds neither
        self._hint = re.compile("|".join([self._marks.pattern, *(re.escape(n) for n in needles)]))
        # the lookahead skips, with one character test, the positions where no form can start
        starts = "".join(sorted({re.escape(n[0]) for n in needles}))
        self._source = f"(?=[{starts}\\\\%])(?:" + "|".join(_escaped(n) for n in needles) + ")" if needles else None

    @functools.cached_property
    def _pattern(self) -> re.Pattern | None:
        """Compiled at its first use (tens of milliseconds per process): most text meets `_hint` alone."""
        return None if self._source is None else re.compile(self._source)

    def __bool__(self) -> bool:
        return self._source is not None

    def text(self, text: str) -> str:
        if self._source is None or not text:
            return text
        hint = self._hint.search(text)
        if hint is None:
            return text
        if self._marks.search(text, hint.start()):  # none before the first hint
            return self._pattern.sub(REDACTED, text)
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, REDACTED)
        return text

    def bytes(self, data: bytes | bytearray) -> bytes:
        if self._source is None or not data:
            return bytes(data)
        # surrogateescape: bytes that are not UTF-8 pass through unchanged
        text = data.decode("utf-8", errors="surrogateescape")
        redacted = self.text(text)
        if redacted == text:
            del text, redacted  # a body of megabytes: one copy at a time
            return bytes(data)
        return redacted.encode("utf-8", errors="surrogateescape")

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the key, in any of its forms, stands in `text`."""
        if self._source is None or not text or self._hint.search(text) is None:  # no form without a hint
            return []
        return [m.span() for m in self._pattern.finditer(text)]

    def stream_bytes(self, data: bytes | bytearray) -> bytes:
        """`bytes`, and the key split across stream events too (see `split_across_events`)."""
        redacted = self.bytes(data)
        text = redacted.decode("utf-8", errors="surrogateescape")
        joined = self.split_across_events(text)
        return redacted if joined is text else joined.encode("utf-8", errors="surrogateescape")

    def split_across_events(self, text: str) -> str:
        """A target may echo the key a few characters per stream event, as a model streams text: no event holds
        it, but the events' text joined does. The JSON string values of the `data:` lines are joined per field
        name, in order; every part of a value that belongs to a match in the joined text is redacted where it
        stands, so no event keeps a piece of the key. `text` itself is returned when nothing was found."""
        if self._source is None or "data:" not in text:
            return text
        by_field: dict[str, list[tuple[int, int, str]]] = {}
        for start, end, value, name in _data_strings(text):
            by_field.setdefault(name, []).append((start, end, value))
        cut: dict[tuple[int, int, str], list[tuple[int, int]]] = {}
        for pieces in by_field.values():
            if len(pieces) < 2:
                continue
            joined = "".join(value for _, _, value in pieces)
            offsets, at = [], 0
            for piece in pieces:
                offsets.append(at)
                at += len(piece[2])
            for low, high in self.spans(joined):
                for piece, offset in zip(pieces, offsets):
                    a, b = max(low, offset), min(high, offset + len(piece[2]))
                    if a < b:
                        cut.setdefault(piece, []).append((a - offset, b - offset))
        if not cut:
            return text
        out, last = [], 0
        for (start, end, value), ranges in sorted(cut.items()):
            out += [text[last:start], json.dumps(_blank(value, ranges), ensure_ascii=False)]
            last = end
        return "".join(out) + text[last:]

    def found(self, text: str) -> bool:
        return self._source is not None and self.text(text) != text

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


_DATA_LINE = re.compile(r"^data:[ \t]?(.*)$", re.M)
_QUOTE = re.compile(r'"')
_COLON = re.compile(r"\s*:")


def _data_strings(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, value, field name) of each JSON string value on the `data:` lines of an SSE body: the
    literal's place in `text`, its decoded value, and the name of the object key it belongs to."""
    for line in _DATA_LINE.finditer(text):
        pos, end, name = line.start(1), line.end(1), ""
        while True:
            quote = _QUOTE.search(text, pos, end)
            if quote is None:
                break
            try:
                value, after = scanstring(text, quote.end())
            except ValueError:  # not JSON (a line break inside, a bad escape): the rest of this line is skipped
                break
            if after > end:
                break
            if _COLON.match(text, after, end):
                name = value  # a key: the values after it are that field's
            else:
                yield quote.start(), after, value, name
            pos = after


def _blank(value: str, ranges: list[tuple[int, int]]) -> str:
    """`value` with each range (merged where they overlap) replaced by the redaction mark."""
    out, last = [], 0
    for a, b in sorted(ranges):
        if b <= last:
            continue
        a = max(a, last)
        out += [value[last:a], REDACTED]
        last = b
    return "".join(out) + value[last:]
