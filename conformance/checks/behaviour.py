"""Behaviour checks on the model's answer; none depends on what the model says."""

from __future__ import annotations

import json

from ..case import Case
from ..engine import Exchange
from .common import Inconclusive, brief, chunks, completion, message, streamed_text, usage_int


def token_cap(ex: Exchange, case: Case) -> str | None:
    data = completion(ex)
    used = usage_int(data, "completion_tokens")
    if used is None:
        raise Inconclusive("the completion reports no usage.completion_tokens to compare with the cap")
    cap = case.args["cap"]
    return None if used <= cap else f"usage.completion_tokens {used} > {cap}"


def token_cap_stream(ex: Exchange, case: Case) -> str | None:
    cap = case.args["cap"]
    used, pieces = None, 0
    for _, chunk in chunks(ex):
        if not isinstance(chunk, dict):
            continue
        usage = chunk.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
            used = usage["completion_tokens"]
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if isinstance(delta, dict) and delta.get("content"):
                pieces += 1
    if used is not None:
        return None if used <= cap else f"the usage chunk reports completion_tokens {used} > {cap}"
    # no usage: each non-empty content delta holds at least one token
    return None if pieces <= cap else f"{pieces} content chunks for a cap of {cap} tokens"


def finish_length(ex: Exchange, case: Case) -> str | None:
    data = completion(ex)
    used = usage_int(data, "completion_tokens")
    cap = case.args["cap"]
    reason = (data.get("choices") or [{}])[0].get("finish_reason") if isinstance(data.get("choices"), list) else None
    if used is None:
        raise Inconclusive("no usage.completion_tokens: cannot tell whether the cap cut the output")
    if used > cap:  # the cap was not applied: the bounds case reports that; "length" may be the context's
        raise Inconclusive(f"completion_tokens {used} exceed the cap {cap}, so it did not cut the output")
    if used == cap and reason != "length":
        return f"the output stopped at the cap ({cap} completion tokens) but finish_reason is {reason!r}"
    return None


def _stop_found(text: str, stops: list[str]) -> str | None:
    found = [s for s in stops if s in text]
    return f"the content contains {found[0]!r}: {text[:200]!r}" if found else None


def stop_excluded(ex: Exchange, case: Case) -> str | None:
    content = message(completion(ex)).get("content")
    return _stop_found(content if isinstance(content, str) else "", case.args["stop"])


def stop_excluded_stream(ex: Exchange, case: Case) -> str | None:
    return _stop_found(streamed_text(ex), case.args["stop"])


def tool_call(ex: Exchange, case: Case) -> str | None:
    calls = message(completion(ex)).get("tool_calls")
    if not isinstance(calls, list) or not calls:
        return f"no message.tool_calls: {brief(ex)}"
    function = calls[0].get("function") if isinstance(calls[0], dict) else None
    if not isinstance(function, dict):
        return f"tool_calls[0].function missing: {calls[0]!r}"
    if function.get("name") != case.args["name"]:
        return f"tool_calls[0].function.name is {function.get('name')!r}"
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        return f"arguments is a JSON {type(arguments).__name__}, not a string: {json.dumps(arguments)[:120]}"
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return f"arguments is not JSON: {arguments[:120]!r}"
    return None if isinstance(parsed, dict) else f"arguments is JSON but not an object: {arguments[:120]!r}"


def json_output(ex: Exchange, case: Case) -> str | None:
    data = completion(ex)
    content = message(data).get("content")
    reason = data["choices"][0].get("finish_reason")
    if not isinstance(content, str):
        return f"message.content is {content!r}"
    try:
        parsed = json.loads(content)
    except ValueError:
        if reason == "length":
            raise Inconclusive("the cap cut the JSON output (finish_reason length)") from None
        return f"content is not JSON: {content[:160]!r}"
    return None if isinstance(parsed, dict) else f"content is JSON but not an object: {content[:160]!r}"


def explicit_zero_cap(ex: Exchange, case: Case) -> str | None:
    if 400 <= ex.status < 500:
        return None
    data = completion(ex)
    used = usage_int(data, "completion_tokens")
    if used is None:
        content = message(data).get("content") or ""
        return None if content == "" else f"max_tokens 0 answered with content {content[:120]!r}"
    return None if used == 0 else f"max_tokens 0 answered with {used} completion tokens (treated as absent?)"


CHECKS = {f.__name__: f for f in (token_cap, token_cap_stream, finish_length, stop_excluded, stop_excluded_stream,
                                   tool_call, json_output, explicit_zero_cap)}
