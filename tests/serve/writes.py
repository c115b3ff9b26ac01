"""jobsim serve's write side driven by the real AWS CLI and boto3: CreateJob,
DescribeJob, ListJobs with pagination, UpdateJob, CancelJob with force,
DeleteJob, the execution views over several jobs, an unknown job, the
registry, and the device data plane (pending, start next, update to
SUCCEEDED, an invalid transition, a version conflict).

The served fleet (tests/serve/fleet.json) has no job: the clients create
them. Its devices are constant, so every expected value below follows from
the scenario by hand: rev-a devices start 10 s after they take an execution
and succeed 60 s later (IN_PROGRESS at 10 s, SUCCEEDED at 70 s when created
at 0), rev-b ones run 10 minutes, agents are external (only data-plane calls
move them). The clock is manual.
"""
import json
import os
import subprocess

from common import SOURCE, Server, args, aws, boto3_client, check, done

jobsim, aws_cli = args()
S = os.path.join(SOURCE, "tests", "serve", "fleet.json")
ARN = "arn:aws:iot:us-west-2:123456789012:"
srv = Server(jobsim, S, "--clock", "manual", "--quiet")
U = srv.url


def cli(*argv):
    return aws(aws_cli, U, *argv)


def cli_json(*argv):
    rc, out, err = cli(*argv)
    if rc != 0:
        print("  aws %s: exit %d: %s" % (" ".join(argv), rc, err.strip()))
        return None
    return json.loads(out) if out.strip() else {}


def refused(argv, code, op, msg):
    rc, out, err = cli(*argv)
    want = "An error occurred (%s) when calling the %s operation: %s" % (code, op, msg)
    return check(rc == 254 and err.strip() == want,
                 "aws %s: exit 254, %s (got %d: %s)" % (" ".join(argv[:2]), want, rc,
                                                        err.strip()))


# ------------------------------------------------------------- CreateJob
out = cli_json("iot", "create-job", "--job-id", "fw-1", "--targets", ARN + "thinggroup/rev-a",
               "--document", '{"version":"1.0.1"}', "--description", "first")
check(out == {"jobArn": ARN + "job/fw-1", "jobId": "fw-1", "description": "first"},
      "aws iot create-job: jobArn, jobId and description (%s)" % out)
cli_json("iot", "create-job", "--job-id", "fw-2", "--targets", ARN + "thinggroup/rev-b",
         "--document", "{}")
cli_json("iot", "create-job", "--job-id", "agent-job", "--targets", ARN + "thinggroup/agents",
         "--document", '{"step":"flash"}', "--timeout-config",
         "inProgressTimeoutInMinutes=30")
out = cli_json("iot", "describe-job", "--job-id", "fw-1", "--query",
               "job.[status,createdAt,jobProcessDetails.numberOfQueuedThings]")
check(out == ["IN_PROGRESS", "2026-01-01T00:00:00+00:00", 3],
      "describe-job --query right after create-job: IN_PROGRESS, created now, 3 QUEUED (%s)"
      % out)
refused(("iot", "create-job", "--job-id", "fw-1", "--targets", ARN + "thinggroup/rev-a",
         "--document", "{}"), "ResourceAlreadyExistsException", "CreateJob",
        "Job fw-1 already exists")
refused(("iot", "create-job", "--job-id", "fw-x", "--targets", ARN + "thinggroup/rev-z",
         "--document", "{}"), "InvalidRequestException", "CreateJob",
        "request body: $.targets[0]: target names thing group 'rev-z', which is not a group "
        "of the scenario's $.fleet.groups; did you mean 'rev-a'?")
# A rule the CLI does not check itself: CreateJob's message is jobsim validate's
# for the same request in a scenario ($.job.X there, "request body: $.X" here).
rate = {"exponentialRate": {"baseRatePerMinute": 10, "incrementFactor": 1.15,
                            "rateIncreaseCriteria": {"numberOfNotifiedThings": 10}}}
scn = json.load(open(S))
scn["job"] = {"jobId": "fw-y", "targets": [ARN + "thinggroup/rev-a"], "document": "{}",
              "jobExecutionsRolloutConfig": rate}
tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"), "jobsim-writes-%d.json" % os.getpid())
with open(tmp, "w") as f:
    json.dump(scn, f)
v = subprocess.run([jobsim, "validate", tmp], capture_output=True, text=True)
os.unlink(tmp)
prefix = "jobsim: %s: $.job." % tmp
rule = v.stderr.strip()[len(prefix):] if v.stderr.startswith(prefix) else None
check(v.returncode == 3 and rule is not None, "jobsim validate refuses the request: %s"
      % v.stderr.strip())
refused(("iot", "create-job", "--job-id", "fw-y", "--targets", ARN + "thinggroup/rev-a",
         "--document", "{}", "--job-executions-rollout-config", json.dumps(rate)),
        "InvalidRequestException", "CreateJob", "request body: $.%s" % rule)
refused(("iot", "create-job", "--job-id", "fw-z", "--targets", ARN + "thinggroup/rev-a",
         "--document", "{}", "--scheduling-config", "startTime=2026-01-01T00:10"),
        "InvalidRequestException", "CreateJob",
        "request body: $.schedulingConfig.startTime: startTime must be between 30 minutes "
        "and one year (525600 minutes) after the job's creation (the scenario's "
        "$.simulation.startTime), got 10 minutes")

# ------------------------------------------------- ListJobs and pagination
out = cli_json("iot", "list-jobs", "--page-size", "1", "--query", "jobs[].jobId")
check(out == ["fw-1", "fw-2", "agent-job"],
      "aws iot list-jobs --page-size 1: the CLI follows nextToken over every job (%s)" % out)
out = cli_json("iot", "list-jobs", "--max-items", "2")
check(out is not None and [j["jobId"] for j in out["jobs"]] == ["fw-1", "fw-2"] and
      "NextToken" in out, "aws iot list-jobs --max-items 2: two jobs and a NextToken")
if out:
    more = cli_json("iot", "list-jobs", "--max-items", "2", "--starting-token",
                    out["NextToken"], "--query", "jobs[].jobId")
    check(more == ["agent-job"], "... --starting-token: the third job (%s)" % more)
iot = boto3_client("iot", U)
p1 = iot.list_jobs(maxResults=2)
p2 = iot.list_jobs(maxResults=2, nextToken=p1["nextToken"])
check([j["jobId"] for j in p1["jobs"]] == ["fw-1", "fw-2"] and
      [j["jobId"] for j in p2["jobs"]] == ["agent-job"] and "nextToken" not in p2,
      "boto3 list_jobs(maxResults=2): 2 jobs then 1, the last page without nextToken")
out = cli_json("iot", "list-jobs", "--target-selection", "SNAPSHOT", "--thing-group-name",
               "rev-b", "--query", "jobs[].jobId")
check(out == ["fw-2"], "list-jobs --thing-group-name rev-b: fw-2 only (%s)" % out)

# ------------------------------------------------------ the clock, UpdateJob
srv.clock(to="1m")
out = cli_json("iot", "describe-job", "--job-id", "fw-1", "--query",
               "job.jobProcessDetails.[numberOfQueuedThings,numberOfInProgressThings]")
check(out == [0, 3], "at +1m the three rev-a devices are IN_PROGRESS (since +10s): %s" % out)
out = cli_json("iot", "update-job", "--job-id", "fw-2", "--description", "slow board",
               "--abort-config",
               "criteriaList=[{failureType=FAILED,action=CANCEL,thresholdPercentage=50,"
               "minNumberOfExecutedThings=2}]")
check(out == {}, "aws iot update-job: exit 0, empty answer")
out = cli_json("iot", "describe-job", "--job-id", "fw-2", "--query",
               "job.[description,abortConfig.criteriaList[0].thresholdPercentage,lastUpdatedAt]")
check(out == ["slow board", 50.0, "2026-01-01T00:01:00+00:00"],
      "describe-job after update-job: description, abortConfig, lastUpdatedAt now (%s)" % out)
refused(("iot", "update-job", "--job-id", "fw-2", "--job-executions-retry-config",
         "criteriaList=[{failureType=FAILED,numberOfRetries=3}]"),
        "InvalidRequestException", "UpdateJob",
        "request body: $.jobExecutionsRetryConfig.criteriaList[0].numberOfRetries: UpdateJob "
        "can only lower numberOfRetries to 0 (retries cannot be changed otherwise after "
        "creation)")

# ------------------------------------------------- CancelJob, DeleteJob
refused(("iot", "delete-job", "--job-id", "fw-1"), "InvalidStateTransitionException",
        "DeleteJob", "the job is IN_PROGRESS; deleting it needs force")
out = cli_json("iot", "cancel-job", "--job-id", "fw-2", "--force", "--reason-code",
               "BAD_BUILD", "--comment", "stop it")
check(out == {"jobArn": ARN + "job/fw-2", "jobId": "fw-2", "description": "slow board"},
      "aws iot cancel-job --force: jobArn, jobId, description")
out = cli_json("iot", "describe-job", "--job-id", "fw-2", "--query",
               "job.[status,forceCanceled,reasonCode,comment,jobProcessDetails."
               "[numberOfCanceledThings,numberOfInProgressThings]]")
check(out == ["CANCELED", True, "BAD_BUILD", "stop it", [3, 0]],
      "describe-job after cancel --force: CANCELED, forceCanceled, reason, comment, the 3 "
      "IN_PROGRESS executions canceled (%s)" % out)
out = cli_json("iot", "describe-job-execution", "--job-id", "fw-2", "--thing-name",
               "rev-b-000000", "--query", "execution.[status,forceCanceled]")
check(out == ["CANCELED", True], "describe-job-execution: CANCELED with forceCanceled (%s)" % out)
refused(("iot", "cancel-job", "--job-id", "fw-2"), "InvalidRequestException", "CancelJob",
        "the job is already CANCELED with force")
check(cli_json("iot", "delete-job", "--job-id", "fw-2") == {},
      "aws iot delete-job of a CANCELED job: no force needed")
refused(("iot", "describe-job", "--job-id", "fw-2"), "ResourceNotFoundException", "DescribeJob",
        "Job fw-2 does not exist")
refused(("iot", "describe-job", "--job-id", "nope"), "ResourceNotFoundException", "DescribeJob",
        "Job nope does not exist")
refused(("iot", "list-job-executions-for-job", "--job-id", "nope"),
        "ResourceNotFoundException", "ListJobExecutionsForJob", "Job nope does not exist")

# ------------------------------------------------- execution views, 2m
srv.clock(to="2m")
out = cli_json("iot", "describe-job", "--job-id", "fw-1", "--query",
               "job.[status,completedAt,jobProcessDetails.numberOfSucceededThings]")
check(out == ["COMPLETED", "2026-01-01T00:01:10+00:00", 3],
      "fw-1 COMPLETED at +1m10s with 3 succeeded (%s)" % out)
out = cli_json("iot", "list-job-executions-for-job", "--job-id", "fw-1", "--page-size", "1")
check(out is not None and [(e["thingArn"].split("/")[-1], e["jobExecutionSummary"]["status"],
                            e["jobExecutionSummary"]["startedAt"])
                           for e in out["executionSummaries"]] ==
      [("rev-a-%06d" % i, "SUCCEEDED", "2026-01-01T00:00:10+00:00") for i in range(3)],
      "list-job-executions-for-job --page-size 1: the three executions, page by page")
out = cli_json("iot", "describe-job-execution", "--job-id", "fw-1", "--thing-name",
               "rev-a-000001")
check(out is not None and out["execution"]["status"] == "SUCCEEDED" and
      out["execution"]["versionNumber"] == 3 and
      out["execution"]["lastUpdatedAt"] == "2026-01-01T00:01:10+00:00",
      "describe-job-execution: SUCCEEDED, versionNumber 3, lastUpdatedAt +1m10s")

# ------------------------------------------------------------- registry
out = cli_json("iot", "create-thing", "--thing-name", "my-agent")
check(out is not None and out["thingArn"] == ARN + "thing/my-agent" and
      len(out["thingId"]) == 36, "aws iot create-thing: thingArn and a thingId")
out = cli_json("iot", "create-thing-group", "--thing-group-name", "canary",
               "--thing-group-properties", "thingGroupDescription=first wave")
check(out is not None and out["thingGroupArn"] == ARN + "thinggroup/canary",
      "aws iot create-thing-group: thingGroupArn")
for thing in ("my-agent", "rev-a-000001"):
    check(cli_json("iot", "add-thing-to-thing-group", "--thing-group-name", "canary",
                   "--thing-name", thing) == {},
          "aws iot add-thing-to-thing-group %s" % thing)
refused(("iot", "add-thing-to-thing-group", "--thing-group-name", "rev-b", "--thing-name",
         "rev-a-000000"), "InvalidRequestException", "AddThingToThingGroup",
        "thing rev-a-000000 belongs to fleet group rev-a, which gives its device behavior; "
        "in jobsim a thing is in one fleet group (add it to a created thing group instead)")
out = cli_json("iot", "list-things-in-thing-group", "--thing-group-name", "canary")
check(out == {"things": ["my-agent", "rev-a-000001"]},
      "list-things-in-thing-group: its two members in joining order (%s)" % out)
out = cli_json("iot", "describe-thing-group", "--thing-group-name", "canary", "--query",
               "[thingGroupProperties.thingGroupDescription,thingGroupMetadata.creationDate]")
check(out == ["first wave", "2026-01-01T00:02:00+00:00"],
      "describe-thing-group: description, created now (%s)" % out)
out = cli_json("iot", "list-thing-groups", "--query", "thingGroups[].groupName")
check(out == ["rev-a", "rev-b", "agents", "canary"],
      "list-thing-groups: the fleet's groups, then the created one (%s)" % out)
cli_json("iot", "create-job", "--job-id", "canary-job", "--targets", ARN + "thinggroup/canary",
         "--document", "{}", "--target-selection", "CONTINUOUS")
check(cli_json("iot", "add-thing-to-thing-group", "--thing-group-name", "canary",
               "--thing-name", "rev-a-000002") == {}, "add rev-a-000002 to canary")
out = cli_json("iot", "describe-job-execution", "--job-id", "canary-job", "--thing-name",
               "rev-a-000002", "--query", "execution.[status,queuedAt]")
check(out == ["QUEUED", "2026-01-01T00:02:00+00:00"],
      "a thing joining the CONTINUOUS job's group gets an execution at once (%s)" % out)
cli_json("iot", "remove-thing-from-thing-group", "--thing-group-name", "canary",
         "--thing-name", "rev-a-000001")
out = cli_json("iot", "describe-job-execution", "--job-id", "canary-job", "--thing-name",
               "rev-a-000001", "--query", "execution.status")
check(out == "REMOVED", "removed from the group: its QUEUED execution is REMOVED (%s)" % out)
refused(("iot", "cancel-job-execution", "--job-id", "canary-job", "--thing-name",
         "rev-a-000001"), "InvalidStateTransitionException", "CancelJobExecution",
        "the execution on 'rev-a-000001' is already REMOVED")
check(cli_json("iot", "cancel-job-execution", "--job-id", "canary-job", "--thing-name",
               "rev-a-000002") == {}, "aws iot cancel-job-execution of a QUEUED execution")
check(cli_json("iot", "delete-job-execution", "--job-id", "canary-job", "--thing-name",
               "rev-a-000002", "--execution-number", "1") == {},
      "aws iot delete-job-execution")
refused(("iot", "describe-job-execution", "--job-id", "canary-job", "--thing-name",
         "rev-a-000002"), "ResourceNotFoundException", "DescribeJobExecution",
        "Job execution of job canary-job on thing rev-a-000002 does not exist")
out = cli_json("iot", "list-job-executions-for-thing", "--thing-name", "rev-a-000001",
               "--query", "executionSummaries[].[jobId,jobExecutionSummary.status]")
check(out == [["fw-1", "SUCCEEDED"], ["canary-job", "REMOVED"]],
      "list-job-executions-for-thing over two jobs, in creation order (%s)" % out)

# -------------------------------------------------------------- data plane
data = boto3_client("iot-jobs-data", U)
p = data.get_pending_job_executions(thingName="agents-000000")
check([j["jobId"] for j in p["queuedJobs"]] == ["agent-job"] and p["inProgressJobs"] == [],
      "boto3 get_pending_job_executions: agent-job QUEUED")
p = data.get_pending_job_executions(thingName="my-agent")
check([j["jobId"] for j in p["queuedJobs"]] == ["canary-job"],
      "the created thing (external behavior) has canary-job pending")
r = data.start_next_pending_job_execution(thingName="agents-000000",
                                          statusDetails={"phase": "download"},
                                          stepTimeoutInMinutes=20)
x = r["execution"]
check(x["jobId"] == "agent-job" and x["status"] == "IN_PROGRESS" and x["versionNumber"] == 2
      and x["statusDetails"] == {"phase": "download"} and
      x["approximateSecondsBeforeTimedOut"] == 1200 and x["jobDocument"] == '{"step":"flash"}',
      "boto3 start_next_pending_job_execution: IN_PROGRESS, version 2, details, the 20-min "
      "step timer (%s)" % {k: x[k] for k in ("status", "versionNumber")})
d = data.describe_job_execution(thingName="agents-000000", jobId="$next")
check(d["execution"]["status"] == "IN_PROGRESS", "describe_job_execution $next: the same one")
u = data.update_job_execution(thingName="agents-000000", jobId="agent-job", status="SUCCEEDED",
                              expectedVersion=2, includeJobExecutionState=True,
                              statusDetails={"phase": "done"})
check(u["executionState"] == {"status": "SUCCEEDED", "versionNumber": 3,
                              "statusDetails": {"phase": "done"}},
      "boto3 update_job_execution SUCCEEDED (expectedVersion 2): executionState %s"
      % u.get("executionState"))
try:
    data.update_job_execution(thingName="agents-000000", jobId="agent-job",
                              status="IN_PROGRESS")
    check(False, "update of a SUCCEEDED execution must be refused")
except data.exceptions.InvalidStateTransitionException as e:
    check(e.response["ResponseMetadata"]["HTTPStatusCode"] == 409,
          "update of a SUCCEEDED execution: InvalidStateTransitionException, HTTP 409")
data.start_next_pending_job_execution(thingName="agents-000001")
try:
    data.update_job_execution(thingName="agents-000001", jobId="agent-job",
                              status="SUCCEEDED", expectedVersion=1)
    check(False, "a stale expectedVersion must be refused")
except data.exceptions.ClientError as e:
    check(e.response["Error"]["Code"] == "VersionConflictException" and
          e.response["ResponseMetadata"]["HTTPStatusCode"] == 409,
          "a stale expectedVersion: VersionConflictException, HTTP 409 (%s)"
          % e.response["Error"]["Code"])
d = data.describe_job_execution(thingName="agents-000001", jobId="agent-job")
check(d["execution"]["status"] == "IN_PROGRESS" and d["execution"]["versionNumber"] == 2,
      "the refused update changed nothing: IN_PROGRESS, version 2")
refused(("iot", "cancel-job-execution", "--job-id", "agent-job", "--thing-name",
         "agents-000001", "--force", "--expected-version", "9"), "VersionConflictException",
        "CancelJobExecution", "the execution on 'agents-000001' has versionNumber 2, not 9")
rc, out, err = cli("iot-jobs-data", "start-next-pending-job-execution", "--thing-name",
                   "agents-000000")
check(rc == 0 and out.strip() in ("", "{}"),
      "aws iot-jobs-data start-next-pending-job-execution with nothing pending: no execution")
out = cli_json("iot", "describe-job", "--job-id", "agent-job", "--query",
               "job.jobProcessDetails.[numberOfSucceededThings,numberOfInProgressThings]")
check(out == [1, 1], "the control plane sees the device's updates: 1 SUCCEEDED, 1 IN_PROGRESS")
out = cli_json("iot", "describe-job-execution", "--job-id", "agent-job", "--thing-name",
               "agents-000000", "--query", "execution.statusDetails")
check(out == {"detailsMap": {"phase": "done"}},
      "describe-job-execution shows the device's statusDetails as detailsMap (%s)" % out)
srv.clock(advance="20m")
d = data.describe_job_execution(thingName="agents-000001", jobId="agent-job")
check(d["execution"]["status"] == "IN_PROGRESS",
      "no step timer on agents-000001: still IN_PROGRESS at +22m")
srv.clock(advance="10m")
d = data.describe_job_execution(thingName="agents-000001", jobId="agent-job")
check(d["execution"]["status"] == "TIMED_OUT",
      "the job's 30-minute in-progress timeout (from +2m) ends it at +32m: TIMED_OUT")
# a thing's registry version is 1 (nothing served updates a thing)
refused(("iot", "delete-thing", "--thing-name", "my-agent", "--expected-version", "2"),
        "VersionConflictException", "DeleteThing",
        "The version for thing my-agent does not match the expected version (the thing "
        "has version 1, expected 2).")
check(cli_json("iot", "delete-thing", "--thing-name", "my-agent", "--expected-version", "1")
      == {},
      "aws iot delete-thing")
out = cli_json("iot", "describe-job-execution", "--job-id", "canary-job", "--thing-name",
               "my-agent", "--query", "execution.status")
check(out == "REMOVED", "a deleted thing's QUEUED execution is REMOVED (%s)" % out)

rc, secs = srv.stop()
check(rc == 143, "SIGTERM: exit 143")
done()
