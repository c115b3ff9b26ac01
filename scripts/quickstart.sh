#!/usr/bin/env bash
# Quick start: install what is missing, build jobsim, run the bundled
# example scenario and say where its report is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target jobsim
./build/cli/jobsim run scenarios/example-job-01.json --out out/example-job-01
echo
echo "Report written to out/example-job-01/:"
echo "  describe-job.json  final 'aws iot describe-job' output"
echo "  snapshots/         describe-job at every snapshot instant"
echo "  timeline.csv       counters and rollout rate over time"
echo "  events.log         the job's story in plain words"
echo "Try: ./build/cli/jobsim run scenarios/*.json --out out"
