"""Documents by their titles: what people read is "Routeway", not "004_b1197cec447d28e1.txt".

A rule's source keeps the file name (results.json `source.document`, the quote checked against
specs/sources/); what a reader sees (failure messages, the console, the reports) names the document by
the `title:` of the spec that cites it. A results file carries the mapping (`documents`), so reports
rendered later need no spec files.
"""

from __future__ import annotations

import re

from .profile import Profile

REQUIREMENT = re.compile(r"^(\s*Requirement:\s+)(.+?)(: (?:\"|\[))", re.M)


def titles(profiles: list[Profile]) -> dict[str, str]:
    """Document file name -> title, for these profiles and the baselines their inherited rules cite."""
    from .spec import load_profile

    out: dict[str, str] = {}
    for profile in profiles:
        out.setdefault(profile.document, profile.title)
        if profile.baseline:
            base = load_profile(profile.baseline)
            out.setdefault(base.document, base.title)
    return out


def titled(message: str, names: dict[str, str]) -> str:
    """A verdict's message with its Requirement line naming the document by title (the file name stays in
    the case's source)."""
    def swap(match: re.Match) -> str:
        return match[1] + names.get(match[2], match[2]) + match[3]

    return REQUIREMENT.sub(swap, message) if names else message


def title_of(doc: dict, document: str) -> str:
    """A document's title as a results file records it, or its file name (a file from before titles)."""
    known = dict(doc.get("documents") or {})
    for entry in (doc.get("documented") or {}).values():
        known.setdefault(entry["document"], entry["title"])
    return known.get(document, document)
