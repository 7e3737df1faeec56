#!/usr/bin/env bash
# The routecheck step of action.yml (and of any CI that likes it): runs `routecheck run` from RC_* variables,
# writes every report into $RC_OUT, appends the Markdown summary to $GITHUB_STEP_SUMMARY when there is one,
# records the exit code (in $GITHUB_OUTPUT when there is one) and exits 0, so the reports are uploaded before
# a later step fails the job with that code.
# The key is read by routecheck from ROUTECHECK_API_KEY; it is never put on a command line.
set -uo pipefail
out="${RC_OUT:-routecheck-reports}"
args=(run --base-url "${RC_BASE_URL:?RC_BASE_URL: the gateway URL is required}" --profile "${RC_PROFILE:-openai}"
      --json "$out/results.json" --html "$out/report.html" --junitxml "$out/junit.xml" --markdown "$out/summary.md"
      --har "$out/not-passed.har")
if [ -n "${RC_MODEL:-}" ]; then args+=(--model "$RC_MODEL"); fi
if [ -n "${RC_BASELINE:-}" ]; then args+=(--baseline "$RC_BASELINE"); fi
if [ -n "${RC_EXPECT:-}" ]; then args+=(--expect "$RC_EXPECT"); fi
mkdir -p "$out"

record() {  # the exit code for later steps, and a line a person reads
  echo "exit-code=$1" >> "${GITHUB_OUTPUT:-/dev/null}"
  echo "routecheck: exit code $1 (0 pass, 1 MUST failure, 2 usage error, 3 harness error); reports in $out"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    if [ -f "$out/summary.md" ]; then cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"
    else echo "routecheck did not run (exit code $1): see the job log" >> "$GITHUB_STEP_SUMMARY"; fi
  fi
}

# further options, split as a shell would (Python's shlex): -k "auth and valid" is one argument, and a
# multi-line input works too (a line break is a space). Nothing in them is executed.
python="$(command -v python || command -v python3)"
words="$(mktemp)"
trap 'rm -f "$words"' EXIT
if ! "$python" -c '
import os, shlex, sys
try:
    words = shlex.split(os.environ.get("RC_ARGS", ""))
except ValueError as exc:
    sys.exit(f"routecheck: error: the args input: {exc} (quote as in a shell: -k \"auth and valid\")")
sys.stdout.write("".join(w + "\0" for w in words))' > "$words"; then
  record 2
  exit 0
fi
extra=()
while IFS= read -r -d '' word; do extra+=("$word"); done < "$words"  # bash 3.2 (macOS) has no mapfile -d

rm -f "$out/summary.md"  # an old summary must never pass for this run's
routecheck "${args[@]}" ${extra[@]+"${extra[@]}"}
record $?
exit 0
