"""The authorisation matrix: every route of `continuum serve` against
docs/access.md, for every role x relationship x consent (128 cells a route).

    python3 tests/api/matrix_test.py PATH/TO/continuum REPO_ROOT

The expectations below are written from docs/access.md and from the `roles:`
lists of frameworks/worcestershire.yaml, never from the server's code, so
that the test catches the code drifting from the specification. Every route
printed by `continuum serve --print-routes` must have a rule in ROUTE_RULES;
a route without one fails the test.

Fixtures (docs/access.md, "Roles, relationships, consent"):
  - one user per (role, relationship), each in an agency of its own:
    front-door-duty users on a --front-door team, allocated workers and team
    members on ordinary teams, users with no relationship in no team;
  - one Worcestershire child per (role, relationship, consent), set up by a
    social worker of a separate agency: registered, a request for support
    received (which opens the front door's decision deadline, so the case
    awaits the front door), then the relationship (lead professional
    assigned, or added to the team around the family) and the consent for
    the cell user's agency (given; given then withdrawn; shared without
    consent; nothing).

Each cell sends the route's request with `{}` as the body (POST .../events
names note.added; login uses a wrong password) and checks: expected refusal
-> 403 application/problem+json; expected permission -> anything but 401 or
403 (a 4xx for the empty body is fine: the policy let the caller through).
"""

import collections
import concurrent.futures
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import yaml  # noqa: E402

CASE_ROLES = ["practitioner", "lead_professional", "team_leader", "front_door", "social_worker",
              "safeguarding_lead"]
ROLES = CASE_ROLES + ["analyst", "administrator"]
RELATIONSHIPS = ["allocated", "team_member", "front_door_duty", "none"]
CONSENTS = ["given", "shared_without_consent", "withdrawn", "none"]

# Short forms for user names and the printed table.
REL_SHORT = {"allocated": "alloc", "team_member": "team", "front_door_duty": "fdd", "none": "none"}
CONSENT_SHORT = {"given": "given", "shared_without_consent": "shared", "withdrawn": "withdrawn", "none": "none"}

AGENCY_KIND = {"practitioner": "school", "lead_professional": "early_help", "team_leader": "early_help",
               "front_door": "social_care", "social_worker": "social_care", "safeguarding_lead": "health",
               "analyst": "local_authority", "administrator": "local_authority"}

# docs/access.md, "record an event": open to anyone holding the information.
OPEN_EVENTS = {"request.received", "referral.made", "concern.raised"}
HOUSEHOLD_EVENTS = {"person.added", "person.removed"}

# The rule for each route. Kinds:
#   public                 anyone (login is special-cased: a wrong password)
#   own_session            any logged-in user
#   frameworks             any logged-in user
#   administer             administrator
#   aggregates             analyst, team leader, safeguarding lead
#   safeguarding           safeguarding lead (audit, alerts, a child's audit, export)
#   case_always            any case role (register, search, due list, break-glass)
#   read                   the read rule
#   record:<event type>    the record rule for that event type
#   correct                the correction rule (see CORRECTION below)
ROUTE_RULES = {
    ("GET", "/healthz"): "public",
    ("GET", "/metrics"): "public",
    ("POST", "/api/v1/session"): "public",
    ("GET", "/api/v1/session"): "own_session",
    ("DELETE", "/api/v1/session"): "own_session",
    ("GET", "/api/v1/frameworks"): "frameworks",
    ("GET", "/api/v1/frameworks/{framework}"): "frameworks",
    ("POST", "/api/v1/frameworks/{framework}/assess"): "frameworks",
    ("POST", "/api/v1/children"): "case_always",
    ("GET", "/api/v1/children"): "case_always",
    ("GET", "/api/v1/children/{child}"): "read",
    ("GET", "/api/v1/children/{child}/chronology"): "read",
    ("GET", "/api/v1/children/{child}/next"): "read",
    ("GET", "/api/v1/children/{child}/people"): "read",
    ("POST", "/api/v1/children/{child}/people"): "record:person.added",
    ("DELETE", "/api/v1/children/{child}/people/{person}"): "record:person.removed",
    ("POST", "/api/v1/children/{child}/requests"): "record:request.received",
    ("POST", "/api/v1/children/{child}/requests/decision"): "record:request.decided",
    ("POST", "/api/v1/children/{child}/levels"): "record:level.decided",
    ("POST", "/api/v1/children/{child}/consent"): "record:consent.given",
    ("POST", "/api/v1/children/{child}/consent/withdrawal"): "record:consent.withdrawn",
    ("POST", "/api/v1/children/{child}/consent/override"): "record:consent.overridden",
    ("POST", "/api/v1/children/{child}/consent/refusal"): "record:consent.early_help_refused",
    ("POST", "/api/v1/children/{child}/assessments"): "record:assessment.started",
    ("POST", "/api/v1/children/{child}/assessments/completion"): "record:assessment.completed",
    ("POST", "/api/v1/children/{child}/plans"): "record:plan.agreed",
    ("POST", "/api/v1/children/{child}/actions"): "record:action.added",
    ("POST", "/api/v1/children/{child}/actions/{action}/progress"): "record:action.updated",
    ("POST", "/api/v1/children/{child}/team"): "record:team.member_added",
    ("DELETE", "/api/v1/children/{child}/team/{member}"): "record:team.member_left",
    ("POST", "/api/v1/children/{child}/lead-professional"): "record:lead_professional.assigned",
    ("POST", "/api/v1/children/{child}/reviews"): "record:review.held",
    ("POST", "/api/v1/children/{child}/step-up"): "record:step_up.requested",
    ("POST", "/api/v1/children/{child}/step-up/conversation"): "record:step_up.conversation_held",
    ("POST", "/api/v1/children/{child}/referrals"): "record:referral.made",
    ("POST", "/api/v1/children/{child}/referrals/acceptance"): "record:referral.accepted",
    ("POST", "/api/v1/children/{child}/step-down"): "record:step_down.requested",
    ("POST", "/api/v1/children/{child}/step-down/final-meeting"): "record:step_down.final_meeting",
    ("POST", "/api/v1/children/{child}/concerns"): "record:concern.raised",
    ("POST", "/api/v1/children/{child}/concerns/meeting"): "record:concern.meeting_held",
    ("POST", "/api/v1/children/{child}/escalations"): "record:escalation.raised",
    ("POST", "/api/v1/children/{child}/escalations/resolution"): "record:escalation.resolved",
    ("POST", "/api/v1/children/{child}/closure"): "record:case.closed",
    ("POST", "/api/v1/children/{child}/notes"): "record:note.added",
    # The generic route: this test names note.added in the body.
    ("POST", "/api/v1/children/{child}/events"): "record:note.added",
    ("POST", "/api/v1/children/{child}/corrections"): "correct",
    ("POST", "/api/v1/children/{child}/break-glass"): "case_always",
    ("GET", "/api/v1/children/{child}/audit"): "safeguarding",
    ("GET", "/api/v1/children/{child}/export"): "safeguarding",
    ("GET", "/api/v1/due"): "case_always",
    ("GET", "/api/v1/audit"): "safeguarding",
    ("GET", "/api/v1/alerts"): "safeguarding",
    ("POST", "/api/v1/alerts/{alert}/acknowledgement"): "safeguarding",
    ("GET", "/api/v1/reports/summary"): "aggregates",
    ("GET", "/api/v1/agencies"): "administer",
    ("POST", "/api/v1/agencies"): "administer",
    ("GET", "/api/v1/teams"): "administer",
    ("POST", "/api/v1/teams"): "administer",
    ("GET", "/api/v1/users"): "administer",
    ("POST", "/api/v1/users"): "administer",
    ("POST", "/api/v1/users/{user}/disable"): "administer",
    ("POST", "/api/v1/users/{user}/reset"): "administer",
}

PUBLIC_ROUTES = {k for k, v in ROUTE_RULES.items() if v == "public"}
LOGIN = ("POST", "/api/v1/session")
LOGOUT = ("DELETE", "/api/v1/session")
CORRECTIONS = ("POST", "/api/v1/children/{child}/corrections")
# An extra column: the correction of the child's request for support, an
# event recorded by the set-up user's agency, which is no cell's agency.
CORRECT_OTHER = ("POST", "/api/v1/children/{child}/corrections", "supersedes another agency's event")

ALLOW, DENY, EITHER = "allow", "deny", "either"


# ---------------------------------------------------------------------------
# The specification, as functions


def load_event_roles(repo):
    """event type -> roles that may record it, from the framework's pathway."""
    with open(os.path.join(repo, "frameworks", "worcestershire.yaml")) as f:
        fw = yaml.safe_load(f)
    pathway = fw["pathway"]
    default = list(pathway.get("roles") or [])
    out = {}
    for t in pathway["transitions"]:
        out[t["event"]] = list(t.get("roles") or default)
    return out


def may_read(role, rel, consent):
    """docs/access.md: read a case (without break-glass)."""
    if role not in CASE_ROLES:
        return False
    if rel in ("allocated", "front_door_duty"):
        return True
    if rel == "team_member":
        return consent in ("given", "shared_without_consent") or role == "social_worker"
    return False


def may_record(event_roles, event, role, rel, consent):
    """docs/access.md: record an event."""
    if role not in CASE_ROLES:
        return False
    if event in HOUSEHOLD_EVENTS:
        roles = CASE_ROLES
    else:
        roles = event_roles.get(event)
        if roles is None:
            raise KeyError("the framework has no event " + event)
    if role not in roles:
        return False
    if event in OPEN_EVENTS:
        return True
    if event.startswith("consent."):
        return rel != "none"
    return may_read(role, rel, consent)


def expectation(rule, role, rel, consent, event_roles):
    if rule == "public":
        return ALLOW
    if rule in ("own_session", "frameworks"):
        return ALLOW
    if rule == "administer":
        return ALLOW if role == "administrator" else DENY
    if rule == "aggregates":
        return ALLOW if role in ("analyst", "team_leader", "safeguarding_lead") else DENY
    if rule == "safeguarding":
        return ALLOW if role == "safeguarding_lead" else DENY
    if rule == "case_always":
        return ALLOW if role in CASE_ROLES else DENY
    if rule == "read":
        return ALLOW if may_read(role, rel, consent) else DENY
    if rule.startswith("record:"):
        return ALLOW if may_record(event_roles, rule[len("record:"):], role, rel, consent) else DENY
    if rule == "correct":
        # An empty body names no event to correct, so the rule for the
        # original event's type cannot apply; only the roles that are refused
        # everything (analyst, administrator) have a definite answer.
        return EITHER if role in CASE_ROLES else DENY
    if rule == "correct_other_agency":
        # "only by the agency that recorded it": no cell user is of the
        # set-up agency.
        return DENY
    raise KeyError("no expectation for rule " + rule)


# ---------------------------------------------------------------------------
# Fixtures


def username(role, rel):
    return "m-%s-%s" % (role.replace("_", "-"), REL_SHORT[rel])


def agency_of(role, rel):
    return "ag-%s-%s" % (role.replace("_", "-"), REL_SHORT[rel])


def create_directory(env):
    env.add_agency("ag-setup", "Set-up Children's Services", "social_care")
    env.add_team("tm-setup-fd", "ag-setup", "Set-up Family Front Door", front_door=True)
    setup_id, setup_pw = env.add_user("m-setup", "social_worker", "ag-setup", team_id="tm-setup-fd")
    users = {}
    for role in ROLES:
        for rel in RELATIONSHIPS:
            ag = agency_of(role, rel)
            env.add_agency(ag, "Agency of %s (%s)" % (role, rel), AGENCY_KIND[role])
            team = None
            if rel == "front_door_duty":
                team = "tm-%s-fd" % role.replace("_", "-")
                env.add_team(team, ag, "Front door team (%s)" % role, front_door=True)
            elif rel in ("allocated", "team_member"):
                team = "tm-%s-%s" % (role.replace("_", "-"), REL_SHORT[rel])
                env.add_team(team, ag, "Ordinary team (%s, %s)" % (role, rel))
            uid, pw = env.add_user(username(role, rel), role, ag, team_id=team)
            users[(role, rel)] = {"id": uid, "password": pw, "agency": ag, "username": username(role, rel)}
    return ("m-setup", setup_pw), users


def create_child(c, results, role, rel, consent, user):
    """Registers one child and builds the cell's relationship and consent. Returns (child id, request event id)."""
    label = "%s/%s/%s" % (role, REL_SHORT[rel], CONSENT_SHORT[consent])

    def ok(resp, what):
        st, h, b = resp
        return results.check(st == 201, "setup %s: %s" % (label, what), harness.describe(st, h, b))

    r = c.post("/api/v1/children", {"framework": "worcestershire",
                                    "fields": {"display_name": "Matrix %s %s %s" % (role, rel, consent),
                                               "date_of_birth": "2016-04-12", "sex": "female"}})
    if not ok(r, "register"):
        return None, None
    child = r[2]["child_id"]
    base = "/api/v1/children/" + child
    r = c.post(base + "/requests", {"fields": {"source": "school", "reason": "attendance and neglect worries",
                                               "immediate_risk": False, "consent": "given"}})
    ok(r, "request.received")
    request_event = r[2].get("event", {}).get("id") if isinstance(r[2], dict) else None
    if rel == "allocated":
        ok(c.post(base + "/lead-professional", {"fields": {"lead_professional": user["id"],
                                                             "agency": user["agency"], "service": "other"}}),
           "lead_professional.assigned")
    elif rel == "team_member":
        ok(c.post(base + "/team", {"fields": {"member": user["id"], "agency": user["agency"],
                                              "role": "key worker"}}), "team.member_added")
    given = {"fields": {"given_by": "Sam Parent", "relationship": "parent", "agencies": [user["agency"]],
                        "purpose": "share information for early help", "form": "written",
                        "given_on": harness.today()}}
    if consent == "given":
        ok(c.post(base + "/consent", given), "consent.given")
    elif consent == "withdrawn":
        given["occurred_at"] = harness.utc(-120)
        ok(c.post(base + "/consent", given), "consent.given")
        ok(c.post(base + "/consent/withdrawal", {"fields": {"withdrawn_by": "Sam Parent",
                                                              "withdrawn_on": harness.today(),
                                                              "agencies": [user["agency"]]}}),
           "consent.withdrawn")
    elif consent == "shared_without_consent":
        ok(c.post(base + "/consent/override", {"fields": {"ground": "significant-harm",
                                                            "detail": "asking would put the child at risk",
                                                            "shared_with": [user["agency"]]}}),
           "consent.overridden")
    return child, request_event


def check_access(setup_client, results, children, users):
    """The set-up is what the spec says it is: the summary reports the cell's relationship and consent.

    Read by each cell's own user where the policy lets them read; a mismatch
    here means the fixtures (or the server's derivation of the relationship
    or consent) are off, and the matrix result for that cell is suspect.
    """
    names = {"allocated": "allocated worker", "team_member": "team member", "front_door_duty": "front-door duty",
             "none": "none"}
    cnames = {"given": "given", "shared_without_consent": "shared without consent", "withdrawn": "withdrawn",
              "none": "none"}
    bad = []
    for (role, rel, consent), (child, _) in children.items():
        if role not in CASE_ROLES or not may_read(role, rel, consent):
            continue
        st, h, b = users[(role, rel)]["client"].get("/api/v1/children/" + child)
        if st != 200 or not isinstance(b, dict):
            continue  # reported by the matrix
        acc = b.get("access", {})
        want = (names[rel], cnames[consent])
        norm = lambda v: str(v).replace("_", " ").replace("-", " ")
        want = (norm(want[0]), norm(want[1]))
        got = (norm(acc.get("relationship", "")), norm(acc.get("consent", "")))
        if got != want:
            bad.append("%s/%s/%s: summary says %s, %s" % (role, rel, consent, got[0], got[1]))
    results.check(not bad, "the server describes the fixtures' relationship and consent as set up",
                  "; ".join(bad[:10]))


# ---------------------------------------------------------------------------
# The matrix


def request_for(route, child, request_event, user, consent_index):
    """(method, path, body, kwargs) for one cell."""
    method, template = route[0], route[1]
    params = {"child": child, "framework": "worcestershire"}
    path = harness.fill_path(template, params)
    if route == LOGIN:
        return method, path, {"username": user["username"], "password": "not-the-password-at-all"}
    if len(route) == 3 and route == CORRECT_OTHER:
        return method, path, {"supersedes": request_event or "missing", "reason": "typed in the wrong field",
                              "fields": {"reason": "corrected reason"}}
    if template.endswith("/events") and method == "POST":
        return method, path, {"type": "note.added"}
    if method in ("POST", "DELETE"):
        return method, path, {}
    return method, path, None


def judge(expected, status, headers, body):
    """None if the response meets the expectation, else a short description of what came back."""
    if status == 401:
        return "401"
    if expected == DENY:
        if status == 403 and harness.is_problem(status, headers, body):
            return None
        return str(status) if status != 403 else "403 (not problem+json)"
    if expected == ALLOW:
        return None if status != 403 else "403"
    # EITHER
    if status == 403 and not harness.is_problem(status, headers, body):
        return "403 (not problem+json)"
    return None


def run_cells(server, routes, event_roles, users, children, results):
    """Runs every route x cell; one thread (and connection) per user. Returns mismatches."""
    mismatches = []
    counts = collections.Counter()
    tally = collections.Counter()

    def work(role, rel):
        user = users[(role, rel)]
        client = user["client"]
        local = []
        n = 0
        mine = collections.Counter()
        # Each user's four cells differ only by consent (and child).
        for ci, consent in enumerate(CONSENTS):
            child, request_event = children[(role, rel, consent)]
            for route in routes:
                rule = "correct_other_agency" if route == CORRECT_OTHER else ROUTE_RULES[route[:2]]
                expected = expectation(rule, role, rel, consent, event_roles)
                method, path, body = request_for(route, child, request_event, user, ci)
                mine[expected] += 1
                if route[:2] == LOGOUT:
                    # Logging out ends the token: use a fresh session for it.
                    fresh = server.login(user["username"], user["password"])
                    st, h, b = fresh.request(method, path, body)
                    fresh.close()
                elif route[:2] == LOGIN:
                    # A wrong password: 401 (or 429 once throttled) is the
                    # answer a public route gives; never 403. A source address
                    # of the user's own keeps the per-address limit out of it.
                    anon = server.client(source_ip=user["source_ip"])
                    st, h, b = anon.request(method, path, body)
                    anon.close()
                    n += 1
                    if st not in (401, 429) or not harness.is_problem(st, h, b):
                        local.append((route, role, rel, consent, "401", harness.describe(st, h, b, 80)))
                    continue
                elif route[:2] in PUBLIC_ROUTES:
                    st, h, b = client.request(method, path, body, auth=False)
                else:
                    st, h, b = client.request(method, path, body)
                n += 1
                bad = judge(expected, st, h, b)
                if bad is not None:
                    detail = b.get("detail", "") if isinstance(b, dict) else str(b)
                    local.append((route, role, rel, consent, expected, "%s %s" % (bad, str(detail)[:90])))
        return n, local, mine

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(work, role, rel) for role in ROLES for rel in RELATIONSHIPS]
        for f in futures:
            n, local, mine = f.result()
            tally.update(mine)
            counts["sent"] += n
            mismatches.extend(local)
    print("expected: %s" % ", ".join("%s %d" % kv for kv in sorted(tally.items())))
    return counts["sent"], mismatches


def check_unauthenticated(server, routes, children, results):
    """Every route but the public ones wants a session: 401 problem+json without a token."""
    anon = server.client()
    child = next(iter(children.values()))[0]
    bad = []
    for route in routes:
        if route in PUBLIC_ROUTES or len(route) == 3:
            continue
        method, template = route
        path = harness.fill_path(template, {"child": child, "framework": "worcestershire"})
        body = {} if method in ("POST", "DELETE") else None
        st, h, b = anon.request(method, path, body)
        if not (st == 401 and harness.is_problem(st, h, b)):
            bad.append("%s %s -> %s" % (method, template, harness.describe(st, h, b, 60)))
        st, h, b = anon.request(method, path, body, token="bm90LWEtcmVhbC10b2tlbg")
        if not (st == 401 and harness.is_problem(st, h, b)):
            bad.append("%s %s (bogus token) -> %s" % (method, template, harness.describe(st, h, b, 60)))
    anon.close()
    for line in bad:
        results.check(False, "unauthenticated", line)
    results.check(True, "unauthenticated requests checked")


def print_table(mismatches):
    """Groups mismatches by route, expectation and answer, listing the cells compactly."""
    if not mismatches:
        return
    groups = collections.OrderedDict()
    for route, role, rel, consent, expected, got in mismatches:
        status = got.split(" ", 1)[0]
        key = (route, expected, status)
        groups.setdefault(key, []).append((role, rel, consent, got))
    print("\nMismatches (route | expected | got | cells role/relationship/consent):")
    for (route, expected, status), cells in groups.items():
        name = "%s %s" % (route[0], route[1]) + (" [%s]" % route[2] if len(route) == 3 else "")
        # Collapse the consent axis when all four consents of a (role, rel) disagree alike.
        by_rr = collections.OrderedDict()
        for role, rel, consent, _ in cells:
            by_rr.setdefault((role, rel), []).append(consent)
        parts = []
        for (role, rel), cons in by_rr.items():
            if len(cons) == len(CONSENTS):
                parts.append("%s/%s/*" % (role, REL_SHORT[rel]))
            else:
                parts.append("%s/%s/{%s}" % (role, REL_SHORT[rel], ",".join(CONSENT_SHORT[c] for c in cons)))
        print("  %-58s | %-6s | %-5s | %d: %s" % (name, expected, status, len(cells), " ".join(parts)))
        print("      e.g. %s" % cells[0][3])
    print()


def main(env, results):
    started = time.time()
    event_roles = load_event_roles(env.repo)
    printed = harness.print_routes(env)
    unknown = [r for r in printed if r not in ROUTE_RULES]
    for r in unknown:
        results.check(False, "route has no expectation rule in matrix_test.py", "%s %s" % r)
    stale = [r for r in ROUTE_RULES if r not in printed]
    if stale:
        results.note("note: rules for routes the server does not have: " +
                     ", ".join("%s %s" % r for r in stale))
    routes = [r for r in printed if r in ROUTE_RULES]
    if CORRECTIONS in routes:
        routes.append(CORRECT_OTHER)
    for rule in set(ROUTE_RULES[r[:2]] for r in routes):
        if rule.startswith("record:"):
            ev = rule[len("record:"):]
            if ev not in HOUSEHOLD_EVENTS and ev not in event_roles:
                results.check(False, "framework event for rule", ev + " is not in worcestershire's pathway")

    env.init_db()
    (setup_name, setup_pw), users = create_directory(env)
    results.note("directory: %d users (%.1fs)" % (len(users) + 1, time.time() - started))

    server = env.server()
    try:
        setup = server.login(setup_name, setup_pw)
        children = {}

        def build(role, rel):
            c = server.login(setup_name, setup_pw)
            out = {}
            for consent in CONSENTS:
                out[(role, rel, consent)] = create_child(c, results, role, rel, consent, users[(role, rel)])
            c.close()
            return out

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            for f in [pool.submit(build, role, rel) for role in ROLES for rel in RELATIONSHIPS]:
                children.update(f.result())
        missing = [k for k, v in children.items() if v[0] is None]
        if missing:
            results.check(False, "fixtures", "%d children could not be set up; stopping" % len(missing))
            return
        results.note("fixtures: %d children (%.1fs)" % (len(children), time.time() - started))

        for i, ((role, rel), u) in enumerate(sorted(users.items())):
            u["client"] = server.login(u["username"], u["password"])
            u["source_ip"] = "127.0.%d.%d" % (1 + i // 200, 2 + i % 200)
        check_access(setup, results, children, users)

        sent, mismatches = run_cells(server, routes, event_roles, users, children, results)
        cells = len(routes) * len(ROLES) * len(RELATIONSHIPS) * len(CONSENTS)
        results.check(sent == cells, "every cell was sent", "%d of %d" % (sent, cells))
        results.passed += sent - len(mismatches)
        results.failed += len(mismatches)
        results.failures.extend("%s %s %s/%s/%s" % (m[0][0], m[0][1], m[1], m[2], m[3]) for m in mismatches)
        results.note("matrix: %d routes x 128 cells = %d requests, %d mismatches (%.1fs)" %
                     (len(routes), sent, len(mismatches), time.time() - started))
        print_table(mismatches)

        check_unauthenticated(server, routes, children, results)

        st, _, _ = setup.get("/healthz")
        results.check(st == 200, "healthz at the end", str(st))
        for u in users.values():
            u["client"].close()
        setup.close()
    finally:
        code = server.stop()
    results.check(code == 0, "continuum serve exits 0 on SIGTERM", "exit %s: %s" % (code, server.log()[-500:]))
    results.note("total %.1fs" % (time.time() - started))


if __name__ == "__main__":
    harness.run_main("api.matrix", main)
