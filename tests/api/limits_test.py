#!/usr/bin/env python3
"""The server's limits: a request sent too slowly is closed unanswered, an
idle keep-alive connection is closed, a body over the limit gets 413, and the
server goes on serving others throughout.

Connections (src/api/http_server.h, "Connection limits"): with 20,000 idle
connections open, GET /healthz on a fresh connection answers 200 — both when
the server holds all 20,000 and when its limit is lower (it closes the
longest-idle ones to make room); and a new connection over its address's
limit is closed at once while other addresses are served. (These run on
SQLite only: they are about the server, not the database.)

usage: limits_test.py CONTINUUM_BINARY REPO_ROOT [postgres]
  (with postgres, on a database of its own; exits 77 without CONTINUUM_TEST_PG_URL)

No timed assertions: a slow request must be closed unanswered, which the
test sees as the server closing the connection (an end of stream) long
before the test's own generous wait runs out.
"""
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time


def hold(port, n, sources):
    """Helper process: opens n idle connections, says so, holds them until stdin closes."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((sources[i % len(sources)], 0))
        s.connect(("127.0.0.1", port))
        socks.append(s)
    print("ready", flush=True)
    sys.stdin.read()


if len(sys.argv) > 1 and sys.argv[1] == "--hold":
    hold(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
    sys.exit(0)


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

# ---------------------------------------------------------------------------
# Many idle connections

IDLE = 20000
PER_HOLDER = 5000  # connections per helper process (each process has its own open-file limit)


def start_server(tmp, name, *args):
    env = dict(os.environ, CONTINUUM_DB="sqlite:" + os.path.join(tmp, "t.db"),
               CONTINUUM_FRAMEWORKS=os.path.join(ROOT, "frameworks"))
    port_file = os.path.join(tmp, "port-" + name)
    log_path = os.path.join(tmp, "serve-" + name + ".log")
    log = open(log_path, "wb")
    server = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
                               "--log-requests", "false", "--metrics-token", METRICS_TOKEN, *args],
                              env=env, stderr=log)
    log.close()
    for _ in range(400):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("the server did not start")
    port = int(open(port_file).read())
    limit = None
    for _ in range(100):  # the "listening" line says which connection limit is in force
        for line in open(log_path, errors="replace"):
            if '"listening"' in line:
                limit = json.loads(line).get("max_connections")
        if limit is not None:
            break
        time.sleep(0.05)
    return server, port, limit


def stop_server(server, what):
    server.terminate()
    try:
        rc = server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        rc = "killed"
    check(rc == 0, f"{what}: server exit code {rc}")


class Idle:
    """n connections that send nothing, held by helper processes, spread over the source addresses."""

    def __init__(self, port, n, sources):
        self.holders = []
        start = 0
        while start < n:
            count = min(PER_HOLDER, n - start)
            mine = [sources[(start + i) % len(sources)] for i in range(min(count, len(sources)))]
            p = subprocess.Popen([sys.executable, __file__, "--hold", str(port), str(count), *mine],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.holders.append(p)
            start += count
        self.ready = all(p.stdout.readline().strip() == "ready" for p in self.holders)

    def close(self):
        for p in self.holders:
            try:
                p.stdin.close()
                p.wait(timeout=60)
            except Exception:  # noqa: BLE001
                p.kill()


METRICS_TOKEN = "limits-test-metrics-token-0123456789abcdef"


def metric(port, name):
    raw, _ = exchange(port, ("GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                          "Connection: close\r\n\r\n" % METRICS_TOKEN).encode(), wait=30)
    for line in raw.decode(errors="replace").splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def wait_for_metric(port, name, at_least, seconds=60):
    value = None
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = metric(port, name)
        if value is not None and value >= at_least:
            break
        time.sleep(0.2)
    return value


def healthz(port, source="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(30)
    s.bind((source, 0))
    out = b""
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError as e:
        out += f"[{e!r}]".encode()
    finally:
        s.close()
    return out


SOURCES = [f"127.0.1.{i}" for i in range(1, 21)]  # the idle connections' addresses

with tempfile.TemporaryDirectory() as tmp:
  if BACKEND == "sqlite":
      # As many as the server may hold (all 20,000 if its open-file limit
      # allows, else its limit): /healthz still answers on a fresh connection.
      server, port, limit = start_server(tmp, "all", "--max-connections", str(IDLE + 5000),
                                         "--max-connections-per-address", "0", "--request-timeout-seconds", "600")
      idle = None
      try:
          check(limit is not None, "the server says which connection limit is in force")
          idle = Idle(port, IDLE, SOURCES)
          check(idle.ready, f"{IDLE} idle connections opened")
          expected = min(IDLE, limit or IDLE)
          held = wait_for_metric(port, "continuum_http_connections_open", expected)
          check(held is not None and held >= expected,
                f"the server holds {expected} idle connections (its limit: {limit}): {held}")
          raw = healthz(port)
          check(status_of(raw) == 200, f"with {IDLE} idle connections open, /healthz answers: {raw[:80]!r}")
      finally:
          if idle:
              idle.close()
          stop_server(server, "as many as it may")

      # A limit well below the idle connections: the longest idle make room,
      # and /healthz on a fresh connection still answers.
      server, port, limit = start_server(tmp, "capped", "--max-connections", "1000",
                                         "--max-connections-per-address", "0", "--request-timeout-seconds", "600")
      idle = None
      try:
          idle = Idle(port, IDLE, SOURCES)
          check(idle.ready, f"{IDLE} idle connections opened against a limit of 1000")
          raw = healthz(port)
          check(status_of(raw) == 200,
                f"with {IDLE} idle connections against a limit of 1000, /healthz answers: {raw[:80]!r}")
          held = metric(port, "continuum_http_connections_open")
          check(held is not None and held <= 1000, f"no more than 1000 are open: {held}")
      finally:
          if idle:
              idle.close()
          stop_server(server, "capped")

      # Per address: an 11th connection from one address is closed at once;
      # another address is served.
      server, port, limit = start_server(tmp, "per-address", "--max-connections-per-address", "10",
                                         "--request-timeout-seconds", "600")
      idle = None
      try:
          idle = Idle(port, 10, ["127.0.2.1"])
          wait_for_metric(port, "continuum_http_connections_open", 10)
          raw = healthz(port, source="127.0.2.1")
          check(status_of(raw) is None, f"an 11th connection from one address is closed unanswered: {raw[:80]!r}")
          raw = healthz(port, source="127.0.2.2")
          check(status_of(raw) == 200, f"another address is served: {raw[:80]!r}")
      finally:
          if idle:
              idle.close()
          stop_server(server, "per address")

print(f"api.limits: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
