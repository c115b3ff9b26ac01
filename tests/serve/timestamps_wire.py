"""Timestamps as the real AWS CLI prints them, from a wire JSON that jobsim
did not write.

timestamps.py feeds the CLIs through `jobsim serve`, so the wire encoding
is jobsim's own. Here a tiny local endpoint (http.server, no jobsim) answers
describe-job with the body real AWS IoT sends: the timestamps are written
the way the service writes them (Java's Double.toString: 1.560787022733E9,
1.7672256E9), from the millisecond instant the scenario gives, not from
jobsim's output. The AWS CLI parses that body with botocore and prints it:

  - AWS CLI v2 (Debian's /usr/bin/aws) by default prints ISO 8601
    (datetime.isoformat()); with `cli_timestamp_format = wire` it prints
    the parsed number as json.dumps does, float repr, as AWS CLI v1 does;
  - AWS CLI v1, when one is on PATH (`aws --version` says aws-cli/1.),
    always prints the float repr.

Each must equal, byte for byte, `jobsim describe-job --at 0` of a scenario
whose startTime is that instant (createdAt and lastUpdatedAt), in epoch
form (v1, v2 wire) and with --timestamp-format iso8601 (v2). The instants
cover each shape of the fraction: none, .001 (a float just below it),
.01 and .12 (trailing zeros dropped), and a 9-digit second count (before
2001-09-09); the seed example's is in timestamps.py.
"""
import http.server
import json
import os
import re
import subprocess
import tempfile
import threading

from common import SOURCE, args, check, client_env, done

jobsim, aws_cli = args()

# epoch ms of the scenario's startTime
INSTANTS = [1767225600000, 1767225600001, 1767225600010, 1767225600120,
            999999999999]


def java_double(ms):
    """ms / 1000 as Java's Double.toString writes it (what AWS sends):
    1767225600000 -> 1.7672256E9, 1560787022733 -> 1.560787022733E9."""
    s = str(ms)
    digits = (s[:-3] + s[-3:]).rstrip("0") or "0"
    exp = len(s) - 4
    frac = digits[1:] or "0"
    return "%s.%sE%d" % (digits[0], frac, exp)


def iso_ms(ms):
    import datetime
    t = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


class Body:
    text = b""


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(Body.text)))
        self.end_headers()
        self.wfile.write(Body.text)

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
url = "http://127.0.0.1:%d" % srv.server_address[1]

home = tempfile.mkdtemp(prefix="jobsim-tsw-")
wire_cfg = os.path.join(home, "config")
with open(wire_cfg, "w") as f:
    f.write("[default]\ncli_timestamp_format = wire\n")
env_v2 = client_env()
env_wire = dict(env_v2, AWS_CONFIG_FILE=wire_cfg)

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
print("AWS CLI v1: %s" % (v1 or "none on PATH"))
env_v1 = None
if v1:
    env_v1 = dict(env_v2, PATH=os.path.dirname(v1) + os.pathsep + env_v2["PATH"],
                  HOME=home)

with open(os.path.join(SOURCE, "scenarios", "example-job-01.json")) as f:
    base = json.load(f)

check(java_double(1767225600000) == "1.7672256E9" and
      java_double(1560787022733) == "1.560787022733E9" and
      java_double(999999999999) == "9.99999999999E8", "the wire numbers are Java's form")

for ms in INSTANTS:
    sc = dict(base)
    sc["simulation"] = dict(base["simulation"], startTime=iso_ms(ms))
    path = os.path.join(home, "s-%d.json" % ms)
    with open(path, "w") as f:
        json.dump(sc, f)
    out = {}
    for ts in ("epoch", "iso8601"):
        p = subprocess.run([jobsim, "describe-job", "--scenario", path, "--job-id",
                            "example-job-01", "--at", "0", "--timestamp-format", ts],
                           capture_output=True, text=True, timeout=120)
        check(p.returncode == 0, "%d: jobsim describe-job (%s) exits 0 %s" %
              (ms, ts, p.stderr.strip()))
        out[ts] = p.stdout
    # the wire body: jobsim's fields, its timestamps replaced by what AWS sends
    # for the instant (both are the creation instant at t=0)
    n = [0]

    def wire(m):
        n[0] += 1
        return '"%s": %s' % (m.group(1), java_double(ms))
    body = re.sub(r'"(createdAt|lastUpdatedAt)": [0-9.]+', wire, out["epoch"])
    check(n[0] == 2, "%d: two timestamps on the wire" % ms)
    Body.text = body.encode()
    check(b'"createdAt": ' + java_double(ms).encode() in Body.text,
          "%d: the body carries %s" % (ms, java_double(ms)))
    cli = ["--endpoint-url", url, "iot", "describe-job", "--job-id", "example-job-01"]
    p = subprocess.run([aws_cli] + cli, env=env_v2, capture_output=True, text=True,
                       timeout=120)
    check(p.returncode == 0 and p.stdout == out["iso8601"],
          "%d: --timestamp-format iso8601 is AWS CLI v2's output %s" %
          (ms, p.stderr.strip() or re.findall(r'"createdAt": [^,]*', p.stdout)))
    p = subprocess.run([aws_cli] + cli, env=env_wire, capture_output=True, text=True,
                       timeout=120)
    check(p.returncode == 0 and p.stdout == out["epoch"],
          "%d: epoch output is AWS CLI v2's wire output %s" %
          (ms, p.stderr.strip() or re.findall(r'"createdAt": [^,]*', p.stdout)))
    if v1:
        p = subprocess.run([v1] + cli, env=env_v1, capture_output=True, text=True,
                           timeout=120)
        check(p.returncode == 0 and p.stdout == out["epoch"],
              "%d: epoch output is AWS CLI v1's output %s" %
              (ms, p.stderr.strip() or re.findall(r'"createdAt": [^,]*', p.stdout)))

srv.shutdown()
done()
