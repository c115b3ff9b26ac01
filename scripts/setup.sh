#!/usr/bin/env bash
# Install the Debian packages jobsim needs, only those that are missing.
# Uses sudo when not root. Safe to run repeatedly. `--fuzz` adds clang and
# its libFuzzer runtime (for scripts/fuzz.sh; the quick start never needs them),
# `--mpi` adds OpenMPI, `--chromium` a headless browser (see below); several
# may be given at once (.ci/run: --chromium --fuzz).
set -euo pipefail
pkgs=(build-essential cmake pkg-config diffutils libgsl-dev libsqlite3-dev libcjson-dev libcmocka-dev gnuplot-nox)
# jobsim serve: libmicrohttpd (HTTP) and OpenSSL libcrypto (SigV4); its tests
# drive it with Debian's real AWS CLI and boto3 (/usr/bin/aws, /usr/bin/python3).
pkgs+=(libmicrohttpd-dev libssl-dev awscli python3-boto3)
has() { local a; for a in "${args[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
args=("$@")
if has --fuzz; then
  pkgs+=(clang libclang-rt-14-dev)
fi
# `--mpi` (or JOBSIM_MPI=1) adds OpenMPI for the optional -DJOBSIM_MPI=ON build
# (scripts/test-mpi.sh); nothing else needs it.
if has --mpi || [ "${JOBSIM_MPI:-0}" = "1" ]; then
  pkgs+=(libopenmpi-dev openmpi-bin)
fi
# `--chromium` adds Debian's chromium (large) for the screenshot check of the
# report page (tests/test_report_page.c skips it without, except under
# CI=true, where a skip is a failure).
if has --chromium; then
  pkgs+=(chromium)
fi
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "jobsim: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
