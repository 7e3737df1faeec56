"""Incremental Server-Sent Events parser that keeps what a lenient client would hide.

It follows the WHATWG event-stream rules (CRLF, LF or CR line ends; `:` comments;
`field: value` with one optional space; a blank line dispatches) and records
framing anomalies — unknown field lines, an event cut off by the end of the
stream — so the suite can report them instead of silently repairing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KNOWN_FIELDS = ("data", "event", "id", "retry")


@dataclass
class SseEvent:
    data: str
    event: str = "message"
    id: str | None = None
    data_lines: int = 0


@dataclass
class SseParser:
    events: list[SseEvent] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    _buffer: str = ""
    _data: list[str] = field(default_factory=list)
    _event: str = ""
    _id: str | None = None
    _pending_cr: bool = False
    _has_fields: bool = False

    def feed(self, text: str) -> list[SseEvent]:
        """Feed decoded text; returns the events completed by it."""
        before = len(self.events)
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]  # the LF of a CRLF split across two chunks
        self._pending_cr = False
        self._buffer += text
        while True:
            cut = _line_end(self._buffer)
            if cut is None:
                break
            line, end = cut
            if self._buffer[line:end] == "\r" and end == len(self._buffer):
                self._pending_cr = True  # may be the first half of CRLF
            self._line(self._buffer[:line])
            self._buffer = self._buffer[end:]
        return self.events[before:]

    def close(self) -> None:
        """End of stream: an event without its blank line is incomplete and dropped."""
        if self._buffer:
            self._line(self._buffer)
            self._buffer = ""
        if self._has_fields:
            data = "\n".join(self._data)
            self.anomalies.append(f"stream ended inside an event (no blank line after it): {data[:80]!r}")
            self._reset()

    def _line(self, line: str) -> None:
        if line == "":
            self._dispatch()
            return
        if line.startswith(":"):
            return  # comment / keep-alive
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name not in KNOWN_FIELDS:
            self.anomalies.append(f"line is not an SSE field: {line[:80]!r}")
            return
        self._has_fields = True
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value

    def _dispatch(self) -> None:
        if self._data:
            self.events.append(SseEvent("\n".join(self._data), self._event or "message", self._id, len(self._data)))
        self._reset()

    def _reset(self) -> None:
        self._data, self._event, self._has_fields = [], "", False


def _line_end(buffer: str) -> tuple[int, int] | None:
    """(start of the line break, end of it) for the first complete line, if any."""
    lf, cr = buffer.find("\n"), buffer.find("\r")
    if lf == -1 and cr == -1:
        return None
    if cr == -1 or (lf != -1 and lf < cr):
        return lf, lf + 1
    if buffer[cr + 1:cr + 2] == "\n":
        return cr, cr + 2
    return cr, cr + 1


def parse(text: str) -> SseParser:
    """Parse a whole stream at once (tests, recorded transcripts)."""
    parser = SseParser()
    parser.feed(text)
    parser.close()
    return parser
