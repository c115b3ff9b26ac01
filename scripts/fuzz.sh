#!/usr/bin/env bash
# Build the libFuzzer harnesses (fuzz/) with clang and run each for a short
# budget on its committed seed corpus; fail when any finds a crash, a hang,
# a leak or a sanitizer report. Installs clang's fuzzer runtime when missing
# (scripts/setup.sh --fuzz).
#
#   scripts/fuzz.sh [--time SECONDS] [HARNESS...]
#
# HARNESS is scenario, duration, cron or sim (default: all four), SECONDS the
# budget per harness (default 30). New inputs go to build-fuzz/corpus/<h>
# (not committed); a failing input is saved as build-fuzz/artifacts/<h>/...:
# replay it with `build-fuzz/fuzz/fuzz_<h> FILE`, fix the bug and copy the
# file to tests/fuzz-regressions/<h>/ so that test_fuzz_regressions keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."

budget=30
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) budget="$2"; shift 2 ;;
    --time=*) budget="${1#--time=}"; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    scenario|duration|cron|sim) harnesses+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=(scenario duration cron sim)

# clang and its libFuzzer runtime: probe with a one-line fuzz target.
probe() {
  local dir
  dir=$(mktemp -d)
  printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$dir/p.c"
  clang -fsanitize=fuzzer,address,undefined "$dir/p.c" -o "$dir/p" >/dev/null 2>&1
  local rc=$?
  rm -rf "$dir"
  return $rc
}
bash scripts/setup.sh
if ! command -v clang >/dev/null 2>&1 || ! probe; then
  bash scripts/setup.sh --fuzz
  probe || { echo "fuzz.sh: clang cannot build libFuzzer targets" >&2; exit 4; }
fi

dir=build-fuzz
CC=clang cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOBSIM_FUZZ=ON \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$dir" -j"$(nproc)" --target $(printf 'fuzz_%s ' "${harnesses[@]}")

failed=()
for h in "${harnesses[@]}"; do
  dict=fuzz/$h.dict
  [ "$h" = sim ] && dict=fuzz/scenario.dict
  mkdir -p "$dir/corpus/$h" "$dir/artifacts/$h"
  echo "fuzz.sh: fuzz_$h for ${budget}s" >&2
  if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "$dir/fuzz/fuzz_$h" -max_total_time="$budget" -timeout=25 -rss_limit_mb=2048 \
         -print_final_stats=1 -dict="$dict" \
         -artifact_prefix="$dir/artifacts/$h/" "$dir/corpus/$h" "fuzz/corpus/$h" \
         </dev/null >"$dir/fuzz_$h.log" 2>&1; then
    failed+=("$h")
    tail -n 40 "$dir/fuzz_$h.log" >&2
  fi
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' \
    "$dir/fuzz_$h.log" >&2 || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in: ${failed[*]}; inputs under $dir/artifacts/" >&2
  exit 1
fi
echo "fuzz.sh: no findings (${budget}s per harness: ${harnesses[*]})" >&2
