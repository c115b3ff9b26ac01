#!/usr/bin/env bash
# Issue 9's proof that each finding's test fails before its fix and passes
# after it.
#
#   scripts/fails-before.sh [--keep] [ROW-ID ...]
#
# For every row of the table below (finding, fix commit, test executable,
# cmocka test name or glob), in the order of the commits:
#   1. a scratch worktree (git worktree add --detach) at the fix's parent,
#      COMMIT~1, with the fix commit's tests/ brought in (the test as it was
#      written for the fix: the test file, its goldens and bad-input files);
#   2. a Debug build of jobsim and that test executable only, the named test
#      run alone (cmocka_set_test_filter, inserted before the run call): it
#      must FAIL (an assertion, a crash, a hang past the time limit, or a
#      build error when the test reads a field the fix added);
#   3. the worktree moved to COMMIT itself, rebuilt, the same test run: it
#      must PASS.
# Rows are grouped by commit: one scratch worktree and one build directory
# serve every row of a commit (they are removed at the end unless --keep).
# Prints, per row, the first failure line before and the result after, then
# a Markdown table (the one in docs/hardening.md); logs under
# build-fails-before/logs/. Exit status 0 when every row failed before and
# passed after, 1 otherwise.
#
# One build serves rows of several commits in a row (incremental, in
# build-fails-before/build): the worktree is moved from commit to commit.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/build-fails-before
logs=$work/logs
wt=/tmp/fb-jobsim-s3qa
bld=$work/build
keep=0
want=()
for a in "$@"; do
  case "$a" in
    --keep) keep=1 ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) want+=("$a") ;;
  esac
done
mkdir -p "$logs"
# a scratch worktree left by an earlier, killed run
if [ -d "$wt" ]; then git -C "$root" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"; fi
git -C "$root" worktree prune

# ROW-ID | finding | fix commit | test executable | cmocka test (glob)
ROWS='
06|6|5ca0932|test_sim_json|finding_06_deep_document_stack
14a|14|4b6a73e|test_cli_badinput|finding_14_fifo_paths
14b|14|4b6a73e|test_cli_safety|finding_14_fifo_db
01|1|f6dc480|test_cli_safety|finding_01_out_dir_not_ours
02|2|f6dc480|test_cli_safety|finding_02_out_dir_appears
05|5|f6dc480|test_cli_safety|finding_05_concurrent_out
21a|21|f6dc480|test_cli_safety|finding_21_stale_temp_dirs
25a|25|f6dc480|test_cli_safety|finding_25_out_names
23|23|849f3eb|test_cli_safety|finding_23_default_names
04|4|0e5b47b|test_cli_safety|finding_04_duplicate_names
03|3|5c3fafc|test_cli_safety|finding_03_batch_index
07|7|e7696bd|test_report_cli|finding_07_store_untrusted
24|24|e7696bd|test_report_cli|finding_24_foreign_store
25b|25|e7696bd|test_report_store|finding_25_sqlite_nomem_message
13|13|4089f96|test_cli_safety|finding_13_gnuplot_hangs
20|20|4089f96|test_cli_safety|finding_20_file_size_limit
21b|21|4089f96|test_cli_safety|finding_21_more_signals
22|22|4089f96|test_cli_safety|finding_22_signal_while_writing
11|11|e75ab47|test_cli_safety|finding_11_execution_number
17|17|bc63824|test_cli_safety|finding_17_limits_after_override
19|19|bc63824|test_cli_safety|finding_19_zero_limits
15|15|b26742a|test_model_cron|finding_15_cron_bounds
12|12|bf5b437|test_cli_badinput|finding_12_windows_never_open
18|18|39d938a|test_cli_safety|finding_18_estimate_with_operations
16|16|ea845eb|test_cli_safety|finding_16_size_checks
25c|25|ea845eb|test_cli_safety|finding_25_plan_list_count
25d|25|653f816|test_cli_safety|finding_25_out_names
08|8|47b3d52|test_engine_findings|finding_08_*
09|9|6737bdd|test_engine_findings|finding_09_*
10|10|677c9fd|test_engine_findings|finding_10_end_force_cancel_upgrades
25e|25|f68bebb|test_engine_findings|finding_25_add_things_present_logged
'

selected() {
  local id=$1
  [ ${#want[@]} -eq 0 ] && return 0
  for w in "${want[@]}"; do [ "$w" = "$id" ] && return 0; done
  return 1
}

tpid=""
cleanup() {
  if [ -n "$tpid" ]; then kill -- -"$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null; fi
  if [ "$keep" = 0 ] && [ -d "$wt" ]; then
    git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# put_filter: the test executable's main runs only the tests named by
# FB_FILTER (cmocka's glob), whatever the version of the file.
put_filter() {
  local f=$wt/tests/$1.c
  grep -q 'FB_FILTER' "$f" && return 0
  perl -0pi -e 's/^(\s*)((?:return\s+|int\s+\w+\s*=\s*)_?cmocka_run_group_tests)/${1}{ extern char *getenv(const char *); cmocka_set_test_filter(getenv("FB_FILTER")); }\n${1}${2}/m' "$f"
}

# build_and_run TEST FILTER LOG: 0 passed, 1 failed (test), 2 did not build
build_and_run() {
  local t=$1 filt=$2 log=$3
  : >"$log"
  if ! cmake -S "$wt" -B "$bld" -DCMAKE_BUILD_TYPE=Debug -DJOBSIM_WERROR=OFF \
        >>"$log" 2>&1 ||
     ! nice -n 5 cmake --build "$bld" -j2 --target jobsim "$t" >>"$log" 2>&1; then
    return 2
  fi
  echo "---- run: FB_FILTER='$filt' $t" >>"$log"
  # timeout puts the test in a process group of its own: killed on our exit
  (cd "$bld/tests" && FB_FILTER="$filt" exec timeout -k 5 300 "./$t") >>"$log" 2>&1 &
  tpid=$!
  wait "$tpid"
  local rc=$?
  tpid=""
  echo "---- exit status $rc" >>"$log"
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && echo "---- TIMED OUT after 300 s" >>"$log"
  # cmocka passes with 0 tests when the filter matches nothing: not a pass
  if [ $rc -eq 0 ] && ! grep -q '^\[  PASSED  \] [1-9]' "$log"; then
    echo "---- no test matched the filter" >>"$log"
    return 1
  fi
  [ $rc -eq 0 ] && return 0 || return 1
}

# first_failure LOG: the line that says why: a timeout, a build error, or
# the test's last message before cmocka's failure line, with its location
first_failure() {
  local log=$1 l
  if grep -q -- '---- TIMED OUT' "$log"; then
    l="hangs: killed after 300 s"
  elif ! grep -q -- '---- run' "$log"; then
    l=$(grep -m1 -E ' error: ' "$log") || l="(see $log)"
  else
    l=$(sed -n '/^---- run/,$p' "$log" | awk '
      /^\[  ERROR   \] --- / {
        x = $0; sub(/^\[  ERROR   \] --- /, "", x)
        if (x ~ /^\[   LINE   \] --- /) { sub(/^\[   LINE   \] --- /, "", x); loc = x }
        else if (ass == "") ass = x
        next }
      /^\[   LINE   \] --- / { x = $0; sub(/^\[   LINE   \] --- /, "", x); loc = x; next }
      /^\[  FAILED  \]/ {
        sub(/: error: Failure!/, "", loc)
        out = (err != "") ? err : msg
        if (ass != "") out = out (out != "" ? "; " : "") "assertion " ass
        if (loc != "") out = out " (" loc ")"
        printf "%s", out; done = 1; exit }
      /^\[ RUN/ { err = ""; msg = ""; next }
      /^\[/ || /^----/ { inerr = 0; next }
      /^ *$/ { next }
      /^ERROR: / && err == "" { err = $0; inerr = 1; next }
      inerr { x = $0; gsub(/^ +| +$/, "", x); err = err " " x; next }
      { msg = $0 }
      END { if (!done) printf "%s", msg }')
    [ -n "$l" ] || l=$(grep -m1 -E '^---- exit status' "$log")
  fi
  printf '%s' "$l" | sed -E -e "s|$wt/||g" -e "s|$bld/[a-z]+-[A-Za-z0-9]{6}/|TMP/|g" \
    -e 's/(.)\1{9,}/\1\1\1.../g' -e 's/[[:space:]]+$//' -e 's/[|]/\\|/g' | cut -c1-260
}

table=()
ok_all=1
cur=""
while IFS='|' read -r id fnd commit t filt; do
  [ -z "$id" ] && continue
  selected "$id" || continue
  full=$(git -C "$root" rev-parse "$commit") || { echo "no commit $commit" >&2; exit 4; }
  if [ ! -d "$wt" ]; then
    git -C "$root" worktree add --detach "$wt" "$full~1" >/dev/null 2>&1 ||
      { echo "fails-before.sh: cannot add worktree $wt" >&2; exit 4; }
  fi
  # before: the parent, with the fix's tests/
  git -C "$wt" checkout -q -f --detach "$full~1"
  git -C "$wt" clean -q -fdx tests >/dev/null
  git -C "$wt" checkout -q "$full" -- tests/
  put_filter "$t"
  lb=$logs/$id.before.log
  build_and_run "$t" "$filt" "$lb"; rb=$?
  # after: the fix commit itself
  git -C "$wt" checkout -q -f --detach "$full"
  git -C "$wt" clean -q -fdx tests >/dev/null
  put_filter "$t"
  la=$logs/$id.after.log
  build_and_run "$t" "$filt" "$la"; ra=$?
  case $rb in
    0) before="PASSED (not a proof)"; ok_all=0 ;;
    1) before="FAILS: $(first_failure "$lb")" ;;
    2) before="does not build: $(first_failure "$lb")" ;;
  esac
  case $ra in
    0) after="passes ($(grep -m1 '^\[  PASSED  \]' "$la" | sed 's/^\[  PASSED  \] //'))" ;;
    *) after="FAILS: $(first_failure "$la")"; ok_all=0 ;;
  esac
  printf '%-4s finding %-2s %s %-20s %s\n  before: %s\n  after:  %s\n' \
    "$id" "$fnd" "$commit" "$t" "$filt" "$before" "$after"
  table+=("| $fnd | \`$t\` \`$filt\` | $commit | $before | $after |")
done <<<"$ROWS"

echo
echo "| finding | test | fix | at the fix's parent (with the fix's test) | at the fix |"
echo "|---|---|---|---|---|"
printf '%s\n' "${table[@]}"
[ "$ok_all" = 1 ]
