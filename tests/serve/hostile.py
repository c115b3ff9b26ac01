"""Hostile traffic against jobsim serve: oversized and malformed bodies,
half-sent and trickled requests while other clients are served, signatures
(wrong, missing, stale, tampered) with --credentials, foreign Host/Origin
headers, malformed request targets, oversized headers, garbage, signals.

Every request here is one a real client cannot send (that is the point);
the clients that must keep working meanwhile are the real AWS CLI and boto3.
"""
import datetime
import json
import os
import signal
import socket
import subprocess
import threading
import time

from common import (KEY, SECRET, SOURCE, Server, args, aws, boto3_client, check,
                    client_env, done, raw_socket, read_all)

jobsim, aws_cli = args()
S = os.path.join(SOURCE, "tests", "serve", "retry-abort.json")
J = "fw-9-retry-abort"
MiB = 1024 * 1024
TIMEOUT = 2   # --request-timeout of the servers below


def status_of(resp):
    try:
        line = resp.split(b"\r\n", 1)[0].decode()
        return int(line.split()[1])
    except Exception:
        return None


def header(resp, name):
    for line in resp.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == name.lower().encode():
            return v.strip().decode()
    return None


def body_of(resp):
    return resp.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in resp else b""


def cli_ok(url, env=None):
    t = time.time()
    rc, out, err = aws(aws_cli, url, "iot", "describe-job", "--job-id", J, "--query",
                       "job.status", "--output", "text", env=env)
    return rc == 0 and out.strip() in ("IN_PROGRESS", "CANCELED"), time.time() - t


srv = Server(jobsim, S, "--clock", "manual", "--quiet", "--request-timeout", str(TIMEOUT))
P = srv.port
HOST = b"Host: 127.0.0.1:%d\r\n" % P

# ------------------------------------------------------------ bodies
s = raw_socket(P)
body = b"x" * (5 * MiB)
try:
    s.sendall(b"PUT /jobs/j1/cancel HTTP/1.1\r\n" + HOST +
              b"Content-Length: %d\r\nContent-Type: application/json\r\n\r\n" % len(body) +
              body)
except (BrokenPipeError, ConnectionResetError):
    pass   # the server answered and closed without reading 5 MiB
r, _, closed = read_all(s, 10)
check(status_of(r) == 413 and header(r, "x-amzn-ErrorType") == "RequestEntityTooLargeException"
      and b"over the limit of 1048576 bytes" in body_of(r) and closed,
      "5 MiB body (Content-Length): 413 RequestEntityTooLargeException, connection closed")
s.close()

s = raw_socket(P)
chunk = b"x" * MiB
s.sendall(b"PUT /jobs/j1/cancel HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n"
          b"Connection: close\r\n\r\n" + (b"%x\r\n" % MiB + chunk + b"\r\n") * 5 + b"0\r\n\r\n")
r, _, _ = read_all(s, 10)
check(status_of(r) == 413 and header(r, "x-amzn-ErrorType") == "RequestEntityTooLargeException",
      "5 MiB chunked body: 413 RequestEntityTooLargeException")
s.close()

pad = 1 * MiB - len(b'{"advance": "1s", "pad": ""}')
exact = b'{"advance": "1s", "pad": "' + b"p" * pad + b'"}'
st, h, b = srv.http("POST", "/jobsim/clock", exact)
check(len(exact) == MiB and st == 400 and b"unknown field 'pad'" in b,
      "a body of exactly 1 MiB is read (400: unknown field 'pad'), not refused")
s = raw_socket(P)
try:   # the server may answer 413 and close before it has read the body
    s.sendall(b"POST /jobsim/clock HTTP/1.1\r\n" + HOST +
              b"Content-Length: %d\r\n\r\n" % (MiB + 1) + exact + b" ")
except (BrokenPipeError, ConnectionResetError):
    pass
r, _, _ = read_all(s, 10)
s.close()
check(status_of(r) == 413, "1 MiB + 1 byte: 413")

for raw, what, needle in [
        (b'{"advance": ', "truncated JSON", b"unexpected end of input at line 1, column 13"),
        (b'{"advance": "1m",}', "a trailing comma", b"not valid JSON"),
        (b'[1, 2]', "an array", b"must be a JSON object, not array"),
        (b'{"advance": "\xff"}', "invalid UTF-8", b"not valid JSON"),
        (b'{"a":' * 200 + b'1' + b'}' * 200, "200 levels of nesting", b"not valid JSON")]:
    st, h, b = srv.http("POST", "/jobsim/clock", raw)
    check(st == 400 and h.get("x-amzn-errortype") == "InvalidRequestException" and needle in b,
          "malformed body (%s): 400 InvalidRequestException %s" % (what, b.decode()[:90]))
st, h, b = srv.http("PUT", "/jobs/%s/cancel" % J, b'{"force": tru')
check(st == 400 and h.get("x-amzn-errortype") == "InvalidRequestException",
      "malformed body on a control-plane path (PUT /jobs/J/cancel): 400")
now = json.loads(srv.http("GET", "/jobsim/clock")[2])
check(now["offset"] == "0s", "no refused request moved the clock")

# --------------------------------------------- slow and half-sent requests
half_headers = raw_socket(P)
half_headers.sendall(b"GET /jobs/" + J.encode() + b" HTTP/1.1\r\n" + HOST + b"X-Slow: 1")
half_body = raw_socket(P)
half_body.sendall(b"POST /jobsim/clock HTTP/1.1\r\n" + HOST +
                  b"Content-Length: 100\r\n\r\n{\"adv")
trickle = raw_socket(P)
trickle.sendall(b"POST /jobsim/clock HTTP/1.1\r\n" + HOST + b"Content-Length: 200\r\n\r\n")
idle = [raw_socket(P) for _ in range(100)]
t0 = time.time()


# The server's closes are timed by watcher threads from t0, so a slow client
# below (the AWS CLI starts slowly on a loaded machine) cannot stretch them.
def trickle_watch(out):
    """One byte every 0.3 s; out["closed_at"]: when the server cut it."""
    trickle.settimeout(0.3)
    while time.time() - t0 < TIMEOUT + 6:
        try:
            trickle.sendall(b"x")
            if trickle.recv(1) == b"":
                out["closed_at"] = time.time() - t0
                return
        except socket.timeout:
            pass
        except (BrokenPipeError, ConnectionResetError):
            out["closed_at"] = time.time() - t0
            return


def half_watch(sock, out):
    r, _, closed = read_all(sock, TIMEOUT + 5)
    out.update(reply=r, closed=closed, at=time.time() - t0)


watch = {"trickle": {}, "half-sent header": {}, "half-sent body": {}}
threads = [threading.Thread(target=trickle_watch, args=(watch["trickle"],)),
           threading.Thread(target=half_watch, args=(half_headers, watch["half-sent header"])),
           threading.Thread(target=half_watch, args=(half_body, watch["half-sent body"]))]
for th in threads:
    th.start()
ok, secs = cli_ok(srv.url)
check(ok and secs < 8, "aws iot describe-job answered (%.2f s) while a half-sent header, a "
      "half-sent body, a trickled body and 100 idle connections are open" % secs)
iot = boto3_client("iot", srv.url)
t = time.time()
n = 0
while time.time() - t < 1.0:
    iot.describe_job(jobId=J)
    n += 1
check(n >= 20, "boto3 meanwhile: %d describe_job calls in 1 s" % n)
for th in threads:
    th.join()
closed_at = watch["trickle"].get("closed_at")
check(closed_at is not None and closed_at <= TIMEOUT + 3,
      "a body trickled at 1 byte / 0.3 s is cut after about --request-timeout "
      "(%s s)" % (None if closed_at is None else round(closed_at, 1)))
for sock, what in [(half_headers, "half-sent header"), (half_body, "half-sent body")]:
    w = watch[what]
    check(w["closed"] and w["at"] <= TIMEOUT + 5 and status_of(w["reply"]) in (None, 408),
          "the %s is closed by the server after --request-timeout %d s (%.1f s)"
          % (what, TIMEOUT, w["at"]))
    sock.close()
for sock in idle:
    sock.close()
ok, _ = cli_ok(srv.url)
check(ok, "the CLI is still served afterwards")

# ------------------------------------------------- targets and headers
for target, what, code in [
        (b"/jobs/%zz", "a malformed %-escape", 400),
        (b"/jobs/a%00b", "%00", 400),
        (b"/" + b"/".join(b"s" for _ in range(20)), "20 path segments", 400),
        (b"/jobs?maxResults=1&maxResults=2", "a repeated query parameter", 400),
        (b"/jobs/a.b", "a jobId outside [a-zA-Z0-9_-]", 400),
        (b"/things/" + b"t" * 129 + b"/jobs", "a 129-character thing name", 400),
        (b"/no/such/path", "an unknown path", 404)]:
    s = raw_socket(P)
    s.sendall(b"GET " + target + b" HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
    r, _, _ = read_all(s, 10)
    s.close()
    check(status_of(r) == code and header(r, "x-amzn-ErrorType") in (
        "InvalidRequestException", "UnknownOperationException"),
        "%s: %d %s" % (what, code, header(r, "x-amzn-ErrorType")))
s = raw_socket(P)
s.sendall(b"GET /jobs HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * 100000 +
          b"\r\nConnection: close\r\n\r\n")
r, _, _ = read_all(s, 10)
s.close()
check(status_of(r) in (413, 431), "a 100 kB header: %s from libmicrohttpd" % status_of(r))
s = raw_socket(P)
s.sendall(bytes(range(256)) * 4 + b"\r\n\r\n")
r, _, closed = read_all(s, 10)
s.close()
check(closed and status_of(r) in (None, 400), "1 kB of binary garbage: closed (%s)"
      % status_of(r))
for hdrs, what in [({"Host": "evil.example"}, "Host evil.example"),
                   ({"Origin": "http://evil.example"}, "Origin http://evil.example"),
                   ({"Host": "127.0.0.1.nip.io:%d" % P}, "a DNS-rebinding Host")]:
    st, h, b = srv.http("GET", "/jobs/" + J, headers=hdrs)
    check(st == 403 and h.get("x-amzn-errortype") == "AccessDeniedException",
          "%s: 403 AccessDeniedException" % what)
st, _, _ = srv.http("GET", "/jobs/" + J, headers={"Origin": "http://localhost:%d" % P})
check(st == 200, "Origin http://localhost:PORT is served")
ok, _ = cli_ok(srv.url)
check(ok, "the CLI is still served after all of that")

# signals: stop within a second even with a half-sent request open
hold = raw_socket(P)
hold.sendall(b"GET /jobs HTTP/1.1\r\n")
rc, secs = srv.stop(signal.SIGINT)
check(rc == 130 and secs < 1.0, "SIGINT with a half-sent request open: exit 130 in %.3f s"
      % secs)
hold.close()

# ------------------------------------------------ --credentials: SigV4
srv = Server(jobsim, S, "--clock", "manual", "--quiet", "--listen", "0.0.0.0",
             "--credentials", "%s:%s" % (KEY, SECRET))
U = "http://127.0.0.1:%d" % srv.port
ok, _ = cli_ok(U)
check(ok, "--listen 0.0.0.0 --credentials: the CLI with the right key and secret is served")
rc, out, err = aws(aws_cli, U, "iot", "describe-job", "--job-id", J,
                   env=client_env(secret="wrong-secret"))
check(rc == 254 and "An error occurred (InvalidSignatureException) when calling the "
      "DescribeJob operation: The request signature we calculated does not match" in err,
      "wrong secret: InvalidSignatureException")
rc, out, err = aws(aws_cli, U, "iot", "describe-job", "--job-id", J,
                   env=client_env(key="AKIDSOMEONEELSE"))
check(rc == 254 and "(UnrecognizedClientException)" in err and
      "The security token included in the request is invalid." in err,
      "unknown access key: UnrecognizedClientException")
rc, out, err = aws(aws_cli, U, "iot", "describe-job", "--job-id", J,
                   env=client_env(region="eu-west-1"))
check(rc == 254 and "(InvalidSignatureException)" in err and "valid region" in err,
      "signed for another region: InvalidSignatureException")
rc, out, err = aws(aws_cli, U, "iot", "describe-job", "--job-id", J, "--no-sign-request")
check(rc == 254 and "(MissingAuthenticationTokenException)" in err,
      "aws --no-sign-request: MissingAuthenticationTokenException")
st, h, b = srv.http("GET", "/jobs/" + J)
check(st == 403 and h.get("x-amzn-errortype") == "MissingAuthenticationTokenException",
      "unsigned request: 403 MissingAuthenticationTokenException")
st, h, b = srv.http("GET", "/jobsim/clock")
check(st == 403, "unsigned GET /jobsim/clock: 403 too")
st, h, b = srv.http("GET", "/jobs/" + J, headers={"Authorization": "AWS4-HMAC-SHA256 x"})
check(st == 403 and h.get("x-amzn-errortype") == "IncompleteSignatureException",
      "malformed Authorization: 403 IncompleteSignatureException")
data = boto3_client("iot-jobs-data", U)
r = data.get_pending_job_executions(thingName="lab-000000")
check(r["ResponseMetadata"]["HTTPStatusCode"] == 200,
      "boto3 iot-jobs-data, signed: served on the data plane")

# botocore's signer on hand-made requests: tampered body, stale date
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
import botocore.auth as bauth


def signed(method, path, body, service="iot", when=None):
    req = AWSRequest(method=method, url=U + path, data=body,
                     headers={"Content-Type": "application/json"})
    real = bauth.datetime.datetime
    if when is not None:
        class Pinned(real):
            @classmethod
            def utcnow(cls):
                return when

            @classmethod
            def now(cls, tz=None):
                return when.replace(tzinfo=tz) if tz else when
        bauth.datetime.datetime = Pinned
    try:
        SigV4Auth(Credentials(KEY, SECRET), service, "us-west-2").add_auth(req)
    finally:
        bauth.datetime.datetime = real
    return {k: v for k, v in req.headers.items()}


h = signed("POST", "/jobsim/clock", b'{"advance": "1m"}')
st, _, b = srv.http("POST", "/jobsim/clock", b'{"advance": "1m"}', headers=h)
check(st == 200 and json.loads(b)["offset"] == "1m", "signed POST /jobsim/clock: +1m")
st, hh, b = srv.http("POST", "/jobsim/clock", b'{"advance": "9m"}', headers=h)
check(st == 403 and hh.get("x-amzn-errortype") == "InvalidSignatureException",
      "the same signature on a changed body: 403 InvalidSignatureException")
stale = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
h = signed("GET", "/jobs/" + J, b"", when=stale)
st, hh, b = srv.http("GET", "/jobs/" + J, headers=h)
check(st == 403 and hh.get("x-amzn-errortype") == "InvalidSignatureException" and
      b"Signature expired" in b, "a signature 20 minutes old: Signature expired")
h = signed("GET", "/jobs/" + J, b"", service="s3")
st, hh, b = srv.http("GET", "/jobs/" + J, headers=h)
check(st == 403 and b"correct service" in b, "signed for s3: 403")
if os.access("/usr/bin/curl", os.X_OK):   # curl's own SigV4 signer, independent of botocore
    for user, want in [("%s:%s" % (KEY, SECRET), b'"offset": "1m"'),
                       ("%s:wrong" % KEY, b"does not match the signature")]:
        p = subprocess.run(["/usr/bin/curl", "-s", "--aws-sigv4", "aws:amz:us-west-2:iot",
                            "--user", user, U + "/jobsim/clock"], capture_output=True,
                           timeout=30)
        check(want in p.stdout, "curl --aws-sigv4 --user %s: %s" % (
            user.split(":")[1] if "wrong" in user else "KEY:SECRET", want.decode()))
else:
    print("note: no /usr/bin/curl; its SigV4 signer not tried")
check(json.loads(srv.http("GET", "/jobsim/clock", headers=signed("GET", "/jobsim/clock", b""))
                 [2])["offset"] == "1m", "refused requests did not move the clock")

# a non-loopback address of this host reaches nothing with the default listen
srv2 = Server(jobsim, S, "--clock", "manual", "--quiet")
addr = None
try:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect(("192.0.2.1", 9))   # no packet is sent (UDP connect)
    addr = probe.getsockname()[0]
    probe.close()
except OSError:
    pass
if addr and not addr.startswith("127."):
    try:
        socket.create_connection((addr, srv2.port), timeout=3).close()
        refused = False
    except OSError:
        refused = True
    check(refused, "default --listen 127.0.0.1: %s:%d is refused" % (addr, srv2.port))
    try:
        socket.create_connection((addr, srv.port), timeout=3).close()
        reach = True
    except OSError:
        reach = False
    check(reach, "--listen 0.0.0.0: %s:%d is reachable" % (addr, srv.port))
else:
    print("note: this host has no non-loopback IPv4 address; reachability not probed")
rc, secs = srv2.stop(signal.SIGTERM)
check(rc == 143 and secs < 1.0, "SIGTERM: exit 143 in %.3f s" % secs)
rc, secs = srv.stop(signal.SIGTERM)
check(rc == 143 and secs < 1.0, "SIGTERM (--credentials server): exit 143 in %.3f s" % secs)
done()
