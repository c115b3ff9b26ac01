"""The README's "Talk to it with the AWS CLI" walkthrough, run as written.

The two sh blocks of that section are taken from README.md itself (not
copied here), and every command in them runs in bash from the top of the
source tree with the real AWS CLI, curl and Debian's python3, in order, in
one shell, as a reader would paste them. Four things differ, and only
these: `./build/cli/jobsim` is the jobsim under test; the port 8080 is a
free port (CI may run other servers), so examples/device_agent.py, whose
default endpoint is port 8080, is given `--endpoint` with that port;
`sleep 1` waits until the server has printed its URL (a loaded machine may
take longer than a second).

Each command's output is checked against the `#   ` comment lines under it
in the README, by rules a reader would apply:
  - a comment that is JSON (up to an explanation in parentheses) equals
    the command's JSON output;
  - a comment starting with `|` is a row of an `--output table`: it must be
    a row of the output, spaces aside;
  - a comment starting with `An error occurred` (with the lines after it)
    is the command's stderr;
  - a comment that names a device agent's step (`agent-0: ...`) is a line
    of its output;
  - any other comment is a description; its figures and identifiers (the
    words with a digit, the ALL_CAPS words and the camelCase or PascalCase
    names, with explanations in parentheses left aside) must appear in the
    output.
A command with no comment must exit 0. So when the README's figures stop
being what jobsim prints, this test fails and names the command.
"""
import atexit
import json
import os
import re
import shutil
import socket
import subprocess
import sys

from common import SCALE, SOURCE, args, check, client_env, done

jobsim, aws_cli = args()

readme = open(os.path.join(SOURCE, "README.md"), encoding="utf-8").read()
start = readme.index("## Talk to it with the AWS CLI")
end = readme.index("\n## ", start + 10)
section = readme[start:end]
blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
check(len(blocks) == 2, "README: the section has its two sh blocks (%d)" % len(blocks))

# The commands, each with the comment lines under it.
cmds = []   # [command, [comment lines]]
for b in blocks:
    pending = ""
    for line in b.split("\n"):
        if line.startswith("#   ") or line.startswith("#  |"):
            if cmds:
                cmds[-1][1].append(line[4:].rstrip() if line.startswith("#   ") else line[3:])
            continue
        if not line.strip() or line.startswith("#"):
            continue
        pending += line
        if line.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        cmds.append([pending, []])
        pending = ""

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()

work = os.path.join(os.environ.get("TMPDIR", "/tmp"), "jobsim-readme-%d" % os.getpid())
os.makedirs(work, exist_ok=True)
atexit.register(shutil.rmtree, work, True)
script = ["set -u", "cd %s" % json.dumps(SOURCE)]
served = False
for k, (c, _) in enumerate(cmds):
    c = c.replace("127.0.0.1:8080", "127.0.0.1:%d" % port)
    if c.startswith("./build/cli/jobsim serve "):
        served = True
        c = c.replace("./build/cli/jobsim", json.dumps(jobsim), 1)
        c = c[:-1].rstrip() + " --port %d > %s/serve.out 2> %s/serve.err &" % (port, work, work)
        script.append(c)
        continue
    if c == "sleep 1":   # wait for the URL line instead
        script.append("for i in $(seq %d); do [ -s %s/serve.out ] && break; sleep 0.1; "
                      "done" % (300 * SCALE, work))
        continue
    if c.startswith("export ") or re.match(r"^[A-Z]+=", c):
        script.append(c)
        continue
    if "examples/device_agent.py" in c and "--endpoint" not in c:
        c += " --endpoint http://127.0.0.1:%d" % port
    script.append("{ %s ; } > %s/%d.out 2> %s/%d.err; echo $? > %s/%d.rc" %
                  (c, work, k, work, k, work, k))
script.append("wait")
check(served, "README: the walkthrough starts jobsim serve")

env = client_env()
env["PATH"] = os.path.dirname(aws_cli) + ":/usr/bin:/bin"
r = subprocess.run(["bash", "-c", "\n".join(script)], env=env, timeout=240 * SCALE,
                   capture_output=True, text=True)
check(r.returncode == 0, "bash ran the walkthrough to its end (exit %d: %s)" %
      (r.returncode, r.stderr.strip()[-300:]))


def result(k):
    def rd(ext):
        try:
            return open("%s/%d.%s" % (work, k, ext), encoding="utf-8").read()
        except OSError:
            return None
    rc = rd("rc")
    return (int(rc) if rc and rc.strip() else None), rd("out") or "", rd("err") or ""


def words(text):
    """Figures and identifiers of a description: explanations in parentheses
    left aside; the words with a digit, the ALL_CAPS words and the camelCase
    or PascalCase names (JSON keys, NextToken)."""
    text = re.sub(r"\([^)]*\)", " ", text)
    out = []
    for w in re.findall(r"[A-Za-z0-9_.:/-]+", text):
        w = w.strip(".,:")
        if re.search(r"\d", w) or re.fullmatch(r"[A-Z][A-Z_]{3,}", w) or \
                re.fullmatch(r"[A-Za-z][a-z]+(?:[A-Z][a-z]+)+", w):
            out.append(w)
    return out


def squash(s):
    return re.sub(r"\s+", "", s)


checked = 0
for k, (c, comment) in enumerate(cmds):
    if c.startswith("./build/cli/jobsim serve ") or c == "sleep 1" or \
            c.startswith("export ") or re.match(r"^[A-Z]+=", c):
        continue
    rc, out, err = result(k)
    short = c if len(c) < 90 else c[:87] + "..."
    if not comment:
        check(rc == 0, "%s: exit 0 (got %s: %s)" % (short, rc, err.strip()[:200]))
        continue
    text = " ".join(comment)
    if text.startswith("An error occurred"):
        check(rc not in (0, None) and err.strip() == text,
              "%s: stderr is the README's %r (got %s: %r)" % (short, text, rc, err.strip()))
        checked += 1
        continue
    ok = rc == 0
    if text.startswith("{"):
        j = text[:text.rindex("}") + 1]
        try:
            ok = ok and json.loads(out) == json.loads(j)
        except ValueError:
            ok = False
        check(ok, "%s: prints %s (got %s)" % (short, j, out.strip()))
    elif text.startswith("|"):
        rows = [squash(l) for l in out.split("\n")]
        for l in comment:
            ok = ok and squash(l) in rows
        check(ok, "%s: the table has the rows %s (got %s)" % (short, comment, out.strip()))
    elif re.match(r"^[a-z0-9-]+: ", text):
        lines = [l.rstrip() for l in out.split("\n")]
        for l in comment:
            ok = ok and l in lines
        check(ok, "%s: prints the lines %s (got %s)" % (short, comment, out.strip()))
    else:
        ws = words(text)
        missing = [w for w in ws if w not in out]
        check(ok and ws and not missing,
              "%s: the output has %s (missing %s; exit %s)" % (short, ws, missing, rc))
    checked += 1

check(checked >= 9, "README: %d commands checked against their comments" % checked)
done()
