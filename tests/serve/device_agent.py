"""examples/device_agent.py (a boto3 device agent on the iot-jobs-data plane)
run against a real `jobsim serve` of examples/fleet.json, manual clock.

The agents' things (agent-0, agent-1) are external: only the agent moves
their executions, so every expected value below follows by hand from what
the test does:

  t=0    create-job fw-a (thinggroup/agents, maximumPerMinute 1): agent-0
         QUEUED at 0, agent-1 at the next rollout window, 1m
  t=30s  create-job fw-b (thing/agent-1): QUEUED at 30s
  t=1m   agent on agent-1, --advance 30s, --fail fw-b:
         StartNext takes fw-b first (QUEUED at 30s, before fw-a's 1m,
         although fw-a was created first and sorts first by name):
         IN_PROGRESS at 1m (version 2), progress update (version 3),
         clock +30s, FAILED at 1m30s (version 4); then fw-a: IN_PROGRESS at
         1m30s, SUCCEEDED at 2m; then nothing pending, exit 0.
  => fw-b COMPLETED (its one execution is terminal), 1 failed;
     fw-a IN_PROGRESS, 1 succeeded, 1 QUEUED (agent-0: nobody drove it).
  agent on agent-0: fw-a IN_PROGRESS at 2m, SUCCEEDED at 2m30s
  => fw-a COMPLETED, 2 succeeded, 0 queued, completedAt 2m30s.
  t=2m30s create-job fw-c (thing/agent-0), cancel-job --force at once:
  fw-c CANCELED with 1 canceled, and agent-0's agent finds nothing pending.
  fw-d (thing/agent-0) canceled with force while the agent works on it:
  the agent's next update is refused, it drops the job and exits 0.
  An unknown thing: the agent prints StartNext's ResourceNotFoundException
  and exits 1.
"""
import json
import os
import subprocess
import sys

from common import SOURCE, Server, args, aws, boto3_client, check, client_env, done

jobsim, aws_cli = args()
S = os.path.join(SOURCE, "examples", "fleet.json")
AGENT = os.path.join(SOURCE, "examples", "device_agent.py")
ARN = "arn:aws:iot:us-west-2:123456789012:"
srv = Server(jobsim, S, "--clock", "manual", "--quiet")
U = srv.url


def cli_json(*argv):
    rc, out, err = aws(aws_cli, U, *argv)
    if rc != 0:
        print("  aws %s: exit %d: %s" % (" ".join(argv), rc, err.strip()))
        return None
    return json.loads(out) if out.strip() else {}


def agent(*argv):
    """The example as a user runs it: Debian's python3 (boto3 from
    python3-boto3), credentials from the environment."""
    p = subprocess.run([sys.executable, AGENT, "--endpoint", U] + list(argv),
                       env=client_env(), capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def counters(job):
    d = cli_json("iot", "describe-job", "--job-id", job)
    if d is None:
        return None
    jp = d["job"]["jobProcessDetails"]
    return {"status": d["job"]["status"],
            "succeeded": jp["numberOfSucceededThings"], "failed": jp["numberOfFailedThings"],
            "inProgress": jp["numberOfInProgressThings"], "queued": jp["numberOfQueuedThings"],
            "canceled": jp["numberOfCanceledThings"]}


def zero(**kw):
    c = {"succeeded": 0, "failed": 0, "inProgress": 0, "queued": 0, "canceled": 0}
    c.update(kw)
    return c


cli_json("iot", "create-job", "--job-id", "fw-a", "--targets", ARN + "thinggroup/agents",
         "--document", '{"version":"a"}', "--job-executions-rollout-config",
         "maximumPerMinute=1")
srv.clock(advance="30s")
cli_json("iot", "create-job", "--job-id", "fw-b", "--targets", ARN + "thing/agent-1",
         "--document", '{"version":"b"}')
srv.clock(advance="30s")
check(counters("fw-a") == dict(zero(queued=2), status="IN_PROGRESS"),
      "fw-a at 1m: 2 QUEUED (external things: no simulated device takes them)")

rc, out, err = agent("--thing-name", "agent-1", "--advance", "30s", "--exit-when-idle",
                     "--fail", "fw-b")
want = ['agent-1: fw-b: IN_PROGRESS (version 2), document {"version": "b"}',
        "agent-1: fw-b: FAILED (version 4)",
        'agent-1: fw-a: IN_PROGRESS (version 2), document {"version": "a"}',
        "agent-1: fw-a: SUCCEEDED (version 4)",
        "agent-1: nothing pending"]
check(rc == 0 and out.splitlines() == want,
      "agent on agent-1: fw-b first (QUEUED at 30s, fw-a at 1m), then fw-a, exit 0 "
      "(got %d: %r %s)" % (rc, out.splitlines(), err.strip()))
c = counters("fw-b")
check(c == dict(zero(failed=1), status="COMPLETED"),
      "fw-b after the agent: COMPLETED, 1 FAILED (%s)" % c)
c = counters("fw-a")
check(c == dict(zero(succeeded=1, queued=1), status="IN_PROGRESS"),
      "fw-a after agent-1: IN_PROGRESS, 1 SUCCEEDED, 1 QUEUED (%s)" % c)
x = cli_json("iot", "describe-job-execution", "--job-id", "fw-b", "--thing-name", "agent-1")
e = x and x["execution"]
check(e is not None and e["status"] == "FAILED" and e["versionNumber"] == 4 and
      e["queuedAt"] == "2026-01-01T00:00:30+00:00" and
      e["startedAt"] == "2026-01-01T00:01:00+00:00" and
      e["lastUpdatedAt"] == "2026-01-01T00:01:30+00:00" and
      e["statusDetails"] == {"detailsMap": {"agent": "device_agent.py", "step": "failed"}},
      "fw-b on agent-1: FAILED, version 4, queued 30s, started 1m, updated 1m30s, the "
      "agent's statusDetails (%s)" % e)
x = cli_json("iot", "describe-job-execution", "--job-id", "fw-a", "--thing-name", "agent-1")
e = x and x["execution"]
check(e is not None and e["status"] == "SUCCEEDED" and
      e["queuedAt"] == "2026-01-01T00:01:00+00:00" and
      e["startedAt"] == "2026-01-01T00:01:30+00:00" and
      e["lastUpdatedAt"] == "2026-01-01T00:02:00+00:00",
      "fw-a on agent-1: queued 1m, taken when fw-b ended (1m30s), SUCCEEDED at 2m (%s)" % e)

rc, out, err = agent("--thing-name", "agent-0", "--advance", "30s", "--exit-when-idle")
check(rc == 0 and out.splitlines() == [
    'agent-0: fw-a: IN_PROGRESS (version 2), document {"version": "a"}',
    "agent-0: fw-a: SUCCEEDED (version 4)", "agent-0: nothing pending"],
    "agent on agent-0: fw-a, exit 0 (got %d: %r %s)" % (rc, out.splitlines(), err.strip()))
c = counters("fw-a")
check(c == dict(zero(succeeded=2), status="COMPLETED"),
      "fw-a after both agents: COMPLETED, 2 SUCCEEDED (%s)" % c)
d = cli_json("iot", "describe-job", "--job-id", "fw-a", "--query", "job.completedAt")
check(d == "2026-01-01T00:02:30+00:00", "fw-a completedAt 2m30s, agent-0's last update (%s)"
      % d)

# A job canceled before the agent looks: nothing pending for it.
cli_json("iot", "create-job", "--job-id", "fw-c", "--targets", ARN + "thing/agent-0",
         "--document", "{}")
cli_json("iot", "cancel-job", "--job-id", "fw-c", "--force")
rc, out, err = agent("--thing-name", "agent-0", "--exit-when-idle")
check(rc == 0 and out.splitlines() == ["agent-0: nothing pending"],
      "after cancel-job --force, agent-0 finds nothing pending (got %d: %r %s)"
      % (rc, out.splitlines(), err.strip()))
c = counters("fw-c")
check(c == dict(zero(canceled=1), status="CANCELED"), "fw-c: CANCELED, 1 canceled (%s)" % c)

# Canceled while the agent works (--work 6: six wall seconds between its
# progress report and its final one): cancel-job --force through boto3 as
# soon as the agent says IN_PROGRESS; its next update is refused
# (InvalidStateTransitionException), it drops the job, finds nothing else
# pending and exits 0; fw-d counts 1 canceled, agent-0's execution is
# CANCELED with forceCanceled.
iot = boto3_client("iot", U)
iot.create_job(jobId="fw-d", targets=[ARN + "thing/agent-0"], document="{}")
p = subprocess.Popen([sys.executable, AGENT, "--endpoint", U, "--thing-name", "agent-0",
                      "--work", "6", "--exit-when-idle"], env=client_env(),
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
first = p.stdout.readline().rstrip("\n")
iot.cancel_job(jobId="fw-d", force=True)
rest, err = p.communicate(timeout=120)
lines = [first] + rest.splitlines()
check(p.returncode == 0 and len(lines) == 3 and
      lines[0] == "agent-0: fw-d: IN_PROGRESS (version 2), document {}" and
      lines[1].startswith("agent-0: fw-d: stopped (InvalidStateTransitionException): ") and
      lines[2] == "agent-0: nothing pending",
      "canceled with force while the agent works: the agent stops that job, exit 0 "
      "(got %d: %r %s)" % (p.returncode, lines, err.strip()))
c = counters("fw-d")
check(c == dict(zero(canceled=1), status="CANCELED"), "fw-d: CANCELED, 1 canceled (%s)" % c)
x = cli_json("iot", "describe-job-execution", "--job-id", "fw-d", "--thing-name", "agent-0",
             "--query", "execution.[status,forceCanceled]")
check(x == ["CANCELED", True], "fw-d on agent-0: CANCELED, forceCanceled (%s)" % x)

# An unknown thing: the agent reports the data plane's error and exits 1.
rc, out, err = agent("--thing-name", "no-such-thing", "--exit-when-idle")
check(rc == 1 and "ResourceNotFoundException: Thing no-such-thing does not exist" in err,
      "unknown thing: exit 1, ResourceNotFoundException (got %d: %s)" % (rc, err.strip()))

rc, _ = srv.stop()
check(rc == 143, "SIGTERM stops the server, exit 143 (%d)" % rc)
done()
