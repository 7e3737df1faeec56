"""The HTML report: one self-contained file, targets side by side, rendered from results files."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import gating, report, report_docs, results

REPO = Path(__file__).resolve().parent.parent
ABOVE_MAX = "routify/chat/ranges/temperature/above-max"
FAR_ABOVE_MAX = "routify/chat/ranges/temperature/far-above-max"  # the same broken rule, probed far past the bound
BLOB = re.compile(r"<script type='application/json' id='report-data'>(.*?)</script>", re.S)


def routecheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))


def blob(html: str) -> dict:
    found = BLOB.search(html)
    assert found, "no data blob in the report"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    """Two small results files of the routify profile: the reference gateway faithful, and with a fault."""
    where = tmp_path_factory.mktemp("report")
    for name, extra in (("reference", ()), ("faulty", ("--fault", "temperature.maximum-ignored"))):
        done = routecheck("run", "--profile", "routify", "-k", "temperature or auth or streaming",
                          "--json", str(where / f"{name}.json"), "--no-html", *extra)
        assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-1000:]
    return where / "reference.json", where / "faulty.json"


@pytest.fixture(scope="module")
def docs(runs) -> list[dict]:
    return [results.read_validated(p) for p in runs]


def cell(data: dict, target: int, case_id: str) -> dict | None:
    row = [c["id"] for c in data["cases"]].index(case_id)
    return data["cells"][target][row]


def test_report_command_puts_both_targets_side_by_side_with_the_faults_failure(runs, tmp_path):
    out = tmp_path / "r.html"
    done = routecheck("report", *map(str, runs), "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = blob(out.read_text())
    assert [t["label"] for t in data["targets"]] == ["reference", "faulty"]
    assert cell(data, 0, ABOVE_MAX)["v"] == "pass" and cell(data, 1, ABOVE_MAX)["v"] == "fail"
    failing = [c["id"] for i, c in enumerate(data["cases"]) if data["cells"][1][i]["v"] != "pass"]
    assert failing == [ABOVE_MAX, FAR_ABOVE_MAX]
    assert data["targets"][1]["counts"]["routify"]["ranges"]["MUST"]["fail"] == 2
    assert "fail" not in data["targets"][0]["counts"]["routify"]["ranges"]["MUST"]


def test_the_report_is_self_contained(runs, tmp_path):
    out = tmp_path / "r.html"
    assert routecheck("report", *map(str, runs), "-o", str(out)).returncode == 0
    html = out.read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*['"]?(?:https?:)?//""", html)  # nothing fetched
    assert "<link rel='stylesheet'" not in html and "<script src" not in html
    assert "<style>" in html and "function build()" in html


def test_each_exchange_and_each_quote_is_stored_once(docs):
    data = report.model(docs)
    for doc, exchanges in zip(docs, data["exchanges"]):
        assert len(exchanges) == len({c["request"]["key"] for c in doc["cases"]}) < len(doc["cases"])
    assert len(data["sources"]) == len({tuple(row) for row in data["sources"]})
    case = data["cases"][[c["id"] for c in data["cases"]].index(ABOVE_MAX)]
    assert data["sources"][case["source"]][:2] == ["001_9acc2e208232e8f5.txt", "Требуемый диапазон: 0 <= x <= 2"]


def test_a_stream_keeps_its_events_transcript_and_drops_the_duplicate_body(docs):
    data = report.model(docs[:1])
    streamed = [e for e in data["exchanges"][0] if "events" in e.get("response", {})]
    assert streamed and all("body" not in e["response"] for e in streamed)
    assert any(e["response"]["events"][-1] == "[DONE]" for e in streamed)


def test_big_bodies_are_truncated_and_markup_cannot_escape_the_data_blob(docs):
    doc = copy.deepcopy(docs[1])
    hostile = "</script><script>alert(1)</script><!--" + "x" * 200_000
    for case in doc["cases"]:
        if case["id"] == ABOVE_MAX:
            case["response"]["body"] = hostile
    html = report.render([doc])
    assert len(html) < len(report.render([docs[1]])) + report.BODY_LIMIT + 1000
    assert html.count("</script>") == 2 and "<!--" not in html  # the blob's end and the script's end
    data = blob(html)
    row = [c["id"] for c in data["cases"]].index(ABOVE_MAX)
    body = data["exchanges"][0][data["cells"][0][row]["x"]]["response"]["body"]
    assert body.startswith("</script><script>alert(1)") and "more characters in the results file" in body


def test_secrets_are_redacted_from_everything_rendered(docs, tmp_path):
    doc = copy.deepcopy(docs[1])
    doc["cases"][0]["message"] += " sk-planted-secret<&>"
    path = report.write_html([doc], tmp_path / "r.html", secrets=("sk-planted-secret<&>",))
    text = path.read_text()
    assert "sk-planted-secret" not in text and "[REDACTED]" in blob(text)["cells"][0][0]["m"]


def test_expectations_and_a_baseline_mark_the_cells(runs, tmp_path):
    reference, faulty = runs
    expect = tmp_path / "expect.yaml"
    expect.write_text(f"expectations:\n- case: '{ABOVE_MAX}'\n  verdict: failed\n  reason: issue 12\n")
    out = tmp_path / "r.html"
    done = routecheck("report", str(faulty), "-o", str(out), "--expect", str(expect), "--label", "faulty")
    assert done.returncode == 0, done.stderr
    marked = cell(blob(out.read_text()), 0, ABOVE_MAX)
    assert marked["v"] == "xfail" and marked["k"] == "expected" and "issue 12" in marked["n"]
    assert routecheck("report", str(faulty), "-o", str(out), "--baseline", str(reference)).returncode == 0
    data = blob(out.read_text())
    assert cell(data, 0, ABOVE_MAX)["k"] == "regression"
    assert {r["id"] for r in data["targets"][0]["gate"]["regressions"]} == {ABOVE_MAX, FAR_ABOVE_MAX}
    assert data["targets"][0]["gate"]["exit_code"] == 1


def test_gates_given_to_write_html_show_stale_expectations(docs, tmp_path):
    gate = gating.evaluate(docs[0], expectations=[gating.Expectation("routify/chat/ranges/*", "failed", "old bug")])
    data = blob(report.write_html(docs[:1], tmp_path / "r.html", gates=[gate]).read_text())
    stale = cell(data, 0, ABOVE_MAX)
    assert stale["v"] == "pass" and stale["k"] == "stale" and ABOVE_MAX in data["targets"][0]["gate"]["stale"]


def test_a_single_ungated_run_shows_its_gate_banner_too(docs, tmp_path):
    data = blob(report.write_html(docs, tmp_path / "r.html").read_text())
    gates = [t["gate"] for t in data["targets"]]
    assert [(g["exit_code"], g["verdict"]) for g in gates] == [(0, "passes"), (1, "fails: 2 MUST failures count")]
    assert "`gate ${g.verdict} (exit ${g.exit_code})`" in report.SCRIPT  # what the banner prints


def test_the_report_command_writes_a_markdown_summary_per_results_file_from_the_results_alone(runs, tmp_path):
    done = routecheck("report", *map(str, runs), "-o", str(tmp_path / "r.html"), "--markdown", str(tmp_path / "s.md"))
    assert done.returncode == 0 and f"Markdown summary in {tmp_path / 's.md'}" in done.stdout, done.stderr
    text = (tmp_path / "s.md").read_text()
    heads = [line for line in text.splitlines() if line.startswith("## ")]
    assert heads == ["## ✅ routecheck (reference): gate passes (exit 0)",
                     "## ❌ routecheck (faulty): gate fails: 2 MUST failures count (exit 1)"]
    assert "| routify | Routify (full reference) | 0 |" in text and "| routify | Routify (full reference) | 2 |" in text
    assert '> — Routify (full reference) (`001_9acc2e208232e8f5.txt`)' in text and f"**`{ABOVE_MAX}`**" in text


def test_documents_are_named_by_title_in_the_results_the_report_and_failure_messages(docs):
    faulty = docs[1]
    assert faulty["documents"]["001_9acc2e208232e8f5.txt"] == "Routify (full reference)"
    assert faulty["documents"]["openai-chat-completions.md"] == "OpenAI Chat Completions (documented contract)"
    failed = next(c for c in faulty["cases"] if c["id"] == ABOVE_MAX)
    assert failed["source"]["document"] == "001_9acc2e208232e8f5.txt"  # the quote's source keeps the file name
    assert '  Requirement: Routify (full reference): "Требуемый диапазон: 0 <= x <= 2"' in failed["message"].splitlines()
    data = report.model(docs)
    assert data["titles"]["001_9acc2e208232e8f5.txt"] == "Routify (full reference)"
    assert "D.titles[doc] || doc" in report.SCRIPT  # what the Requirement section prints


def test_documented_parameters_compare_the_providers_with_quotes_and_inherited_marks(docs):
    six = copy.deepcopy(docs[0])  # what a run of every profile records
    six["documented"] = report_docs.facts(report_docs.loadable(["routify", "routify-mvp", "routeapi", "routmy",
                                                                 "routeway", "openai"]))
    data = report.model([docs[0], six])
    documented = data["documented"]
    names = [p["name"] for p in documented["profiles"]]
    assert names[0] == "routify" and documented["profiles"][0]["tested"] and {"routeway", "openai"} <= set(names)
    rows = {r["name"]: r["cells"] for r in documented["rows"]}

    def facts(row: str, profile: str) -> dict[str, dict]:
        return {f["t"]: f for f in rows[row][names.index(profile)] or []}

    routify_max = facts("temperature", "routify")["≤ 2"]
    assert data["sources"][routify_max["s"]][1] == "Требуемый диапазон: 0 <= x <= 2" and not routify_max["i"]
    inherited = facts("temperature", "routeapi")["≤ 2"]  # RouteAPI documents no range: the baseline's, at SHOULD
    assert inherited["i"] and inherited["l"] == "SHOULD" and data["sources"][inherited["s"]][0] == "openai-chat-completions.md"
    assert "nullable" in facts("temperature", "routeway")
    assert "x-api-key: <key>" in facts("auth headers", "routeway")
    assert list(facts("unknown top-level fields", "routify-mvp")) == ["rejected (4xx)"]
    assert list(facts("frequency_penalty", "routify-mvp")) == ["not listed: rejected as an unknown field"]
    assert "one of: low, medium, high" in facts("verbosity", "routify") and rows["verbosity"][names.index("routeapi")] is None


def test_the_documented_view_is_rebuilt_from_the_results_alone(docs):
    """The facts a run was judged against travel in its results file: a report made elsewhere, with other
    spec files installed, shows those facts, not the local specs'. A results file without them (older
    than the facts) falls back to the installed specs of its profiles."""
    recorded = copy.deepcopy(docs[0])
    assert list(recorded["documented"]) == ["routify"]  # only what was judged
    recorded["documented"]["routify"]["params"]["temperature"][0]["text"] = "as recorded in the results"
    rows = {r["name"]: r["cells"] for r in report.model([recorded])["documented"]["rows"]}
    assert rows["temperature"][0][0]["t"] == "as recorded in the results"
    old = copy.deepcopy(docs[0])
    del old["documented"]
    fallback = report.model([old])["documented"]
    assert [p["name"] for p in fallback["profiles"]] == ["routify"]
    assert "≤ 2" in [f["t"] for f in {r["name"]: r["cells"] for r in fallback["rows"]}["temperature"][0]]


def test_labels_default_to_the_target_host_and_are_made_unique(docs):
    labels = report.default_labels([docs[0], docs[0]])
    assert labels[0].startswith("127.0.0.1:") and labels[1] == f"{labels[0]} (2)"


@pytest.mark.parametrize("args, message", [
    (("report", "{tmp}/missing.json"), "cannot read results file"),
    (("report", "{tmp}/not-results.json"), "not a routecheck results file"),
    (("report", "{reference}", "-o", "{reference}/r.html"), "cannot write"),
    (("report", "{reference}", "{faulty}", "--label", "one"), "--label given 1 times for 2 results files"),
])
def test_bad_report_input_is_one_line_and_exit_2(runs, tmp_path, args, message):
    (tmp_path / "not-results.json").write_text('{"cases": []}')
    done = routecheck(*(a.format(tmp=tmp_path, reference=runs[0], faulty=runs[1]) for a in args))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_the_cost_counts_accepted_caps_and_what_a_huge_cap_really_generated():
    def case(key, budget, status, body=""):
        return {"outcome": "passed", "request": {"key": key, "completion_budget": budget},
                "response": {"status": status, "body": body}}

    usage = json.dumps({"usage": {"completion_tokens": 3}})
    cost = results._cost([case("a", 2, 200), case("a", 2, 200), case("b", 8, 400), case("c", 2 ** 31, 200, usage),
                          case("d", 2 ** 31, 200, "not json"), case("e", 2 ** 31, 500)])
    # a: shared, counted once; b: refused, nothing generated; c: what it reports; d: nothing reported, the cap
    assert cost == {"requests": 5, "completion_tokens_requested": 2 + 3 + 2 ** 31}


def test_a_huge_caps_cost_is_what_a_long_answer_reported_even_when_its_kept_body_is_cut():
    """llama.cpp answered max_tokens 2^31 with some 2000 tokens: its body was cut in the results (the
    usage is at its end), so the cost counted the cap, 2^31. The record keeps the reported count."""
    from conformance.engine import Exchange
    from conformance.request import Request

    long_answer = json.dumps({"choices": [{"message": {"content": "word " * 2000}}], "usage": {"completion_tokens": 2035}})
    record = Exchange(Request("POST", "/v1/chat/completions"), "http://127.0.0.1:9", status=200,
                      body=long_answer.encode()).record()
    assert record["body"].endswith("...") and "usage" not in record["body"] and record["completion_tokens"] == 2035
    case = {"outcome": "passed", "request": {"key": "k", "completion_budget": 2 ** 31}, "response": record}
    assert results._cost([case]) == {"requests": 1, "completion_tokens_requested": 2035}
