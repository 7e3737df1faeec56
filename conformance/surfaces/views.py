"""The normalised views every surface gives of its answers: what checks, behaviours and token
accounting read instead of a wire format (chat's `choices`, Responses' `output`, Messages' `content`).

An output is one choice (chat) or the one answer of a surface that has no choices. A view keeps what a
check needs to judge, and where the wire format breaks so badly that there is nothing to read, the
reason (`problem`), which a check that needs the first output reports as the answer's failure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Unreadable(Exception):
    """The answer has no output to read (no choices, no message): the message says what is missing."""


@dataclass(frozen=True)
class ToolCall:
    name: Any  # as sent: a check says so when it is not the forced tool's name
    arguments: Any  # a JSON string on every surface that documents one; as sent otherwise
    problem: str | None = None  # the call is there but not readable as one (no function object)
    raw: Any = None


@dataclass(frozen=True)
class Output:
    text: Any  # the text as sent (None where the wire gives none, a non-string where it is wrong)
    tool_calls: tuple[ToolCall, ...] = ()
    stop_reason: Any = None  # as the surface names it ("length", "max_tokens", ...)
    extra: dict = field(default_factory=dict)  # surface-only parts a behaviour of that surface reads (images)

    @property
    def content(self) -> str:
        return self.text if isinstance(self.text, str) else ""


GENERIC_NAMES = {"text": "the text", "tool_calls": "tool call", "tool_call": "the first tool call",
                 "stop_reason": "the stop reason"}


@dataclass(frozen=True)
class Answer:
    """A non-streamed answer, normalised."""

    outputs: tuple[Output, ...]
    output_tokens: int | None  # usage: tokens generated (chat's completion_tokens)
    problem: str | None = None  # why there is no first output to read
    cut_reason: str = "length"  # the stop reason this surface gives when a token cap cut the output
    tool_reason: str = "tool_calls"  # the stop reason this surface gives for a tool call
    # what the surface's documents call each part, for failure messages a user can look up
    names: dict = field(default_factory=lambda: dict(GENERIC_NAMES))

    def first(self) -> Output:
        if self.problem or not self.outputs:
            raise Unreadable(self.problem or "the answer has no output")
        return self.outputs[0]

    @property
    def text(self) -> str:
        """The first output's text, "" where there is none (the shape cases judge a missing one)."""
        return self.outputs[0].content if self.outputs else ""

    @property
    def cut(self) -> bool:
        """The first output says a token cap cut it."""
        return bool(self.outputs) and self.outputs[0].stop_reason == self.cut_reason

    @property
    def tool_stop(self) -> bool:
        """The first output says it stopped for a tool call."""
        return bool(self.outputs) and self.outputs[0].stop_reason == self.tool_reason


@dataclass
class StreamView:
    """A stream, normalised: its text deltas in order (with the output each belongs to), each output's stop
    reason and the usage its last usage event reported."""

    deltas: list[tuple[int, str]] = field(default_factory=list)
    stop_reasons: dict[int, Any] = field(default_factory=dict)
    output_tokens: int | None = None

    @property
    def text(self) -> str:
        """What a client assembles: every text delta in order."""
        return "".join(text for _, text in self.deltas)
