#!/usr/bin/env bash
# Do two jobsim builds write the same reports? The check behind every "no
# behaviour change" claim of a performance or refactoring commit.
#
#   scripts/same-outputs.sh OLD_JOBSIM NEW_JOBSIM [EXTRA_SCENARIO ...]
#
# Runs `jobsim run -q` of both builds on every bundled scenario
# (scenarios/*.json) and on each EXTRA_SCENARIO (the benchmark's 1M-thing
# file, say), each into a report directory of its own under a fresh
# temporary directory, and compares the exit codes, stderr and the whole
# report trees byte for byte (diff -r: describe-job JSON, snapshots,
# timeline, events, run.sqlite, plots with their PNG and SVG images,
# index.html, run.json). Prints each scenario that differs with the first
# differing files, then "N scenarios compared, M differ"; exit 1 when any
# differs. A build of an older commit: git worktree add /tmp/old COMMIT,
# then build it there (cmake -S /tmp/old -B /tmp/old/b ...). The temporary
# directory is removed at the end unless --keep is the first argument.
set -euo pipefail
keep=0
if [ "${1:-}" = --keep ]; then keep=1; shift; fi
if [ $# -lt 2 ]; then
  echo "usage: scripts/same-outputs.sh [--keep] OLD_JOBSIM NEW_JOBSIM [EXTRA_SCENARIO ...]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
old=$(abs "$1"); new=$(abs "$2"); shift 2
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "same-outputs.sh: '$b' is not an executable" >&2; exit 2; }
done
files=("$root"/scenarios/*.json)
for f in "$@"; do files+=("$(abs "$f")"); done
base=$(mktemp -d "${TMPDIR:-/tmp}/jobsim-same-XXXXXX")
if [ "$keep" -eq 0 ]; then trap 'rm -rf "$base"' EXIT; else echo "reports in $base"; fi
n=0 bad=0
for f in "${files[@]}"; do
  s=$(basename "$f" .json)
  for side in old new; do
    if [ $side = old ]; then exe=$old; else exe=$new; fi
    # the same working directory and report path for both: only the build differs
    rc=0
    (cd "$base" && "$exe" run -q -o "$base/report-$s" "$f" >/dev/null 2>"$base/$side-$s.err") || rc=$?
    echo "$rc" >"$base/$side-$s.rc"
    sed -i "s#$base/report-$s#REPORT#g" "$base/$side-$s.err"
    if [ -e "$base/report-$s" ]; then mv "$base/report-$s" "$base/$side-$s"; else mkdir "$base/$side-$s"; fi
  done
  n=$((n + 1))
  if ! cmp -s "$base/old-$s.rc" "$base/new-$s.rc" || ! cmp -s "$base/old-$s.err" "$base/new-$s.err" ||
     ! diff -r -q "$base/old-$s" "$base/new-$s" >/dev/null 2>&1; then
    bad=$((bad + 1))
    echo "differs: $s (exit $(cat "$base/old-$s.rc") -> $(cat "$base/new-$s.rc"))"
    cmp -s "$base/old-$s.err" "$base/new-$s.err" || echo "  stderr differs"
    diff -r -q "$base/old-$s" "$base/new-$s" 2>&1 | head -5 | sed 's/^/  /' || true
  fi
done
echo "$n scenarios compared, $bad differ"
[ "$bad" -eq 0 ]
