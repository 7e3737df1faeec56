"""The CI recipes, run as far as they can run here: action.yml's own steps (its run script, then its gate)
and the GitLab example's script lines, against the bundled reference gateway on loopback. Only what
cannot exist here is left out: actions/setup-python, the artifact upload, pip installing routecheck
(it is installed) and the user's own gateway start script (the reference gateway stands in)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
FAULT = "temperature.maximum-ignored"
SELECT = '-k "temperature and not far"'  # a few cases, quoted as a user would: the fault fails one, the faithful gateway none


def shell_env(**extra: str) -> dict:
    """As a CI job has it: routecheck on PATH (this interpreter's scripts), no key unless given."""
    env = {k: v for k, v in os.environ.items() if k != "ROUTECHECK_API_KEY"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return dict(env, **extra)


def steps() -> dict:
    return {step.get("name") or step.get("uses"): step for step in ACTION["runs"]["steps"]}


def substitute(text: str, inputs: dict, outputs: dict | None = None) -> str:
    def value(match: re.Match) -> str:
        expression = match[1]
        if expression.startswith("inputs."):
            name = expression.removeprefix("inputs.")
            return str(inputs.get(name, ACTION["inputs"][name].get("default", "")))
        if expression == "github.action_path":
            return str(REPO)
        if expression.startswith("steps.run.outputs."):
            return (outputs or {}).get(expression.rsplit(".", 1)[1], "")
        raise AssertionError(f"unexpected expression {expression}")
    return EXPRESSION.sub(value, text)


def run_action(tmp_path: Path, inputs: dict) -> tuple[int, dict]:
    """The action's routecheck step, then its gate step: (the gate's exit code, the step outputs). The job
    summary it appends to is tmp_path/step_summary.md, as GitHub's $GITHUB_STEP_SUMMARY."""
    run = steps()["Run routecheck"]
    tmp_path.mkdir(parents=True, exist_ok=True)
    output_file = tmp_path / "github_output"
    output_file.write_text("")
    env = shell_env(GITHUB_OUTPUT=str(output_file), GITHUB_STEP_SUMMARY=str(tmp_path / "step_summary.md"),
                    **{k: substitute(str(v), inputs) for k, v in run["env"].items()})
    done = subprocess.run(["bash", "-c", substitute(run["run"], inputs)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]  # the reports are uploaded next
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
    gate = steps()["Gate on the exit code"]
    gate_env = dict(os.environ, **{k: substitute(str(v), inputs, outputs) for k, v in gate["env"].items()})
    gated = subprocess.run(["bash", "-c", gate["run"]], cwd=tmp_path, env=gate_env, timeout=30)
    return gated.returncode, outputs


def test_the_action_declares_what_it_uses_and_the_key_only_travels_in_env():
    text = (REPO / "action.yml").read_text()
    used = {m[1].removeprefix("inputs.") for m in EXPRESSION.finditer(text) if m[1].startswith("inputs.")}
    assert used == set(ACTION["inputs"])  # every input is used, and only declared ones are
    for step in ACTION["runs"]["steps"]:
        assert "inputs.api-key" not in step.get("run", "")  # never on a command line, where logs show it
    assert steps()["Run routecheck"]["env"]["ROUTECHECK_API_KEY"] == "${{ inputs.api-key }}"
    names = [s.get("name") or s.get("uses") for s in ACTION["runs"]["steps"]]
    assert names.index("Upload the reports") < names.index("Gate on the exit code") == len(names) - 1
    assert steps()["Upload the reports"]["if"] == "always()"  # reports of a failing run are uploaded too
    uses = workflow_action_step()
    assert set(uses["with"]) <= set(ACTION["inputs"])
    assert {name for name, spec in ACTION["inputs"].items() if spec.get("required")} <= set(uses["with"])


def workflow_action_step() -> dict:
    return next(s for s in yaml.safe_load((REPO / "examples" / "ci" / "github-workflow.yml").read_text())
                ["jobs"]["routecheck"]["steps"] if s.get("uses", "").startswith("./"))


def test_the_action_runs_from_a_checkout_of_this_repository_with_no_release_or_index():
    """The example checks routecheck out next to the gateway and uses that checkout's action, which installs
    routecheck from its own path: no tag, no git URL, no package index that does not exist."""
    workflow = yaml.safe_load((REPO / "examples" / "ci" / "github-workflow.yml").read_text())["jobs"]["routecheck"]
    checkout = [s for s in workflow["steps"] if s.get("uses", "").startswith("actions/checkout")]
    local = workflow_action_step()["uses"]
    assert any(f"./{s.get('with', {}).get('path', '')}".rstrip("/") == local for s in checkout), local
    assert steps()["Install routecheck"]["run"] == 'python -m pip install --quiet "${{ github.action_path }}"'
    assert (REPO / "action.yml").is_file() and (REPO / "pyproject.toml").is_file()  # `uses: ./` in this repository
    texts = [(REPO / p).read_text() for p in ("README.md", "action.yml", "examples/ci/github-workflow.yml",
                                              "examples/ci/gitlab-ci.yml")]
    assert not any("routecheck/routecheck@" in t or "git+https://github.com/routecheck" in t for t in texts)


def test_the_action_passes_a_faithful_gateway_and_fails_a_faulty_one_after_writing_its_reports(gateway, tmp_path):
    base = {"api-key": gateway.key, "profile": "routify-mvp", "args": SELECT}
    code, outputs = run_action(tmp_path / "faithful", dict(base, **{"base-url": gateway.base_url()}))
    assert (code, outputs) == (0, {"exit-code": "0"})
    assert (tmp_path / "faithful" / "step_summary.md").read_text().startswith("## ✅ routecheck: gate passes (exit 0)")
    faulty = dict(base, **{"base-url": gateway.base_url(FAULT)})
    code, outputs = run_action(tmp_path / "faulty", faulty)
    assert (code, outputs) == (1, {"exit-code": "1"})
    reports = tmp_path / "faulty" / "routecheck-reports"
    assert {p.name for p in reports.iterdir()} == {"results.json", "report.html", "junit.xml", "summary.md", "not-passed.har"}
    summary = (tmp_path / "faulty" / "step_summary.md").read_text()
    assert summary == (reports / "summary.md").read_text()  # the job summary is routecheck's Markdown summary
    assert "gate fails: 1 MUST failures count" in summary and "routify-mvp/chat/ranges/temperature/above-max" in summary
    assert gateway.key not in "".join(p.read_text() for p in reports.iterdir())
    # the failure, once accepted as the baseline, no longer fails the job; the gate is in the results
    baseline = reports / "results.json"
    code, _ = run_action(tmp_path / "again", dict(faulty, baseline=str(baseline)))
    assert code == 0
    assert json.loads((tmp_path / "again" / "routecheck-reports" / "results.json").read_text())["gate"]["accepted"]


def test_on_first_adoption_the_missing_baseline_and_expectations_are_noted_and_must_failures_gate(gateway, tmp_path):
    first = {"api-key": gateway.key, "profile": "routify-mvp", "args": SELECT,
             "baseline": "conformance-baseline.json", "expect": "conformance-expect.yaml"}  # as the example passes them
    code, outputs = run_action(tmp_path / "faithful", dict(first, **{"base-url": gateway.base_url()}))
    assert (code, outputs) == (0, {"exit-code": "0"})
    summary = (tmp_path / "faithful" / "step_summary.md").read_text()
    assert "> no baseline at conformance\\-baseline.json yet" not in summary  # plain text, not escaped where not needed
    assert "no baseline at conformance-baseline.json yet" in summary and "no expectations file at" in summary
    code, _ = run_action(tmp_path / "faulty", dict(first, **{"base-url": gateway.base_url(FAULT)}))
    assert code == 1


@pytest.mark.parametrize("args, selected", [
    # the case GitHub users meet: a quoted expression is one argument
    ('-k "temperature and not far"', lambda ids: len(ids) > 2 and all("temperature" in i.lower() and "far" not in i for i in ids)),
    # a multi-line input: line breaks are spaces
    ("-k\n'temperature and at-max'\n--concurrency 2\n", lambda ids: ids == ["routify-mvp/chat/ranges/temperature/at-max"]),
    ("-k temperature and at-max", None),  # unquoted, `and` is an argument of its own: routecheck refuses it
])
def test_the_args_input_is_split_as_a_shell_would(gateway, tmp_path, args, selected):
    inputs = {"api-key": gateway.key, "profile": "routify-mvp", "base-url": gateway.base_url(), "args": args}
    code, outputs = run_action(tmp_path, inputs)
    if selected is None:
        assert (code, outputs) == (2, {"exit-code": "2"})
        return
    assert (code, outputs) == (0, {"exit-code": "0"})
    doc = json.loads((tmp_path / "routecheck-reports" / "results.json").read_text())
    assert selected([c["id"] for c in doc["cases"]]), [c["id"] for c in doc["cases"]]


def test_unbalanced_quotes_in_args_are_a_usage_error_that_reaches_the_job_summary(tmp_path):
    code, outputs = run_action(tmp_path, {"api-key": "k", "base-url": "http://127.0.0.1:9/v1", "args": '-k "auth'})
    assert (code, outputs) == (2, {"exit-code": "2"})
    assert (tmp_path / "step_summary.md").read_text() == "routecheck did not run (exit code 2): see the job log\n"


def gitlab_lines() -> list[str]:
    job = yaml.safe_load((REPO / "examples" / "ci" / "gitlab-ci.yml").read_text())["routecheck"]
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["reports"]["junit"].startswith("routecheck-reports/")
    # installed already, and the reference gateway stands in for the user's own
    return [line for line in job["script"] if not line.startswith(("pip install", "./scripts/start-gateway"))]


@pytest.mark.parametrize("fault, expected", [(None, 0), (FAULT, 1)])
def test_the_gitlab_job_exits_with_routechecks_code_against_its_baseline_and_expectations(gateway, tmp_path, fault,
                                                                                           expected):
    job = yaml.safe_load((REPO / "examples" / "ci" / "gitlab-ci.yml").read_text())["routecheck"]
    # a baseline from a faithful run, and an expectation file as a reviewer leaves it
    first = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--base-url", gateway.base_url(), "--profile", "routify-mvp", "-k",
                            "temperature", "--json", "conformance-baseline.json", "--no-html"], cwd=tmp_path,
                           env=shell_env(ROUTECHECK_API_KEY=gateway.key), capture_output=True, timeout=300)
    assert first.returncode == 0
    (tmp_path / "conformance-expect.yaml").write_text(
        "expectations:\n- {case: routify-mvp/chat/ranges/top_p/above-max, reason: 'known upstream clamp, issue 12'}\n")
    variables = dict(job["variables"], GATEWAY_URL=gateway.base_url(fault), ROUTECHECK_PROFILE="routify-mvp")
    script = "\n".join(line.replace("routecheck run ", "routecheck run -k temperature ", 1) for line in gitlab_lines())
    done = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=shell_env(**variables, GATEWAY_API_KEY=gateway.key),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == expected, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"routecheck exit code {expected}" in done.stdout
    assert (tmp_path / "routecheck-reports" / "junit.xml").is_file()


def test_every_option_the_recipes_pass_is_an_option_of_routecheck_run():
    from conformance.cli_args import build_parser

    run_parser = next(a for a in build_parser()._subparsers._group_actions[0].choices.items() if a[0] == "run")[1]
    known = {s for action in run_parser._actions for s in action.option_strings}
    texts = [(REPO / "action" / "run.sh").read_text(), "\n".join(gitlab_lines())]
    used = {m for text in texts for m in re.findall(r"(?<![\w-])--[a-z][a-z-]+", text)}
    used |= {w for w in shlex.split(workflow_action_step()["with"]["args"]) if w.startswith("-")}
    assert used and used <= known, sorted(used - known)
