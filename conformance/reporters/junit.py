"""JUnit XML: one <testsuite> per profile and category. SHOULD failures pass with a warning in system-out;
cases without a verdict (skipped, inconclusive, blocked) are skipped with why; with a gate, a failure an
expectation accepts is skipped with its reason."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

from ..documents import title_of
from ..gating import Gate
from ..request import redact
from . import Context, write_text


def junit(doc: dict, gate: Gate | None = None) -> str:
    expected = gate.expected if gate is not None else {}
    root = ET.Element("testsuites", name="routecheck", tests=str(doc["summary"]["total"]))
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for case in doc["cases"]:
        groups[(case["profile"], case["category"])].append(case)
    for (profile, category), cases in sorted(groups.items()):
        outcomes = Counter("expected" if c["id"] in expected else c["outcome"] for c in cases)
        suite = ET.SubElement(root, "testsuite", name=f"{profile}.{category}", tests=str(len(cases)),
                              failures=str(outcomes["failed"]), errors=str(outcomes["error"]),
                              skipped=str(outcomes["skipped"] + outcomes["expected"]))
        for case in cases:
            tc = ET.SubElement(suite, "testcase", classname=f"{profile}.{category}", name=case["id"])
            quote = cited(case, doc)
            if case["id"] in expected:
                exp = expected[case["id"]]
                ET.SubElement(tc, "skipped", message=f"expected {exp.verdict}: {exp.reason}"[:500]).text = \
                    f"[{case['level']}] {quote}\n{case['message']}"
            elif case["outcome"] == "failed":
                ET.SubElement(tc, "failure", message=f"[{case['level']}] {quote}").text = case["message"]
            elif case["outcome"] == "error":
                ET.SubElement(tc, "error", message=case["message"][:200]).text = case["message"]
            elif case["outcome"] in ("skipped", "inconclusive", "blocked"):  # no verdict: why, in the message
                ET.SubElement(tc, "skipped", message=case["message"][:200])
            elif case["outcome"] == "warned":
                ET.SubElement(tc, "system-out").text = f"WARNING [{case['level']}] {quote}\n{case['message']}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def cited(case: dict, doc: dict) -> str:
    """The rule's source as reports show it: the document's title, then the quote (or the schema name)."""
    src = case["source"]
    return f"{title_of(doc, src['document'])}: " + (f"\"{src['quote']}\"" if src.get("quote") else f"[{src.get('schema')}]")


class JUnitReporter:
    name = "junit"

    def __init__(self, path: str):
        self.path = path

    def write(self, doc: dict, context: Context) -> str:
        return f"JUnit in {write_text(self.path, redact(junit(doc, context.gate), context.secrets))}"
