"""Incremental Server-Sent Events parser that keeps what a lenient client would hide.

It follows the WHATWG event-stream rules (CRLF, LF or CR line ends; `:` comments;
`field: value` with one optional space; a blank line dispatches) and records
framing anomalies — unknown field lines, an event cut off by the end of the
stream — so the suite can report them instead of silently repairing them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

KNOWN_FIELDS = ("data", "event", "id", "retry")
LINE_END = re.compile(r"\r\n|\r|\n")


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
    max_events: int | None = None  # beyond it only the count and the last event are kept
    dropped: int = 0
    last: SseEvent | None = None
    _buffer: io.StringIO = field(default_factory=io.StringIO)  # the unfinished line: appended, never re-scanned
    _data: list[str] = field(default_factory=list)
    _event: str = ""
    _id: str | None = None
    _pending_cr: bool = False
    _has_fields: bool = False

    def feed(self, text: str) -> list[SseEvent]:
        """Feed decoded text; returns the events completed by it."""
        before, dropped = len(self.events), self.dropped
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]  # the LF of a CRLF split across two chunks
        self._pending_cr = False
        start = 0
        # only the new text is searched: a line sent a byte at a time costs linear time, not quadratic
        for match in LINE_END.finditer(text):
            if match.group() == "\r" and match.end() == len(text):
                self._pending_cr = True  # may be the first half of CRLF
            line = text[start:match.start()]
            if self._buffer.tell():  # the start of this line came in an earlier chunk
                self._buffer.write(line)
                line = self._buffer.getvalue()
                self._buffer = io.StringIO()
            self._line(line)
            start = match.end()
        if start < len(text):
            self._buffer.write(text[start:])
        new = self.events[before:]
        return new + [self.last] if self.dropped > dropped and self.last is not None else new

    def kept(self) -> list[SseEvent]:
        """The events kept: the first max_events, then the last one if any were dropped."""
        return self.events + [self.last] if self.dropped and self.last is not None else self.events

    def close(self) -> None:
        """End of stream: an event without its blank line is incomplete and dropped."""
        rest = self._buffer.getvalue()
        if rest:
            self._line(rest)
            self._buffer = io.StringIO()
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
            event = SseEvent("\n".join(self._data), self._event or "message", self._id, len(self._data))
            if self.max_events is None or len(self.events) < self.max_events:
                self.events.append(event)
            else:  # tiny events by the million must not cost memory by the gigabyte
                if not self.dropped:
                    self.anomalies.append(f"more than {self.max_events} events: only the first ones and the last are kept")
                self.dropped += 1
                self.last = event
        self._reset()

    def _reset(self) -> None:
        self._data, self._event, self._has_fields = [], "", False


def parse(text: str) -> SseParser:
    """Parse a whole stream at once (tests, recorded transcripts)."""
    parser = SseParser()
    parser.feed(text)
    parser.close()
    return parser
