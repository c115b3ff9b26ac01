#!/usr/bin/env bash
# Quick start: install what is missing, build jobsim, run the bundled
# example scenario and say where its report is; then render the gallery of
# every bundled scenario (out/gallery/, the images the README shows).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target jobsim
./build/cli/jobsim run scenarios/example-job-01.json --out out/example-job-01
# The gallery: every bundled scenario's report, with the plots the README
# shows (out/gallery/<scenario>/plots/*.png).
./build/cli/jobsim run --quiet scenarios/*.json --out out/gallery >/dev/null
echo
echo "Report written to out/example-job-01/ (open index.html in a browser):"
echo "  index.html         the report page: plots, story, snapshots, describe-job"
echo "  describe-job.json  final 'aws iot describe-job' output"
echo "  snapshots/         describe-job at every snapshot instant"
echo "  timeline.csv       counters and rollout rate over time"
echo "  events.log         the job's story in plain words"
echo "  run.sqlite         all of it in SQLite (docs/store.md)"
echo "  plots/             gnuplot scripts, data, PNG and SVG"
echo "Gallery of every bundled scenario: out/gallery/index.html"
echo "Try: ./build/cli/jobsim describe-job --db out/example-job-01/run.sqlite --job-id example-job-01 --at 1m"
