"""Isolation between agencies and children, sessions, login hardening,
break-glass, the field-level rule and the audit trail (docs/access.md).

    python3 tests/api/isolation_test.py PATH/TO/continuum REPO_ROOT

People (each agency separate). Registering a child gives no relationship to
it, so the two who set cases up are on front-door teams: they have
front-door duty while a request awaits the front door's decision. No one
else is on a front-door team.
  sam   social worker, ag-sc, front door   registers children 1 and 3, builds their teams
  alice practitioner,  ag-a                team member of child 1, consent given to ag-a
  bea   social worker, ag-b, front door    registers child 2 (agency B's case); team member of child 1
  nina  practitioner,  ag-n    no relationship to anyone: break-glass on child 2
  sally safeguarding lead, ag-sg   reads alerts and the audit trail
  xavier practitioner, ag-x    makes a referral on child 3
  tom   practitioner,  ag-y    team member of child 3, consent given to ag-y
  sue   social worker, ag-z    team member of child 3, no consent
  xena  practitioner,  ag-x    xavier's colleague: team member of children 3 and 5 (same agency)
  tess  team leader,   ag-y    reads the aggregate report; named in a concern's discussed_with
  adam  administrator, ag-adm
  dora, dan, ed: accounts to disable / log out; tina: a TOTP account
"""

import json
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import matrix_test as spec  # noqa: E402  (the route rules, written from docs/access.md)

PW = harness.DEFAULT_PASSWORD


def setup_directory(env):
    people = {}
    # (name, role, agency, agency kind, team, front-door team?)
    plan = [
        ("sam", "social_worker", "ag-sc", "social_care", "tm-sc", True),
        ("alice", "practitioner", "ag-a", "school", "tm-a", False),
        ("bea", "social_worker", "ag-b", "social_care", "tm-b", True),
        ("nina", "practitioner", "ag-n", "health", None, False),
        ("sally", "safeguarding_lead", "ag-sg", "health", None, False),
        ("xavier", "practitioner", "ag-x", "school", None, False),
        ("tom", "practitioner", "ag-y", "health", None, False),
        ("sue", "social_worker", "ag-z", "social_care", None, False),
        ("adam", "administrator", "ag-adm", "local_authority", None, False),
        ("dora", "practitioner", "ag-a", "school", None, False),
        ("dan", "practitioner", "ag-a", "school", None, False),
        ("ed", "practitioner", "ag-a", "school", None, False),
        ("eve", "practitioner", "ag-a", "school", None, False),
        ("xena", "practitioner", "ag-x", "school", None, False),
        ("tess", "team_leader", "ag-y", "health", None, False),
    ]
    agencies = {}
    for name, role, ag, kind, team, front_door in plan:
        if ag not in agencies:
            env.add_agency(ag, "Agency " + ag, kind)
            agencies[ag] = True
        if team:
            env.add_team(team, ag, "Team " + team, front_door=front_door)
        uid, pw = env.add_user(name, role, ag, team_id=team)
        people[name] = {"id": uid, "password": pw, "agency": ag, "role": role}
    uid, pw, secret = env.add_user("tina", "practitioner", "ag-a", totp=True)
    people["tina"] = {"id": uid, "password": pw, "agency": "ag-a", "role": "practitioner", "secret": secret}
    return people


def created(results, resp, what):
    st, h, b = resp
    results.check(st == 201, what, harness.describe(st, h, b))
    return b if isinstance(b, dict) else {}


def register(c, results, name):
    b = created(results, c.post("/api/v1/children", {"framework": "worcestershire", "fields": {
        "display_name": name, "date_of_birth": "2014-09-30"}}), "register " + name)
    return b.get("child_id")


def request_received(c, results, child):
    b = created(results, c.post("/api/v1/children/%s/requests" % child, {"fields": {
        "source": "health", "reason": "missed appointments", "immediate_risk": False, "consent": "given"}}),
        "request.received on " + child)
    return b.get("event", {}).get("id")


def add_member(c, results, child, person):
    created(results, c.post("/api/v1/children/%s/team" % child, {"fields": {
        "member": person["id"], "agency": person["agency"], "role": "key worker"}}),
        "team.member_added %s on %s" % (person["id"], child))


def give_consent(c, results, child, agency):
    created(results, c.post("/api/v1/children/%s/consent" % child, {"fields": {
        "given_by": "Robin Carer", "relationship": "carer", "agencies": [agency], "purpose": "early help",
        "form": "verbal", "given_on": harness.today()}}), "consent.given to %s on %s" % (agency, child))


def note(c, results, child, text, want=201):
    st, h, b = c.post("/api/v1/children/%s/notes" % child, {"fields": {"text": text}})
    results.check(st == want, "note on %s expecting %d" % (child, want), harness.describe(st, h, b))
    return b.get("event", {}).get("id") if isinstance(b, dict) and st == 201 else None


def audit_records(client, child):
    st, h, b = client.get("/api/v1/audit?child=%s&limit=10000" % harness.quote(child))
    if st != 200 or not isinstance(b, dict):
        return st, []
    return st, b.get("records", [])


def main(env, results):
    routes = harness.print_routes(env)
    env.init_db()
    P = setup_directory(env)
    server = env.server()
    try:
        run(env, server, routes, P, results)
    finally:
        code = server.stop()
    results.check(code == 0, "continuum serve exits 0 on SIGTERM", "exit %s" % code)
    p = env.cli("verify", "--db", env.db_url, check=False)
    results.check(p.returncode == 0, "continuum verify passes (hash chain with the audit trail)",
                  (p.stdout + p.stderr)[-600:])


def run(env, server, routes, P, results):
    C = {}
    for name in ("sam", "alice", "bea", "nina", "sally", "xavier", "tom", "sue", "adam", "xena", "tess"):
        C[name] = server.login(name, P[name]["password"])

    # --- fixtures ---------------------------------------------------------
    child1 = register(C["sam"], results, "Quentin Isolation-One")
    request_received(C["sam"], results, child1)
    add_member(C["sam"], results, child1, P["alice"])
    add_member(C["sam"], results, child1, P["bea"])
    give_consent(C["sam"], results, child1, "ag-a")
    child2 = register(C["bea"], results, "Zebedee Isolation-Two")
    request_received(C["bea"], results, child2)
    b_note_child2 = note(C["bea"], results, child2, "agency B's own note")
    if not (child1 and child2):
        results.check(False, "fixtures", "children could not be registered; stopping")
        return

    # Positive controls: alice reaches child 1.
    st, h, b = C["alice"].get("/api/v1/children/" + child1)
    results.check(st == 200, "alice (team member, consent given) reads child 1", harness.describe(st, h, b))
    a_note = note(C["alice"], results, child1, "alice's note on child 1")
    b_note_child1 = note(C["bea"], results, child1, "bea's note on child 1 (social worker, team member)")

    # --- alice cannot reach child 2 by changing ids ------------------------
    child_routes = [r for r in routes if "{child}" in r[1]]
    results.check(len(child_routes) > 10, "there are child routes", str(len(child_routes)))
    for method, template in child_routes:
        rule = spec.ROUTE_RULES.get((method, template))
        if rule is None:
            results.check(False, "route has no rule", "%s %s" % (method, template))
            continue
        body = {} if method in ("POST", "DELETE") else None
        if template.endswith("/events"):
            body = {"type": "note.added", "fields": {"text": "probe"}}
        # The spec's answer for a practitioner with no relationship and no consent.
        want = spec.expectation(rule, "practitioner", "none", "none", spec.load_event_roles(env.repo))
        params = {"child": child2, "person": "p-1", "member": P["bea"]["id"], "action": "a-1"}
        st, h, b = C["alice"].request(method, harness.fill_path(template, params), body)
        what = "alice -> child 2: %s %s" % (method, template)
        if want == spec.DENY:
            results.check(st == 403 and harness.is_problem(st, h, b), what + " is 403",
                          harness.describe(st, h, b))
        else:
            # Open to anyone (request, referral, concern, break-glass): the
            # empty body must still not be accepted nor reveal case data.
            results.check(400 <= st < 500 and st not in (401, 403) and harness.is_problem(st, h, b),
                          what + " (open to anyone) refuses the empty body, not the caller",
                          harness.describe(st, h, b))
        # A child that does not exist.
        params["child"] = "c-doesnotexist"
        st, h, b = C["alice"].request(method, harness.fill_path(template, params), body)
        results.check(st in (403, 404) and harness.is_problem(st, h, b),
                      "alice -> nonexistent child: %s %s is 403/404" % (method, template),
                      harness.describe(st, h, b))

    # --- corrections across agencies ---------------------------------------
    corr = {"supersedes": b_note_child1, "reason": "wrong wording", "fields": {"text": "amended"}}
    st, h, b = C["alice"].post("/api/v1/children/%s/corrections" % child1, corr)
    results.check(st == 403 and harness.is_problem(st, h, b),
                  "alice cannot correct agency B's note on child 1 (403)", harness.describe(st, h, b))
    corr["supersedes"] = b_note_child2
    st, h, b = C["alice"].post("/api/v1/children/%s/corrections" % child2, corr)
    results.check(st == 403 and harness.is_problem(st, h, b),
                  "alice cannot correct agency B's note on child 2 (403)", harness.describe(st, h, b))
    st, h, b = C["alice"].post("/api/v1/children/%s/corrections" % child1, corr)
    results.check(st in (403, 404) and harness.is_problem(st, h, b),
                  "alice cannot correct child 2's event through child 1's path (403/404)",
                  harness.describe(st, h, b))
    if a_note:
        st, h, b = C["alice"].post("/api/v1/children/%s/corrections" % child1,
                                   {"supersedes": a_note, "reason": "typo", "fields": {"text": "alice's note, fixed"}})
        results.check(st == 201, "alice corrects her own agency's note (201)", harness.describe(st, h, b))

    # --- search and the due list -------------------------------------------
    st, h, b = C["alice"].get("/api/v1/children?q=Isolation")
    ids = [r.get("child_id") for r in b.get("results", [])] if isinstance(b, dict) else []
    results.check(st == 200 and child1 in ids, "alice's search finds child 1", harness.describe(st, h, b))
    results.check(child2 not in ids, "alice's search does not show child 2", json.dumps(ids))
    st, h, b = C["alice"].get("/api/v1/children?q=Zebedee")
    ids = [r.get("child_id") for r in b.get("results", [])] if isinstance(b, dict) else []
    results.check(st == 200 and child2 not in ids, "alice's search by child 2's name is empty of it",
                  harness.describe(st, h, b))
    st, h, b = C["bea"].get("/api/v1/children?q=Zebedee")
    ids = [r.get("child_id") for r in b.get("results", [])] if isinstance(b, dict) else []
    results.check(st == 200 and child2 in ids, "bea's search finds child 2 (control)", harness.describe(st, h, b))
    st, h, b = C["alice"].get("/api/v1/due")
    due_children = {d.get("child_id") for d in b.get("deadlines", [])} if isinstance(b, dict) else set()
    results.check(st == 200 and child1 in due_children, "alice's due list shows child 1's deadline",
                  harness.describe(st, h, b))
    results.check(child2 not in due_children, "alice's due list does not show child 2", str(due_children))

    # --- administration is the administrator's ------------------------------
    admin_routes = [("GET", "/api/v1/users"), ("POST", "/api/v1/users"), ("GET", "/api/v1/agencies"),
                    ("POST", "/api/v1/agencies"), ("GET", "/api/v1/teams"), ("POST", "/api/v1/teams"),
                    ("POST", "/api/v1/users/%s/disable" % P["eve"]["id"]),
                    ("POST", "/api/v1/users/%s/reset" % P["eve"]["id"])]
    for who in ("alice", "bea", "sally", "sam"):
        for method, path in admin_routes:
            body = {} if method == "POST" else None
            st, h, b = C[who].request(method, path, body)
            results.check(st == 403 and harness.is_problem(st, h, b), "%s: %s %s is 403" % (who, method, path),
                          harness.describe(st, h, b))
    st, h, b = C["adam"].get("/api/v1/users")
    results.check(st == 200, "the administrator lists users", harness.describe(st, h, b))
    st, h, b = C["adam"].get("/api/v1/children/" + child1)
    results.check(st == 403, "the administrator does not open children's records", harness.describe(st, h, b))

    # --- sessions: disable, logout ---------------------------------------------
    dora = server.login("dora", P["dora"]["password"])
    st, _, _ = dora.get("/api/v1/session")
    results.check(st == 200, "dora's session works", str(st))
    env.cli("user", "disable", "dora", "--db", env.db_url)
    st, h, b = dora.get("/api/v1/session")
    results.check(st == 401 and harness.is_problem(st, h, b), "a disabled (CLI) user's session stops at once",
                  harness.describe(st, h, b))
    st, h, b = server.client().post("/api/v1/session", {"username": "dora", "password": P["dora"]["password"]})
    results.check(st == 401, "a disabled user cannot log in", harness.describe(st, h, b))

    dan = server.login("dan", P["dan"]["password"])
    st, h, b = C["adam"].post("/api/v1/users/%s/disable" % P["dan"]["id"], {})
    results.check(200 <= st < 300, "the administrator disables dan through the API", harness.describe(st, h, b))
    st, h, b = dan.get("/api/v1/session")
    results.check(st == 401, "a disabled (API) user's session stops at once", harness.describe(st, h, b))

    ed = server.login("ed", P["ed"]["password"])
    ed2 = server.login("ed", P["ed"]["password"])
    results.check(ed.token != ed2.token, "a new token at every login")
    st, h, b = ed.delete("/api/v1/session")
    results.check(st == 204, "logout answers 204", harness.describe(st, h, b))
    st, h, b = ed.get("/api/v1/session")
    results.check(st == 401, "the token no longer works after logout", harness.describe(st, h, b))
    st, h, b = ed2.get("/api/v1/session")
    results.check(st == 200, "logout ends only that token", harness.describe(st, h, b))

    # --- login failures look alike; throttling ----------------------------------
    anon = server.client(source_ip="127.0.3.1")
    r_unknown = anon.post("/api/v1/session", {"username": "nobody-here", "password": "Wrong-Password-123"})
    r_badpw = anon.post("/api/v1/session", {"username": "eve", "password": "Wrong-Password-123"})
    results.check(r_unknown[0] == 401 and r_badpw[0] == 401, "unknown name and wrong password are 401",
                  "%s / %s" % (r_unknown[0], r_badpw[0]))
    results.check(r_unknown[2] == r_badpw[2] and
                  r_unknown[1].get("content-type") == r_badpw[1].get("content-type"),
                  "unknown name and wrong password give identical bodies",
                  "%r vs %r" % (r_unknown[2], r_badpw[2]))
    # Timing: an unknown name costs the same argon2id work (loose bound).
    t0 = time.time()
    for _ in range(3):
        anon.post("/api/v1/session", {"username": "nobody-two", "password": "Wrong-Password-123"})
    t_unknown = (time.time() - t0) / 3
    t0 = time.time()
    for _ in range(3):
        anon.post("/api/v1/session", {"username": "sue", "password": "Wrong-Password-123"})
    t_known = (time.time() - t0) / 3
    results.check(t_unknown > t_known * 0.3, "an unknown name costs similar work to a known one",
                  "unknown %.3fs, known %.3fs" % (t_unknown, t_known))

    # Per name and address (docs/access.md, "Login throttling"): the 6th
    # attempt from one address waits, whether or not the name exists.
    for who, label in (("ghost-no-such-user", "a name that does not exist"), ("eve", "an existing name")):
        c = server.client(source_ip="127.0.4.%d" % (1 if who == "eve" else 2))
        statuses = []
        for _ in range(6):
            st, h, b = c.post("/api/v1/session", {"username": who, "password": "Not-The-Password-9"})
            statuses.append(st)
        results.check(statuses[:-1] == [401] * 5 and statuses[-1] == 429,
                      "6 wrong passwords from one address -> 429 for " + label, str(statuses))
        if statuses[-1] == 429:
            results.check(harness.is_problem(429, h, b), "429 is problem+json", harness.describe(st, h, b))
            results.check(h.get("retry-after", "").isdigit(), "429 says how long to wait", str(h))
        c.close()
    st, h, b = server.client(source_ip="127.0.4.1").post(
        "/api/v1/session", {"username": "eve", "password": P["eve"]["password"]})
    results.check(st == 429, "while it waits, the right password from that address is refused too",
                  harness.describe(st, h, b))
    st, h, b = server.client(source_ip="127.0.4.3").post(
        "/api/v1/session", {"username": "eve", "password": P["eve"]["password"]})
    results.check(st == 201, "the same name from another address is not held up", harness.describe(st, h, b))

    # 50 failures from one address lock the address.
    c = server.client(source_ip="127.0.5.1")
    statuses = []
    for i in range(51):
        st, _, _ = c.post("/api/v1/session", {"username": "spray-%d" % i, "password": "Not-The-Password-9"})
        statuses.append(st)
    results.check(statuses[:50] == [401] * 50 and statuses[50] == 429,
                  "50 failures from one address -> 429 on the next", str(statuses[45:]))
    st, h, b = c.post("/api/v1/session", {"username": "sam", "password": P["sam"]["password"]})
    results.check(st == 429, "a locked address is refused even with good credentials", str(st))
    c.close()
    st, h, b = server.client(source_ip="127.0.5.2").post(
        "/api/v1/session", {"username": "sam", "password": P["sam"]["password"]})
    results.check(st == 201, "another address is not locked", harness.describe(st, h, b))

    # --- TOTP -----------------------------------------------------------------
    tina = P["tina"]
    if time.time() % 30 > 26:
        time.sleep(5)  # keep the codes below inside one step
    tc = server.client(source_ip="127.0.6.1")
    st, h, b = tc.post("/api/v1/session", {"username": "tina", "password": tina["password"]})
    results.check(st == 401, "a TOTP account needs its code", harness.describe(st, h, b))
    wrong = "%06d" % ((int(harness.totp_code(tina["secret"])) + 500000) % 1000000)
    st, h, b = tc.post("/api/v1/session", {"username": "tina", "password": tina["password"], "totp": wrong})
    results.check(st == 401, "a wrong TOTP code is refused", harness.describe(st, h, b))
    code = harness.totp_code(tina["secret"])
    st, h, b = tc.post("/api/v1/session", {"username": "tina", "password": tina["password"], "totp": code})
    results.check(st == 201, "the right TOTP code logs in", harness.describe(st, h, b))
    st, h, b = tc.post("/api/v1/session", {"username": "tina", "password": tina["password"], "totp": code})
    results.check(st == 401, "a TOTP code is accepted once only", harness.describe(st, h, b))
    tc.close()

    # --- break-glass ---------------------------------------------------------------
    nina = C["nina"]
    st, h, b = nina.get("/api/v1/children/" + child2)
    results.check(st == 403, "nina (no relationship) cannot read child 2", harness.describe(st, h, b))
    st, h, b = nina.post("/api/v1/children/%s/break-glass" % child2, {"reason": "short"})
    results.check(st == 422 and harness.is_problem(st, h, b), "break-glass needs a reason of 10+ characters",
                  harness.describe(st, h, b))
    reason = "child brought to A&E out of hours; checking for a plan"
    st, h, b = nina.post("/api/v1/children/%s/break-glass" % child2, {"reason": reason})
    results.check(st == 201, "break-glass with a reason is granted", harness.describe(st, h, b))
    st, h, b = nina.get("/api/v1/children/" + child2)
    results.check(st == 200, "under break-glass nina reads child 2's summary", harness.describe(st, h, b))
    st, h, b = nina.get("/api/v1/children/%s/chronology" % child2)
    results.check(st == 200, "under break-glass nina reads child 2's chronology", harness.describe(st, h, b))
    st, h, b = nina.post("/api/v1/children/%s/notes" % child2, {"fields": {"text": "written under break-glass"}})
    results.check(st == 403, "break-glass does not allow recording events", harness.describe(st, h, b))
    st, h, b = nina.get("/api/v1/children/" + child1)
    results.check(st == 403, "break-glass on child 2 gives nothing on child 1", harness.describe(st, h, b))

    st, h, b = C["sally"].get("/api/v1/alerts")
    alerts = b.get("alerts", []) if isinstance(b, dict) else []
    mine = [a for a in alerts if a.get("child_id") == child2 and a.get("user_id") == P["nina"]["id"]]
    results.check(st == 200 and len(mine) == 1, "the safeguarding lead sees the break-glass alert",
                  harness.describe(st, h, b))
    st, h, b = C["alice"].get("/api/v1/alerts")
    results.check(st == 403, "a practitioner cannot see alerts", harness.describe(st, h, b))
    if mine:
        st, h, b = C["sally"].post("/api/v1/alerts/%s/acknowledgement" % mine[0].get("id"), {})
        results.check(200 <= st < 300, "the safeguarding lead acknowledges the alert", harness.describe(st, h, b))

    st, records = audit_records(C["sally"], child2)
    results.check(st == 200, "the safeguarding lead reads the audit trail", str(st))
    ninas = [r for r in records if r.get("user") == P["nina"]["id"]]
    types = [r.get("type") for r in ninas]
    results.check("audit.denied" in types, "audit shows nina's refused read", str(types))
    bg = [r for r in ninas if r.get("type") == "audit.break_glass"]
    results.check(len(bg) == 1 and reason in json.dumps(bg[0].get("detail", {})),
                  "audit shows the break-glass with its reason", json.dumps(bg)[:300])
    reads = [r for r in ninas if r.get("type") == "audit.read"]
    results.check(len(reads) >= 2 and all(reason in json.dumps(r.get("detail", {})) for r in reads),
                  "audit shows the reads made under break-glass, with the grant's reason", json.dumps(reads)[:400])
    denied_write = [r for r in ninas if r.get("type") == "audit.denied" and
                    "note" in json.dumps(r.get("detail", {}))]
    results.check(len(denied_write) >= 1, "the refused note under break-glass is audited", str(types))
    if ninas:
        d = ninas[0].get("detail", {})
        missing = [k for k in ("role", "method", "route", "request_id") if k not in d]
        results.check(not missing, "an audit record has who/what/how", "missing %s in %s" % (missing, d))
    for r in records:
        if r.get("type") == "audit.denied" and r.get("user") == P["nina"]["id"]:
            d = r.get("detail", {})
            results.check("relationship" in d and "consent" in d, "audit.denied records relationship and consent",
                          json.dumps(d)[:200])
            break
    st, h, b = C["bea"].get("/api/v1/audit?child=" + child2)
    results.check(st == 403, "a social worker cannot read the audit trail", harness.describe(st, h, b))
    st, h, b = C["sally"].get("/api/v1/children/%s/audit" % child2)
    recs = b.get("records", []) if isinstance(b, dict) else []
    results.check(st == 200 and any(r.get("type") == "audit.break_glass" for r in recs),
                  "the child's audit shows the break-glass", harness.describe(st, h, b))

    p = env.cli("audit", "--db", env.db_url, "--child", child2, "--json", "--limit", "0")
    cli_types = []
    for line in p.stdout.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if json.dumps(rec).find(P["nina"]["id"]) >= 0:
            cli_types.append(rec.get("type"))
    for t in ("audit.denied", "audit.break_glass", "audit.read"):
        results.check(t in cli_types, "continuum audit --json shows nina's " + t, str(cli_types))

    # --- the audit trail stays out of chronologies ----------------------------------
    st, h, b = C["bea"].get("/api/v1/children/%s/chronology" % child2)
    evs = b.get("events", []) if isinstance(b, dict) else []
    results.check(st == 200 and evs and not any(str(e.get("type", "")).startswith("audit.") for e in evs),
                  "the chronology holds no audit records", harness.describe(st, h, b))

    # --- field-level rule: who referred is withheld ----------------------------------
    child3 = register(C["sam"], results, "Wilma Isolation-Three")
    request_received(C["sam"], results, child3)
    add_member(C["sam"], results, child3, P["tom"])
    add_member(C["sam"], results, child3, P["sue"])
    add_member(C["sam"], results, child3, P["xena"])
    give_consent(C["sam"], results, child3, "ag-y")
    give_consent(C["sam"], results, child3, "ag-x")
    st, h, b = C["xavier"].post("/api/v1/children/%s/referrals" % child3, {"fields": {
        "referrer": P["xavier"]["id"], "reason": "bruising seen at school", "consent": "given"}})
    results.check(st == 201, "xavier (no relationship) may make a referral", harness.describe(st, h, b))
    referral_id = b.get("event", {}).get("id") if isinstance(b, dict) else None

    def referral_seen_by(who):
        st, h, b = C[who].get("/api/v1/children/%s/chronology" % child3)
        if st != 200 or not isinstance(b, dict):
            return st, None
        for e in b.get("events", []):
            if e.get("id") == referral_id or e.get("type") == "referral.made":
                return st, e
        return st, None

    st, e = referral_seen_by("tom")
    results.check(st == 200 and e is not None, "tom (practitioner, team member, consent) sees the referral", str(st))
    if e:
        results.check(e.get("author") == "withheld", "referral author is withheld from another agency's practitioner",
                      json.dumps(e)[:300])
        results.check(e.get("agency") == "withheld", "referral agency is withheld from another agency's practitioner",
                      json.dumps(e)[:300])
        results.check(e.get("fields", {}).get("referrer") == "withheld", "the referrer field is withheld",
                      json.dumps(e)[:300])
        results.check(P["xavier"]["id"] not in json.dumps(e), "xavier's id appears nowhere in tom's view",
                      json.dumps(e)[:300])
    st, e = referral_seen_by("sue")
    results.check(st == 200 and e is not None, "sue (social worker, team member) sees the referral", str(st))
    if e:
        results.check(e.get("author") == P["xavier"]["id"] and e.get("agency") == "ag-x" and
                      e.get("fields", {}).get("referrer") == P["xavier"]["id"],
                      "a social worker sees who referred", json.dumps(e)[:300])

    st, e = referral_seen_by("xena")
    results.check(st == 200 and e is not None, "xena (referrer's agency, team member) sees the referral", str(st))
    if e:
        results.check(e.get("author") == P["xavier"]["id"] and e.get("fields", {}).get("referrer") == P["xavier"]["id"],
                      "the referrer's own agency sees who referred", json.dumps(e)[:300])

    # --- field-level rule: who raised a child-protection concern ----------------
    child5 = register(C["sam"], results, "Violet Isolation-Five")
    request_received(C["sam"], results, child5)
    for who in ("tom", "sue", "xena"):
        add_member(C["sam"], results, child5, P[who])
    give_consent(C["sam"], results, child5, "ag-y")
    give_consent(C["sam"], results, child5, "ag-x")
    created(results, C["sam"].post("/api/v1/children/%s/requests/decision" % child5, {"fields": {
        "decision": "early_help", "rationale": "early help can meet the needs", "level": 2}}),
        "request.decided (early help) on child 5")
    st, h, b = C["xavier"].post("/api/v1/children/%s/concerns" % child5, {"fields": {
        "immediate": False, "concern": "new bruise reported", "discussed_with": P["tess"]["id"]}})
    results.check(st == 201, "xavier (no relationship) may raise a concern", harness.describe(st, h, b))

    def concern_seen_by(who):
        st, h, b = C[who].get("/api/v1/children/%s/chronology" % child5)
        for ev in (b.get("events", []) if isinstance(b, dict) else []):
            if ev.get("type") == "concern.raised":
                return st, ev
        return st, None

    st, e = concern_seen_by("tom")
    results.check(st == 200 and e is not None, "tom sees the concern", str(st))
    if e:
        results.check(e.get("author") == "withheld" and e.get("agency") == "withheld" and
                      e.get("fields", {}).get("discussed_with") == "withheld",
                      "who raised the concern (author, agency, discussed_with) is withheld from tom",
                      json.dumps(e)[:300])
        results.check(e.get("fields", {}).get("concern") == "new bruise reported",
                      "the concern itself is not withheld", json.dumps(e)[:300])
    for who in ("sue", "xena"):
        st, e = concern_seen_by(who)
        results.check(st == 200 and e is not None and e.get("author") == P["xavier"]["id"] and
                      e.get("fields", {}).get("discussed_with") == P["tess"]["id"],
                      "%s sees who raised the concern" % who, json.dumps(e)[:300] if e else str(st))

    # --- consent: "all", a withdrawal naming no agency, the order they happened ----
    child4 = register(C["sam"], results, "Ursula Isolation-Four")
    request_received(C["sam"], results, child4)
    add_member(C["sam"], results, child4, P["tom"])
    st, h, b = C["tom"].get("/api/v1/children/" + child4)
    results.check(st == 403, "tom (team member, no consent) cannot read child 4", harness.describe(st, h, b))
    created(results, C["sam"].post("/api/v1/children/%s/consent" % child4, {
        "occurred_at": harness.utc(-120),
        "fields": {"given_by": "Robin Carer", "relationship": "carer", "agencies": ["all"], "purpose": "early help",
                   "form": "verbal", "given_on": harness.today()}}), "consent given to \"all\" two minutes ago")
    st, h, b = C["tom"].get("/api/v1/children/" + child4)
    results.check(st == 200, "consent given to \"all\" covers tom's agency", harness.describe(st, h, b))
    created(results, C["sam"].post("/api/v1/children/%s/consent/withdrawal" % child4, {
        "occurred_at": harness.utc(-60),
        "fields": {"withdrawn_by": "Robin Carer", "withdrawn_on": harness.today()}}),
        "consent.withdrawn naming no agency")
    st, h, b = C["tom"].get("/api/v1/children/" + child4)
    results.check(st == 403, "a withdrawal naming no agency covers tom's", harness.describe(st, h, b))
    # Recorded now but happened before the withdrawal: the withdrawal is still the last.
    created(results, C["sam"].post("/api/v1/children/%s/consent" % child4, {
        "occurred_at": harness.utc(-3600),
        "fields": {"given_by": "Robin Carer", "relationship": "carer", "agencies": ["ag-y"], "purpose": "early help",
                   "form": "verbal", "given_on": harness.today()}}), "a consent that happened an hour ago")
    st, h, b = C["tom"].get("/api/v1/children/" + child4)
    results.check(st == 403, "consent events count in the order they happened, not recorded", harness.describe(st, h, b))
    created(results, C["sam"].post("/api/v1/children/%s/consent/override" % child4, {"fields": {
        "ground": "evidence", "detail": "asking would lose evidence", "shared_with": ["ag-y"]}}),
        "consent.overridden for ag-y")
    st, h, b = C["tom"].get("/api/v1/children/" + child4)
    results.check(st == 200 and isinstance(b, dict) and "shared" in json.dumps(b.get("access", {})),
                  "shared without consent lets tom read again", harness.describe(st, h, b))

    # The export and child audit are the safeguarding lead's.
    st, h, b = C["sally"].get("/api/v1/children/%s/export?format=json" % child2)
    results.check(st == 200, "the safeguarding lead exports child 2", harness.describe(st, h, b))
    st, h, b = C["bea"].get("/api/v1/children/%s/export?format=json" % child2)
    results.check(st == 403, "the case's own social worker cannot export it", harness.describe(st, h, b))


    st, h, b = C["sally"].get("/api/v1/children/%s/export?format=json" % child2)
    text = json.dumps(b)
    results.check(st == 200 and P["nina"]["id"] in text and "break_glass" in text,
                  "the export lists every access, nina's break-glass among them", harness.describe(st, h, b))
    st, h, b = C["tess"].get("/api/v1/reports/summary")
    results.check(st == 200, "a team leader reads the aggregate report", harness.describe(st, h, b))

    # --- what the audit trail holds ------------------------------------------------
    st, h, b = C["sally"].get("/api/v1/audit?limit=10000")
    records = b.get("records", []) if isinstance(b, dict) else []
    results.check(st == 200 and records, "the whole audit trail is readable by the safeguarding lead", str(st))
    types = {r.get("type") for r in records}
    for t in ("audit.read", "audit.search", "audit.write", "audit.denied", "audit.login", "audit.login_failed",
              "audit.logout", "audit.break_glass", "audit.export", "audit.audit_read", "audit.report", "audit.admin"):
        results.check(t in types, "the audit trail has %s records" % t, str(sorted(types)))
    causes = {str(r.get("detail", {}).get("reason", "")) for r in records if r.get("type") == "audit.login_failed"}
    for cause in ("unknown_user", "bad_password", "bad_totp", "disabled", "throttled"):
        results.check(any(cause in c for c in causes), "a failed login records its cause " + cause, str(causes))
    searches = [r for r in records if r.get("type") == "audit.search" and r.get("user") == P["alice"]["id"]]
    results.check(searches and any(child1 in json.dumps(r.get("detail")) for r in searches) and
                  not any(child2 in json.dumps(r.get("detail")) for r in searches),
                  "alice's searches are audited with the children returned (child 1, never child 2)",
                  json.dumps(searches)[:300])
    admin = [json.dumps(r.get("detail")) for r in records if r.get("type") == "audit.admin"]
    results.check(any("cli" in a for a in admin) and any(P["dan"]["id"] in a for a in admin),
                  "administration is audited from the CLI and the API", str(admin)[:300])
    results.check(any("acknowledg" in a for a in admin), "the alert acknowledgement is audited", str(admin)[:300])
    # Every event recorded through the API has its audit.write (same transaction).
    events = env.sqlite_count("SELECT count(*) FROM events WHERE type NOT LIKE 'audit.%'")
    writes = env.sqlite_count("SELECT count(*) FROM events WHERE type = 'audit.write'")
    results.check(events == writes, "one audit.write per event recorded", "%d events, %d audit.write" % (events, writes))

    for c in C.values():
        c.close()


if __name__ == "__main__":
    harness.run_main("api.isolation", main)
