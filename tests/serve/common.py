"""Shared helpers of the jobsim serve tests.

The tests drive `jobsim serve` with the real clients of Debian: the AWS CLI
(/usr/bin/aws, awscli 2.9) and boto3 (python3-boto3, imported by the Debian
/usr/bin/python3 that CTest runs these scripts with). Nothing here imitates
them; raw HTTP (http.client, sockets) is used only where a real client cannot
send the request (hostile traffic, the jobsim clock).

Usage of a test script: python3 SCRIPT JOBSIM_EXE AWS_CLI
"""
import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import http.client

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))

KEY = "AKIDJOBSIMTEST"
SECRET = "jobsim-test-secret/0123456789"

# Time limits are multiplied by this (scripts/valgrind.sh sets it: jobsim
# under valgrind is many times slower).
SCALE = int(os.environ.get("JOBSIM_TIMEOUT_SCALE", "1") or "1")

failures = []


def check(cond, what):
    """Record one assertion; print it either way."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def done():
    if failures:
        print("\n%d check(s) failed:" % len(failures))
        for f in failures:
            print("  - " + f)
        sys.exit(1)
    print("\nall checks passed")
    sys.exit(0)


def args():
    if len(sys.argv) < 3:
        sys.exit("usage: %s JOBSIM_EXE AWS_CLI" % sys.argv[0])
    jobsim, aws = sys.argv[1], sys.argv[2]
    for p in (jobsim, aws):
        if not os.access(p, os.X_OK):
            sys.exit("%s is missing: run scripts/setup.sh (it installs awscli and "
                     "python3-boto3)" % p)
    return jobsim, aws


def client_env(key=KEY, secret=SECRET, region="us-west-2"):
    """Environment of the real clients: credentials only from here, no
    config files, UTC output, no pager, no instance metadata."""
    home = tempfile.mkdtemp(prefix="jobsim-serve-home-")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "TZ": "UTC",
        "LC_ALL": "C.UTF-8",
    }
    return env


class Server:
    """One `jobsim serve` process on a free port."""

    def __init__(self, jobsim, scenario, *opts, port="0"):
        self.cmd = [jobsim, "serve", scenario, "--port", port] + list(opts)
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        atexit.register(self._reap)   # never leave a server behind, even on a traceback
        ready, _, _ = select.select([self.p.stdout], [], [], 30 * SCALE)
        if not ready:
            self.p.kill()
            raise RuntimeError("jobsim serve printed no URL within %d s" % (30 * SCALE))
        self.first_line = self.p.stdout.readline().rstrip("\n")
        if not self.first_line.startswith("http://"):
            err = self.p.stderr.read()
            raise RuntimeError("jobsim serve did not start: %r %s" % (self.first_line, err))
        self.url = self.first_line
        self.port = int(self.url.rsplit(":", 1)[1])

    def _reap(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()

    def stop(self, sig=signal.SIGTERM):
        """Send sig, wait; returns (exit code, seconds to exit)."""
        if self.p.poll() is not None:
            return self.p.returncode, 0.0
        t = time.time()
        self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        return rc, time.time() - t

    def stderr(self):
        return self.p.stderr.read() if self.p.poll() is not None else ""

    # raw HTTP (the clock, hostile traffic)
    def http(self, method, path, body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SCALE)
        h = {"Host": "127.0.0.1:%d" % self.port}
        if headers:
            h.update(headers)
        if isinstance(body, str):
            body = body.encode()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        out = (r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        c.close()
        return out

    def clock(self, **body):
        st, _, data = self.http("POST", "/jobsim/clock", json.dumps(body))
        if st != 200:
            raise RuntimeError("POST /jobsim/clock %r: %d %s" % (body, st, data))
        return json.loads(data)


def aws(aws_cli, url, *argv, env=None):
    """Run the real AWS CLI against url; (exit code, stdout, stderr)."""
    p = subprocess.run([aws_cli, "--endpoint-url", url] + list(argv),
                       env=env or client_env(), capture_output=True, text=True,
                       timeout=120 * SCALE)
    return p.returncode, p.stdout, p.stderr


def aws_json(aws_cli, url, *argv, env=None):
    rc, out, err = aws(aws_cli, url, *argv, env=env)
    if rc != 0:
        raise RuntimeError("aws %s: exit %d: %s" % (" ".join(argv), rc, err))
    return json.loads(out)


def offline(jobsim, *argv):
    """`jobsim describe-job ...` and siblings: (exit code, parsed JSON or None,
    stderr)."""
    p = subprocess.run([jobsim] + list(argv), capture_output=True, text=True,
                       timeout=300 * SCALE)
    return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr


def boto3_client(service, url, key=KEY, secret=SECRET, region="us-west-2"):
    import boto3
    import botocore.config
    s = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                              region_name=region)
    return s.client(service, endpoint_url=url,
                    config=botocore.config.Config(retries={"max_attempts": 1}))


def raw_socket(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(30)
    return s


def read_all(s, limit=30.0):
    """Read until the server closes; (bytes, seconds, closed?)."""
    t = time.time()
    out = b""
    s.settimeout(limit)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return out, time.time() - t, True
            out += b
    except (socket.timeout, ConnectionResetError):
        return out, time.time() - t, False
