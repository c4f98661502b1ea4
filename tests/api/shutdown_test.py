#!/usr/bin/env python3
"""Graceful shutdown loses no acknowledged write.

Clients post case notes as fast as they can over keep-alive connections;
the server is sent SIGTERM in the middle. It must exit 0 within the grace
period, and every note it acknowledged (201 with an event id) must be in the
database afterwards, with the hash chain intact.

usage: shutdown_test.py CONTINUUM_BINARY REPO_ROOT [postgres]
  (with postgres, on a database of its own; exits 77 without CONTINUUM_TEST_PG_URL)
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

BIN, ROOT, BACKEND = harness.parse_argv()
PASSWORD = "correct horse battery"


def run(args, stdin=None):
    r = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, env=ENV)
    if r.returncode != 0:
        sys.exit(f"setup failed: continuum {' '.join(args)}: {r.stderr}")
    return r.stdout


def request(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


def db_ids(db):
    """The ids of the notes stored, read from the database itself."""
    sql = "SELECT id FROM events WHERE type = 'note.added'"
    if db.backend == "postgres":
        return db.psql(db.url, sql).split()
    import sqlite3
    con = sqlite3.connect(db.path)
    try:
        return [row[0] for row in con.execute(sql)]
    finally:
        con.close()


with tempfile.TemporaryDirectory() as tmp:
    db = harness.Database("shutdown", BACKEND, tmp)
    print("api.shutdown on " + db.describe())
    ENV = dict(os.environ, CONTINUUM_DB=db.url, CONTINUUM_FRAMEWORKS=os.path.join(ROOT, "frameworks"))
    ENV.pop("CONTINUUM_USER", None)
    failures = []
    server = None
    try:
        run(["init"])
        run(["agency", "add", "csc", "--name", "Children's social care", "--kind", "social_care"])
        run(["team", "add", "fd", "--agency", "csc", "--name", "Front door", "--duty", "worcestershire/front_door"])
        run(["user", "add", "sw", "--name", "Sam Worker", "--role", "social_worker", "--agency", "csc", "--team", "fd",
             "--password-file", "-"], stdin=PASSWORD + "\n")
        port_file = os.path.join(tmp, "port")
        server = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
                                   "--log-requests", "false"], env=ENV, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        port = int(open(port_file).read())
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, body = request(c, "POST", "/api/v1/session", {"username": "sw", "password": PASSWORD})
        assert status == 201, body
        token = json.loads(body)["token"]
        status, body = request(c, "POST", "/api/v1/children",
                               {"framework": "worcestershire",
                                "fields": {"display_name": "Alex Smith", "date_of_birth": "2015-03-02"}}, token)
        assert status == 201, body
        child = json.loads(body)["child_id"]
        # The request puts the case in the front door's hands: the social
        # worker, on the duty team, may then write to it.
        status, body = request(c, "POST", f"/api/v1/children/{child}/events",
                               {"type": "request.received",
                                "fields": {"source": "school", "reason": "Worried about attendance",
                                           "immediate_risk": False, "consent": "given"}}, token)
        assert status == 201, body
        c.close()

        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def client(n):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    status, body = request(conn, "POST", f"/api/v1/children/{child}/events",
                                           {"type": "note.added", "fields": {"text": f"note {n}-{i}"}}, token)
                except (OSError, http.client.HTTPException):
                    return  # the server closed the connection: it is stopping
                if status == 201:
                    with lock:
                        acknowledged.append(json.loads(body)["event"]["id"])
                elif status not in (503,):
                    failures.append(f"unexpected {status}: {body[:200]!r}")
                    return

        threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        # Stop in the middle of the writing: once some notes are in.
        waited = 0.0
        while len(acknowledged) < 50 and waited < 120 and not failures:
            time.sleep(0.1)
            waited += 0.1
        before = len(acknowledged)
        server.send_signal(signal.SIGTERM)
        try:
            rc = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            failures.append("the server did not stop within 30 s of SIGTERM")
            rc = None
        stop.set()
        for t in threads:
            t.join(timeout=30)
        if rc != 0:
            failures.append(f"the server exited with {rc}")
        if before < 10:
            failures.append(f"only {before} notes were acknowledged before the stop; the test proves nothing")

        stored = set(db_ids(db))
        lost = [e for e in acknowledged if e not in stored]
        if lost:
            failures.append(f"{len(lost)} acknowledged notes are missing, e.g. {lost[:3]}")
        verify = subprocess.run([BIN, "verify"], env=ENV, capture_output=True, text=True)
        if verify.returncode != 0:
            failures.append("continuum verify failed: " + verify.stdout + verify.stderr)
        print(f"{len(acknowledged)} notes acknowledged ({before} before SIGTERM), {len(stored)} stored, "
              f"{len(lost)} lost")
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.wait()
        db.drop()
    for f in failures:
        print("FAIL:", f)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    sys.exit(1 if failures else 0)
