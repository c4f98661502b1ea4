#!/usr/bin/env python3
"""Login throttling through the API (docs/access.md, "Login throttling"), on
SQLite and, under scripts/with-postgres.sh, on PostgreSQL:

- 300 wrong passwords sent at once for one account from one address check
  the password at most 5 times (401); every other attempt is refused unchecked
  (429 with Retry-After), and the audit trail says which was which;
- the right password, sent once the limit is reached while 40 wrong ones are
  still arriving, does not get in;
- the same account from another address is not held up;
- text that names no account (perhaps a password typed into the name box)
  is never recorded: the audit says "unknown name", the throttle keeps a hash.

usage: login_test.py CONTINUUM_BINARY REPO_ROOT
"""
import json
import sys
import threading

import harness

LIMIT = 5  # access::LoginPolicy::max_name_address_failures
WRONG = "Wrong-Password-Entirely-1"
LEAD = "lead"  # the local authority's safeguarding lead, who reads the audit trail


def attempt(server, username, password, source_ip=None):
    """One login on a fresh connection: (status, headers)."""
    c = server.client(source_ip=source_ip)
    try:
        st, headers, _ = c.request("POST", "/api/v1/session", {"username": username, "password": password})
        return st, headers
    finally:
        c.close()


def burst(server, username, n, password=WRONG):
    """n attempts at once (each thread waits at a barrier); returns the statuses and headers."""
    gate = threading.Barrier(n)
    out = [None] * n

    def one(i):
        try:
            gate.wait(timeout=60)
            out[i] = attempt(server, username, password)
        except Exception as e:  # noqa: BLE001 - reported as a failed check
            out[i] = ("error: %r" % e, {})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def audit_failures(env):
    p = env.cli("audit", "--db", env.db_url, "--as", LEAD, "--type", "audit.login_failed", "--limit", "10000", "--json")
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()], p.stdout


def scenario(env, results):
    tag = "[%s] " % env.backend()
    check = lambda ok, what, detail="": results.check(ok, tag + what, detail)  # noqa: E731
    env.init_db()
    env.add_agency("school-1", "Hill School", "school")
    alice_id, alice_pw = env.add_user("alice", "practitioner", "school-1")
    bob_id, bob_pw = env.add_user("bob", "practitioner", "school-1")
    env.add_agency("council", "County Council", "local_authority")
    env.add_user(LEAD, "safeguarding_lead", "council")
    server = env.server()
    try:
        # 300 wrong passwords at once.
        answers = burst(server, "alice", 300)
        statuses = [a[0] for a in answers]
        checked = statuses.count(401)
        refused = statuses.count(429)
        check(checked <= LIMIT, "300 attempts at once check the password at most %d times" % LIMIT,
              "%d answered 401" % checked)
        check(checked >= 1, "some attempts were checked", str(checked))
        check(checked + refused == 300, "every other attempt is refused with 429",
              "statuses: %s" % sorted(set(map(str, statuses))))
        # The first wait is 30 s from the failure that set it off; a request's
        # clock is read when it arrives, possibly a moment before its turn.
        waits = [int(h.get("retry-after", "0")) for st, h in answers if st == 429]
        check(all(1 <= w <= 35 for w in waits), "a 429 says how long to wait (Retry-After about 30 s)",
              str(sorted(set(waits))[:5]))

        records, text = audit_failures(env)
        mine = [r for r in records if r["detail"].get("username") == "alice"]
        reasons = [r["detail"].get("reason") for r in mine]
        check(len(mine) == 300, "each attempt is audited under the account", "%d records" % len(mine))
        check(reasons.count("bad_password") == checked and reasons.count("throttled") == refused,
              "the audit tells checked attempts from refused ones",
              "bad_password %d, throttled %d" % (reasons.count("bad_password"), reasons.count("throttled")))
        check(all(r["user"] == alice_id for r in mine), "the records are filed under alice's id")

        # The right password inside a burst of 40 wrong ones, sent once the
        # limit has been reached.
        outcome = {}
        seen = {"checked": 0}
        lock = threading.Condition()

        def wrong_one():
            st, _ = attempt(server, "bob", WRONG)
            with lock:
                if st == 401:
                    seen["checked"] += 1
                lock.notify_all()

        threads = [threading.Thread(target=wrong_one) for _ in range(40)]
        for t in threads:
            t.start()
        with lock:
            lock.wait_for(lambda: seen["checked"] >= LIMIT, timeout=120)
        outcome["right"] = attempt(server, "bob", bob_pw)
        for t in threads:
            t.join()
        check(seen["checked"] == LIMIT, "the burst checked bob's password %d times" % LIMIT, str(seen["checked"]))
        check(outcome["right"][0] == 429, "the right password, past the limit, does not get in",
              str(outcome["right"][0]))

        # From another address, the same accounts are not held up.
        st, _ = attempt(server, "alice", alice_pw, source_ip="127.0.0.2")
        check(st == 201, "alice logs in from another address", str(st))
        st, _ = attempt(server, "bob", bob_pw, source_ip="127.0.0.3")
        check(st == 201, "bob logs in from another address", str(st))

        # A password typed into the name box is not kept.
        typed = "Bramble-Lantern-Kettle-57!x"
        st, _ = attempt(server, typed, "anything at all", source_ip="127.0.0.4")
        check(st == 401, "a name that is no account gets the same 401", str(st))
        records, text = audit_failures(env)
        unknown = [r for r in records if r["detail"].get("ip") == "127.0.0.4"]
        check(len(unknown) == 1 and unknown[0]["detail"].get("username") == "unknown name",
              "its audit record says \"unknown name\"", json.dumps(unknown)[-400:])
        check(typed.lower() not in text.lower(), "the typed text is nowhere in the audit trail")
        if env.backend() == "sqlite":
            n = env.sqlite_count("SELECT count(*) FROM login_throttle WHERE lower(key) LIKE ?",
                                 ("%" + typed.lower() + "%",))
        else:
            n = int(env.psql("SELECT count(*) FROM login_throttle WHERE lower(key) LIKE '%%%s%%'"
                             % typed.lower().replace("'", "''")).strip())
        check(n == 0, "nor in the login throttle", "%d rows" % n)
    finally:
        check(server.stop() == 0, "serve exits 0 on SIGTERM")


def main(env, results):
    # On SQLite, and as api.login.postgres on PostgreSQL (the harness's backend).
    scenario(env, results)


harness.run_main("api.login", main)
