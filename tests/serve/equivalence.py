"""The served answers equal the offline ones.

A stochastic scenario with retries (FAILED x2, TIMED_OUT x1) and an abort
that fires at +4m49.185s is served with --clock manual. At several instants
(before, at, just after the abort, during the tail of timeouts, long after)
the clock is set to T and every read view is fetched three ways — raw HTTP
(the wire JSON), the real AWS CLI and boto3 — and compared, after parsing,
with `jobsim describe-job / describe-job-execution /
list-job-executions-for-job --scenario S --at T` (same seed). The offline
commands are independent of the server: they build their own engine and run
it from 0 to T in one go, while the server advances one engine step by step.
"""
import datetime
import json
import os
import subprocess

from common import (SOURCE, Server, args, aws, aws_json, boto3_client, check, done,
                    offline)

jobsim, aws_cli = args()
S = os.path.join(SOURCE, "tests", "serve", "retry-abort.json")
J = "fw-9-retry-abort"
INSTANTS = ["0s", "1m", "2m30s", "4m", "4m49.185s", "4m50s", "6m", "8m", "10m", "1h"]
TS_KEYS = {"createdAt", "lastUpdatedAt", "completedAt", "queuedAt", "startedAt"}


def off(cmd, t, *more, ts="epoch"):
    rc, j, err = offline(jobsim, cmd, "--scenario", S, "--job-id", J, "--at", t,
                         "--timestamp-format", ts, *more)
    return rc, j, err


def epochs(x):
    """boto3's datetimes back to epoch seconds (3 decimals), ResponseMetadata
    dropped: the shape the wire JSON has after parsing."""
    if isinstance(x, dict):
        return {k: epochs(v) for k, v in x.items() if k != "ResponseMetadata"}
    if isinstance(x, list):
        return [epochs(v) for v in x]
    if isinstance(x, datetime.datetime):
        return round(x.timestamp(), 3)
    return x


def rounded(x):
    if isinstance(x, dict):
        return {k: (round(v, 3) if k in TS_KEYS and isinstance(v, float) else rounded(v))
                for k, v in x.items()}
    if isinstance(x, list):
        return [rounded(v) for v in x]
    return x


def wire_get(srv, path):
    st, h, body = srv.http("GET", path)
    return st, h, (json.loads(body) if body else None)


def wire_all_pages(srv, path, page):
    out, token, pages = [], None, 0
    while True:
        q = "?maxResults=%d" % page + ("&nextToken=" + token if token else "")
        st, _, j = wire_get(srv, path + q)
        if st != 200:
            return st, None, pages
        out += j["executionSummaries"]
        pages += 1
        token = j.get("nextToken")
        if not token:
            return st, {"executionSummaries": out}, pages


srv = Server(jobsim, S, "--clock", "manual", "--quiet")
check(srv.first_line == "http://127.0.0.1:%d" % srv.port,
      "first stdout line names the URL: %s" % srv.first_line)
iot = boto3_client("iot", srv.url)
data = boto3_client("iot-jobs-data", srv.url)

for t in INSTANTS:
    now = srv.clock(to="+" + t)
    check(now["offset"] == t, "clock set to +%s (it says %s)" % (t, now))

    # describe-job: wire, AWS CLI, boto3
    rc, want, _ = off("describe-job", t)
    st, _, got = wire_get(srv, "/jobs/" + J)
    check(st == 200 and got == want, "+%s describe-job: wire JSON == offline" % t)
    rc, want_iso, _ = off("describe-job", t, ts="iso8601")
    rc2, out, err = aws(aws_cli, srv.url, "iot", "describe-job", "--job-id", J)
    check(rc2 == 0 and json.loads(out) == want_iso,
          "+%s aws iot describe-job == jobsim describe-job --timestamp-format iso8601" % t)
    txt = subprocess.run([jobsim, "describe-job", "--scenario", S, "--job-id", J, "--at", t,
                          "--timestamp-format", "iso8601"], capture_output=True,
                         text=True).stdout
    check(out == txt, "+%s aws iot describe-job output is byte-identical" % t)
    check(rounded(epochs(iot.describe_job(jobId=J))) == rounded(want),
          "+%s boto3 describe_job == offline" % t)

    # list-job-executions-for-job: all pages, filtered, one page
    rc, want, _ = off("list-job-executions-for-job", t)
    st, got, pages = wire_all_pages(srv, "/jobs/%s/things" % J, 97)
    check(st == 200 and got == want,
          "+%s list-job-executions-for-job: %d executions over %d wire pages == offline"
          % (t, len(want["executionSummaries"]), pages))
    statuses = sorted({e["jobExecutionSummary"]["status"] for e in want["executionSummaries"]})
    for s in statuses:
        rc, w2, _ = off("list-job-executions-for-job", t, "--status", s)
        st, _, g2 = wire_get(srv, "/jobs/%s/things?status=%s" % (J, s))
        # the served default page is 250: follow the pages
        merged = list(g2["executionSummaries"])
        while g2.get("nextToken"):
            st, _, g2 = wire_get(srv, "/jobs/%s/things?status=%s&nextToken=%s"
                                 % (J, s, g2["nextToken"]))
            merged += g2["executionSummaries"]
        check(st == 200 and {"executionSummaries": merged} == w2,
              "+%s list-job-executions-for-job --status %s (%d) == offline"
              % (t, s, len(w2["executionSummaries"])))
    rc, w3, _ = off("list-job-executions-for-job", t, "--max-results", "7", "--next-token",
                    "jobsim-v1-14")
    st, _, g3 = wire_get(srv, "/jobs/%s/things?maxResults=7&nextToken=jobsim-v1-14" % J)
    check(st == 200 and g3 == w3, "+%s one page (maxResults 7 after token jobsim-v1-14) "
          "== offline, nextToken %s" % (t, w3.get("nextToken")))

    # describe-job-execution on a sample: retried, timed out, canceled, in
    # progress (approximateSecondsBeforeTimedOut), queued, never notified
    summ = want["executionSummaries"]
    by_status = {}
    for e in summ:
        by_status.setdefault(e["jobExecutionSummary"]["status"], []).append(e)
    sample = []
    for s, es in sorted(by_status.items()):
        sample.append((es[0]["thingArn"].split("/")[-1], None))
    retried = [e for e in summ if e["jobExecutionSummary"]["executionNumber"] > 1]
    for e in retried[:2]:
        name = e["thingArn"].split("/")[-1]
        sample += [(name, None), (name, "1")]
    notified = {e["thingArn"].split("/")[-1] for e in summ}
    for name in ("field-000899", "lab-000299"):
        if name not in notified:
            sample.append((name, None))
    for name, no in sample:
        more = ["--thing-name", name] + (["--execution-number", no] if no else [])
        rc, w4, err = off("describe-job-execution", t, *more)
        path = "/things/%s/jobs/%s" % (name, J) + ("?executionNumber=" + no if no else "")
        st, h, g4 = wire_get(srv, path)
        if rc == 0:
            check(st == 200 and g4 == w4, "+%s describe-job-execution %s%s (%s) == offline"
                  % (t, name, " #" + no if no else "", w4["execution"]["status"]))
        else:
            check(rc == 1 and "ResourceNotFoundException" in err and st == 404 and
                  h.get("x-amzn-errortype") == "ResourceNotFoundException",
                  "+%s describe-job-execution %s: ResourceNotFoundException both ways"
                  % (t, name))
        # list-job-executions-for-thing carries the latest execution's summary
        if not no:
            st, _, g5 = wire_get(srv, "/things/%s/jobs" % name)
            if rc == 0:
                e = w4["execution"]
                want5 = {"executionSummaries": [{"jobId": J, "jobExecutionSummary": {
                    k: e[k] for k in ("status", "queuedAt", "startedAt", "lastUpdatedAt",
                                      "executionNumber") if k in e}}]}
                want5["executionSummaries"][0]["jobExecutionSummary"]["retryAttempt"] = \
                    e["executionNumber"] - 1
                check(st == 200 and g5 == want5,
                      "+%s list-job-executions-for-thing %s == latest offline execution"
                      % (t, name))
            else:
                check(st == 200 and g5 == {"executionSummaries": []},
                      "+%s list-job-executions-for-thing %s is empty" % (t, name))
            # device data plane: pending executions, whole epoch seconds
            if rc == 0:
                e = w4["execution"]
                pend = epochs(data.get_pending_job_executions(thingName=name))
                summary = {"jobId": J, "queuedAt": int(e["queuedAt"]),
                           "lastUpdatedAt": int(e["lastUpdatedAt"]),
                           "versionNumber": e["versionNumber"],
                           "executionNumber": e["executionNumber"]}
                if "startedAt" in e:
                    summary["startedAt"] = int(e["startedAt"])
                wp = {"inProgressJobs": [summary] if e["status"] == "IN_PROGRESS" else [],
                      "queuedJobs": [summary] if e["status"] == "QUEUED" else []}
                check(pend == wp, "+%s iot-jobs-data get_pending_job_executions %s (%s)"
                      % (t, name, e["status"]))

    # the AWS CLI paging through list-job-executions-for-job
    if t in ("4m", "8m"):
        rc, want_iso, _ = off("list-job-executions-for-job", t, ts="iso8601")
        got = aws_json(aws_cli, srv.url, "iot", "list-job-executions-for-job", "--job-id", J,
                       "--page-size", "100")
        check(got == want_iso, "+%s aws iot list-job-executions-for-job --page-size 100 "
              "(%d executions) == offline" % (t, len(got["executionSummaries"])))
        pg = iot.get_paginator("list_job_executions_for_job")
        items = []
        for page in pg.paginate(jobId=J, PaginationConfig={"PageSize": 50}):
            items += page["executionSummaries"]
        check(rounded(epochs({"executionSummaries": items})) == rounded(
            off("list-job-executions-for-job", t)[1]),
            "+%s boto3 paginator (50 a page) == offline" % t)

rc, secs = srv.stop()
check(rc == 143, "SIGTERM stops the server with exit 143 (got %s)" % rc)
done()
