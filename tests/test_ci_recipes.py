"""The CI recipes, run as far as they can run here: action.yml's own steps (its run script, then its gate)
and the GitLab example's script lines, against the bundled reference gateway on loopback. Only what
cannot exist here is left out: actions/setup-python, the artifact upload, pip installing routecheck
(it is installed) and the user's own gateway start script (the reference gateway stands in)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
FAULT = "temperature.maximum-ignored"
SELECT = "-k temperature"  # a few cases: the fault fails one, the faithful gateway none


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
    """The action's routecheck step, then its gate step: (the gate's exit code, the step outputs)."""
    run = steps()["Run routecheck"]
    tmp_path.mkdir(parents=True, exist_ok=True)
    output_file = tmp_path / "github_output"
    output_file.write_text("")
    env = shell_env(GITHUB_OUTPUT=str(output_file), **{k: substitute(str(v), inputs) for k, v in run["env"].items()})
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
    workflow = yaml.safe_load((REPO / "examples" / "ci" / "github-workflow.yml").read_text())
    uses = [s for s in workflow["jobs"]["routecheck"]["steps"] if "routecheck/routecheck" in s.get("uses", "")]
    assert uses and set(uses[0]["with"]) <= set(ACTION["inputs"])
    assert {name for name, spec in ACTION["inputs"].items() if spec.get("required")} <= set(uses[0]["with"])


def test_the_action_passes_a_faithful_gateway_and_fails_a_faulty_one_after_writing_its_reports(gateway, tmp_path):
    base = {"api-key": gateway.key, "profile": "routify-mvp", "args": SELECT}
    code, outputs = run_action(tmp_path / "faithful", dict(base, **{"base-url": gateway.base_url()}))
    assert (code, outputs) == (0, {"exit-code": "0"})
    faulty = dict(base, **{"base-url": gateway.base_url(FAULT)})
    code, outputs = run_action(tmp_path / "faulty", faulty)
    assert (code, outputs) == (1, {"exit-code": "1"})
    reports = tmp_path / "faulty" / "routecheck-reports"
    assert {p.name for p in reports.iterdir()} == {"results.json", "report.html", "junit.xml"}
    assert gateway.key not in "".join(p.read_text() for p in reports.iterdir())
    # the failure, once accepted as the baseline, no longer fails the job; the gate is in the results
    baseline = reports / "results.json"
    code, _ = run_action(tmp_path / "again", dict(faulty, baseline=str(baseline)))
    assert code == 0
    assert json.loads((tmp_path / "again" / "routecheck-reports" / "results.json").read_text())["gate"]["accepted"]


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
        "expectations:\n- {case: routify-mvp/ranges/top_p/above-max, reason: 'known upstream clamp, issue 12'}\n")
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
    assert used and used <= known, sorted(used - known)
