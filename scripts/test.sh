#!/usr/bin/env bash
# Install what is missing, build everything warning-free (-Werror), and run
# the whole test suite with CTest. `--sanitize` does the same in a separate
# AddressSanitizer + UndefinedBehaviorSanitizer build. Under CI=true a
# skipped test is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=build-test
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOBSIM_WERROR=ON)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DJOBSIM_WERROR=ON -DJOBSIM_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
# Under CI=true nothing may skip: a test that lacks a tool fails by itself
# (test_skip in tests/test_common.h), and any cmocka skip or test CTest did
# not run that shows in the output fails the run here.
ctest_args=(--output-on-failure -j"$(nproc)")
ci=0
if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
  ci=1
  junit=$PWD/$dir/ctest-junit.xml
  rm -f "$junit"
  ctest_args+=(--output-junit "$junit")
fi
(cd "$dir" && ctest "${ctest_args[@]}")
if [ "$ci" = 1 ]; then
  skipped=$(grep -E '^\[  SKIPPED \] [^ ]+$|^# SKIPPED:' "$junit" || true)
  if [ -n "$skipped" ] || grep -Eq '(skipped|disabled)="[1-9]' "$junit"; then
    echo "test.sh: tests were skipped under CI=true (a skip is a failure in CI):" >&2
    printf '%s\n' "$skipped" >&2
    grep -E '(skipped|disabled)="' "$junit" | head -2 >&2
    exit 1
  fi
  echo "test.sh: CI=true: no test skipped" >&2
  # what the tools installed for CI did (the page screenshot in Chromium)
  grep -h '^# screenshot' "$junit" | sed 's/^# /test.sh: test_report_page: /' >&2 || true
fi
