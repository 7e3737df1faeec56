"""Helpers shared by the checks: describing an answer, getting a completion or the chunks."""

from __future__ import annotations

import json
from typing import Any

import jiter

from ..engine import Exchange


class Inconclusive(Exception):
    """The answer can neither meet nor break the requirement (the case is skipped)."""


def reads_evidence(check):
    """Marks a check that takes the case's evidence exchanges (controls) as a third argument."""
    check.reads_evidence = True
    return check


class NotAccepted(Exception):
    """A valid request that the check needs answered was not: the message says how."""


def brief(ex: Exchange, limit: int = 300) -> str:
    """Status and the start of the body, on one line."""
    text = " ".join(ex.body[:limit * 4].decode("utf-8", errors="replace").split())  # not all of a huge body
    if len(text) > limit or (text and len(ex.body) > limit * 4):
        text = text[:limit] + "..."
    ctype = ex.content_type.split(";")[0] or "no content-type"
    return f"{ex.status} ({ctype}) {text or '<empty body>'}"


def completion(ex: Exchange) -> dict:
    """The JSON completion of a 2xx non-stream answer; raises NotAccepted otherwise."""
    if ex.status is None or not 200 <= ex.status < 300:
        raise NotAccepted(f"the request was not accepted: {brief(ex)}")
    try:
        data = ex.json()
    except ValueError:
        raise NotAccepted(f"the 2xx answer is not JSON: {brief(ex)}") from None
    if not isinstance(data, dict):
        raise NotAccepted(f"the 2xx answer is not a JSON object: {brief(ex)}")
    return data


def stream_events(ex: Exchange) -> list:
    if ex.status is None or not 200 <= ex.status < 300:
        raise NotAccepted(f"the stream request was not accepted: {brief(ex)}")
    if not ex.events:
        raise NotAccepted(f"no SSE events came back: {brief(ex)}")
    return ex.events


def is_terminator(data: str, terminator: str | None) -> bool:
    """The profile's documented end of a stream (conformance/request.py carries it with the request)."""
    return terminator is not None and data.strip() == terminator


def chunks(ex: Exchange) -> list[tuple[int, Any]]:
    """(event number, parsed JSON) for every data event but the terminator; NotAccepted on a non-JSON one."""
    out = []
    for i, event in enumerate(stream_events(ex), start=1):
        if is_terminator(event.data, ex.request.terminator):
            continue
        try:
            out.append((i, json.loads(event.data)))
        except ValueError:
            raise NotAccepted(f"event {i} is not JSON: {event.data[:120]!r}") from None
    if not out:
        raise NotAccepted("the stream carried no chunk before its end")
    return out


def message(data: dict) -> dict:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise NotAccepted(f"the completion has no choices: {json.dumps(data)[:200]}")
    msg = choices[0].get("message")
    if not isinstance(msg, dict):
        raise NotAccepted("choices[0].message is missing")
    return msg


def usage_int(data: dict, name: str) -> int | None:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return None
    value = usage.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def streamed_text(ex: Exchange) -> str:
    parts = []
    for _, chunk in chunks(ex):
        for choice in chunk.get("choices") or [] if isinstance(chunk, dict) else []:
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                parts.append(delta["content"])
    return "".join(parts)


def answer_text(ex: Exchange, what: str) -> str:
    """The text of a completion or a stream; Inconclusive when `what` (a control) gave none."""
    try:
        if ex.request.stream:
            return streamed_text(ex)
        content = message(completion(ex)).get("content")
    except NotAccepted as exc:
        raise Inconclusive(f"{what} gave no usable answer: {exc}") from None
    return content if isinstance(content, str) else ""


def same_reply(a: str, b: str) -> bool:
    """Two answers to different prompts that are the same text (or one the start of the other)."""
    a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
    if a == b:
        return bool(a)
    short = min(a, b, key=len)
    return len(short.split()) >= 3 and (a.startswith(b) or b.startswith(a))


def fixed_reply(evidence: dict[str, Exchange]) -> str | None:
    """Why the target evidently answers with a fixed reply (its `control` and `other-prompt` controls, two
    different prompts, got the same text), or None. Then no parameter can be seen to steer the output, so a
    behaviour case is inconclusive, whichever way the answer looks: the same rule for stop and caps."""
    if "other-prompt" not in evidence or "control" not in evidence:
        return None
    try:
        one = answer_text(evidence["control"], "the control")
        other = answer_text(evidence["other-prompt"], "the control of another prompt")
    except Inconclusive:
        return None
    if not same_reply(one, other):
        return None
    return (f"the model answers two different prompts alike ({one[:80]!r}): a fixed reply, not a generation "
            "a parameter could steer")


def word_count(text: str) -> int:
    """A lower bound on the tokens of `text`: the tokenizers in use split at whitespace first, so
    every word is at least one token (the reference model's tokens are its words)."""
    return len(text.split())


def json_object_prefix(text: str) -> bool:
    """Whether `text` is the start of some JSON object: all a token cap may leave of one. Prose or a code
    fence is not, wherever the cap cut it, so only a valid prefix earns an inconclusive verdict."""
    stripped = text.strip()
    if not stripped:
        return True
    if not stripped.startswith("{"):
        return False
    try:
        jiter.from_json(stripped.encode("utf-8"), partial_mode="trailing-strings")
    except ValueError:
        return False
    return True
