#!/usr/bin/env python3
"""Several `continuum serve` processes share one PostgreSQL database.

The servers keep no state of their own: a session opened on one works on the
other, a logout or a disabled account on one ends access on both, writes
through both land in one hash chain, and the audit trail records them all.

usage: multi_server_test.py CONTINUUM_BINARY REPO_ROOT   (needs CONTINUUM_TEST_PG_URL; exits 77 without it)
"""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

if len(sys.argv) == 3:
    sys.argv.append("postgres")  # PostgreSQL is what several servers share
BIN, ROOT, BACKEND = harness.parse_argv()
if BACKEND != "postgres":
    print("several servers share PostgreSQL only; skipping")
    sys.exit(harness.SKIP)
PASSWORD = "correct horse battery"
failures, passed = [], 0


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def cli(*args, stdin=None):
    r = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, env=ENV)
    if r.returncode != 0:
        sys.exit(f"continuum {' '.join(args)}: {r.stderr}")
    return r.stdout


def call(port, method, path, token=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, (json.loads(data) if data and r.getheader("Content-Type", "").endswith("json") else data)


servers = []
tmpdir = tempfile.mkdtemp(prefix="continuum-multi-server-")
DB = harness.Database("multi_server", BACKEND, tmpdir)
print("api.multi_server on " + DB.describe())
ENV = dict(os.environ, CONTINUUM_DB=DB.url, CONTINUUM_FRAMEWORKS=os.path.join(ROOT, "frameworks"))
ENV.pop("CONTINUUM_USER", None)
try:
    with tempfile.TemporaryDirectory() as tmp:
        cli("init")
        cli("agency", "add", "csc", "--name", "Children's social care", "--kind", "social_care")
        cli("team", "add", "fd", "--agency", "csc", "--name", "Front door", "--duty", "worcestershire/front_door")
        for name in ("sw1", "sw2"):
            cli("user", "add", name, "--name", name, "--role", "social_worker", "--agency", "csc", "--team", "fd",
                "--password-file", "-", stdin=PASSWORD + "\n")
        cli("user", "add", "admin", "--name", "Admin", "--role", "administrator", "--agency", "csc",
            "--password-file", "-", stdin=PASSWORD + "\n")
        cli("agency", "add", "la", "--name", "The local authority", "--kind", "local_authority")
        cli("user", "add", "lead", "--name", "Lead", "--role", "safeguarding_lead", "--agency", "la",
            "--password-file", "-", stdin=PASSWORD + "\n")
        ports = []
        for i in range(2):
            pf = os.path.join(tmp, f"port{i}")
            servers.append(subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--port-file", pf,
                                             "--log-requests", "false"], env=ENV))
            for _ in range(200):
                if os.path.exists(pf) and open(pf).read().strip():
                    break
                time.sleep(0.05)
            ports.append(int(open(pf).read()))
        a, b = ports

        s, body = call(a, "POST", "/api/v1/session", body={"username": "sw1", "password": PASSWORD})
        check(s == 201, f"login on server A: {s}")
        token = body["token"]
        s, _ = call(b, "GET", "/api/v1/session", token)
        check(s == 200, f"a session opened on A works on B: {s}")

        s, body = call(b, "POST", "/api/v1/children", token,
                       {"framework": "worcestershire",
                        "fields": {"display_name": "Alex Smith", "date_of_birth": "2015-03-02"}})
        check(s == 201, f"register on B: {s}")
        child = body["child_id"]
        s, _ = call(a, "POST", f"/api/v1/children/{child}/events", token,
                    {"type": "request.received",
                     "fields": {"source": "school", "reason": "Attendance", "immediate_risk": False,
                                "consent": "given"}})
        check(s == 201, f"request on A for a child registered on B: {s}")

        # Writes through both servers at once land in one chain.
        codes = []

        def post_notes(port):
            for i in range(40):
                s, _ = call(port, "POST", f"/api/v1/children/{child}/events", token,
                            {"type": "note.added", "fields": {"text": f"note {port}-{i}"}})
                codes.append(s)

        threads = [threading.Thread(target=post_notes, args=(p,)) for p in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(codes.count(201) == 160, f"160 notes through both servers: {codes.count(201)} acknowledged")
        s, body = call(b, "GET", f"/api/v1/children/{child}/chronology?types=note.added", token)
        check(s == 200 and len(body["events"]) == 160, f"both servers' notes in one chronology: {s}")

        s, _ = call(b, "DELETE", "/api/v1/session", token)
        check(s == 204, f"logout on B: {s}")
        s, _ = call(a, "GET", "/api/v1/session", token)
        check(s == 401, f"the token no longer works on A after logout on B: {s}")

        s, body = call(a, "POST", "/api/v1/session", body={"username": "sw2", "password": PASSWORD})
        token2 = body["token"]
        s, body = call(b, "POST", "/api/v1/session", body={"username": "admin", "password": PASSWORD})
        admin = body["token"]
        s, _ = call(b, "POST", "/api/v1/users/sw2/disable", admin)
        check(s == 200, f"admin disables sw2 on B: {s}")
        s, _ = call(a, "GET", f"/api/v1/children/{child}", token2)
        check(s == 401, f"sw2's session ends on A at once: {s}")

        verify = subprocess.run([BIN, "verify"], env=ENV, capture_output=True, text=True)
        check(verify.returncode == 0, "continuum verify: " + verify.stdout + verify.stderr)
        audit = cli("audit", "--as", "lead", "--json", "--limit", "10000")
        types = [json.loads(line)["type"] for line in audit.splitlines()]
        check(types.count("audit.write") >= 162, f"every write audited: {types.count('audit.write')}")
        check("audit.logout" in types and types.count("audit.login") >= 3, "logins and logout audited")
finally:
    for p in servers:
        p.terminate()
    for p in servers:
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "killed"
        check(rc == 0, f"server exit code {rc}")
    DB.drop()
    os.rmdir(tmpdir)

print(f"api.multi_server: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
