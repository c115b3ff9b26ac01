#!/usr/bin/env python3
"""Watch a served rollout with boto3, the way a pipeline script polls a real job.

Start a manual-clock server first:

    ./build/cli/jobsim serve scenarios/bad-release-abort.json --clock manual

then run (Debian's python3 has boto3 from python3-boto3):

    AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo \\
        python3 examples/watch_rollout.py --job-id fw-3-0-0-rev-b-regression

Each step moves the simulated clock (POST /jobsim/clock, jobsim's own
endpoint; with `--speed X` instead of `--clock manual` use --no-advance and
the clock runs by itself), then asks describe-job through boto3 exactly as a
deployment pipeline would against AWS, and prints the counters. It stops when
the job is no longer IN_PROGRESS, or after --max-steps. The boto3 part is
plain AWS code: point endpoint_url elsewhere and it talks to AWS IoT.

Exit 0 when the job completed, 1 when it was canceled (an abort rule fired),
2 when it was still running after --max-steps.
"""
import argparse
import json
import sys
import urllib.request

import boto3


def advance(endpoint, step):
    req = urllib.request.Request(endpoint + "/jobsim/clock", method="POST",
                                 data=json.dumps({"advance": step}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["offset"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", default="http://127.0.0.1:8080")
    ap.add_argument("--job-id", required=True)
    ap.add_argument("--region", default="us-west-2")
    ap.add_argument("--step", default="5m", help="simulated time per step (5m)")
    ap.add_argument("--max-steps", type=int, default=48)
    ap.add_argument("--no-advance", action="store_true",
                    help="do not move the clock (server started with --speed)")
    a = ap.parse_args()

    iot = boto3.client("iot", endpoint_url=a.endpoint, region_name=a.region)
    print("%-10s %-12s %9s %7s %8s %11s %7s" % ("at", "status", "succeeded", "failed",
                                                "timedOut", "inProgress", "queued"))
    for _ in range(a.max_steps):
        at = "now" if a.no_advance else "+" + advance(a.endpoint, a.step)
        job = iot.describe_job(jobId=a.job_id)["job"]
        p = job["jobProcessDetails"]
        print("%-10s %-12s %9d %7d %8d %11d %7d" % (
            at, job["status"], p["numberOfSucceededThings"], p["numberOfFailedThings"],
            p["numberOfTimedOutThings"], p["numberOfInProgressThings"],
            p["numberOfQueuedThings"]))
        if job["status"] != "IN_PROGRESS":
            if job.get("reasonCode"):
                print("reasonCode:", job["reasonCode"])
            return 0 if job["status"] == "COMPLETED" else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
