#!/usr/bin/env python3
"""A device agent for AWS IoT Jobs over the HTTPS data plane, written with boto3.

It is the loop a device runs against AWS (service `iot-jobs-data`):

    StartNextPendingJobExecution   take the next job (IN_PROGRESS first, then
                                   the oldest QUEUED one)
    UpdateJobExecution IN_PROGRESS report progress (statusDetails)
    ... do the work ...
    UpdateJobExecution SUCCEEDED   or FAILED, with expectedVersion each time

Against `jobsim serve`, run it as one of the fleet's things whose behaviour is
`{"external": true}` (no simulated device drives those; examples/fleet.json
has agent-0 and agent-1):

    ./build/cli/jobsim serve examples/fleet.json --clock manual &
    aws iot create-job --endpoint-url http://127.0.0.1:8080 --job-id agent-fw \\
        --document '{"version":"2.1"}' \\
        --targets arn:aws:iot:us-west-2:123456789012:thing/agent-0
    AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo \\
        python3 examples/device_agent.py --thing-name agent-0 --advance 30s --exit-when-idle

The "work" is a wait: --work seconds of wall time (a server run with
--speed), or, with --advance DURATION, a move of the simulated clock by
POST /jobsim/clock (jobsim's own endpoint, for a server run with
--clock manual). Everything else is plain AWS code: with endpoint_url
pointing at your account's data endpoint
(`aws iot describe-endpoint --endpoint-type iot:Jobs`) it runs against AWS IoT.

--fail JOBID reports FAILED for that job (as a device whose install broke).
An execution canceled while the agent works on it refuses the agent's next
update (InvalidStateTransitionException): the agent says so, drops that job
and takes the next one.

Exit 0 after --exit-when-idle found nothing pending or --max-jobs jobs were
done; 1 on an error the agent cannot handle.
"""
import argparse
import json
import sys
import time
import urllib.request

import boto3
import botocore.config
from botocore.exceptions import ClientError


def advance(endpoint, step):
    """Move jobsim's simulated clock (not an AWS call)."""
    req = urllib.request.Request(endpoint + "/jobsim/clock", method="POST",
                                 data=json.dumps({"advance": step}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["offset"]


def error_code(e):
    return e.response.get("Error", {}).get("Code", "")


def run_one(data, a, execution):
    """Work on one execution; returns the final status reported (or None)."""
    thing, job = a.thing_name, execution["jobId"]
    version = execution["versionNumber"]
    document = json.loads(execution.get("jobDocument") or "{}")
    print("%s: %s: IN_PROGRESS (version %d), document %s"
          % (thing, job, version, json.dumps(document, sort_keys=True)), flush=True)

    final = "FAILED" if job in a.fail else "SUCCEEDED"
    try:
        # Progress report: expectedVersion makes a concurrent change visible.
        r = data.update_job_execution(
            thingName=thing, jobId=job, status="IN_PROGRESS",
            statusDetails={"agent": "device_agent.py", "step": "installing"},
            expectedVersion=version, includeJobExecutionState=True)
        version = r["executionState"]["versionNumber"]

        if a.advance:
            advance(a.endpoint, a.advance)
        elif a.work > 0:
            time.sleep(a.work)

        r = data.update_job_execution(
            thingName=thing, jobId=job, status=final,
            statusDetails={"agent": "device_agent.py",
                           "step": "failed" if final == "FAILED" else "done"},
            expectedVersion=version, includeJobExecutionState=True)
    except ClientError as e:
        if error_code(e) in ("InvalidStateTransitionException",
                             "VersionConflictException", "ResourceNotFoundException"):
            # canceled, removed or changed by the operator meanwhile: give up
            # this job (a real agent would roll its install back here)
            print("%s: %s: stopped (%s): %s" % (thing, job, error_code(e),
                                                e.response["Error"]["Message"]), flush=True)
            return None
        raise
    print("%s: %s: %s (version %d)"
          % (thing, job, r["executionState"]["status"], r["executionState"]["versionNumber"]),
          flush=True)
    return final


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", default="http://127.0.0.1:8080")
    ap.add_argument("--thing-name", required=True)
    ap.add_argument("--region", default="us-west-2")
    ap.add_argument("--advance", metavar="DURATION",
                    help="move jobsim's manual clock by DURATION per job instead of waiting")
    ap.add_argument("--work", type=float, default=2.0,
                    help="wall seconds of work per job without --advance (2)")
    ap.add_argument("--fail", action="append", default=[], metavar="JOBID",
                    help="report FAILED for this job (repeatable)")
    ap.add_argument("--step-timeout", type=int, metavar="MINUTES",
                    help="stepTimeoutInMinutes sent with StartNextPendingJobExecution")
    ap.add_argument("--poll", type=float, default=5.0,
                    help="seconds between polls when nothing is pending (5)")
    ap.add_argument("--exit-when-idle", action="store_true",
                    help="stop when nothing is pending instead of polling")
    ap.add_argument("--max-jobs", type=int, default=0, help="stop after N jobs (0: never)")
    a = ap.parse_args()

    data = boto3.client("iot-jobs-data", endpoint_url=a.endpoint, region_name=a.region,
                        config=botocore.config.Config(retries={"max_attempts": 2}))
    done = 0
    while True:
        kw = {"thingName": a.thing_name,
              "statusDetails": {"agent": "device_agent.py", "step": "starting"}}
        if a.step_timeout:
            kw["stepTimeoutInMinutes"] = a.step_timeout
        try:
            r = data.start_next_pending_job_execution(**kw)
        except ClientError as e:
            print("%s: StartNextPendingJobExecution: %s: %s"
                  % (a.thing_name, error_code(e), e.response["Error"]["Message"]),
                  file=sys.stderr)
            return 1
        execution = r.get("execution")
        if not execution:
            if a.exit_when_idle:
                print("%s: nothing pending" % a.thing_name, flush=True)
                return 0
            time.sleep(a.poll)
            continue
        try:
            run_one(data, a, execution)
        except ClientError as e:
            print("%s: %s: %s: %s" % (a.thing_name, execution["jobId"], error_code(e),
                                      e.response["Error"]["Message"]), file=sys.stderr)
            return 1
        done += 1
        if a.max_jobs and done >= a.max_jobs:
            return 0


if __name__ == "__main__":
    sys.exit(main())
