"""Timestamps printed as the AWS CLI prints them, byte for byte.

jobsim's read commands print epoch timestamps as AWS CLI v1 does (the wire
number parsed into a Python float and written by json.dump: float repr,
1767225600.0, 1767227927.602) and, with --timestamp-format iso8601, as AWS
CLI v2 does by default (datetime.isoformat(): 2026-01-01T00:00:00+00:00,
2026-01-01T00:38:47.602000+00:00).

The comparison is with the real CLI, not with a copy of its rules: each view
is served by `jobsim serve --clock manual`, printed by Debian's AWS CLI v2
(default: iso8601; with `cli_timestamp_format = wire` in its config file it
prints the wire value the way v1 always did), and compared byte for byte
with `jobsim describe-job / describe-job-execution /
list-job-executions-for-job --scenario S --at T`. An AWS CLI v1, when one is
on PATH (`aws --version` says aws-cli/1.), is compared as well.

The outputs are also goldens, tests/golden/cli/*.json, recorded from the real
CLI's output: jobsim must match them even where no CLI is installed, and a
golden that no longer matches the CLI fails here.
"""
import os
import shutil
import subprocess
import tempfile

from common import SOURCE, Server, args, aws, check, client_env, done

jobsim, aws_cli = args()
GOLD = os.path.join(SOURCE, "tests", "golden", "cli")
SCN = os.path.join(SOURCE, "scenarios")

# (golden name, scenario, job, instant, view, extra arguments)
CASES = [
    ("example-job-01@0", "example-job-01.json", "example-job-01", "0s", "describe-job", []),
    ("hanging-devices-retry@40m", "hanging-devices-retry.json",
     "agent-upgrade-with-retries", "40m", "describe-job", []),
    ("hanging-devices-retry@40m.kiosks-000053", "hanging-devices-retry.json",
     "agent-upgrade-with-retries", "40m", "describe-job-execution",
     ["--thing-name", "kiosks-000053"]),
    ("hanging-devices-retry@40m.list-timed-out", "hanging-devices-retry.json",
     "agent-upgrade-with-retries", "40m", "list-job-executions-for-job",
     ["--status", "TIMED_OUT"]),
]


def jobsim_out(scn, job, t, view, extra, ts):
    p = subprocess.run([jobsim, view, "--scenario", os.path.join(SCN, scn), "--job-id", job,
                        "--at", t, "--timestamp-format", ts] + extra,
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def cli_args(view, job, extra):
    a = ["iot", view, "--job-id", job]
    i = 0
    while i < len(extra):   # jobsim's options are the CLI's
        a += [extra[i], extra[i + 1]]
        i += 2
    return a


def golden(name):
    with open(os.path.join(GOLD, name), encoding="utf-8") as f:
        return f.read()


home = tempfile.mkdtemp(prefix="jobsim-ts-")
wire_cfg = os.path.join(home, "config")
with open(wire_cfg, "w") as f:
    f.write("[default]\ncli_timestamp_format = wire\n")
env_v2 = client_env()
env_wire = dict(env_v2, AWS_CONFIG_FILE=wire_cfg)

# an AWS CLI v1 on PATH, if there is one (Debian ships v2 only)
v1 = None
for d in os.environ.get("PATH", "").split(os.pathsep):
    c = os.path.join(d, "aws")
    if os.access(c, os.X_OK) and os.path.realpath(c) != os.path.realpath(aws_cli):
        try:
            v = subprocess.run([c, "--version"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if (v.stdout + v.stderr).startswith("aws-cli/1."):
            v1 = c
            break
print("AWS CLI v1: %s" % (v1 or "none on PATH (only v2 with cli_timestamp_format = wire)"))

by_scn = {}
for c in CASES:
    by_scn.setdefault((c[1], c[3]), []).append(c)

for (scn, t), cases in sorted(by_scn.items()):
    srv = Server(jobsim, os.path.join(SCN, scn), "--clock", "manual", "--quiet")
    srv.clock(to="+" + t)
    for name, _, job, _, view, extra in cases:
        rc, ours_epoch, err = jobsim_out(scn, job, t, view, extra, "epoch")
        check(rc == 0, "%s: jobsim %s (epoch) exits 0 %s" % (name, view, err.strip()))
        rc, ours_iso, err = jobsim_out(scn, job, t, view, extra, "iso8601")
        check(rc == 0, "%s: jobsim %s (iso8601) exits 0 %s" % (name, view, err.strip()))
        a = cli_args(view, job, extra)
        rc, v2_iso, err = aws(aws_cli, srv.url, *a, env=env_v2)
        check(rc == 0, "%s: aws v2 %s exits 0 %s" % (name, view, err.strip()))
        rc, v2_wire, err = aws(aws_cli, srv.url, *a, env=env_wire)
        check(rc == 0, "%s: aws v2 (wire) %s exits 0 %s" % (name, view, err.strip()))
        check(ours_iso == v2_iso,
              "%s: --timestamp-format iso8601 is byte for byte AWS CLI v2's output" % name)
        check(ours_epoch == v2_wire,
              "%s: epoch output is byte for byte the CLI's wire (v1) output" % name)
        check(ours_epoch == golden(name + ".v1.json"),
              "%s: epoch output equals its golden %s.v1.json" % (name, name))
        check(ours_iso == golden(name + ".v2.json"),
              "%s: iso8601 output equals its golden %s.v2.json" % (name, name))
        check(v2_wire == golden(name + ".v1.json") and v2_iso == golden(name + ".v2.json"),
              "%s: the goldens are still what the real CLI prints" % name)
        if v1:
            env_v1 = dict(env_v2, PATH=os.path.dirname(v1) + os.pathsep + env_v2["PATH"])
            env_v1.pop("HOME", None)
            env_v1["HOME"] = home
            p = subprocess.run([v1, "--endpoint-url", srv.url] + a, env=env_v1,
                               capture_output=True, text=True, timeout=120)
            check(p.returncode == 0 and p.stdout == ours_epoch,
                  "%s: epoch output is byte for byte AWS CLI v1's (%s)" % (name, v1))
    srv.stop()

# the format itself, where the real CLI's output shows it
g = golden("hanging-devices-retry@40m.v1.json")
check('"createdAt": 1767225600.0,' in g, "a whole second prints as 1767225600.0")
check('"lastUpdatedAt": 1767227927.602,' in g, "milliseconds print as 1767227927.602")
check('"queuedAt": 1767226801.89,' in golden("hanging-devices-retry@40m.list-timed-out.v1.json"),
      "trailing zeros dropped: 1767226801.89")
check('"createdAt": 1560787022.733,' in golden("example-job-01@0.v1.json"),
      "the seed example keeps 1560787022.733")
g = golden("hanging-devices-retry@40m.v2.json")
check('"createdAt": "2026-01-01T00:00:00+00:00",' in g and
      '"lastUpdatedAt": "2026-01-01T00:38:47.602000+00:00",' in g,
      "iso8601: no fraction on a whole second, microseconds otherwise")
shutil.rmtree(home, ignore_errors=True)
done()
