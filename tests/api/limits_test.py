#!/usr/bin/env python3
"""The server's limits: a request sent too slowly is closed unanswered, an
idle keep-alive connection is closed, a body over the limit gets 413, and the
server goes on serving others throughout.

usage: limits_test.py CONTINUUM_BINARY REPO_ROOT [postgres]
  (with postgres, on a database of its own; exits 77 without CONTINUUM_TEST_PG_URL)

No timed assertions: a slow request must be closed unanswered, which the
test sees as the server closing the connection (an end of stream) long
before the test's own generous wait runs out.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

BIN, ROOT, BACKEND = harness.parse_argv()
failures, passed = [], 0
WAIT = 60  # seconds the test waits for the server to close a connection


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def exchange(port, data, wait=WAIT):
    """Sends raw bytes; returns (everything read, whether the server closed the connection)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    s.sendall(data)
    out = b""
    closed = False
    deadline = time.time() + wait
    try:
        while time.time() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            out += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    s.close()
    return out, closed


def status_of(raw):
    line = raw.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = line.split(" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


with tempfile.TemporaryDirectory() as tmp:
    db = harness.Database("limits", BACKEND, tmp)
    print("api.limits on " + db.describe())
    env = dict(os.environ, CONTINUUM_DB=db.url, CONTINUUM_FRAMEWORKS=os.path.join(ROOT, "frameworks"))
    port_file = os.path.join(tmp, "port")
    server = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
                               "--request-timeout-seconds", "1", "--max-body-bytes", "2048",
                               "--log-requests", "false"], env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        port = int(open(port_file).read())

        # Half a request, then silence: closed after the (1 s) timeout, unanswered.
        raw, closed = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        check(raw == b"", f"a request sent too slowly is not answered: {raw[:80]!r}")
        check(closed, f"the server closes a request sent too slowly (within the test's {WAIT} s)")

        # A connection that never sends anything is closed without a response.
        raw, closed = exchange(port, b"")
        check(raw == b"" and closed, f"an idle connection is closed quietly: {raw[:60]!r}, closed {closed}")

        # A body over the limit: 413, whatever the route.
        body = json.dumps({"username": "x", "password": "y" * 4000}).encode()
        raw, _ = exchange(port, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        check(status_of(raw) == 413, f"a body over 2048 bytes gets 413: {raw[:80]!r}")
        body = json.dumps({"type": "note.added", "fields": {"text": "z" * 4000}}).encode()
        raw, _ = exchange(port, b"POST /api/v1/children/c-1/events HTTP/1.1\r\nHost: x\r\n"
                                b"Content-Type: application/json\r\n"
                                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        check(status_of(raw) == 413, f"an event over 2048 bytes gets 413 (before any login): {raw[:80]!r}")

        # Headers over the limit: 431.
        raw, _ = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
        check(status_of(raw) == 431, f"headers over 16 KiB get 431: {raw[:80]!r}")

        # Still serving.
        raw, _ = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(status_of(raw) == 200, f"the server still answers: {raw[:80]!r}")
    finally:
        server.terminate()
        try:
            rc = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            rc = "killed"
        check(rc == 0, f"server exit code {rc}")
        db.drop()

print(f"api.limits: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
