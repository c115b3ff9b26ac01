"""jobsim serve driven by the real AWS CLI and boto3: the read side of the
control plane and of the device data plane, errors as the CLI prints them,
pagination, the clock, --speed, and the command line of `jobsim serve`.

Expected values come from the offline commands (`jobsim describe-job
--scenario S --at T` and siblings) or from the scenario itself, never from
the server.
"""
import json
import os
import socket
import subprocess
import sys
import time

from common import (SOURCE, Server, args, aws, aws_json, boto3_client, check, done,
                    offline)

jobsim, aws_cli = args()
S = os.path.join(SOURCE, "tests", "serve", "retry-abort.json")
J = "fw-9-retry-abort"

# ------------------------------------------------------------ command line
def run(*argv):
    p = subprocess.run([jobsim, "serve"] + list(argv), capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr

rc, out, _ = run("--help")
check(rc == 0 and out.startswith("usage: jobsim serve"), "jobsim serve --help: exit 0")
for argv, msg in [
        ((), "missing <scenario.json>"),
        ((S, "--clock", "auto"), "--clock takes 'manual', not 'auto'"),
        ((S, "--speed", "0"), "--speed needs a number above 0"),
        ((S, "--speed", "fast"), "--speed needs a number above 0"),
        ((S, "--clock", "manual", "--speed", "2"), "--clock manual and --speed exclude"),
        ((S, "--port", "70000"), "--port needs an integer 0..65535"),
        ((S, "--listen", "localhost"), "--listen needs a numeric IPv4 or IPv6 address"),
        ((S, "--listen", "0.0.0.0"),
         "--listen 0.0.0.0 is not a loopback address: it needs --credentials"),
        ((S, "--listen", "::"), "--listen :: is not a loopback address"),
        ((S, "--credentials", "nocolon"), "--credentials needs ACCESS_KEY:SECRET"),
        ((S, "--credentials", "AK:has space"), "the secret must be printable ASCII"),
        ((S, "--request-timeout", "0"), "--request-timeout needs seconds 1..3600"),
        ((S, S), "one scenario only")]:
    rc, out, err = run(*argv)
    check(rc == 2 and msg in err and out == "",
          "jobsim serve %s: exit 2, '%s'" % (" ".join(a.replace(SOURCE + "/", "") for a in argv),
                                             msg))
bad = os.path.join(SOURCE, "tests", "bad", "duplicate-top-level-field.json")
rc, out, err = run(bad, "--port", "0")
check(rc == 3 and "duplicate-top-level-field.json" in err and out == "",
      "jobsim serve on an invalid scenario: exit 3 with the validation message")
busy = socket.socket()
busy.bind(("127.0.0.1", 0))
busy.listen(1)
rc, out, err = run(S, "--port", str(busy.getsockname()[1]))
check(rc == 4 and "cannot listen on 127.0.0.1 port" in err,
      "jobsim serve on a port in use: exit 4 (%s)" % err.strip())
busy.close()

# ------------------------------------------------------- control plane
srv = Server(jobsim, S, "--clock", "manual", "--quiet")
U = srv.url


def cli(*argv):
    return aws(aws_cli, U, *argv)


def off(cmd, t, *more, ts="iso8601"):
    return offline(jobsim, cmd, "--scenario", S, "--job-id", J, "--at", t,
                   "--timestamp-format", ts, *more)[1]


rc, out, err = cli("iot", "describe-job", "--job-id", "no-such-job")
check(rc == 254 and err.strip() == "An error occurred (ResourceNotFoundException) when "
      "calling the DescribeJob operation: Job no-such-job does not exist",
      "aws iot describe-job on an unknown job: exit 254, %s" % err.strip())
rc, out, err = cli("iot", "describe-job", "--job-id", "bad.id")
check(rc == 254 and "(InvalidRequestException)" in err and "[a-zA-Z0-9_-]+" in err,
      "aws iot describe-job --job-id bad.id: InvalidRequestException naming the pattern")

srv.clock(to="+2m30s")
rc, out, _ = cli("iot", "describe-job", "--job-id", J, "--query",
                 "job.jobProcessDetails.numberOfSucceededThings")
want = off("describe-job", "2m30s")["job"]["jobProcessDetails"]["numberOfSucceededThings"]
check(rc == 0 and int(out) == want, "--query numberOfSucceededThings at +2m30s: %s" % want)
rc, out, _ = cli("iot", "describe-job", "--job-id", J, "--output", "table", "--query",
                 "job.{status:status,succeeded:jobProcessDetails.numberOfSucceededThings}")
check(rc == 0 and "DescribeJob" in out and "IN_PROGRESS" in out and str(want) in out,
      "--output table renders")
rc, out, _ = cli("iot", "describe-job", "--job-id", J, "--output", "text", "--query",
                 "job.status")
check(rc == 0 and out.strip() == "IN_PROGRESS", "--output text: IN_PROGRESS")

doc = json.load(open(S))["job"]["document"]
got = aws_json(aws_cli, U, "iot", "get-job-document", "--job-id", J)
check(got == {"document": doc}, "aws iot get-job-document gives the scenario's document")

# list-jobs and its filters, before and after the abort (+4m49.185s)
def list_jobs(*f):
    return [j["jobId"] for j in aws_json(aws_cli, U, "iot", "list-jobs", *f)["jobs"]]

check(list_jobs() == [J], "aws iot list-jobs: [%s]" % J)
check(list_jobs("--status", "IN_PROGRESS") == [J] and list_jobs("--status", "CANCELED") == [],
      "list-jobs --status before the abort")
check(list_jobs("--target-selection", "SNAPSHOT") == [J] and
      list_jobs("--target-selection", "CONTINUOUS") == [], "list-jobs --target-selection")
check(list_jobs("--thing-group-name", "field") == [J] and
      list_jobs("--thing-group-name", "lab") == [J] and
      list_jobs("--thing-group-name", "elsewhere") == [], "list-jobs --thing-group-name")
rc, out, err = cli("iot", "list-jobs", "--status", "RUNNING")
check(rc == 254 and "(InvalidRequestException)" in err and "enum value set" in err,
      "list-jobs --status RUNNING: InvalidRequestException")
srv.clock(to="+6m")
check(list_jobs("--status", "CANCELED") == [J] and list_jobs("--status", "IN_PROGRESS") == [],
      "list-jobs --status after the abort: CANCELED")
one = aws_json(aws_cli, U, "iot", "list-jobs")["jobs"][0]
dj = off("describe-job", "6m")["job"]
check({k: one[k] for k in ("jobArn", "status", "targetSelection", "createdAt",
                          "lastUpdatedAt", "isConcurrent")} ==
      {k: dj[k] for k in ("jobArn", "status", "targetSelection", "createdAt",
                         "lastUpdatedAt", "isConcurrent")},
      "list-jobs summary agrees with describe-job")

# list-job-executions-for-job: the CLI's own pagination over served pages
full = off("list-job-executions-for-job", "6m")["executionSummaries"]
page = aws_json(aws_cli, U, "iot", "list-job-executions-for-job", "--job-id", J,
                "--max-items", "5")
check(page["executionSummaries"] == full[:5] and "NextToken" in page,
      "list-job-executions-for-job --max-items 5: the first 5 and a NextToken")
page2 = aws_json(aws_cli, U, "iot", "list-job-executions-for-job", "--job-id", J,
                 "--max-items", "5", "--starting-token", page["NextToken"])
check(page2["executionSummaries"] == full[5:10], "... --starting-token: the next 5")
page3 = aws_json(aws_cli, U, "iot", "list-job-executions-for-job", "--job-id", J,
                 "--page-size", "2", "--max-items", "3")
check(page3["executionSummaries"] == full[:3], "--page-size 2 --max-items 3")
allp = aws_json(aws_cli, U, "iot", "list-job-executions-for-job", "--job-id", J,
                "--status", "CANCELED")
check(allp["executionSummaries"] ==
      [e for e in full if e["jobExecutionSummary"]["status"] == "CANCELED"] and
      len(allp["executionSummaries"]) == 74, "--status CANCELED: the 74 canceled")
st, h, body = srv.http("GET", "/jobs/%s/things?maxResults=251" % J)
check(st == 400 and h.get("x-amzn-errortype") == "InvalidRequestException" and
      b"less than or equal to 250" in body, "maxResults=251: 400 InvalidRequestException")
st, h, body = srv.http("GET", "/jobs/%s/things?nextToken=forged" % J)
check(st == 400 and b"nextToken" in body, "a forged nextToken: 400")

# executions of one thing
ex = [e for e in full if e["jobExecutionSummary"]["executionNumber"] == 2][0]
name = ex["thingArn"].split("/")[-1]
got = aws_json(aws_cli, U, "iot", "describe-job-execution", "--job-id", J, "--thing-name",
               name)
check(got == off("describe-job-execution", "6m", "--thing-name", name),
      "aws iot describe-job-execution %s (a retried thing)" % name)
got = aws_json(aws_cli, U, "iot", "describe-job-execution", "--job-id", J, "--thing-name",
               name, "--execution-number", "1")
check(got == off("describe-job-execution", "6m", "--thing-name", name, "--execution-number",
                 "1") and got["execution"]["status"] == "FAILED",
      "... --execution-number 1: the FAILED first attempt")
rc, out, err = cli("iot", "describe-job-execution", "--job-id", J, "--thing-name", name,
                   "--execution-number", "0")
check(rc == 254 and "(InvalidRequestException)" in err, "--execution-number 0: refused")
rc, out, err = cli("iot", "describe-job-execution", "--job-id", J, "--thing-name", "ghost")
check(rc == 254 and "(ResourceNotFoundException)" in err and
      "DescribeJobExecution operation" in err, "describe-job-execution of an unknown thing")
got = aws_json(aws_cli, U, "iot", "list-job-executions-for-thing", "--thing-name", name)
check(len(got["executionSummaries"]) == 1 and got["executionSummaries"][0]["jobId"] == J and
      got["executionSummaries"][0]["jobExecutionSummary"] == ex["jobExecutionSummary"],
      "aws iot list-job-executions-for-thing %s" % name)
st_ex = ex["jobExecutionSummary"]["status"]
other = "QUEUED" if st_ex != "QUEUED" else "SUCCEEDED"
same = aws_json(aws_cli, U, "iot", "list-job-executions-for-thing", "--thing-name", name,
                "--status", st_ex)
none = aws_json(aws_cli, U, "iot", "list-job-executions-for-thing", "--thing-name", name,
                "--status", other)
check(len(same["executionSummaries"]) == 1 and none["executionSummaries"] == [],
      "list-job-executions-for-thing --status %s: 1, --status %s: 0" % (st_ex, other))

# boto3, the control plane
iot = boto3_client("iot", U)
try:
    iot.describe_job(jobId="nope")
    check(False, "boto3 describe_job(nope) raises")
except iot.exceptions.ResourceNotFoundException as e:
    check(e.response["Error"]["Code"] == "ResourceNotFoundException" and
          e.response["ResponseMetadata"]["HTTPStatusCode"] == 404,
          "boto3: iot.exceptions.ResourceNotFoundException, HTTP 404")
r = iot.describe_job(jobId=J)
check(r["job"]["status"] == "CANCELED" and r["job"]["reasonCode"] == "ABORT_CRITERIA_MET",
      "boto3 describe_job: CANCELED, ABORT_CRITERIA_MET")

# ---------------------------------------------------- device data plane
data = boto3_client("iot-jobs-data", U)
srv.clock(to="+8m")
full8 = off("list-job-executions-for-job", "8m", ts="epoch")["executionSummaries"]
prog = [e for e in full8 if e["jobExecutionSummary"]["status"] == "IN_PROGRESS"]
name = prog[0]["thingArn"].split("/")[-1]
e = off("describe-job-execution", "8m", "--thing-name", name, ts="epoch")["execution"]
got = aws_json(aws_cli, U, "iot-jobs-data", "get-pending-job-executions", "--thing-name", name)
check(got == {"inProgressJobs": [{"jobId": J, "queuedAt": int(e["queuedAt"]),
                                  "startedAt": int(e["startedAt"]),
                                  "lastUpdatedAt": int(e["lastUpdatedAt"]),
                                  "versionNumber": e["versionNumber"],
                                  "executionNumber": e["executionNumber"]}],
              "queuedJobs": []},
      "aws iot-jobs-data get-pending-job-executions %s: its IN_PROGRESS execution" % name)
got = aws_json(aws_cli, U, "iot-jobs-data", "describe-job-execution", "--thing-name", name,
               "--job-id", "$next", "--include-job-document")["execution"]
check(got["jobId"] == J and got["thingName"] == name and got["status"] == "IN_PROGRESS" and
      got["jobDocument"] == doc and got["versionNumber"] == e["versionNumber"] and
      got["approximateSecondsBeforeTimedOut"] == e["approximateSecondsBeforeTimedOut"],
      "aws iot-jobs-data describe-job-execution --job-id '$next' --include-job-document")
got = data.describe_job_execution(thingName=name, jobId=J)["execution"]
check("jobDocument" not in got and got["executionNumber"] == e["executionNumber"],
      "boto3 describe_job_execution without includeJobDocument")
done_thing = [x for x in full8 if x["jobExecutionSummary"]["status"] == "SUCCEEDED"][0]
dn = done_thing["thingArn"].split("/")[-1]
rc, out, err = aws(aws_cli, U, "iot-jobs-data", "describe-job-execution", "--thing-name", dn,
                   "--job-id", "$next")
check(rc == 254 and "(ResourceNotFoundException)" in err,
      "describe-job-execution '$next' with nothing pending: ResourceNotFoundException")
check(data.get_pending_job_executions(thingName=dn)["inProgressJobs"] == [] and
      data.get_pending_job_executions(thingName="ghost")["queuedJobs"] == [],
      "get_pending_job_executions: nothing for a finished thing or an unknown one")

# ------------------------------------------------------------- the clock
st, _, body = srv.http("GET", "/jobsim/clock")
check(st == 200 and json.loads(body) == {"now": "2026-03-01T08:08:00.000Z", "offset": "8m"},
      "GET /jobsim/clock: %s" % body.decode().strip())
st, h, body = srv.http("POST", "/jobsim/clock", '{"to": "+5m"}')
check(st == 400 and h.get("x-amzn-errortype") == "InvalidRequestException" and
      b"the clock cannot go back" in body, "the clock never goes back: %s" % body.decode().strip())
st, _, body = srv.http("POST", "/jobsim/clock", '{"advance": "90s"}')
check(st == 200 and json.loads(body)["offset"] == "9m30s", "advance 90s: +9m30s")
st, _, body = srv.http("POST", "/jobsim/clock", '{"to": "2026-03-01T09:00:00Z"}')
check(st == 200 and json.loads(body)["offset"] == "1h", "to an ISO 8601 time")
st, _, body = srv.http("POST", "/jobsim/clock", '{"advance": "soon"}')
check(st == 400 and b"$.advance" in body, "advance 'soon': 400 naming $.advance")
st, _, body = srv.http("DELETE", "/jobsim/clock")
check(st == 404, "DELETE /jobsim/clock: 404")
st, h, body = srv.http("GET", "/jobsim/nothing")
check(st == 404 and h.get("x-amzn-errortype") == "UnknownOperationException",
      "GET /jobsim/nothing: 404 UnknownOperationException")
rc, _ = srv.stop()
check(rc == 143, "SIGTERM: exit 143")

# --------------------------------------------------------- --speed 60
srv = Server(jobsim, S, "--speed", "60", "--quiet")
t0 = time.time()
a = json.loads(srv.http("GET", "/jobsim/clock")[2])
time.sleep(1.0)
b = json.loads(srv.http("GET", "/jobsim/clock")[2])
el = time.time() - t0


def secs(off_s):
    from re import findall
    tot = 0.0
    for v, u in findall(r"([0-9.]+)(ms|d|h|m|s)", off_s):
        tot += float(v) * {"d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}[u]
    return tot


adv = secs(b["offset"]) - secs(a["offset"])
check(55 <= adv <= 60 * el + 1, "--speed 60: %.1f simulated s in about 1 wall s" % adv)
dj = aws_json(aws_cli, srv.url, "iot", "describe-job", "--job-id", J)["job"]
check(dj["jobProcessDetails"]["numberOfSucceededThings"] > 0,
      "--speed 60: the rollout runs by itself (%d succeeded)"
      % dj["jobProcessDetails"]["numberOfSucceededThings"])
srv.http("POST", "/jobsim/clock", '{"advance": "1h"}')
c = json.loads(srv.http("GET", "/jobsim/clock")[2])
check(secs(c["offset"]) >= 3600 + secs(b["offset"]), "--speed: POST advance jumps ahead")
rc, _ = srv.stop()

# ------------------------------------------- examples/watch_rollout.py
srv = Server(jobsim, S, "--clock", "manual", "--quiet")
env = dict(os.environ, AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo",
           AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
p = subprocess.run([sys.executable, os.path.join(SOURCE, "examples", "watch_rollout.py"),
                    "--endpoint", srv.url, "--job-id", J, "--step", "2m"],
                   capture_output=True, text=True, env=env, timeout=120)
rows = [l.split() for l in p.stdout.splitlines()[1:] if l.startswith("+")]
at4 = [r for r in rows if r[0] == "+4m"]
want = off("describe-job", "4m")["job"]["jobProcessDetails"]
check(p.returncode == 1 and "reasonCode: ABORT_CRITERIA_MET" in p.stdout and at4 and
      [int(x) for x in at4[0][2:]] == [want[k] for k in (
          "numberOfSucceededThings", "numberOfFailedThings", "numberOfTimedOutThings",
          "numberOfInProgressThings", "numberOfQueuedThings")],
      "examples/watch_rollout.py: the +4m row equals offline, exit 1 on the abort")
srv.stop()
done()
