"""Reporters render the canonical results alone: the registry, Allure from a results document, redaction."""

from __future__ import annotations

import json

from conformance import gating
from conformance.reporters import Context, registry, write_outputs

SECRET = "sk-rc-secret-0123456789"


def case(cid: str, outcome: str, level: str = "MUST") -> dict:
    return {"id": cid, "outcome": outcome, "level": level, "profile": cid.split("/")[0], "category": cid.split("/")[1],
            "title": f"{cid} title", "rule": "request.temperature.maximum", "parameter": "temperature",
            "message": f"{cid} {outcome}: echoed {SECRET}" if outcome != "passed" else "",
            "source": {"document": "doc.txt", "quote": "a quote"},
            "request": {"method": "POST", "path": "/v1/chat/completions"},
            "response": {"status": 200, "body": f"token {SECRET}"}}


def document() -> dict:
    cases = [case("p/ranges/a", "failed"), case("p/ranges/b", "passed"), case("p/errors/c", "warned", "SHOULD"),
             case("p/ranges/d", "inconclusive"), case("p/ranges/e", "error"), case("p/ranges/f", "failed")]
    return {"started": "2026-01-01T00:00:00Z", "cases": cases,
            "summary": {"total": 6, "passed": 1, "failed": 2, "must_failed": 2, "warned": 1, "inconclusive": 1,
                        "blocked": 0, "skipped": 0, "errors": 1}, "cost": {"requests": 6}}


def test_every_output_has_one_reporter_in_the_registry():
    assert list(registry()) == ["console", "json", "junit", "allure", "html"]


def test_allure_results_come_from_the_results_document_with_statuses_labels_and_no_secret(tmp_path):
    doc = document()
    gate = gating.evaluate(doc, expectations=[gating.Expectation("p/ranges/f", "failed", "upstream clamps")])
    lines = write_outputs(doc, {"allure": str(tmp_path / "allure"), "junit": str(tmp_path / "j.xml")},
                          Context(secrets=(SECRET,), gate=gate))
    assert lines == [f"JUnit in {tmp_path / 'j.xml'}", f"Allure results in {tmp_path / 'allure'}"]
    written = list((tmp_path / "allure").iterdir())
    results = {r["name"]: r for r in (json.loads(p.read_text()) for p in written if p.name.endswith("-result.json"))}
    statuses = {name: r["status"] for name, r in results.items()}
    assert statuses == {"p/ranges/a": "failed", "p/ranges/b": "passed", "p/errors/c": "passed",
                        "p/ranges/d": "skipped", "p/ranges/e": "broken", "p/ranges/f": "skipped"}
    assert results["p/ranges/f"]["statusDetails"]["message"].startswith("expected failed: upstream clamps")
    labels = {(label["name"], label["value"]) for label in results["p/ranges/a"]["labels"]}
    assert {("epic", "p"), ("feature", "ranges"), ("severity", "critical"), ("story", "temperature")} <= labels
    assert len([p for p in written if p.name.endswith("-attachment.json")]) == 2 * len(results)
    assert all(SECRET not in p.read_text() for p in written) and SECRET not in (tmp_path / "j.xml").read_text()


def test_the_console_shows_must_failures_then_the_summary_then_the_gate():
    doc = document()
    gate = gating.evaluate(doc, expectations=[gating.Expectation("p/ranges/f", "failed", "upstream clamps")])
    [text] = write_outputs(doc, {"console": None}, Context(secrets=(SECRET,), gate=gate))
    assert text.index("p/ranges/a failed") < text.index("routecheck: 1 passed, 2 failed") < text.index("expected failures (1)")
    assert "SHOULD not met: p/errors/c" in text and SECRET not in text
