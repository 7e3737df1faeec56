#!/usr/bin/env bash
# The routecheck step of action.yml (and of any CI that likes it): runs `routecheck run` from RC_* variables,
# writes every report into $RC_OUT, records the exit code (in $GITHUB_OUTPUT when there is one) and exits 0,
# so the reports are uploaded before a later step fails the job with that code.
# The key is read by routecheck from ROUTECHECK_API_KEY; it is never put on a command line.
set -uo pipefail
out="${RC_OUT:-routecheck-reports}"
args=(run --base-url "${RC_BASE_URL:?RC_BASE_URL: the gateway URL is required}" --profile "${RC_PROFILE:-openai}"
      --json "$out/results.json" --html "$out/report.html" --junitxml "$out/junit.xml")
if [ -n "${RC_MODEL:-}" ]; then args+=(--model "$RC_MODEL"); fi
if [ -n "${RC_BASELINE:-}" ]; then args+=(--baseline "$RC_BASELINE"); fi
if [ -n "${RC_EXPECT:-}" ]; then args+=(--expect "$RC_EXPECT"); fi
read -r -a extra <<< "${RC_ARGS:-}"  # further options, split on spaces as typed
mkdir -p "$out"
routecheck "${args[@]}" "${extra[@]}"
code=$?
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
echo "routecheck: exit code $code (0 pass, 1 MUST failure, 2 usage error, 3 harness error); reports in $out"
exit 0
