#!/usr/bin/env bash
# Mutation check of the model code: does the test suite notice a wrong engine?
#
#   scripts/mutate.sh [--full] [--only ID[,ID...]] [--exclude REGEX] [--list] [--check] [-j N]
#
# Each mutation below is one small change of the model code (model/) (a flipped
# comparison, an off-by-one, swapped counters, a changed constant, a dropped
# statement). One at a time, the script applies it, rebuilds, runs the test
# suite and restores the file, then prints a table: mutation -> the first
# test that failed, or SURVIVED. A mutation that cannot change what jobsim
# does is listed with the reason it is equivalent; it must survive (if a
# test kills it, the reason is wrong and the run fails).
#
# Every site is found by a code pattern that must occur exactly once across
# model/*.c and model/*.h, never by file and line, so the list survives code
# moves (the script stops with an error naming the pattern when it matches
# no place or several). A pattern may span lines ($'...\n...') where one
# line alone occurs in two places.
#
# The working tree is never modified: the script mutates a private copy of
# the sources (build-mutate/src, refreshed from the working tree at each
# run, uncommitted changes included) and builds it in build-mutate/build. A
# trap restores the mutated file of the copy on any exit, Ctrl-C included.
#
# Default (on demand, about 20 minutes here): the suite without the `slow`
# label, stopping at the first failure. --full (the weekly-style run, about
# an hour): the whole suite for every mutation, without stopping, and the
# table lists every test that kills each mutation, which shows rules guarded
# by a single test. --only runs the named mutations, --list prints them with
# their current sites, --check only verifies that every pattern matches
# exactly once (seconds). --exclude leaves the tests whose names match
# REGEX (CTest -E) out of every run, baseline included: on a loaded
# machine, test_cli_safety's exit-within-a-second bounds fail whatever the
# mutation (it checks the CLI's signals and paths, not the model). Not part
# of .ci/run.
#
# Exit status: 0 when no behaviour-changing mutation survived; 1 when one
# did, a mutation marked equivalent was killed, or a mutation did not build;
# 2 for usage errors; 4 when a pattern matches zero or several places or the
# unmutated suite fails.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true   # '&' is literal in ${x/a/b}
cd "$(dirname "$0")/.."
root=$PWD

# ------------------------------------------------------------ mutations ---
# m ID DESCRIPTION PATTERN REPLACEMENT [EQUIVALENT-REASON]
MUTS=()
m() { MUTS+=("$1"$'\x1f'"$2"$'\x1f'"$3"$'\x1f'"$4"$'\x1f'"${5:-}"); }

# rollout rate (O2, O3, O4, O7)
m exp-floor-llround "exponential rate rounded to nearest instead of down (O3)" \
  'int64_t r = exact >= (double)cap ? cap : (int64_t)floor(exact);' \
  'int64_t r = exact >= (double)cap ? cap : (int64_t)llround(exact);'
m exp-k-min "exponential k = min of the two criteria instead of max (O2 OR)" \
  'int64_t k = kn > ks ? kn : ks;' 'int64_t k = kn < ks ? kn : ks;'
m exp-k-notified-only "succeeded criterion ignored (O2)" \
  '? J->job.counters[MODEL_EXEC_SUCCEEDED] / c->succeeded_things' '? 0 * c->succeeded_things'
m exp-cap-gt "cap applied only above it, not at it (O4)" \
  'int64_t r = exact >= (double)cap ? cap' 'int64_t r = exact > (double)cap ? cap' \
  'when exact == cap, floor(exact) == cap: the same rate either way'
m rate-min-one "the never-below-1 clamp dropped (O3)" \
  'return r < 1 ? 1 : r;' 'return r;' \
  'exact = base x factor^k with base >= 1 and factor >= 1.1, so floor(exact) >= 1 already'
m rate-quota-cap "rollout quota no longer caps the rate (O4)" \
  'if (cap > quota) cap = quota;' ';'
m rate-default-cap "default rate 1000 -> 999 without maximumPerMinute (O4)" \
  $'c->has_max_per_minute ? c->max_per_minute : 1000;\n  *why = NULL;' \
  $'c->has_max_per_minute ? c->max_per_minute : 999;\n  *why = NULL;'
m window-made-le "one execution too many per rollout window (O7)" \
  'while (made < rate && !rollout_advance(e, J))' 'while (made <= rate && !rollout_advance(e, J))'
m window-length "rollout windows 61 s apart instead of 60 s (O7)" \
  '#define WINDOW_MS SIM_MS_PER_MIN' '#define WINDOW_MS (SIM_MS_PER_MIN + 1000)'
m notified-counts-retries "retries counted as notified (O6)" \
  'if (first) J->job.notified++;' 'J->job.notified++;'
m snapshot-ignores-membership "SNAPSHOT fixes non-members too (O9)" \
  'if ((th->flags & (F_MEMBER | F_GONE)) == F_MEMBER) th->flags |= F_SNAP;' 'th->flags |= F_SNAP;'
m window-no-lastupdated "lastUpdatedAt not moved by a rollout window (O24)" \
  'if (made > 0) J->job.last_updated_at = now;' ';'
m processing-targets-scheduled "processingTargets listed while SCHEDULED (O8)" \
  'if (J->job.status != MODEL_JOB_IN_PROGRESS || J->job.rollout_done ||' 'if (J->job.rollout_done ||'

# retries (O18, O19, O20)
m retry-all-gt "ALL retry budget allows one more (O19; the issue's survivor)" \
  'if (rf + rt >= n) return false;' 'if (rf + rt > n) return false;'
m retry-failed-gt "FAILED retry budget allows one more (O19)" \
  'if (rf >= n) return false;' 'if (rf > n) return false;'
m retry-timedout-gt "TIMED_OUT retry budget allows one more (O19)" \
  'if (rt >= n) return false;' 'if (rt > n) return false;'
m retry-spend-swapped "a FAILED retry is charged to the TIMED_OUT budget and vice versa (O19)" \
  'if (s == MODEL_EXEC_FAILED) rf++;' 'if (s != MODEL_EXEC_FAILED) rf++;'
m retry-nibbles-swapped "the two spent-retry counters read swapped (O19)" \
  'unsigned rf = th->retries & 0xf, rt = th->retries >> 4;' 'unsigned rt = th->retries & 0xf, rf = th->retries >> 4;'
m retry-rejected "REJECTED retried like FAILED" \
  'if (s == MODEL_EXEC_FAILED || s == MODEL_EXEC_TIMED_OUT) eng_maybe_retry(e, J, t, s);' \
  'if (s != MODEL_EXEC_SUCCEEDED) eng_maybe_retry(e, J, t, s);'
m retry-after-cancel "retries still created after a cancel or abort (O16)" \
  'if (J->job.canceled || J->job.status == MODEL_JOB_DELETION_IN_PROGRESS) return;' \
  'if (J->job.status == MODEL_JOB_DELETION_IN_PROGRESS) return;'
m retry-exec-number "a retry reuses the attempt's executionNumber (O18)" \
  'th->exec_no = (uint16_t)(last + 1);' 'th->exec_no = (uint16_t)(last ? last : 1);'
m retry-attempt "retryAttempt not incremented on a retry (O18)" \
  'eng_new_execution(e, J, t, th->retry_attempt + 1u);' 'eng_new_execution(e, J, t, th->retry_attempt);'

# abort (O11 - O16)
m abort-threshold-gt "abort needs more than the threshold, not at it (O12)" \
  'if (fail * 10000 < thr * executed) continue;' 'if (fail * 10000 <= thr * executed) continue;'
m abort-gate-gt "abort gate needs more than minNumberOfExecutedThings (O12)" \
  'if (gate < a->min_executed) continue;' 'if (gate <= a->min_executed) continue;'
m abort-threshold-trunc "threshold truncated instead of rounded to hundredths (O12)" \
  'int64_t thr = llround(a->threshold_percentage * 100.0);' 'int64_t thr = (int64_t)(a->threshold_percentage * 100.0);'
m abort-denominator-canceled "CANCELED counted as executed (O11)" \
  'int64_t executed = k[MODEL_EXEC_SUCCEEDED] +' 'int64_t executed = k[MODEL_EXEC_CANCELED] + k[MODEL_EXEC_SUCCEEDED] +'
m abort-all-no-rejected "ALL failures leave out REJECTED (O11)" \
  'fail = k[MODEL_EXEC_FAILED] + k[MODEL_EXEC_REJECTED] + k[MODEL_EXEC_TIMED_OUT];' \
  'fail = k[MODEL_EXEC_FAILED] + k[MODEL_EXEC_TIMED_OUT];'
m abort-rejected-counts-failed "failureType REJECTED counts FAILED records (O11)" \
  'case MODEL_FAILURE_REJECTED: fail = k[MODEL_EXEC_REJECTED]; break;' \
  'case MODEL_FAILURE_REJECTED: fail = k[MODEL_EXEC_FAILED]; break;'
m abort-gate-switch "simulation.abortGate read inverted (O11)" \
  'int64_t gate = e->sc->sim.abort_gate == MODEL_GATE_NOTIFIED' 'int64_t gate = e->sc->sim.abort_gate != MODEL_GATE_NOTIFIED'
m abort-when-canceled "abort evaluated on a job that is no longer IN_PROGRESS (O12)" \
  'if (!c->has_abort || J->job.status != MODEL_JOB_IN_PROGRESS) return;' 'if (!c->has_abort) return;'
m abort-forces "an abort cancels with force (O15)" \
  'eng_cancel_job(e, J, false, e->sc->sim.abort_reason_code, comment, true);' \
  'eng_cancel_job(e, J, true, e->sc->sim.abort_reason_code, comment, true);'

# timeouts (section 4, O17)
m timeout-tie-report-wins "a report at the deadline beats the timer" \
  'if (rep < fire && rep <= next_progress)' 'if (rep <= fire && rep <= next_progress)'
m timeout-step-not-capped "a step timer may extend past the in-progress deadline (DG-CFG 12:13 example)" \
  'if (step > 0 && step_from + step * SIM_MS_PER_MIN < deadline)' 'if (step > 0)'
m timeout-step-from-start "a progress report's step timer counts from the start, not the report" \
  'step_from = th->updated_at;' 'step_from = th->started_at;'
m timeout-lag-dropped "timeoutLagMax draws a lag but does not add it (O17)" \
  'fire += (sim_time_ms)llround(gsl_rng_uniform(J->lag_rng) *' 'fire += 0 * (sim_time_ms)llround(gsl_rng_uniform(J->lag_rng) *'

# cancellation, deletion, completion (O22, O28, O29, O31)
m cancel-batch-le "one execution too many per cancellation batch (O28)" \
  'while (done < budget && J->cancel_cursor < n) {' 'while (done <= budget && J->cancel_cursor < n) {'
m cancel-unforced-inprogress "a non-forced cancel cancels IN_PROGRESS executions (O15, O28)" \
  'if (s == MODEL_EXEC_QUEUED || (J->cancel_force && s == MODEL_EXEC_IN_PROGRESS)) {' \
  'if (s == MODEL_EXEC_QUEUED || s == MODEL_EXEC_IN_PROGRESS) {'
m cancel-default-rate "default cancelRatePerMinute 1000 -> 999 (O28)" \
  'st->cancel_rate = 1000;' 'st->cancel_rate = 999;'
m delete-batch-le "one record too many per deletion batch (O31)" \
  'while (done < budget && J->delete_cursor < n) {' 'while (done <= budget && J->delete_cursor < n) {'
m done-ignores-queued "a job completes with QUEUED records (pending retries) left (O22)" \
  's == MODEL_JOB_SCHEDULED) && rollout_over &&' \
  's == MODEL_JOB_SCHEDULED) && rollout_over && ((active = k[MODEL_EXEC_IN_PROGRESS] > 0), 1) &&'

# maintenance windows and scheduling (O33, O34, O35)
m mw-close-late "a maintenance window closes a minute late (O33)" \
  'sim_world_schedule(w, occ + len, PRIO_SCHED, K_MW_CLOSE' 'sim_world_schedule(w, occ + len + SIM_MS_PER_MIN, PRIO_SCHED, K_MW_CLOSE'
m mw-already-open "a window open at creation is not counted as open (O33)" \
  '&occ) && occ - base < now)' '&occ) && occ - base < now && 0)'
m mw-never-closes "the job stays IN_PROGRESS after a window closes (O34)" \
  'J->open_windows > 0 || J->ended);' 'J->open_windows >= 0 || J->ended);'
m deferred-dropped "QUEUED executions that waited for a window are never handed out (O34)" \
  'if (th->status == MODEL_EXEC_QUEUED) eng_device_resume(e, J, t);' ';'
m deferred-reconnects "a device that waited for a window is drawn offline again at the opening (O34)" \
  'if (th->status == MODEL_EXEC_QUEUED) eng_device_resume(e, J, t);' 'if (th->status == MODEL_EXEC_QUEUED) eng_notify_device(e, J, t);'
m mw-close-instant "a device start at a window's closing instant goes ahead (O33: [occ, occ + len))" \
  'J->mw_open_until <= sim_world_now(w)) {' 'J->mw_open_until < sim_world_now(w)) {'
m mw-close-instant-gap "a device start at the closing instant waits although the next window opens then (O33)" \
  'J->mw_open_until <= sim_world_now(w)) {' 'J->mw_open_until <= sim_world_now(w)) { defer(e, J, t, th); return;'
m end-default-cancel "default endBehavior CANCEL instead of STOP_ROLLOUT (O32)" \
  ': MODEL_END_STOP_ROLLOUT;' ': MODEL_END_CANCEL;'
m end-force-unforced "endBehavior FORCE_CANCEL cancels without force (O32)" \
  'eng_cancel_job(e, J, b == MODEL_END_FORCE_CANCEL, NULL,' 'eng_cancel_job(e, J, false, NULL,'

# operations, dynamic groups, device updates (O26, O29, O30, lifecycle)
m removed-snapshot "a SNAPSHOT job's execution REMOVED when its thing leaves the group (O26)" \
  'if (!deleted && (!J->cfg.continuous || covered(e, J, t))) continue;' \
  'if (!deleted && covered(e, J, t)) continue;'
m removed-thing-target "REMOVED although a thing/ target still names the thing (O26)" \
  'if (!deleted && (!J->cfg.continuous || covered(e, J, t))) continue;' \
  'if (!deleted && !J->cfg.continuous) continue;'
m joiner-snapshot "a SNAPSHOT job gives a late joiner an execution (O9)" \
  'if (!J->cfg.continuous || !J->rollout_started || J->rollout_stopped ||' \
  'if (!J->rollout_started || J->rollout_stopped ||'
m rejoin-keeps-budget "a re-joined thing keeps its spent retries (DG-CFG)" \
  'th->retries = 0;' ';'
m force-upgrade-refused "cancel-job --force after a cancel refused (O29)" \
  'if (o->force && !J->job.force_canceled) {' 'if (o->force && J->job.force_canceled) {'
m update-abort-not-evaluated "a new abortConfig waits for the next terminal transition (O30)" \
  'if (o->upd_abort) eng_check_abort(e, J);' ';'
m delete-canceled-needs-force "delete-job of a CANCELED job needs force (O31)" \
  'if (!o->force && s != MODEL_JOB_COMPLETED && s != MODEL_JOB_CANCELED)' \
  'if (!o->force && s != MODEL_JOB_COMPLETED)'
m associate-snapshot "associate-targets-with-job accepted for a SNAPSHOT job" \
  'if (!J->cfg.continuous)' 'if (0)'
m cancel-exec-force-inverted "cancel-job-execution of an IN_PROGRESS execution without force accepted" \
  'if (th->status == MODEL_EXEC_IN_PROGRESS && !o->force)' 'if (th->status == MODEL_EXEC_IN_PROGRESS && o->force)'
m device-connected-inverted "a device is offline with probability connected, not 1 - connected" \
  'if (!online && b->connected < 1.0 && !(sim_rng_uniform(r) < b->connected))' \
  'if (!online && b->connected < 1.0 && (sim_rng_uniform(r) < b->connected))'
m fleet-arrival-rate "arrivals and departures at twice their ratePerHour" \
  'gsl_ran_exponential(r, 3600000.0 / per_hour)' 'gsl_ran_exponential(r, 1800000.0 / per_hour)'
m timeout-bumps-version "TIMED_OUT (set by the service) increments versionNumber" \
  'eng_finish_execution(e, J, t, th, MODEL_EXEC_TIMED_OUT);' \
  'eng_version_inc(e, J, t, th); eng_finish_execution(e, J, t, th, MODEL_EXEC_TIMED_OUT);'

# CreateJob validation (model/jobcfg.c)
m cfg-retry-total-ge "a retry total of exactly 10 rejected (O19)" \
  'if (total > RETRY_TOTAL_MAX)' 'if (total >= RETRY_TOTAL_MAX)'
m cfg-retry-all-combined "ALL accepted after another retry entry (O19)" \
  'if (cfg->retry[j].failure_type == MODEL_FAILURE_ALL ||' 'if (cfg->retry[j].failure_type == MODEL_FAILURE_ALL &&'
m cfg-decimals-one "incrementFactor allowed two decimals" \
  'double scale = digits == 1 ? 10.0 : 100.0;' 'double scale = digits == 1 ? 100.0 : 100.0;'
m cfg-threshold-min "thresholdPercentage 0 rejected (O13)" \
  '"thresholdPercentage", true, 0.0, 100.0,' '"thresholdPercentage", true, 0.01, 100.0,'
m cfg-timeout-max "inProgressTimeoutInMinutes 10081 accepted" \
  '#define TIMEOUT_MAX_MIN 10080' '#define TIMEOUT_MAX_MIN 10081'
m cfg-base-rate-max "baseRatePerMinute 1000 rejected" \
  '"baseRatePerMinute", true, 1, 1000,' '"baseRatePerMinute", true, 1, 999,'
m cfg-quota-ge "maximumPerMinute equal to the quota rejected (O4)" \
  'mpm->valuedouble > (double)quota &&' 'mpm->valuedouble >= (double)quota &&'
m cfg-empty-criteria "an empty rateIncreaseCriteria accepted (O1)" \
  'if (rc == SIM_OK && !cfg->has_notified_criterion &&' 'if (rc == SIM_OK && 0 && !cfg->has_notified_criterion &&'
m cfg-window-duration "durationInMinutes 1431 accepted" \
  '#define WINDOW_DURATION_MAX 1430' '#define WINDOW_DURATION_MAX 1431'
m cfg-span-min "endTime 30 minutes after startTime rejected" \
  '#define SCHED_MIN_SPAN_MIN 30' '#define SCHED_MIN_SPAN_MIN 31'

# scenario rules (model/scenario.c)
m sc-start-30min "startTime exactly 30 minutes after creation rejected (O33)" \
  'if (t < now + m30 || t > now + 365 * SIM_MS_PER_D)' 'if (t <= now + m30 || t > now + 365 * SIM_MS_PER_D)'
m sc-lag-max "timeoutLagMax of exactly 60s rejected (O17)" \
  'if (st->timeout_lag_max > 60 * SIM_MS_PER_S)' 'if (st->timeout_lag_max >= 60 * SIM_MS_PER_S)'
m sc-dup-target-edge "a thing target just past a group target's things counted as a duplicate (O9)" \
  't->first < u->first + u->count;' 't->first <= u->first + u->count;'

# cron dialect (model/cron.c, O33)
m cron-weekday-offset "1970-01-01 taken for a Wednesday" \
  'return (int)((days % 7 + 7 + 4) % 7) + 1;' 'return (int)((days % 7 + 7 + 3) % 7) + 1;'
m cron-range-short "a range a-b leaves out b" \
  'for (int k = 0; k <= len; k += step)' 'for (int k = 0; k < len; k += step)'
m cron-nearest-weekday "'1W' on a Saturday the 1st goes back out of the month" \
  'return day == 1 ? 3 : day - 1;' 'return day - 1;'

# ------------------------------------------------------------- options ---
main() {
full=0 list=0 check=0 jobs=2 only="" exclude=""
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1; shift ;;
    --list) list=1; shift ;;
    --check) check=1; shift ;;
    --only) only="${2:?--only needs mutation ids}"; shift 2 ;;
    --only=*) only="${1#--only=}"; shift ;;
    --exclude) exclude="${2:?--exclude needs a regex}"; shift 2 ;;
    --exclude=*) exclude="${1#--exclude=}"; shift ;;
    -j) jobs="${2:?-j needs a number}"; shift 2 ;;
    -j*) jobs="${1#-j}"; shift ;;
    -h|--help) sed -n '2,41p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "mutate.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

work=build-mutate
src=$work/src
bld=$work/build
logs=$work/logs
mkdir -p "$work"
exec 9>"$work/lock"
if ! flock -n 9; then
  echo "mutate.sh: another mutate.sh is running on $work" >&2
  exit 4
fi

# ------------------------------------------------- copy of the sources ---
# Refresh the private copy: files that differ are copied (new mtime, so they
# are rebuilt), files no longer in the working tree are removed.
sync_copy() {
  mkdir -p "$src"
  local list=$work/files.txt f
  git -C "$root" ls-files -z --cached --others --exclude-standard |
    tr '\0' '\n' | grep -v '^build' | while IFS= read -r f; do
      [ -f "$root/$f" ] && printf '%s\n' "$f"
    done | sort >"$list"
  while IFS= read -r f; do
    if ! cmp -s "$root/$f" "$src/$f"; then
      mkdir -p "$src/$(dirname "$f")"
      cp "$root/$f" "$src/$f"
    fi
  done <"$list"
  (cd "$src" && find . -type f | sed 's|^\./||' | sort) | comm -23 - "$list" |
    while IFS= read -r f; do rm -f "$src/$f"; done
}

# ------------------------------------------------------- finding sites ---
read_file() { local c; c=$(cat "$1"; printf x); printf '%s' "${c%x}"; }

# site PATTERN: sets SITE_FILE and SITE_LINE, or prints an error and fails.
site() {
  local pat=$1 f c rest n total=0 where=""
  SITE_FILE="" SITE_LINE=""
  for f in "$src"/model/*.c "$src"/model/*.h; do
    c=$(read_file "$f")
    rest=${c//"$pat"/}
    n=$(( (${#c} - ${#rest}) / ${#pat} ))
    if [ "$n" -gt 0 ]; then
      total=$((total + n))
      where="$where ${f#"$src"/}($n)"
      SITE_FILE=$f
      local before=${c%%"$pat"*}
      SITE_LINE=$(( $(printf '%s' "$before" | wc -l) + 1 ))
    fi
  done
  if [ "$total" -ne 1 ]; then
    echo "mutate.sh: pattern matches $total places in model/*.[ch] (must be exactly 1):" >&2
    echo "  pattern: $pat" >&2
    [ -n "$where" ] && echo "  found in:$where" >&2
    return 1
  fi
}

# ------------------------------------------------------ restore on exit ---
MUTATED="" BACKUP=""
restore() {
  if [ -n "$MUTATED" ]; then
    cp "$BACKUP" "$MUTATED"
    MUTATED=""
  fi
}
trap 'restore' EXIT
trap 'restore; echo "mutate.sh: interrupted; sources restored" >&2; exit 130' INT
trap 'restore; exit 143' TERM

# ------------------------------------------------------------ selection ---
selected=()
for rec in "${MUTS[@]}"; do
  id=${rec%%$'\x1f'*}
  if [ -n "$only" ] && [[ ",$only," != *",$id,"* ]]; then continue; fi
  selected+=("$rec")
done
if [ -n "$only" ]; then
  IFS=, read -r -a want <<<"$only"
  for w in "${want[@]}"; do
    found=0
    for rec in "${selected[@]}"; do [ "${rec%%$'\x1f'*}" = "$w" ] && found=1; done
    [ "$found" = 1 ] || { echo "mutate.sh: unknown mutation '$w' (see --list)" >&2; exit 2; }
  done
fi

sync_copy
bad_patterns=0
for rec in "${selected[@]}"; do
  IFS=$'\x1f' read -r -d '' id desc pat rep equiv < <(printf '%s\0' "$rec")
  if site "$pat"; then
    [ "$list" = 1 ] && printf '%-30s %-22s %s\n' "$id" "${SITE_FILE#"$src"/}:$SITE_LINE" "$desc"
  else
    echo "  (mutation $id)" >&2
    bad_patterns=$((bad_patterns + 1))
  fi
done
if [ "$bad_patterns" -gt 0 ]; then
  echo "mutate.sh: $bad_patterns patterns do not match exactly one place; fix the list" >&2
  exit 4
fi
if [ "$list" = 1 ]; then exit 0; fi
if [ "$check" = 1 ]; then
  echo "mutate.sh: all ${#selected[@]} patterns match exactly one place in model/*.[ch]"
  exit 0
fi

# --------------------------------------------------------------- build ---
bash scripts/setup.sh
mkdir -p "$logs"
cmake -S "$src" -B "$bld" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOBSIM_WERROR=OFF >/dev/null
ctest_args=(--output-on-failure -j"$jobs")
# stages: "include-regex|exclude-regex" (either may be empty)
if [ "$full" = 1 ]; then
  mode="full suite, every failing test"
  stages=(";")
else
  # the fast unit tests of sim/ and model/ first (the rule tests are there),
  # then the rest of the suite without label slow; stop at the first failure
  ctest_args+=(--stop-on-failure -LE slow)
  mode="suite without label slow, first failure"
  stages=("^test_(model|sim)_;" ";^test_(model|sim)_")
fi
if [ -n "$exclude" ]; then
  for i in "${!stages[@]}"; do
    st=${stages[$i]} inc=${stages[$i]%%;*} exc=${stages[$i]#*;}
    stages[$i]="$inc;${exc:+$exc|}$exclude"
  done
  mode="$mode; without $exclude"
fi

# failing_tests LOG: the failing tests of a ctest log, first failure first,
# one a line, the first failing cmocka case after it in brackets.
failing_tests() {
  awk '
    /Test +#[0-9]+: / && /(\*\*\*|Failed|Timeout|Exception|Not Run)/ && !/Passed/ {
      for (i = 1; i <= NF; i++) if ($i ~ /^#[0-9]+:$/) { name = $(i + 1); break }
      sub(/\.+.*/, "", name)
      if (!(name in seen)) { seen[name] = 1; order[++n] = name; cur = name }
      next
    }
    /^\[  FAILED  \] [^ ]+$/ && cur != "" && !(cur in kase) { kase[cur] = $4 }
    END {
      for (i = 1; i <= n; i++)
        printf "%s%s\n", order[i], (order[i] in kase) ? " [" kase[order[i]] "]" : ""
    }' "$1"
}

# A test that fails and then passes twice when run alone is flaky (a timing
# test on a loaded machine), not a kill: it is noted and left out of the
# rest of that run of the suite.
FLAKY=""
passes_alone() {
  local t=$1 k
  for k in 1 2; do
    (cd "$bld" && ctest --output-on-failure -R "^$t\$") >>"$2" 2>&1 || return 1
  done
  return 0
}

# run_suite LOG: runs the suite on the current build; on failure prints the
# failing tests (see failing_tests) and returns 1.
run_suite() {
  local log=$1 st inc exc line t real
  : >"$log"
  FLAKY=""
  for st in "${stages[@]}"; do
    inc=${st%%;*} exc=${st#*;}
    while :; do
      local args=("${ctest_args[@]}")
      [ -n "$inc" ] && args+=(-R "$inc")
      [ -n "$exc" ] && args+=(-E "$exc")
      : >"$log.stage"
      if (cd "$bld" && ctest "${args[@]}") >"$log.stage" 2>&1; then
        cat "$log.stage" >>"$log"
        break
      fi
      cat "$log.stage" >>"$log"
      real=""
      while IFS= read -r line; do
        t=${line%% *}
        if passes_alone "$t" "$log"; then
          FLAKY="$FLAKY $t"
          exc="${exc:+$exc|}^$t\$"
        else
          real="$real$line"$'\n'
        fi
      done < <(failing_tests "$log.stage")
      if [ -n "$real" ]; then
        printf '%s' "$real"
        return 1
      fi
      if [ "$full" = 1 ] || [ -z "$(failing_tests "$log.stage")" ]; then
        [ -n "$(failing_tests "$log.stage")" ] && break
        echo "suite failed (see $log)"
        return 1
      fi
      # only flaky failures: run the stage again without them
    done
  done
  return 0
}

echo "mutate.sh: ${#selected[@]} mutations of model/*.[ch]; $mode; logs in $logs/" >&2
start_all=$(date +%s)
if ! cmake --build "$bld" -j"$jobs" >"$logs/baseline-build.log" 2>&1; then
  echo "mutate.sh: the unmutated sources do not build; see $logs/baseline-build.log" >&2
  exit 4
fi
if ! run_suite "$logs/baseline.log" >/dev/null; then
  echo "mutate.sh: the unmutated suite fails; see $logs/baseline.log" >&2
  exit 4
fi

survived=0 killed=0 equivalent=0 problems=0 k=0
rows=()
for rec in "${selected[@]}"; do
  IFS=$'\x1f' read -r -d '' id desc pat rep equiv < <(printf '%s\0' "$rec")
  k=$((k + 1))
  site "$pat"
  where="${SITE_FILE#"$src"/}:$SITE_LINE"
  BACKUP=$work/backup.c
  cp "$SITE_FILE" "$BACKUP"
  c=$(read_file "$SITE_FILE")
  MUTATED=$SITE_FILE
  printf '%s' "${c/"$pat"/"$rep"}" >"$SITE_FILE"
  t0=$(date +%s)
  if ! cmake --build "$bld" -j"$jobs" >"$logs/$id.build.log" 2>&1; then
    result="BUILD FAILED (see $logs/$id.build.log)"
    problems=$((problems + 1))
  elif failing=$(run_suite "$logs/$id.log"); then
    if [ -n "$equiv" ]; then
      result="equivalent: $equiv"
      equivalent=$((equivalent + 1))
    else
      result="SURVIVED"
      survived=$((survived + 1))
    fi
  else
    if [ "$full" = 1 ]; then
      result="killed by $(printf '%s' "$failing" | wc -l | tr -d ' ')+: $(printf '%s' "$failing" | paste -sd ' ' -)"
    else
      result="killed by $(printf '%s\n' "$failing" | head -1)"
    fi
    if [ -n "$equiv" ]; then
      result="$result -- but listed as equivalent ($equiv)"
      problems=$((problems + 1))
    else
      killed=$((killed + 1))
    fi
  fi
  [ -n "$FLAKY" ] && result="$result (flaky, left out:$FLAKY)"
  restore
  printf '[%2d/%d] %-30s %4ss  %s\n' "$k" "${#selected[@]}" "$id" "$(( $(date +%s) - t0 ))" \
    "$result" >&2
  rows+=("| $k | \`$id\` | $desc | \`$where\` | $result |")
done
# leave the copy's build matching the unmutated sources
cmake --build "$bld" -j"$jobs" >/dev/null 2>&1 || true

echo
echo "| # | mutation | what it breaks | site | first failing test |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "mutate.sh: ${#selected[@]} mutations: $killed killed, $survived survived," \
  "$equivalent equivalent, $problems problems; $(( ($(date +%s) - start_all) / 60 )) min"
[ "$survived" -eq 0 ] && [ "$problems" -eq 0 ]
}

# The whole script is parsed before it runs (main), so editing it during a
# run cannot change the run.
main "$@"
exit $?
