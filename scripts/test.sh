#!/usr/bin/env bash
# Install what is missing, build everything warning-free (-Werror), and run
# the whole test suite with CTest. `--sanitize` does the same in a separate
# AddressSanitizer + UndefinedBehaviorSanitizer build.
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
cd "$dir" && ctest --output-on-failure -j"$(nproc)"
