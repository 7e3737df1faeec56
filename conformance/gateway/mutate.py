"""Field faults: break one documented facet of one field path in an outgoing body.

Paths are the profile's field paths: dots between keys, `[]` for every item of a list
(`choices[].message.role`). Bodies are changed in place, just before they are sent.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import field_facets
from ..spec import Field
from .faults import Fault, hits

def _targets(doc: Any, path: str) -> list[tuple[dict, str]]:
    """(parent object, key) of every place `path` names in `doc`."""
    *steps, last = path.split(".")
    nodes = [doc]
    for step in steps:
        key, every = (step[:-2], True) if step.endswith("[]") else (step, False)
        children = [node.get(key) for node in nodes if isinstance(node, dict)]
        if every:
            nodes = [item for child in children if isinstance(child, list) for item in child]
        else:
            nodes = [child for child in children if child is not None]
    return [(node, last.removesuffix("[]")) for node in nodes if isinstance(node, dict)]


def break_field(doc: Any, fld: Field, facet: str, override: Any = None) -> None:
    breaks = field_facets.registry()[facet].breaks
    for parent, key in _targets(doc, fld.path):
        breaks(parent, key, fld, override)


def apply_field_fault(doc: Any, fault: Fault | None, kind: str, fields: dict[str, Field]) -> None:
    """Break `doc` if `fault` is a field fault of `kind` (response-field, chunk-field, models-field)."""
    if hits(fault, kind) and fault.param in fields:
        facet, override = fault.arg
        break_field(doc, fields[fault.param], facet, override)


def break_usage_sum(doc: dict, fault: Fault | None) -> None:
    usage = doc.get("usage")
    if hits(fault, "usage-sum") and isinstance(usage, dict):
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"] + 1


def break_chunks(chunks: list[dict], fault: Fault | None, fields: dict[str, Field]) -> None:
    """Stream faults that live in the chunk bodies themselves."""
    if hits(fault, "stream-cumulative-deltas") or hits(fault, "stream-cumulative-deltas-repeated"):
        so_far: dict[int, str] = {}
        for chunk in chunks:
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    so_far[choice["index"]] = delta["content"] = so_far.get(choice["index"], "") + delta["content"]
                elif choice.get("finish_reason") and hits(fault, "stream-cumulative-deltas-repeated"):
                    choice["delta"] = dict(delta, content=so_far.get(choice["index"], ""))  # a real gateway's: the text again
    if hits(fault, "stream-chunk-after-finish"):
        last = max(i for i, c in enumerate(chunks) if any(ch.get("finish_reason") for ch in c.get("choices") or []))
        chunks.insert(last + 1, copy.deepcopy(chunks[last - 1]))
    for number, chunk in enumerate(chunks):
        apply_field_fault(chunk, fault, "chunk-field", fields)
        break_usage_sum(chunk, fault)
        if hits(fault, "stream-ids-differ"):
            chunk["id"] = f"{chunk['id']}-{number}"
        if hits(fault, "stream-no-finish-reason"):
            for choice in chunk.get("choices") or []:
                choice["finish_reason"] = None
