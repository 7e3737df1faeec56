"""Reporters render the canonical results alone: the registry, Allure from a results document, redaction."""

from __future__ import annotations

import json

from conformance import gating
from conformance.reporters import Context, registry, write_outputs

SECRET = "sk-rc-secret-0123456789"


def case(cid: str, outcome: str, level: str = "MUST") -> dict:
    return {"id": cid, "outcome": outcome, "level": level, "profile": cid.split("/")[0], "category": cid.split("/")[1],
            "title": f"{cid} title", "rule": "request.temperature.maximum", "parameter": "temperature", "expected": "a 4xx",
            "message": f"{cid} {outcome}: echoed {SECRET}" if outcome != "passed" else "",
            "source": {"document": "doc.txt", "quote": "a quote"},
            "request": {"method": "POST", "path": "/v1/chat/completions", "curl": f"curl -sS {cid} # {SECRET}"},
            "response": {"status": 200, "body": f"token {SECRET}"}}


def document() -> dict:
    cases = [case("p/ranges/a", "failed"), case("p/ranges/b", "passed"), case("p/errors/c", "warned", "SHOULD"),
             case("p/ranges/d", "inconclusive"), case("p/ranges/e", "error"), case("p/ranges/f", "failed")]
    return {"started": "2026-01-01T00:00:00Z", "cases": cases,
            "summary": {"total": 6, "passed": 1, "failed": 2, "must_failed": 2, "warned": 1, "inconclusive": 1,
                        "blocked": 0, "skipped": 0, "errors": 1}, "cost": {"requests": 6}}


def test_every_output_has_one_reporter_in_the_registry():
    assert list(registry()) == ["console", "json", "junit", "allure", "html", "markdown", "har"]


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


def test_the_markdown_summary_has_the_gate_counts_per_profile_and_the_first_failures_with_quote_and_curl(tmp_path):
    doc = dict(document(), target="http://127.0.0.1:4000/v1", model="m-1", documents={"doc.txt": "Routeway API reference"},
               profile_summaries={"p": {"passed": 1, "failed": 2, "must_failed": 2, "warned": 1, "inconclusive": 1,
                                        "blocked": 0, "skipped": 0, "errors": 1}})
    doc["cases"][0]["message"] = "p/ranges/a [MUST] t\n  Actual:      ```</details><script>x</script> echoed " + SECRET
    gate = gating.evaluate(doc, expectations=[gating.Expectation("p/ranges/f", "failed", "upstream clamps"),
                                              gating.Expectation("p/ranges/b", "failed", "fixed since")])
    [line] = write_outputs(doc, {"markdown": str(tmp_path / "s.md")}, Context(secrets=(SECRET,), gate=gate))
    text = (tmp_path / "s.md").read_text()
    assert line == f"Markdown summary in {tmp_path / 's.md'}" and SECRET not in text
    assert text.splitlines()[0] == ("## ❌ routecheck: gate fails: 1 MUST failures count, "
                                    "1 stale expectations (their cases pass now) (exit 1)")
    assert "| p |  | 2 | 1 | 2 | 1 | 1 | 0 | 0 | 1 |" in text  # the profile's counts
    failure = text.split("### MUST failures that count (1 of 1 shown)")[1]
    assert "**`p/ranges/a`** [MUST] p/ranges/a title" in failure and "> a quote\n> — Routeway API reference (`doc.txt`)" in failure
    # what the target sent stays inside a fence its backticks cannot close
    assert "````text\nActual: ```</details><script>x</script> echoed [REDACTED]\n````" in failure
    assert "```sh\ncurl -sS p/ranges/a # [REDACTED]\n```" in failure
    assert "p/ranges/f" not in failure  # accepted by an expectation: it does not count
    assert "### Stale expectations: these cases pass now, remove them from the file (1)" in text
    assert "### Harness errors (no verdict) (1)\n\n- `p/ranges/e`: p/ranges/e error: echoed [REDACTED]" in text


def test_the_console_names_the_inconclusive_and_blocked_cases_and_says_where_the_rest_are():
    doc = document()
    doc["cases"] += [case(f"p/behaviour/b{i}", "blocked") for i in range(12)]
    [text] = write_outputs(doc, {"console": None}, Context(secrets=(SECRET,)))
    lines = text.splitlines()
    at = lines.index("routecheck: inconclusive (1): the target could not show the rule either way:")
    assert lines[at + 1] == "  p/ranges/d: p/ranges/d inconclusive: echoed [REDACTED]"
    at = lines.index("routecheck: blocked (12): a case they rest on failed:")
    assert lines[at + 1].startswith("  p/behaviour/b0: ") and lines[at + 11].startswith("  ... and 2 more: the report's")


def test_the_console_says_what_a_run_checks_before_it_starts():
    from conformance.reporters.console import start_lines
    from conformance.spec import load_profile

    assert start_lines("http://127.0.0.1:4000/v1", "m-1", [load_profile("routeway"), load_profile("routify")]) == [
        "routecheck: target http://127.0.0.1:4000/v1 · model m-1",
        "routecheck: profiles: routeway (Routeway); routify (Routify (full reference))"]


def test_junit_and_allure_cite_the_documents_title_and_keep_its_file_name_as_the_link(tmp_path):
    doc = dict(document(), documents={"doc.txt": "Routeway API reference"})
    write_outputs(doc, {"junit": str(tmp_path / "j.xml"), "allure": str(tmp_path / "a")}, Context(secrets=(SECRET,)))
    assert 'message="[MUST] Routeway API reference: &quot;a quote&quot;"' in (tmp_path / "j.xml").read_text()
    result = next(json.loads(p.read_text()) for p in (tmp_path / "a").iterdir() if p.name.endswith("-result.json"))
    assert result["links"] == [{"type": "link", "url": "doc.txt", "name": "source: Routeway API reference (doc.txt)"}]


def test_the_listing_commands_name_documents_by_title_with_the_file_beside_it():
    import subprocess
    import sys

    def run(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "conformance.cli", *args], capture_output=True, text=True,
                              timeout=60).stdout

    assert "Routeway (004_b1197cec447d28e1.txt)" in run("profiles")
    assert '    source: Routeway: "Headers x-api-key string"' in run("faults", "--profile", "routeway")
