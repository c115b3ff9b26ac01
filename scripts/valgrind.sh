#!/usr/bin/env bash
# Run the whole test suite under valgrind memcheck: every test executable
# (and every jobsim process the CLI tests start) must show no invalid access
# and no definite or indirect leak. test_alloc_failure is left out: it
# replaces malloc itself and checks leaks on its own.
# Usage: scripts/valgrind.sh [ctest -R regex]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v valgrind >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >&2
fi
dir=build-valgrind
# Time limits x4 (tests/CMakeLists.txt: JOBSIM_TIMEOUT_SCALE): under valgrind
# and a loaded machine the generated 1,000,000-name scenario of
# test_cli_badinput took over its 60 s, test_serve_equivalence its 300 s.
# -O1 (valgrind's manual: -O0 or -O1; -O2 and above can give false reports
# of uninitialised values): a 100,000-thing run under valgrind took 3.7 s at
# -O0 and 2.3 s at -O1 here (2026-12-08); the suite's startup-bound tests
# gain nothing from it, --read-inline-info=no takes 10 % off each start.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DJOBSIM_WERROR=ON \
  -DJOBSIM_TIMEOUT_SCALE=4 >/dev/null
# an earlier run left the wrappers there: relink
rm -f "$dir/cli/jobsim" "$dir/cli/jobsim-serve"
cmake --build "$dir" -j"$(nproc)"
log="$dir/valgrind-logs"
rm -rf "$log" && mkdir -p "$log"
vg=$(command -v valgrind)   # absolute: some tests run jobsim with another PATH
# A wrapper named like the real binary keeps the CLI tests' paths valid:
# jobsim, and jobsim-serve, which `jobsim serve` runs from jobsim's directory.
for prog in jobsim jobsim-serve; do
  real="$PWD/$dir/cli/$prog.real"
  cp "$dir/cli/$prog" "$real"
  cat > "$dir/cli/$prog" <<WRAP
#!/bin/sh
exec "$vg" -q --error-exitcode=99 --leak-check=full --read-inline-info=no \
  --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
  --log-file="$PWD/$log/$prog.%p.log" "$real" "\$@"
WRAP
  chmod +x "$dir/cli/$prog"
done
tests=$(cd "$dir" && ctest -N ${1:+-R "$1"} | sed -n 's/^ *Test *#[0-9]*: //p' | grep -v '^test_alloc_failure$')
logabs="$PWD/$log"
# One test under valgrind; its status line goes to $log/T.status.
run_one() {
  local t=$1 dir=$2 log=$3 start status
  local exe="$dir/tests/$t"
  start=$(date +%s)
  if [ ! -x "$exe" ]; then
    # not a test executable of its own (the Python serve tests, a second
    # entry of an executable such as the known-bug tests): run it as CTest
    # does; every jobsim it starts runs under valgrind through the wrapper
    if (cd "$dir" && ctest -R "^$t\$" >"$log/$t.log" 2>&1); then status=ok
    else status=FAILED; fi
  elif (cd "$dir/tests" && valgrind -q --error-exitcode=99 --leak-check=full --read-inline-info=no \
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        --log-file="$log/$t.log" "./$t" >"$log/$t.out" 2>&1); then
    status=ok
  else
    status=FAILED
  fi
  printf '%-28s %-6s %4ss\n' "$t" "$status" "$(( $(date +%s) - start ))" | tee "$log/$t.status"
}
export -f run_one
# The tests run side by side, one per core (JOBSIM_VALGRIND_JOBS overrides),
# the slowest first so that the last to finish are short: serial, the stage
# took about 30 minutes here; side by side on two cores about 25 (2026-12-07, 43 tests).
slow="test_cli_validate test_fit_cli test_plan_issue13 test_cli_story test_plan_cli test_cli_badinput test_report_cli test_serve_equivalence test_cli_safety test_scale"
ordered=$( { for s in $slow; do echo "$tests" | grep -x "$s" || true; done
             echo "$tests" | grep -vxF -f <(echo "$slow" | tr ' ' '\n'); } )
jobs=${JOBSIM_VALGRIND_JOBS:-$(nproc)}
echo "$ordered" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$dir" "$logabs"
fail=0
grep -q ' FAILED ' "$log"/*.status && fail=1
# A failing test's own words (its assertions), so that a CI log shows why.
for st in $(grep -l ' FAILED ' "$log"/*.status 2>/dev/null); do
  t=$(basename "$st" .status)
  for f in "$log/$t.out" "$log/$t.log"; do
    [ -s "$f" ] || continue
    echo "--- $t: the last lines of ${f#"$PWD"/}"
    grep -v '^\[ \(RUN\|  *OK\) ' "$f" | tail -25
  done
done
# Any jobsim (or jobsim-serve) process with a valgrind error leaves a
# non-empty log.
bad=$(find "$log" \( -name 'jobsim.*.log' -o -name 'jobsim-serve.*.log' \) -size +0 | head -5)
if [ -n "$bad" ]; then
  echo "valgrind reported errors in jobsim runs:"; head -40 $bad; fail=1
fi
n=$(echo "$tests" | wc -w)
if [ "$fail" -eq 0 ]; then
  echo "valgrind: $n passed, 0 failed"
else
  echo "valgrind: see $log"; exit 1
fi
