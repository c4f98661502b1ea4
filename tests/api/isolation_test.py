"""Isolation between agencies and children, sessions, login hardening,
break-glass, oversight by safeguarding leads, the field-level rule and the
audit trail (docs/access.md and the case layer's rules).

    python3 tests/api/isolation_test.py PATH/TO/continuum REPO_ROOT [postgres]

Relationships come from the record only. Registering a child, or recording
a request, referral or concern, gives no relationship to it; owning a
deadline is not one either. The front door's team (duty
worcestershire/front_door) holds a case while its request awaits the
decision, or while the open case is unallocated.

People (each agency separate unless said):
  sam   social worker,  ag-sc, front-door duty team   decides requests, builds teams, allocates
  alice practitioner,   ag-a   team member of child 1, consent given to ag-a
  bea   social worker,  ag-b   allocated worker of child 2 (referral.accepted); team member of child 1
  nina  practitioner,   ag-n   no relationship: break-glass on child 2; named as an assessor on child 5
  nick  practitioner,   ag-n2  no relationship: break-glass four times in an hour
  sally safeguarding lead, ag-sg (health)       her agency works with no child
  lena  safeguarding lead, ag-b                 bea's agency: oversees child 2
  lara  safeguarding lead, ag-la (local_authority): oversees every child
  xavier practitioner,  ag-x   makes a referral on child 3, raises a concern on child 5
  tom   practitioner,   ag-y   team member of children 3, 4, 5; consent given to ag-y on 3 and 5
  sue   social worker,  ag-z   team member of children 3 and 5, no consent
  xena  practitioner,   ag-x   xavier's colleague: team member of children 3 and 5
  tess  team leader,    ag-y   reads the aggregate report; named in a concern's discussed_with (owns its meeting)
  adam  administrator,  ag-adm
  dora, dan, ed, eve, rita: accounts to disable / log out / lock / reset; tina: a TOTP account
"""

import json
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import matrix_test as spec  # noqa: E402  (the route rules, written from docs/access.md)

METRICS_TOKEN = "isolation-metrics-token-0123456789abcdef"
NOBODY = "c-doesnotexist"


def setup_directory(env):
    people = {}
    env.add_agency("ag-sc", "Children's Social Care", "social_care")
    env.add_team("tm-fd", "ag-sc", "Family Front Door", duty=spec.FRONT_DOOR_DUTY)
    # (name, role, agency, agency kind, team)
    plan = [
        ("sam", "social_worker", "ag-sc", "social_care", "tm-fd"),
        ("alice", "practitioner", "ag-a", "school", "tm-a"),
        ("bea", "social_worker", "ag-b", "social_care", "tm-b"),
        ("nina", "practitioner", "ag-n", "health", None),
        ("nick", "practitioner", "ag-n2", "health", None),
        ("sally", "safeguarding_lead", "ag-sg", "health", None),
        ("lena", "safeguarding_lead", "ag-b", "social_care", None),
        ("lara", "safeguarding_lead", "ag-la", "local_authority", None),
        ("xavier", "practitioner", "ag-x", "school", None),
        ("tom", "practitioner", "ag-y", "health", None),
        ("sue", "social_worker", "ag-z", "social_care", None),
        ("adam", "administrator", "ag-adm", "local_authority", None),
        ("dora", "practitioner", "ag-a", "school", None),
        ("dan", "practitioner", "ag-a", "school", None),
        ("ed", "practitioner", "ag-a", "school", None),
        ("eve", "practitioner", "ag-a", "school", None),
        ("rita", "practitioner", "ag-a", "school", None),
        ("xena", "practitioner", "ag-x", "school", None),
        ("tess", "team_leader", "ag-y", "health", None),
    ]
    agencies = {"ag-sc"}
    teams = {"tm-fd"}
    for name, role, ag, kind, team in plan:
        if ag not in agencies:
            env.add_agency(ag, "Agency " + ag, kind)
            agencies.add(ag)
        if team and team not in teams:
            env.add_team(team, ag, "Team " + team)  # an ordinary team: no duty
            teams.add(team)
        uid, pw = env.add_user(name, role, ag, team_id=team)
        people[name] = {"id": uid, "password": pw, "agency": ag, "role": role}
    uid, pw, secret = env.add_user("tina", "practitioner", "ag-a", totp=True)
    people["tina"] = {"id": uid, "password": pw, "agency": "ag-a", "role": "practitioner", "secret": secret}
    return people


def created(results, resp, what):
    st, h, b = resp
    results.check(st == 201, what, harness.describe(st, h, b))
    return b if isinstance(b, dict) else {}


def refused(results, resp, what):
    st, h, b = resp
    results.check(st == 403 and harness.is_problem(st, h, b), what + " (403)", harness.describe(st, h, b))
    return b.get("detail") if isinstance(b, dict) else None


def register(c, results, name):
    b = created(results, c.post("/api/v1/children", {"framework": "worcestershire", "fields": {
        "display_name": name, "date_of_birth": "2014-09-30"}}), "register " + name)
    return b.get("child_id")


def record(c, results, child, event, fields, what=None, occurred_at=None):
    b = created(results, harness.record(c, child, event, fields, occurred_at=occurred_at),
                what or "%s on %s" % (event, child))
    return b.get("event", {}).get("id")


def request_received(c, results, child):
    return record(c, results, child, "request.received", {
        "source": "health", "reason": "missed appointments", "immediate_risk": False, "consent": "given"})


def add_member(c, results, child, person):
    record(c, results, child, "team.member_added", {"member": person["id"], "role": "key worker"},
           "team.member_added %s on %s" % (person["id"], child))


def give_consent(c, results, child, agency, occurred_at=None):
    record(c, results, child, "consent.given", {
        "given_by": "Robin Carer", "relationship": "carer", "agencies": [agency], "purpose": "early help",
        "form": "verbal", "given_on": harness.today()}, "consent.given to %s on %s" % (agency, child),
        occurred_at=occurred_at)


def note(c, results, child, text, want=201):
    st, h, b = harness.record(c, child, "note.added", {"text": text})
    results.check(st == want, "note on %s expecting %d" % (child, want), harness.describe(st, h, b))
    return b.get("event", {}).get("id") if isinstance(b, dict) and st == 201 else None


def audit_records(client, child=None, type_=None):
    q = ["limit=10000"]
    if child:
        q.append("child=" + harness.quote(child))
    if type_:
        q.append("type=" + harness.quote(type_))
    st, h, b = client.get("/api/v1/audit?" + "&".join(q))
    if st != 200 or not isinstance(b, dict):
        return st, []
    return st, b.get("records", [])


def alerts_of(client):
    st, h, b = client.get("/api/v1/alerts?all=true&limit=500")
    return st, (b.get("alerts", []) if isinstance(b, dict) else [])


def cannot_read(results, client, child, who):
    for path in ("", "/chronology", "/next", "/people"):
        st, h, b = client.get("/api/v1/children/%s%s" % (child, path))
        results.check(st == 403 and harness.is_problem(st, h, b), "%s cannot read %s%s (403)" % (who, child, path),
                      harness.describe(st, h, b))


def main(env, results):
    routes = harness.print_routes(env)
    env.init_db()
    P = setup_directory(env)
    server = env.server("--metrics-token", METRICS_TOKEN)
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
    for name in ("sam", "alice", "bea", "nina", "nick", "sally", "lena", "lara", "xavier", "tom", "sue", "adam",
                 "xena", "tess"):
        C[name] = server.login(name, P[name]["password"])
    pathway = spec.load_pathway(env.repo)

    # --- fixtures ---------------------------------------------------------
    # Child 1: a request awaiting the front door; alice and bea in the team.
    child1 = register(C["sam"], results, "Quentin Isolation-One")
    request_received(C["sam"], results, child1)
    add_member(C["sam"], results, child1, P["alice"])
    add_member(C["sam"], results, child1, P["bea"])
    give_consent(C["sam"], results, child1, "ag-a")
    # Child 2: registered and referred by bea; the front door decides social
    # care and allocates bea (referral.accepted): agency B's case.
    child2 = register(C["bea"], results, "Zebedee Isolation-Two")
    if not (child1 and child2):
        results.check(False, "fixtures", "children could not be registered; stopping")
        return
    b = created(results, harness.record(C["bea"], child2, "request.received", {
        "source": "social_care", "reason": "neglect", "immediate_risk": False, "consent": "given"}),
        "bea records a request for child 2 (an entry event)")
    results.check(sorted(b.keys()) == ["child_id", "event"],
                  "bea, with no relationship yet, is told only child_id and event", json.dumps(b)[:200])
    cannot_read(results, C["bea"], child2, "bea (who registered and referred child 2)")
    record(C["sam"], results, child2, "request.decided",
           {"decision": "social_care", "rationale": "section 17 assessment", "level": 4})
    st, h, b = C["sam"].get("/api/v1/children/" + child2)
    results.check(st == 200 and b.get("access", {}).get("relationship") == "front_door_duty",
                  "the duty team holds the decided but unallocated case", harness.describe(st, h, b))
    record(C["sam"], results, child2, "referral.accepted",
           {"social_worker": P["bea"]["id"], "assessment": "social_work_assessment", "level": 4})
    st, h, b = C["bea"].get("/api/v1/children/" + child2)
    results.check(st == 200 and b.get("access", {}).get("relationship") == "allocated_worker",
                  "referral.accepted makes bea the allocated worker", harness.describe(st, h, b))
    refused(results, C["sam"].get("/api/v1/children/" + child2),
            "once the case is decided and allocated, the duty team no longer holds it")
    b_note_child2 = note(C["bea"], results, child2, "agency B's own note")

    # Positive controls: alice reaches child 1.
    st, h, b = C["alice"].get("/api/v1/children/" + child1)
    results.check(st == 200, "alice (team member, consent given) reads child 1", harness.describe(st, h, b))
    a_note = note(C["alice"], results, child1, "alice's note on child 1")
    b_note_child1 = note(C["bea"], results, child1, "bea's note on child 1 (social worker, team member)")

    # --- the household: person events through the one event route -------------
    record(C["sam"], results, child1, "person.added", {"person_id": "p-mum", "name": "Robin Carer",
                                                       "relationship": "mother", "lives_with_child": True},
           "the front door records the child's mother")
    st, h, b = C["alice"].get("/api/v1/children/%s/people" % child1)
    people = [p.get("person_id") for p in b.get("people", [])] if isinstance(b, dict) else []
    results.check(st == 200 and people == ["p-mum"], "alice sees the household", harness.describe(st, h, b))
    record(C["alice"], results, child1, "person.removed", {"person_id": "p-mum", "reason": "moved out"},
           "alice (team member with consent) records that the mother moved out")
    st, h, b = C["alice"].get("/api/v1/children/%s/people" % child1)
    results.check(st == 200 and not b.get("people"), "the household is empty again", harness.describe(st, h, b))
    refused(results, harness.record(C["alice"], child2, "person.added", {
        "person_id": "p-x", "name": "Someone", "relationship": "other", "lives_with_child": False}),
        "alice cannot add to child 2's household")

    # --- alice cannot reach child 2 by changing ids; a child that does not
    # exist is refused with the very same words --------------------------
    child_routes = [r for r in routes if "{child}" in r[1]]
    results.check(len(child_routes) >= 10, "there are child routes", str(len(child_routes)))
    no_access = None
    for method, template in child_routes:
        rule = spec.ROUTE_RULES.get((method, template))
        if rule is None:
            results.check(False, "route has no rule", "%s %s" % (method, template))
            continue
        body = {} if method in ("POST", "DELETE") else None
        if "/events" in template:
            body = {"type": "note.added", "fields": {"text": "probe"}}
        if template.endswith("/corrections"):
            body = {"supersedes": b_note_child2, "reason": "probe", "fields": {"text": "probe"}}
        want = spec.expectation(rule, "practitioner", "none", "none", pathway, "school")
        what = "alice -> child 2: %s %s" % (method, template)
        st, h, b = C["alice"].request(method, harness.fill_path(template, {"child": child2}), body)
        if want == spec.DENY:
            results.check(st == 403 and harness.is_problem(st, h, b), what + " is 403", harness.describe(st, h, b))
        else:
            # Break-glass without a reason: the caller may, the empty body may not.
            results.check(st == 422 and harness.is_problem(st, h, b), what + " (open to any case role) refuses "
                          "the empty body, not the caller", harness.describe(st, h, b))
        st2, h2, b2 = C["alice"].request(method, harness.fill_path(template, {"child": NOBODY}), body)
        results.check(st2 == 403 and harness.is_problem(st2, h2, b2),
                      "alice -> a child that does not exist: %s %s is 403" % (method, template),
                      harness.describe(st2, h2, b2))
        if want == spec.DENY and st == 403 and st2 == 403:
            results.check(b.get("detail") == b2.get("detail") and b.get("title") == b2.get("title"),
                          "%s %s: the same refusal for an unrelated and a nonexistent child" % (method, template),
                          "%r vs %r" % (b.get("detail"), b2.get("detail")))
        if template == "/api/v1/children/{child}" and st == 403:
            no_access = b.get("detail")
    results.check(bool(no_access), "the refusal of a read has words", str(no_access))
    # An entry event on a child that does not exist: the same refusal.
    st, h, b = harness.record(C["alice"], NOBODY, "referral.made", {"reason": "bruising", "consent": "given"})
    results.check(st == 403 and b.get("detail") == no_access,
                  "a referral about a child that does not exist gets the same 403 as an unrelated read",
                  harness.describe(st, h, b))
    # The leads' oversight: the same words for unrelated and nonexistent.
    for lead in ("sally", "lara"):
        for route in ("export", "audit"):
            st, h, b = C[lead].get("/api/v1/children/%s/%s" % (NOBODY, route))
            results.check(st == 403 and b.get("detail") == no_access,
                          "%s: the %s of a child that does not exist is 403 with the same words" % (lead, route),
                          harness.describe(st, h, b))

    # --- corrections across agencies ---------------------------------------
    corr = {"supersedes": b_note_child1, "reason": "wrong wording", "fields": {"text": "amended"}}
    refused(results, C["alice"].post("/api/v1/children/%s/corrections" % child1, corr),
            "alice cannot correct agency B's note on child 1")
    corr["supersedes"] = b_note_child2
    refused(results, C["alice"].post("/api/v1/children/%s/corrections" % child2, corr),
            "alice cannot correct agency B's note on child 2")
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
    admin_routes = [("GET", "/api/v1/users", None),
                    ("POST", "/api/v1/users", {"username": "probe-user", "display_name": "Probe", "role": "practitioner",
                                               "agency_id": "ag-a", "password": harness.DEFAULT_PASSWORD}),
                    ("GET", "/api/v1/agencies", None),
                    ("POST", "/api/v1/agencies", {"id": "ag-probe", "name": "Probe", "kind": "school"}),
                    ("GET", "/api/v1/teams", None),
                    ("POST", "/api/v1/teams", {"id": "tm-probe", "agency_id": "ag-a", "name": "Probe"}),
                    ("POST", "/api/v1/users/%s/disable" % P["eve"]["id"], {}),
                    ("POST", "/api/v1/users/%s/reset" % P["eve"]["id"], {"enable": True})]
    for who in ("alice", "bea", "sally", "lara", "sam"):
        for method, path, body in admin_routes:
            refused(results, C[who].request(method, path, body), "%s: %s %s" % (who, method, path))
    st, h, b = C["adam"].get("/api/v1/users")
    results.check(st == 200, "the administrator lists users", harness.describe(st, h, b))
    refused(results, C["adam"].get("/api/v1/children/" + child1), "the administrator does not open children's records")

    # A user joins only a team of their own agency: the CLI and the API refuse otherwise.
    p = env.cli("user", "add", "zed", "--db", env.db_url, "--name", "Zed", "--role", "practitioner",
                "--agency", "ag-a", "--team", "tm-b", "--password-file", "-",
                stdin=harness.DEFAULT_PASSWORD + "\n", check=False)
    results.check(p.returncode == 2 and "tm-b" in p.stderr and not p.stdout.strip(),
                  "continuum user add refuses a team of another agency (exit 2)",
                  "exit %d: %s%s" % (p.returncode, p.stdout, p.stderr))
    p = env.cli("user", "add", "zed", "--db", env.db_url, "--name", "Zed", "--role", "practitioner",
                "--agency", "ag-a", "--team", "tm-fd", "--password-file", "-",
                stdin=harness.DEFAULT_PASSWORD + "\n", check=False)
    results.check(p.returncode == 2, "continuum user add refuses the front door's team for another agency's user",
                  "exit %d: %s%s" % (p.returncode, p.stdout, p.stderr))
    st, h, b = C["adam"].post("/api/v1/users", {"username": "zed", "display_name": "Zed", "role": "practitioner",
                                                "agency_id": "ag-a", "team_id": "tm-fd",
                                                "password": harness.DEFAULT_PASSWORD})
    fields = [e.get("field") for e in b.get("errors", [])] if isinstance(b, dict) else []
    results.check(st == 422 and harness.is_problem(st, h, b) and "team_id" in fields,
                  "POST /api/v1/users refuses a team of another agency, naming team_id",
                  harness.describe(st, h, b))
    st, h, b = C["adam"].get("/api/v1/users")
    names = [u.get("username") for u in b.get("users", [])] if isinstance(b, dict) else []
    results.check("zed" not in names, "no account was made for zed", str(names))

    # --- /metrics is for administrators and the scraper's token -------------
    anon = server.client()
    st, h, b = anon.get("/metrics")
    results.check(st == 401 and harness.is_problem(st, h, b), "/metrics without a session is 401",
                  harness.describe(st, h, b))
    st, h, b = anon.get("/metrics", token="not-the-metrics-token-but-long-enough-0000")
    results.check(st == 401, "/metrics with a wrong token is 401", harness.describe(st, h, b))
    st, h, b = anon.get("/metrics", token=METRICS_TOKEN)
    results.check(st == 200 and "continuum_http_requests_total" in str(b), "/metrics with the metrics token",
                  harness.describe(st, h, b))
    refused(results, C["alice"].get("/metrics"), "/metrics for a practitioner")
    refused(results, C["lara"].get("/metrics"), "/metrics for a safeguarding lead")
    st, h, b = C["adam"].get("/metrics")
    results.check(st == 200, "/metrics for an administrator", harness.describe(st, h, b))

    # --- every 401 is audited -------------------------------------------------
    st0, before = audit_records(C["lara"], type_="audit.unauthenticated")
    st, h, b = anon.get("/api/v1/children/" + child1)
    results.check(st == 401, "reading a child without a session is 401", harness.describe(st, h, b))
    st, h, b = anon.get("/api/v1/children/" + child1, token="bm90LWEtcmVhbC10b2tlbg")
    results.check(st == 401, "reading a child with a bogus token is 401", harness.describe(st, h, b))
    st1, after = audit_records(C["lara"], type_="audit.unauthenticated")
    seen = {r.get("seq") for r in before}
    new = [r for r in after if r.get("seq") not in seen] if st0 == st1 == 200 else []
    results.check(len(new) == 2 and all(
        "/api/v1/children/{child}" in json.dumps(r.get("detail", {})) for r in new),
        "both 401s are audited as audit.unauthenticated with the route", json.dumps(new)[:400])
    anon.close()

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
    anon.close()

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
    refused(results, nina.get("/api/v1/children/" + child2), "nina (no relationship) cannot read child 2")
    for bad_reason, label in (("short", "a short reason"), (" " * 10, "ten spaces"),
                              ("x" * 30, "one long word"), ("a b c d e f g h i j k l", "single letters")):
        st, h, b = nina.post("/api/v1/children/%s/break-glass" % child2, {"reason": bad_reason})
        fields = [e.get("field") for e in b.get("errors", [])] if isinstance(b, dict) else []
        results.check(st == 422 and harness.is_problem(st, h, b) and "reason" in fields,
                      "break-glass with %s as the reason is refused (422 naming reason)" % label,
                      harness.describe(st, h, b))
    refused(results, nina.get("/api/v1/children/" + child2), "a refused break-glass grants nothing")
    reason = "child brought to A&E out of hours; checking for a plan"
    st, h, b = nina.post("/api/v1/children/%s/break-glass" % child2, {"reason": reason})
    results.check(st == 201, "break-glass with a reason in words is granted", harness.describe(st, h, b))
    st, h, b = nina.get("/api/v1/children/" + child2)
    results.check(st == 200, "under break-glass nina reads child 2's summary", harness.describe(st, h, b))
    st, h, b = nina.get("/api/v1/children/%s/chronology" % child2)
    results.check(st == 200, "under break-glass nina reads child 2's chronology", harness.describe(st, h, b))
    refused(results, harness.record(nina, child2, "note.added", {"text": "written under break-glass"}),
            "break-glass does not allow recording events")
    refused(results, nina.get("/api/v1/children/" + child1), "break-glass on child 2 gives nothing on child 1")
    refused(results, nina.get("/api/v1/children/%s/export" % child2), "break-glass gives no export")

    # Oversight of child 2: bea's agency's lead and the local authority's lead.
    st, alerts = alerts_of(C["lena"])
    mine = [a for a in alerts if a.get("child_id") == child2 and a.get("user_id") == P["nina"]["id"]
            and a.get("kind") == "break_glass"]
    results.check(st == 200 and len(mine) == 1, "the lead of the agency working with child 2 sees the break-glass",
                  json.dumps(alerts)[:300])
    st, alerts = alerts_of(C["lara"])
    results.check(st == 200 and any(a.get("child_id") == child2 and a.get("user_id") == P["nina"]["id"]
                                    for a in alerts), "the local authority's lead sees it too",
                  json.dumps(alerts)[:300])
    st, alerts = alerts_of(C["sally"])
    results.check(st == 200 and not any(a.get("child_id") == child2 for a in alerts),
                  "a lead whose agency works with neither the child nor nina does not see it",
                  json.dumps(alerts)[:300])
    refused(results, C["alice"].get("/api/v1/alerts"), "a practitioner cannot see alerts")
    if mine:
        st, h, b = C["lena"].post("/api/v1/alerts/%s/acknowledgement" % mine[0].get("id"), {})
        results.check(200 <= st < 300, "the lead acknowledges the alert", harness.describe(st, h, b))

    # A lead's own break-glass is acknowledged by another lead.
    st, h, b = C["sally"].post("/api/v1/children/%s/break-glass" % child1,
                               {"reason": "called by the emergency department about this child tonight"})
    results.check(st == 201, "a safeguarding lead may use break-glass too", harness.describe(st, h, b))
    sally_alert = b.get("alert") if isinstance(b, dict) else None
    if sally_alert is not None:
        st, h, b = C["sally"].post("/api/v1/alerts/%s/acknowledgement" % sally_alert, {})
        results.check(st == 403 and harness.is_problem(st, h, b),
                      "a lead cannot acknowledge the alert about their own break-glass (403)",
                      harness.describe(st, h, b))
        st, h, b = C["lara"].post("/api/v1/alerts/%s/acknowledgement" % sally_alert, {})
        results.check(200 <= st < 300, "another lead (the local authority's) acknowledges it",
                      harness.describe(st, h, b))

    # At most three grants an hour; the fourth is refused and raises an alert.
    nick = C["nick"]
    for i in range(3):
        st, h, b = nick.post("/api/v1/children/%s/break-glass" % child2,
                             {"reason": "checking the plan for a child seen in clinic today, visit %d" % (i + 1)})
        results.check(st == 201, "nick's break-glass %d of 3 in an hour is granted" % (i + 1),
                      harness.describe(st, h, b))
    st, h, b = nick.post("/api/v1/children/%s/break-glass" % child2,
                         {"reason": "checking the plan for a child seen in clinic today, once more"})
    results.check(st == 403 and harness.is_problem(st, h, b), "a fourth break-glass within the hour is refused",
                  harness.describe(st, h, b))
    st, alerts = alerts_of(C["lara"])
    results.check(any(a.get("kind") == "break_glass_burst" and a.get("user_id") == P["nick"]["id"] for a in alerts),
                  "the refused fourth raises a break_glass_burst alert", json.dumps(alerts)[:400])

    # The audit trail of child 2, as the lead of the agency working with it.
    st, records = audit_records(C["lena"], child2)
    results.check(st == 200, "the lead reads child 2's audit trail", str(st))
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
                    r.get("detail", {}).get("action") == "record_event"]
    results.check(len(denied_write) >= 1, "the refused note under break-glass is audited", str(types))
    if ninas:
        d = ninas[0].get("detail", {})
        missing = [k for k in ("role", "action", "operation", "request_id") if k not in d]
        results.check(not missing, "an audit record has who/what/how", "missing %s in %s" % (missing, d))
    for r in records:
        if r.get("type") == "audit.denied" and r.get("user") == P["nina"]["id"]:
            d = r.get("detail", {})
            results.check("relationship" in d and "consent" in d, "audit.denied records relationship and consent",
                          json.dumps(d)[:200])
            break
    st, records = audit_records(C["sally"], child2)
    results.check(st == 200 and not records,
                  "a lead of an agency that does not work with child 2 sees none of its audit trail",
                  "%s, %d records" % (st, len(records)))
    refused(results, C["bea"].get("/api/v1/audit?child=" + child2), "a social worker cannot read the audit trail")
    st, h, b = C["lena"].get("/api/v1/children/%s/audit" % child2)
    recs = b.get("records", []) if isinstance(b, dict) else []
    results.check(st == 200 and any(r.get("type") == "audit.break_glass" for r in recs),
                  "the child's audit shows the break-glass", harness.describe(st, h, b))
    refused(results, C["sally"].get("/api/v1/children/%s/audit" % child2),
            "a lead of an unrelated agency cannot read the child's audit")

    p = env.cli("audit", "--db", env.db_url, "--as", "lena", "--child", child2, "--json", "--limit", "10000",
                check=False)
    cli_types = []
    for line in p.stdout.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if json.dumps(rec).find(P["nina"]["id"]) >= 0:
            cli_types.append(rec.get("type"))
    for t in ("audit.denied", "audit.break_glass", "audit.read"):
        results.check(t in cli_types, "continuum audit --as lena --json shows nina's " + t,
                      str(cli_types) + p.stderr[-200:])
    p = env.cli("audit", "--db", env.db_url, "--as", "alice", check=False)
    results.check(p.returncode == 2 and not p.stdout.strip(), "continuum audit as a practitioner is refused",
                  "exit %d: %s%s" % (p.returncode, p.stdout[:200], p.stderr[:200]))
    p = env.cli("audit", "--db", env.db_url, check=False)
    results.check(p.returncode == 2 and "--as" in p.stderr, "continuum audit needs --as",
                  "exit %d: %s" % (p.returncode, p.stderr[:200]))

    # --- the audit trail stays out of chronologies ----------------------------------
    st, h, b = C["bea"].get("/api/v1/children/%s/chronology" % child2)
    evs = b.get("events", []) if isinstance(b, dict) else []
    results.check(st == 200 and evs and not any(str(e.get("type", "")).startswith("audit.") for e in evs),
                  "the chronology holds no audit records", harness.describe(st, h, b))

    # --- a referral by someone with no relationship: the field-level rule,
    # and it grants nothing ---------------------------------------------------
    child3 = register(C["sam"], results, "Wilma Isolation-Three")
    request_received(C["sam"], results, child3)
    add_member(C["sam"], results, child3, P["tom"])
    add_member(C["sam"], results, child3, P["sue"])
    add_member(C["sam"], results, child3, P["xena"])
    give_consent(C["sam"], results, child3, "ag-y")
    give_consent(C["sam"], results, child3, "ag-x")
    st, h, b = harness.record(C["xavier"], child3, "referral.made", {
        "reason": "bruising seen at school", "consent": "given"})
    results.check(st == 201, "xavier (no relationship) may make a referral", harness.describe(st, h, b))
    results.check(isinstance(b, dict) and sorted(b.keys()) == ["child_id", "event"],
                  "the referral's answer holds only child_id and event", json.dumps(b)[:300])
    referral_id = b.get("event", {}).get("id") if isinstance(b, dict) else None
    cannot_read(results, C["xavier"], child3, "xavier, after his referral,")
    refused(results, harness.record(C["xavier"], child3, "team.member_added",
                                    {"member": P["xavier"]["id"], "role": "referrer"}),
            "xavier cannot add himself to the team around the child")
    refused(results, harness.record(C["xavier"], child3, "consent.given", {
        "given_by": "Robin Carer", "relationship": "carer", "agencies": ["ag-x"], "purpose": "sharing",
        "form": "verbal", "given_on": harness.today()}), "xavier cannot record consent for his agency")
    cannot_read(results, C["xavier"], child3, "xavier, after those attempts,")

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
        results.check("referrer" not in e.get("fields", {}),
                      "a referral names no referrer in its fields: the referrer is whoever recorded it",
                      json.dumps(e)[:300])
        results.check(P["xavier"]["id"] not in json.dumps(e), "xavier's id appears nowhere in tom's view",
                      json.dumps(e)[:300])
    st, e = referral_seen_by("sue")
    results.check(st == 200 and e is not None, "sue (social worker, team member) sees the referral", str(st))
    if e:
        results.check(e.get("author") == P["xavier"]["id"] and e.get("agency") == "ag-x",
                      "a social worker sees who referred", json.dumps(e)[:300])
    st, e = referral_seen_by("xena")
    results.check(st == 200 and e is not None, "xena (referrer's agency, team member) sees the referral", str(st))
    if e:
        results.check(e.get("author") == P["xavier"]["id"],
                      "the referrer's own agency sees who referred", json.dumps(e)[:300])
    # A correction of the referral, by the referrer's own agency, keeps it confidential.
    st, h, b = C["xena"].post("/api/v1/children/%s/corrections" % child3, {
        "supersedes": referral_id, "reason": "the day was missing",
        "fields": {"reason": "bruising seen at school on Monday"}})
    results.check(st == 201, "xena (the referrer's agency, with write access) corrects the referral",
                  harness.describe(st, h, b))
    correction_id = b.get("event", {}).get("id") if isinstance(b, dict) else None
    st, h, b = C["tom"].get("/api/v1/children/%s/chronology" % child3)
    corr = [e for e in (b.get("events", []) if isinstance(b, dict) else []) if e.get("id") == correction_id]
    results.check(len(corr) == 1 and corr[0].get("author") == "withheld" and corr[0].get("agency") == "withheld"
                  and P["xavier"]["id"] not in json.dumps(corr[0]),
                  "the correction of a referral is withheld from tom as the referral is", json.dumps(corr)[:400])
    st, h, b = C["sue"].get("/api/v1/children/%s/chronology" % child3)
    corr = [e for e in (b.get("events", []) if isinstance(b, dict) else []) if e.get("id") == correction_id]
    results.check(len(corr) == 1 and corr[0].get("author") == P["xena"]["id"] and corr[0].get("agency") == "ag-x",
                  "a social worker sees who corrected the referral (xena)", json.dumps(corr)[:400])
    st, h, b = C["tom"].get("/api/v1/children/" + child3)
    leaks = ["%s %s" % (kind, json.dumps(r)[:200]) for kind, recs in (b.get("records", {}) if isinstance(b, dict) else {}).items()
             for r in recs.values() if P["xavier"]["id"] in json.dumps(r)]
    results.check(st == 200 and not leaks,
                  "the summary's records (the referral and its correction) withhold the referrer from tom too",
                  "; ".join(leaks))

    # --- a concern raised by an outsider grants nothing; owning a deadline
    # grants nothing ---------------------------------------------------------
    child5 = register(C["sam"], results, "Violet Isolation-Five")
    request_received(C["sam"], results, child5)
    for who in ("tom", "sue", "xena"):
        add_member(C["sam"], results, child5, P[who])
    give_consent(C["sam"], results, child5, "ag-y")
    give_consent(C["sam"], results, child5, "ag-x")
    record(C["sam"], results, child5, "request.decided",
           {"decision": "early_help", "rationale": "early help can meet the needs", "level": 2},
           "request.decided (early help) on child 5")
    cannot_read(results, C["xavier"], child5, "xavier, before his concern,")
    st, h, b = harness.record(C["xavier"], child5, "concern.raised", {
        "concern": "new bruise reported", "discussed_with": P["tess"]["id"], "decision": "remains_at_current_level"})
    results.check(st == 201, "xavier (no relationship) may raise a concern", harness.describe(st, h, b))
    results.check(isinstance(b, dict) and sorted(b.keys()) == ["child_id", "event"],
                  "the concern's answer holds only child_id and event", json.dumps(b)[:300])
    cannot_read(results, C["xavier"], child5, "xavier, after raising a concern,")
    refused(results, harness.record(C["xavier"], child5, "note.added", {"text": "follow-up"}),
            "xavier cannot add a note after raising a concern")
    st, h, b = C["xavier"].get("/api/v1/children?q=Violet")
    ids = [r.get("child_id") for r in b.get("results", [])] if isinstance(b, dict) else []
    results.check(st == 200 and child5 not in ids, "xavier's search does not find child 5", harness.describe(st, h, b))
    st, h, b = C["xavier"].get("/api/v1/due")
    results.check(st == 200 and child5 not in json.dumps(b), "xavier's due list does not show child 5",
                  harness.describe(st, h, b))

    # The concern makes tess, the team leader it was discussed with, the owner
    # of the early help meeting's deadline (Appendix 6), and that gives her nothing.
    st, h, b = C["xena"].get("/api/v1/children/" + child5)
    owners = [d.get("owner") for d in b.get("deadlines", [])] if isinstance(b, dict) else []
    results.check(st == 200 and P["tess"]["id"] in owners, "tess owns the concern meeting's deadline", str(owners))
    cannot_read(results, C["tess"], child5, "tess, who owns a deadline,")
    refused(results, harness.record(C["tess"], child5, "concern.meeting_held", {
        "attendees": [P["tess"]["id"]], "family_attendees": ["p-1"], "plan_changes": "none"}),
        "tess cannot record the meeting she owns the deadline of")
    st, h, b = C["tess"].get("/api/v1/due?mine=true")
    results.check(st == 200 and child5 not in json.dumps(b), "tess's own due list does not show child 5",
                  harness.describe(st, h, b))
    record(C["xena"], results, child5, "assessment.started",
           {"assessment_type": "early_help_assessment", "assessor": P["nina"]["id"]},
           "assessment.started naming nina as the assessor")
    cannot_read(results, nina, child5, "nina, named as the assessor,")
    refused(results, harness.record(nina, child5, "assessment.completed", {
        "needs": "n", "strengths": "s", "child_views": "c", "parent_views": "p"}),
        "nina cannot complete the assessment she is named for")

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
                      P["xavier"]["id"] not in json.dumps(e),
                      "who raised the concern (author, agency) is withheld from tom",
                      json.dumps(e)[:300])
        results.check(e.get("fields", {}).get("discussed_with") == P["tess"]["id"],
                      "the team leader it was discussed with, who owns the meeting, is not withheld",
                      json.dumps(e)[:300])
        results.check(e.get("fields", {}).get("concern") == "new bruise reported",
                      "the concern itself is not withheld", json.dumps(e)[:300])
    for who in ("sue", "xena"):
        st, e = concern_seen_by(who)
        results.check(st == 200 and e is not None and e.get("author") == P["xavier"]["id"] and
                      e.get("fields", {}).get("discussed_with") == P["tess"]["id"],
                      "%s sees who raised the concern" % who, json.dumps(e)[:300] if e else str(st))

    # --- consent: write access to record it; "all", a withdrawal naming no
    # agency, the order they happened ---------------------------------------------
    child4 = register(C["sam"], results, "Ursula Isolation-Four")
    request_received(C["sam"], results, child4)
    add_member(C["sam"], results, child4, P["tom"])
    add_member(C["sam"], results, child4, P["sue"])
    refused(results, C["tom"].get("/api/v1/children/" + child4), "tom (team member, no consent) cannot read child 4")
    refused(results, harness.record(C["tom"], child4, "consent.given", {
        "given_by": "Robin Carer", "relationship": "carer", "agencies": ["ag-y"], "purpose": "early help",
        "form": "verbal", "given_on": harness.today()}),
        "tom (team member without consent, so no write access) cannot record consent himself")
    refused(results, C["tom"].get("/api/v1/children/" + child4), "and still cannot read child 4")
    record(C["sue"], results, child4, "consent.given", {
        "given_by": "Robin Carer", "relationship": "carer", "agencies": ["ag-z"], "purpose": "assessment",
        "form": "verbal", "given_on": harness.today()},
        "sue (a social worker in the team: write access without consent) records consent for her agency",
        occurred_at=harness.utc(-300))
    record(C["sam"], results, child4, "consent.given", {
        "given_by": "Robin Carer", "relationship": "carer", "agencies": ["all"], "purpose": "early help",
        "form": "verbal", "given_on": harness.today()}, "consent given to \"all\" two minutes ago",
        occurred_at=harness.utc(-120))
    st, h, b = C["tom"].get("/api/v1/children/" + child4)
    results.check(st == 200, "consent given to \"all\" covers tom's agency", harness.describe(st, h, b))
    record(C["sam"], results, child4, "consent.withdrawn",
           {"withdrawn_by": "Robin Carer", "withdrawn_on": harness.today()}, "consent.withdrawn naming no agency",
           occurred_at=harness.utc(-60))
    refused(results, C["tom"].get("/api/v1/children/" + child4), "a withdrawal naming no agency covers tom's")
    # Recorded now but happened before the withdrawal: the withdrawal is still the last.
    give_consent(C["sam"], results, child4, "ag-y", occurred_at=harness.utc(-3600))
    refused(results, C["tom"].get("/api/v1/children/" + child4),
            "consent events count in the order they happened, not recorded")
    record(C["sam"], results, child4, "consent.overridden", {
        "ground": "evidence", "detail": "asking would lose evidence", "shared_with": ["ag-y"]},
        "consent.overridden for ag-y")
    st, h, b = C["tom"].get("/api/v1/children/" + child4)
    results.check(st == 200 and isinstance(b, dict) and "shared" in json.dumps(b.get("access", {})),
                  "shared without consent lets tom read again", harness.describe(st, h, b))

    # --- exports: the leads of agencies working with the child, and the local
    # authority's lead --------------------------------------------------------------
    st, h, b = C["lena"].get("/api/v1/children/%s/export?format=json" % child2)
    text = json.dumps(b)
    results.check(st == 200 and P["nina"]["id"] in text and "break_glass" in text,
                  "the lead of bea's agency exports child 2, every access listed (nina's break-glass too)",
                  harness.describe(st, h, b))
    refused(results, C["bea"].get("/api/v1/children/%s/export?format=json" % child2),
            "the case's own social worker cannot export it")
    refused(results, C["sally"].get("/api/v1/children/%s/export?format=json" % child2),
            "a lead of an agency that does not work with child 2 cannot export it")
    refused(results, C["lena"].get("/api/v1/children/%s/export?format=json" % child3),
            "bea's agency's lead cannot export child 3 (no one of ag-b works with it)")
    for child in (child2, child3):
        st, h, b = C["lara"].get("/api/v1/children/%s/export?format=json" % child)
        results.check(st == 200, "the local authority's lead exports %s" % child, harness.describe(st, h, b))
        st, h, b = C["lara"].get("/api/v1/children/%s/audit" % child)
        results.check(st == 200, "the local authority's lead reads %s's audit" % child, harness.describe(st, h, b))
    st, h, b = C["lara"].get("/api/v1/children/%s/export?format=json" % child3)
    if st == 200:
        sw_view = [e for e in b.get("events", []) if e.get("type") == "referral.made"]
        results.check(sw_view and sw_view[0].get("author") == "withheld",
                      "the export withholds the referrer from a lead outside social care and the referrer's agency",
                      json.dumps(sw_view)[:300])
    st, h, b = C["tess"].get("/api/v1/reports/summary")
    results.check(st == 200, "a team leader reads the aggregate report", harness.describe(st, h, b))

    # --- accounts: privileged accounts and resets are brought to the leads' and
    # the person's attention; alerts are paged --------------------------------------
    st, alerts = alerts_of(C["lara"])
    for who in ("sally", "lena", "lara", "adam"):
        results.check(any(a.get("kind") == "account_privileged" and a.get("user_id") == P[who]["id"] for a in alerts),
                      "creating %s's %s account raised an account_privileged alert" % (who, P[who]["role"]),
                      json.dumps([a for a in alerts if a.get("kind") == "account_privileged"])[:300])
    results.check(not any(a.get("kind") == "account_privileged" and a.get("user_id") == P["tom"]["id"]
                          for a in alerts), "a practitioner's account raises no such alert")
    new_pw = "Fresh-Passphrase-For-Her-91"
    st, h, b = C["adam"].post("/api/v1/users/%s/reset" % P["rita"]["id"], {"password": new_pw})
    results.check(st == 200, "the administrator resets rita's password", harness.describe(st, h, b))
    anon = server.client(source_ip="127.0.8.1")
    st, h, b = anon.post("/api/v1/session", {"username": "rita", "password": P["rita"]["password"]})
    results.check(st == 401, "the old password no longer works", harness.describe(st, h, b))
    st, h, b = anon.post("/api/v1/session", {"username": "rita", "password": new_pw})
    notices = b.get("notices", []) if isinstance(b, dict) else []
    results.check(st == 201 and any(n.get("kind") == "account_reset" for n in notices),
                  "rita's next login tells her of the reset", harness.describe(st, h, b, 400))
    st, h, b = anon.post("/api/v1/session", {"username": "tom", "password": P["tom"]["password"]})
    results.check(st == 201 and not (b.get("notices") if isinstance(b, dict) else None),
                  "someone whose account was not changed has no notices", harness.describe(st, h, b, 300))
    anon.close()
    st, alerts = alerts_of(C["lara"])
    results.check(any(a.get("kind") == "account_reset" and a.get("user_id") == P["rita"]["id"] for a in alerts),
                  "the reset raised an account_reset alert", json.dumps(alerts)[:300])
    paged, before, pages = [], None, 0
    while pages < 100:
        q = "/api/v1/alerts?all=true&limit=2" + ("&before=%s" % before if before else "")
        st, h, b = C["lara"].get(q)
        if st != 200 or not isinstance(b, dict):
            results.check(False, "paging the alerts", harness.describe(st, h, b))
            break
        pages += 1
        paged += [a.get("id") for a in b.get("alerts", [])]
        before = b.get("next_before")
        if not before:
            break
    results.check(pages > 2 and paged == [a.get("id") for a in alerts] and paged == sorted(paged, reverse=True),
                  "alerts paged two at a time (before, next_before) are the whole list, newest first",
                  "%d pages: %s vs %s" % (pages, paged[:10], [a.get("id") for a in alerts][:10]))

    # --- what the audit trail holds ------------------------------------------------
    st, records = audit_records(C["lara"])
    results.check(st == 200 and records, "the whole audit trail is readable by the local authority's lead", str(st))
    types = {r.get("type") for r in records}
    for t in ("audit.read", "audit.search", "audit.write", "audit.denied", "audit.login", "audit.login_failed",
              "audit.logout", "audit.break_glass", "audit.export", "audit.audit_read", "audit.report", "audit.admin",
              "audit.unauthenticated"):
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
    events = env.count("SELECT count(*) FROM events WHERE type NOT LIKE 'audit.%' AND type NOT LIKE 'directory.%'")
    writes = env.count("SELECT count(*) FROM events WHERE type = 'audit.write'")
    results.check(events == writes, "one audit.write per event recorded", "%d events, %d audit.write" % (events, writes))

    for c in C.values():
        c.close()


if __name__ == "__main__":
    harness.run_main("api.isolation", main)
