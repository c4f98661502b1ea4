"""Shared helpers for the HTTP API tests in tests/api/.

Each test is run as

    python3 tests/api/NAME.py PATH/TO/continuum REPO_ROOT [postgres]

and uses this module to make a scratch database (SQLite by default; with
`postgres`, a database of its own on the server named by
$CONTINUUM_TEST_PG_URL, dropped afterwards; exit 77 when that is not set),
create agencies, teams and users with the command line, start `continuum
serve` on a free port, log in and send requests. Only the standard library
(and PyYAML in the tests that read framework files) is used.

    def main(env, results):                          # env: scratch dir and database URL
        env.init_db()
        env.add_agency("school-1", "Hill School", "school")
        env.add_team("fd", "school-1", "Front door", duty="worcestershire/front_door")
        uid, pw = env.add_user("alice", "practitioner", "school-1")
        server = env.server()                        # started; killed by run_main at the latest
        try:
            c = server.login("alice", pw)            # a Client holding the token
            status, headers, body = c.get("/api/v1/session")
            results.check(status == 200, "who am I", harness.describe(status, headers, body))
        finally:
            results.check(server.stop() == 0, "serve exits 0 on SIGTERM")

    harness.run_main("api.example", main)            # argv: BINARY REPO_ROOT [postgres]

Every answer of the server passes through Client.request, which counts
5xx answers: run_main fails the test if there was any (a server error is
never an acceptable answer to a test's request).
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

DEFAULT_PASSWORD = "Bramble-Lantern-Kettle-57"
PROBLEM_TYPE = "application/problem+json"
SKIP = 77  # ctest's SKIP_RETURN_CODE: no PostgreSQL to run against

# Every 5xx answer any Client received, as "METHOD PATH -> STATUS detail".
SERVER_ERRORS = []


# ---------------------------------------------------------------------------
# Results


class Results:
    """Counts checks and prints failures as they happen."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            line = what + (": " + detail if detail else "")
            self.failures.append(line)
            print("FAIL: " + line, flush=True)
        return ok

    def note(self, text):
        print(text, flush=True)

    def summary(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1


def run_main(name, body):
    """Runs body(env, results) and exits with 0 only if every check passed.

    body gets an Env (argv[1] is the binary, argv[2] the repository, argv[3]
    optionally "postgres") and a Results; an exception counts as a failure,
    and so does any 5xx answer. The scratch directory and database are
    removed afterwards unless KEEP_API_TEST_DIR is set.
    """
    results = Results(name)
    binary, repo, backend = parse_argv()
    env = Env(binary, repo, name, backend)
    results.note("%s on %s" % (name, env.db.describe()))
    try:
        body(env, results)
    except Exception:  # noqa: BLE001 - any error fails the test
        traceback.print_exc()
        results.check(False, "unexpected exception", "see the traceback above")
    finally:
        env.close()
    results.check(not SERVER_ERRORS, "no request was answered with a 5xx",
                  "%d: %s" % (len(SERVER_ERRORS), "; ".join(SERVER_ERRORS[:10])))
    sys.exit(results.summary())


def parse_argv():
    """(binary, repository, backend) from argv; exits 2 on bad usage, 77 without PostgreSQL."""
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] not in ("sqlite", "postgres")):
        print("usage: %s CONTINUUM_BINARY REPO_ROOT [sqlite|postgres]" % sys.argv[0], file=sys.stderr)
        sys.exit(2)
    backend = sys.argv[3] if len(sys.argv) == 4 else "sqlite"
    if backend == "postgres" and not os.environ.get("CONTINUUM_TEST_PG_URL"):
        print("CONTINUUM_TEST_PG_URL is not set (run under scripts/with-postgres.sh); skipping")
        sys.exit(SKIP)
    return sys.argv[1], sys.argv[2], backend


# ---------------------------------------------------------------------------
# The database: a SQLite file, or a PostgreSQL database of the test's own


class Database:
    """A fresh database for one test run.

    SQLite: a file in `directory`. PostgreSQL: a database with a unique name
    created on the server of $CONTINUUM_TEST_PG_URL (CREATE DATABASE), and
    dropped by drop() whatever connections remain. `url` is what
    `continuum --db` takes; count() runs a `SELECT count(*)` on either.
    """

    def __init__(self, name, backend, directory):
        self.backend = backend
        if backend == "sqlite":
            self.path = os.path.join(directory, "t.db")
            self.url = "sqlite:" + self.path
            return
        self.server_url = os.environ["CONTINUUM_TEST_PG_URL"]
        safe = "".join(ch if ch.isalnum() else "_" for ch in name.lower())
        self.name = "continuum_%s_%s" % (safe, secrets.token_hex(4))
        self.psql(self.server_url, "CREATE DATABASE %s" % self.name)
        parts = urllib.parse.urlsplit(self.server_url)
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))

    def describe(self):
        return "SQLite" if self.backend == "sqlite" else "PostgreSQL (database %s)" % self.name

    @staticmethod
    def psql(url, sql):
        p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("psql %r failed: %s" % (sql, p.stderr.strip()))
        return p.stdout.strip()

    def count(self, sql):
        """The single number a `SELECT count(*) …` (no parameters) answers."""
        if self.backend == "postgres":
            return int(self.psql(self.url, sql))
        import sqlite3
        con = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True, timeout=30)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()

    def drop(self):
        if self.backend == "postgres":
            self.psql(self.server_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)


# ---------------------------------------------------------------------------
# The environment: binary, repository, scratch database, CLI


class CliError(Exception):
    pass


class Env:
    def __init__(self, binary, repo, name="api", backend="sqlite", postgres=False):
        """backend "postgres" (or postgres=True): a database of its own on the
        server of CONTINUUM_TEST_PG_URL, dropped on close."""
        if postgres:
            backend = "postgres"
        self.binary = os.path.abspath(binary)
        self.repo = os.path.abspath(repo)
        self.frameworks_dir = os.path.join(self.repo, "frameworks")
        self.tmp = tempfile.mkdtemp(prefix="continuum-%s-" % name)
        try:
            self.db = Database(name, backend, self.tmp)
        except Exception:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        self.db_url = self.db.url
        self.servers = []

    def backend(self):
        return self.db.backend

    def psql(self, sql):
        """Runs SQL on the PostgreSQL test database; returns its output, unaligned, without headers."""
        return Database.psql(self.db_url, sql)

    def sqlite_count(self, sql, params=()):
        import sqlite3
        con = sqlite3.connect("file:%s?mode=ro" % self.db.path, uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchone()[0]
        finally:
            con.close()

    def close(self):
        for s in list(self.servers):
            s.kill()
        if not os.environ.get("KEEP_API_TEST_DIR"):
            try:
                self.db.drop()
            except Exception as e:  # noqa: BLE001 - report, and still remove the directory
                print("could not drop the test database: %s" % e)
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print("scratch directory and database kept: %s, %s" % (self.tmp, self.db_url))

    def cli_env(self):
        e = dict(os.environ)
        e["CONTINUUM_DB"] = self.db_url
        for k in ("CONTINUUM_NOW", "CONTINUUM_USER"):
            e.pop(k, None)
        return e

    def cli(self, *args, stdin=None, check=True, timeout=120):
        """Runs `continuum --frameworks-dir … ARGS`; returns the CompletedProcess."""
        cmd = [self.binary, "--frameworks-dir", self.frameworks_dir] + [str(a) for a in args]
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=self.cli_env(), timeout=timeout)
        if check and p.returncode != 0:
            raise CliError("%s exited %d: %s%s" % (" ".join(args[:3]), p.returncode, p.stdout, p.stderr))
        return p

    def init_db(self):
        return self.cli("init", "--db", self.db_url)

    def add_agency(self, agency_id, name, kind):
        self.cli("agency", "add", agency_id, "--db", self.db_url, "--name", name, "--kind", kind)

    def add_team(self, team_id, agency_id, name, duty=None):
        """A team; `duty` as FRAMEWORK/DUTY (e.g. worcestershire/front_door) makes it that duty's team."""
        args = ["team", "add", team_id, "--db", self.db_url, "--agency", agency_id, "--name", name]
        if duty:
            args += ["--duty", duty]
        self.cli(*args)

    def add_user(self, username, role, agency_id, team_id=None, password=DEFAULT_PASSWORD, totp=False,
                 display_name=None):
        """Adds an account; returns (user_id, password) or, with totp, (user_id, password, secret)."""
        args = ["user", "add", username, "--db", self.db_url, "--name", display_name or username.title(),
                "--role", role, "--agency", agency_id, "--password-file", "-"]
        if team_id:
            args += ["--team", team_id]
        if totp:
            args.append("--totp")
        p = self.cli(*args, stdin=password + "\n")
        user_id = parse_user_id(p.stdout)
        if user_id is None:
            raise CliError("user add printed no user id: " + p.stdout)
        if totp:
            secret = None
            for line in p.stdout.splitlines():
                if "TOTP secret" in line and ":" in line:
                    secret = line.split(":", 1)[1].strip()
            if not secret:
                raise CliError("user add --totp printed no secret: " + p.stdout)
            return user_id, password, secret
        return user_id, password

    def server(self, *extra_args):
        s = Server(self, list(extra_args))
        self.servers.append(s)
        s.start()
        return s

    def count(self, sql):
        """A `SELECT count(*) …` on the test's database, SQLite or PostgreSQL."""
        return self.db.count(sql)


def postgres_url():
    """The PostgreSQL test server's URL (scripts/with-postgres.sh sets it), or ""."""
    return os.environ.get("CONTINUUM_TEST_PG_URL", "")


def parse_user_id(stdout):
    # "User alice (u-1a2b3c), practitioner at school-1"
    for line in stdout.splitlines():
        if line.startswith("User ") and "(" in line and ")" in line:
            return line[line.index("(") + 1:line.index(")")]
    return None


# ---------------------------------------------------------------------------
# The server


class Server:
    def __init__(self, env, extra_args):
        self.env = env
        self.extra_args = extra_args
        self.proc = None
        self.port = None
        self.stderr_path = os.path.join(env.tmp, "serve-%d.log" % len(env.servers))
        self.port_file = os.path.join(env.tmp, "port-%d" % len(env.servers))
        self.exit_code = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False

    def start(self, timeout=30):
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        cmd = [self.env.binary, "--frameworks-dir", self.env.frameworks_dir, "serve", "--db", self.env.db_url,
               "--listen", "127.0.0.1:0", "--port-file", self.port_file, "--log-requests", "false"] + self.extra_args
        self.stderr_file = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.stderr_file,
                                     env=self.env.cli_env())
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("continuum serve exited %d at start: %s" % (self.proc.returncode, self.log()))
            if os.path.exists(self.port_file):
                text = open(self.port_file).read().strip()
                if text.isdigit():
                    self.port = int(text)
                    break
            time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("continuum serve wrote no port file within %ds: %s" % (timeout, self.log()))
        while time.time() < deadline:
            try:
                c = Client(self)
                st, _, _ = c.request("GET", "/healthz")
                c.close()
                if st == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("GET /healthz did not answer 200: " + self.log())

    def log(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def client(self, token=None, source_ip=None):
        return Client(self, token=token, source_ip=source_ip)

    def login(self, username, password, totp=None, source_ip=None):
        """Logs in; returns a Client carrying the token (raises if refused)."""
        c = Client(self, source_ip=source_ip)
        body = {"username": username, "password": password}
        if totp is not None:
            body["totp"] = totp
        st, _, b = c.request("POST", "/api/v1/session", body)
        if st != 201 or not isinstance(b, dict) or "token" not in b:
            c.close()
            raise RuntimeError("login of %s failed: %s %r" % (username, st, b))
        c.token = b["token"]
        c.user = b.get("user", {})
        return c

    def stop(self, timeout=30):
        """SIGTERM, then wait; returns the exit code."""
        if self.proc is None:
            return self.exit_code
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.exit_code = -9
                self._forget()
                return self.exit_code
        self.exit_code = self.proc.returncode
        self._forget()
        return self.exit_code

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._forget()

    def _forget(self):
        if self.proc is not None:
            try:
                self.stderr_file.close()
            except Exception:  # noqa: BLE001
                pass
        self.proc = None
        if self in self.env.servers:
            self.env.servers.remove(self)


# ---------------------------------------------------------------------------
# HTTP


class Client:
    """One keep-alive connection, optionally holding a bearer token."""

    def __init__(self, server, token=None, source_ip=None, timeout=60):
        self.server = server
        self.token = token
        self.user = {}
        self.source_ip = source_ip
        self.timeout = timeout
        self.conn = None

    def _connect(self):
        src = (self.source_ip, 0) if self.source_ip else None
        self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.timeout,
                                               source_address=src)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, token=None, headers=None, raw=None, content_type=None,
                auth=True):
        """Sends one request; returns (status, headers, body).

        headers come back as a dict with lower-case names; the body is parsed
        as JSON when it says so, else returned as text. `body` is sent as
        JSON; `raw` (bytes or str) is sent as is with `content_type`.
        """
        hdrs = {}
        tok = token if token is not None else self.token
        if auth and tok:
            hdrs["Authorization"] = "Bearer " + tok
        data = None
        if raw is not None:
            data = raw.encode() if isinstance(raw, str) else raw
            if content_type:
                hdrs["Content-Type"] = content_type
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = content_type or "application/json"
        if headers:
            hdrs.update(headers)
        for attempt in (0, 1):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                resp = self.conn.getresponse()
                payload = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                # The server closed an idle keep-alive connection: reconnect once.
                self.close()
                if attempt == 1:
                    raise
        rh = {k.lower(): v for k, v in resp.getheaders()}
        if rh.get("connection", "").lower() == "close":
            self.close()
        decoded = decode_body(rh, payload)
        if resp.status >= 500:
            SERVER_ERRORS.append("%s %s -> %s" % (method, path[:120], describe(resp.status, rh, decoded, 200)))
        return resp.status, rh, decoded

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body if body is not None else {}, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, body, **kw)


def decode_body(headers, payload):
    ct = headers.get("content-type", "")
    if "json" in ct and payload:
        try:
            return json.loads(payload)
        except ValueError:
            return payload.decode("utf-8", "replace")
    return payload.decode("utf-8", "replace")


def is_problem(status, headers, body, want_status=None):
    """True when the response is an RFC 9457 problem with the usual members."""
    if want_status is not None and status != want_status:
        return False
    if not headers.get("content-type", "").startswith(PROBLEM_TYPE):
        return False
    if not isinstance(body, dict):
        return False
    for k in ("type", "title", "status", "detail"):
        if k not in body:
            return False
    return body.get("status") == status


def describe(status, headers, body, limit=160):
    text = body if isinstance(body, str) else json.dumps(body)
    return "%s %s %s" % (status, headers.get("content-type", "-"), text[:limit])


def raw_exchange(port, data, timeout=10, read_limit=1 << 20):
    """Sends raw bytes on a new socket; returns the bytes received until close or timeout."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        total = 0
        while total < read_limit:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
            total += len(b)
            if parse_raw_response(b"".join(chunks)) is not None:
                break
        return b"".join(chunks)
    finally:
        s.close()


def parse_raw_response(data):
    """Parses one HTTP/1.1 response from bytes: (status, headers, body) or None if incomplete."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = data[:head_end].decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    headers = {}
    for line in head[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    body = data[head_end + 4:]
    n = int(headers.get("content-length", "0") or 0)
    if len(body) < n:
        return None
    return int(parts[1]), headers, decode_body(headers, body[:n])


def quote(segment):
    return urllib.parse.quote(segment, safe="")


# ---------------------------------------------------------------------------
# TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps)


def totp_code(secret, at=None, step_offset=0):
    s = secret.strip().replace(" ", "").upper()
    s += "=" * (-len(s) % 8)
    key = base64.b32decode(s)
    counter = int((time.time() if at is None else at) // 30) + step_offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


# ---------------------------------------------------------------------------
# Routes


def print_routes(env):
    """The server's route table: a list of (method, path template)."""
    p = env.cli("serve", "--print-routes")
    routes = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        method, path = line.split(None, 1)
        routes.append((method, path))
    if not routes:
        raise RuntimeError("continuum serve --print-routes printed nothing")
    return routes


def fill_path(template, params):
    """Substitutes {name} segments from params (a dict); unknown names get a dummy value."""
    out = []
    for seg in template.split("/"):
        if seg.startswith("{") and seg.endswith("}"):
            name = seg[1:-1]
            out.append(quote(str(params.get(name, "nonexistent-" + name))))
        else:
            out.append(seg)
    return "/".join(out)


def event_path(child):
    return "/api/v1/children/%s/events" % quote(child)


def record(client, child, event_type, fields=None, occurred_at=None, check=False):
    """Records (or, with check, only checks) one event through the one event route."""
    body = {"type": event_type, "fields": fields if fields is not None else {}}
    if occurred_at:
        body["occurred_at"] = occurred_at
    return client.post(event_path(child) + ("/check" if check else ""), body)


def today():
    return time.strftime("%Y-%m-%d", time.gmtime())


def utc(offset_seconds=0):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset_seconds))
