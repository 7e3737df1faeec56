"""Content-Encoding decoded by routecheck itself, with caps on what is read and what it decodes to.

httpx decodes every layer of a stacked encoding whole, chunk by chunk, with no
limit: a 3 KB `gzip, gzip` answer grows to gigabytes. So the engine reads raw
bytes and decodes here: one layer at most (more is an anomaly, left undecoded),
gzip or deflate only, and never more output than the cap.
"""

from __future__ import annotations

import zlib

DECODABLE = ("gzip", "x-gzip", "deflate")
ACCEPTED_ENCODINGS = "gzip, deflate"  # what the engine offers: what it can decode


class BodyDecoder:
    """Feed raw bytes; get decoded bytes, never more than `limit` in all. `anomaly` says what was refused."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        layers = [c.strip().lower() for c in content_encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
        self.limit = limit
        self.produced = 0
        self.exceeded = False  # the decoded body passed the limit: the rest is dropped
        self.anomaly: str | None = None
        self._zlib: zlib._Decompress | None = None
        self._deflate_sniffed = False
        self._layer = layers[0] if len(layers) == 1 else None
        if len(layers) > 1:
            self.anomaly = f"stacked content-encodings ({', '.join(layers)[:80]}): left undecoded"
        elif self._layer and self._layer not in DECODABLE:
            self.anomaly = f"content-encoding {self._layer[:40]!r} is not decoded by routecheck: left as received"
            self._layer = None
        elif self._layer in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        if self._layer is None:
            return self._cap(data)
        if self._layer == "deflate" and not self._deflate_sniffed:
            self._deflate_sniffed = True  # "deflate" is zlib-wrapped by the RFC, raw in many servers
            raw = len(data) < 2 or (data[0] & 0x0F) != 8 or ((data[0] << 8) | data[1]) % 31
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        if self.exceeded or self._zlib is None or not data:
            return b""
        try:
            out = self._zlib.decompress(data, self.limit - self.produced + 1)  # never more than the cap allows
        except zlib.error as exc:
            self.anomaly = self.anomaly or f"the {self._layer} body does not decode: {exc}"[:160]
            self._zlib = None
            return b""
        if self._zlib.unconsumed_tail:
            self.exceeded = True  # more would come out than the cap: the rest is not decoded
        return self._cap(out)

    def flush(self) -> bytes:
        if self._zlib is None or self.exceeded:
            return b""
        try:
            return self._cap(self._zlib.flush())
        except zlib.error as exc:
            self.anomaly = self.anomaly or f"the {self._layer} body does not decode: {exc}"[:160]
            return b""

    def _cap(self, data: bytes) -> bytes:
        room = self.limit - self.produced
        if len(data) > room:
            self.exceeded = True
            data = data[:max(room, 0)]
        self.produced += len(data)
        return data
