"""Shape checks: one documented facet of one field path, validated with JSON Schema."""

from __future__ import annotations

import json
from typing import Any


from .. import field_facets
from ..case import Case
from ..engine import Exchange
from .common import Inconclusive, brief, chunks, completion, usage_int

def path_schema(path: str, facet: str, value: Any) -> dict:
    """A schema that checks only `facet` of `path`; missing parents are other rules' business."""
    spec = field_facets.registry()[facet]
    segments = path.split(".")
    leaf = segments[-1]
    name, is_array = leaf.removesuffix("[]"), leaf.endswith("[]")
    if spec.leaf is None:  # a facet of the parent (required)
        # at the top, the document itself must be an object: a bare array has no fields at all
        schema: dict = {"required": [name]} if len(segments) > 1 else {"type": "object", "required": [name]}
    else:
        inner = spec.leaf(value)
        schema = {"properties": {name: {"items": inner} if is_array and not spec.whole_list else inner}}
    for segment in reversed(segments[:-1]):
        name = segment.removesuffix("[]")
        child = {"items": schema} if segment.endswith("[]") else schema
        schema = {"properties": {name: child}}
    return schema


def _violation(document: Any, schema: dict) -> str | None:
    import jsonschema  # at the first answer judged: by then the sending process is sending

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".") or "(top)"
    return f"{where}: {error.message[:200]}"


def field(ex: Exchange, case: Case) -> str | None:
    args = case.args
    schema = path_schema(args["path"], args["facet"], args["value"])
    where = args["where"]
    if where in ("response", "models"):
        if where == "models":
            if not 200 <= ex.status < 300:
                return f"GET {case.request.path} was not answered: {brief(ex)}"
            try:
                document = ex.json()
            except ValueError:
                return f"not JSON: {brief(ex)}"
        else:
            document = completion(ex)
            if "tool_calls" in args["path"] and "tool_calls" not in json.dumps(document.get("choices")):
                raise Inconclusive("the answer carries no tool call to check")
        return _violation(document, schema)
    for number, chunk in chunks(ex):
        problem = _violation(chunk, schema)
        if problem:
            return f"chunk {number}: {problem}"
    return None


def usage_total(ex: Exchange, case: Case) -> str | None:
    data = completion(ex)
    values = [usage_int(data, k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")]
    if None in values:
        raise Inconclusive("usage does not carry the three integer counts")
    prompt, done, total = values
    return None if total == prompt + done else f"prompt_tokens {prompt} + completion_tokens {done} != total_tokens {total}"


def models_listed(ex: Exchange, case: Case) -> str | None:
    if not 200 <= ex.status < 300:
        return f"not answered: {brief(ex)}"
    try:
        data = ex.json()
    except ValueError:
        return f"not JSON: {brief(ex)}"
    listing = data.get("data") if isinstance(data, dict) else data
    if isinstance(listing, list) and any(isinstance(m, dict) and isinstance(m.get("id"), str) for m in listing):
        return None
    return f"no model ids listed: {brief(ex)}"


CHECKS = {"field": field, "usage_total": usage_total, "models_listed": models_listed}
