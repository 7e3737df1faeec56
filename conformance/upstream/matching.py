"""Matching the upstream's records to the exchanges that caused them, and what matched none.

An exchange's marker is found again from its request (markers.token of its fingerprint). By the time the client
has its answer, the gateway has forwarded the request (it answers with what the upstream said), so the records of a
completed exchange are all there: none arriving later is waited for.
"""

from __future__ import annotations

from typing import Iterable

from ..engine import fingerprint
from ..exchange import Exchange
from ..request import Request
from . import markers
from .recorder import Recorder

SHOWN_UNMATCHED = 50  # records listed in the results file; the count says how many there were


def attach(recorder: Recorder, exchange: Exchange) -> Exchange:
    """The exchange with `upstream` set to what the upstream received for it ([] when nothing arrived). An exchange
    that never happened (a harness error, a request not sendable with this key) gets none."""
    if exchange.upstream is None and exchange.error is None and exchange.unsendable is None:
        marker = markers.token(fingerprint(exchange.base_url, exchange.request))
        exchange.upstream = [r.record() for r in recorder.claim(marker)]
    return exchange


def expect(recorder: Recorder, requests: Iterable[tuple[str, Request]], profile: str | None = None) -> None:
    """Every (base URL, request) the plan sends for `profile`: their records match a case whether or not it reads
    them, and the upstream answers them as that profile."""
    recorder.expect({markers.token(fingerprint(url, request)) for url, request in requests}, profile)


def summary(recorder: Recorder, address: str) -> dict:
    """The results file's `upstream`: where it listened, what it received, and every request no case claimed."""
    unmatched = recorder.unmatched()
    return {"address": address, "received": len(recorder.received), "unmatched_count": len(unmatched),
            "unmatched": [r.record() for r in unmatched[:SHOWN_UNMATCHED]]}


def upstream_line(doc: dict) -> str | None:
    """The console's line on what the upstream received, naming requests that match no case; None without one."""
    upstream = doc.get("upstream")
    if not upstream:
        return None
    count = upstream["unmatched_count"]
    head = f"upstream {upstream['address']} received {upstream['received']} request(s)"
    if not count:
        return head + ", each matched to its case"
    shown = "; ".join(f"{r['method']} {r['path']} ({'marker ' + r['marker'] if r['marker'] else 'no marker'})"
                      for r in upstream["unmatched"][:5])
    return f"{head}; {count} matched no case (results file: upstream.unmatched): {shown}"
