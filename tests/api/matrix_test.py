"""The authorisation matrix: every route of `continuum serve` against
docs/access.md and the case layer's rules, for every role x relationship x
consent (128 cells a route).

    python3 tests/api/matrix_test.py PATH/TO/continuum REPO_ROOT [postgres]

The expectations below are written from docs/access.md, the rules of the
case layer (relationships come from the record only; refusals reveal
nothing) and the `roles:` and `entry:` of frameworks/worcestershire.yaml,
never from the server's code, so that the test catches the code drifting
from the specification. Every route printed by `continuum serve
--print-routes` must have a rule in ROUTE_RULES; a route without one fails
the test. Every cell expects exactly one answer: allowed or refused.

Fixtures, each relationship made the way the record makes it:
  - the front door: one team whose duty is worcestershire/front_door
    (`team add --duty`), in agency ag-fd. The set-up social worker and the
    eight front-door-duty cell users are on it. A request for support
    starts the front door's decision deadline, owned by that team: the team
    then has duty for the child while the deadline is open.
  - a referrer (a practitioner of a school with no relationship) registers
    each child and records its request for support: an entry event, which
    anyone working with children may record and which grants nothing.
  - allocated worker: the set-up social worker (on duty) records
    lead_professional.assigned naming the cell user.
  - team member: the set-up social worker records team.member_added
    naming the cell user.
  - consent for the cell user's agency, recorded by the set-up social
    worker (who has write access through the duty): given; given then
    withdrawn; shared without consent (consent.overridden); nothing.
  - every other cell user is in an agency of its own; allocated and team
    member users are on ordinary teams (no duty), users with no
    relationship on none.

Each cell sends a request the API accepts as well formed (so that the access
policy, not the body, decides) and checks: expected refusal -> 403
application/problem+json; expected permission -> the route's success status
(or the documented answer for a well-formed request about something that is
not there, e.g. 404 for a correction of an unknown event). Any 5xx fails.
"""

import collections
import concurrent.futures
import os
import sys
import threading
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

FRONT_DOOR_DUTY = "worcestershire/front_door"
FRONT_DOOR_AGENCY = "ag-fd"
FRONT_DOOR_TEAM = "tm-fd"
HOUSEHOLD_EVENTS = {"person.added", "person.removed"}

# The rule for each route. Kinds:
#   public                 anyone (login is special-cased: a wrong password)
#   metrics                administrator (or the metrics token)
#   own_session            any logged-in user
#   frameworks             any logged-in user
#   administer             administrator
#   aggregates             analyst, team leader, safeguarding lead
#   safeguarding           safeguarding lead (audit trail, alerts: filtered child by child)
#   oversight              a safeguarding lead whose agency works with the child, or the local authority's
#   case_always            any case role (register, search, due list)
#   break_glass            any case role, for a child that exists
#   read                   the read rule
#   record:<event type>    the record rule for that event type
#   check:<event type>     as record: checking an event is asking to record it
#   correct                the correction rule (write access; see CORRECT_OTHER for the agency rule)
ROUTE_RULES = {
    ("GET", "/healthz"): "public",
    ("GET", "/metrics"): "metrics",
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
    # The one event route: this column records a case note.
    ("POST", "/api/v1/children/{child}/events"): "record:note.added",
    ("POST", "/api/v1/children/{child}/events/check"): "check:note.added",
    ("POST", "/api/v1/children/{child}/corrections"): "correct",
    ("POST", "/api/v1/children/{child}/break-glass"): "break_glass",
    ("GET", "/api/v1/children/{child}/audit"): "oversight",
    ("GET", "/api/v1/children/{child}/export"): "oversight",
    ("GET", "/api/v1/due"): "case_always",
    ("GET", "/api/v1/caseload"): "case_always",
    ("GET", "/api/v1/staff"): "case_always",
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
METRICS = ("GET", "/metrics")
EVENTS = ("POST", "/api/v1/children/{child}/events")
CORRECTIONS = ("POST", "/api/v1/children/{child}/corrections")

# Extra columns on routes above, each with a rule of its own. They come after
# every other column of a cell (they change the case: a refusal of early
# help, then a referral while the front door is deciding the request).
CORRECT_OTHER = ("POST", "/api/v1/children/{child}/corrections", "supersedes another agency's event")
ROLE_LIMITED = ("POST", "/api/v1/children/{child}/events", "consent.early_help_refused (some roles only)")
ENTRY = ("POST", "/api/v1/children/{child}/events", "referral.made (an entry event)")
EXTRA_RULES = {
    # "only by the agency that recorded it": the referrer's agency is no cell's.
    CORRECT_OTHER: "correct_other_agency",
    ROLE_LIMITED: "record:consent.early_help_refused",
    ENTRY: "record:referral.made",
}

ALLOW, DENY = "allow", "deny"

# What an allowed request answers (the requests are those of request_for).
ALLOWED_STATUS = {
    ("GET", "/healthz"): {200},
    ("GET", "/metrics"): {200},
    ("GET", "/api/v1/session"): {200},
    ("DELETE", "/api/v1/session"): {204},
    ("GET", "/api/v1/frameworks"): {200},
    ("GET", "/api/v1/frameworks/{framework}"): {200},
    ("POST", "/api/v1/frameworks/{framework}/assess"): {200},
    ("POST", "/api/v1/children"): {201},
    ("GET", "/api/v1/children"): {200},
    ("GET", "/api/v1/children/{child}"): {200},
    ("GET", "/api/v1/children/{child}/chronology"): {200},
    ("GET", "/api/v1/children/{child}/next"): {200},
    ("GET", "/api/v1/children/{child}/people"): {200},
    ("POST", "/api/v1/children/{child}/events"): {201},
    ("POST", "/api/v1/children/{child}/events/check"): {200},
    # An unknown event id: may correct, but there is nothing to correct.
    ("POST", "/api/v1/children/{child}/corrections"): {404},
    # No reason given: may break the glass, but not without saying why.
    ("POST", "/api/v1/children/{child}/break-glass"): {422},
    ("GET", "/api/v1/children/{child}/audit"): {200},
    ("GET", "/api/v1/children/{child}/export"): {200},
    ("GET", "/api/v1/due"): {200},
    ("GET", "/api/v1/caseload"): {200},
    ("GET", "/api/v1/staff"): {200},
    ("GET", "/api/v1/audit"): {200},
    ("GET", "/api/v1/alerts"): {200},
    # An alert that does not exist.
    ("POST", "/api/v1/alerts/{alert}/acknowledgement"): {404},
    ("GET", "/api/v1/reports/summary"): {200},
    ("GET", "/api/v1/agencies"): {200},
    ("POST", "/api/v1/agencies"): {201},
    ("GET", "/api/v1/teams"): {200},
    ("POST", "/api/v1/teams"): {201},
    ("GET", "/api/v1/users"): {200},
    ("POST", "/api/v1/users"): {201},
    # A user who does not exist.
    ("POST", "/api/v1/users/{user}/disable"): {404},
    ("POST", "/api/v1/users/{user}/reset"): {404},
    ROLE_LIMITED: {201},
    ENTRY: {201},
}


# ---------------------------------------------------------------------------
# The specification, as functions


def load_pathway(repo):
    """event type -> {"roles": [...], "entry": bool}, from the framework's pathway."""
    with open(os.path.join(repo, "frameworks", "worcestershire.yaml")) as f:
        fw = yaml.safe_load(f)
    pathway = fw["pathway"]
    default = list(pathway.get("roles") or [])
    out = {}
    for t in pathway["transitions"]:
        e = out.setdefault(t["event"], {"roles": [], "entry": False})
        for r in (t.get("roles") or default):
            if r not in e["roles"]:
                e["roles"].append(r)
        e["entry"] = e["entry"] or bool(t.get("entry"))
    for ev in HOUSEHOLD_EVENTS:
        out[ev] = {"roles": list(CASE_ROLES), "entry": False}
    return out


def load_event_roles(repo):
    """event type -> roles that may record it (kept for the other suites)."""
    return {k: v["roles"] for k, v in load_pathway(repo).items()}


def may_read(role, rel, consent):
    """Read a case (without break-glass)."""
    if role not in CASE_ROLES:
        return False
    if rel in ("allocated", "front_door_duty"):
        return True
    if rel == "team_member":
        # Social care acts under statutory duties that do not wait on consent.
        return consent in ("given", "shared_without_consent") or role == "social_worker"
    return False


def may_write(role, rel, consent):
    """Write to a case: the read rule without break-glass. Consent and team
    changes are no exception: they need write access like any other event."""
    return may_read(role, rel, consent)


def may_record(pathway, event, role, rel, consent):
    """Record an event: the framework's roles for it, then write access, except
    that an entry event (request, referral, concern) is open to any case role."""
    if role not in CASE_ROLES:
        return False
    spec = pathway.get(event)
    if spec is None:
        raise KeyError("the framework has no event " + event)
    if role not in spec["roles"]:
        return False
    if spec["entry"]:
        return True
    return may_write(role, rel, consent)


def agency_works_with_child(rel):
    """Whether the cell user's agency is among those working with the child:
    the lead professional's, allocated worker's, team members' and the duty
    team's. Each cell user's agency is related only through the cell's own
    relationship (front-door-duty users are in the duty team's agency)."""
    return rel != "none"


def expectation(rule, role, rel, consent, pathway, agency_kind=None):
    agency_kind = agency_kind or AGENCY_KIND[role]
    if rule == "public":
        return ALLOW
    if rule == "metrics":
        return ALLOW if role == "administrator" else DENY
    if rule in ("own_session", "frameworks"):
        return ALLOW
    if rule == "administer":
        return ALLOW if role == "administrator" else DENY
    if rule == "aggregates":
        return ALLOW if role in ("analyst", "team_leader", "safeguarding_lead") else DENY
    if rule == "safeguarding":
        return ALLOW if role == "safeguarding_lead" else DENY
    if rule == "oversight":
        if role != "safeguarding_lead":
            return DENY
        return ALLOW if agency_kind == "local_authority" or agency_works_with_child(rel) else DENY
    if rule in ("case_always", "break_glass"):
        return ALLOW if role in CASE_ROLES else DENY
    if rule == "read":
        return ALLOW if may_read(role, rel, consent) else DENY
    if rule.startswith("record:") or rule.startswith("check:"):
        event = rule.split(":", 1)[1]
        return ALLOW if may_record(pathway, event, role, rel, consent) else DENY
    if rule == "correct":
        return ALLOW if may_write(role, rel, consent) else DENY
    if rule == "correct_other_agency":
        return DENY
    raise KeyError("no expectation for rule " + rule)


def rule_of(route):
    return EXTRA_RULES[route] if len(route) == 3 else ROUTE_RULES[route]


# ---------------------------------------------------------------------------
# Fixtures


def username(role, rel):
    return "m-%s-%s" % (role.replace("_", "-"), REL_SHORT[rel])


def agency_of(role, rel):
    if rel == "front_door_duty":
        return FRONT_DOOR_AGENCY  # a user joins only a team of their own agency
    return "ag-%s-%s" % (role.replace("_", "-"), REL_SHORT[rel])


def create_directory(env):
    env.add_agency(FRONT_DOOR_AGENCY, "Family Front Door (children's social care)", "social_care")
    env.add_team(FRONT_DOOR_TEAM, FRONT_DOOR_AGENCY, "Family Front Door", duty=FRONT_DOOR_DUTY)
    setup_id, setup_pw = env.add_user("m-setup", "social_worker", FRONT_DOOR_AGENCY, team_id=FRONT_DOOR_TEAM)
    env.add_agency("ag-ref", "Referring School", "school")
    ref_id, ref_pw = env.add_user("m-referrer", "practitioner", "ag-ref")
    env.add_agency("ag-la", "The Local Authority", "local_authority")
    la_id, la_pw = env.add_user("m-la-lead", "safeguarding_lead", "ag-la")
    users = {}
    for role in ROLES:
        for rel in RELATIONSHIPS:
            ag = agency_of(role, rel)
            team = None
            if rel == "front_door_duty":
                team = FRONT_DOOR_TEAM
            else:
                env.add_agency(ag, "Agency of %s (%s)" % (role, rel), AGENCY_KIND[role])
                if rel in ("allocated", "team_member"):
                    team = "tm-%s-%s" % (role.replace("_", "-"), REL_SHORT[rel])
                    env.add_team(team, ag, "Ordinary team (%s, %s)" % (role, rel))
            uid, pw = env.add_user(username(role, rel), role, ag, team_id=team)
            kind = "social_care" if rel == "front_door_duty" else AGENCY_KIND[role]
            users[(role, rel)] = {"id": uid, "password": pw, "agency": ag, "agency_kind": kind,
                                  "username": username(role, rel)}
    fixed = {"setup": ("m-setup", setup_pw, setup_id), "referrer": ("m-referrer", ref_pw, ref_id),
             "la_lead": ("m-la-lead", la_pw, la_id)}
    return fixed, users


def create_child(setup, referrer, results, role, rel, consent, user):
    """Registers one child and builds the cell's relationship and consent. Returns (child id, request event id)."""
    label = "%s/%s/%s" % (role, REL_SHORT[rel], CONSENT_SHORT[consent])

    def ok(resp, what):
        st, h, b = resp
        return results.check(st == 201, "setup %s: %s" % (label, what), harness.describe(st, h, b))

    r = referrer.post("/api/v1/children", {"framework": "worcestershire",
                                           "fields": {"display_name": "Matrix %s %s %s" % (role, rel, consent),
                                                      "date_of_birth": "2016-04-12", "sex": "female"}})
    if not ok(r, "register"):
        return None, None
    child = r[2]["child_id"]
    r = harness.record(referrer, child, "request.received",
                       {"source": "school", "reason": "attendance and neglect worries",
                        "immediate_risk": False, "consent": "given"})
    ok(r, "request.received by a referrer with no relationship")
    request_event = r[2].get("event", {}).get("id") if isinstance(r[2], dict) else None
    if r[0] == 201:
        results.check(sorted(r[2].keys()) == ["child_id", "event"],
                      "setup %s: the referrer's answer holds only child_id and event" % label, str(r[2])[:200])
    if rel == "allocated":
        ok(harness.record(setup, child, "lead_professional.assigned",
                          {"lead_professional": user["id"], "service": "other"}), "lead_professional.assigned")
    elif rel == "team_member":
        ok(harness.record(setup, child, "team.member_added", {"member": user["id"], "role": "key worker"}),
           "team.member_added")
    given = {"given_by": "Sam Parent", "relationship": "parent", "agencies": [user["agency"]],
             "purpose": "share information for early help", "form": "written", "given_on": harness.today()}
    if consent == "given":
        ok(harness.record(setup, child, "consent.given", given), "consent.given")
    elif consent == "withdrawn":
        ok(harness.record(setup, child, "consent.given", given, occurred_at=harness.utc(-120)), "consent.given")
        ok(harness.record(setup, child, "consent.withdrawn",
                          {"withdrawn_by": "Sam Parent", "withdrawn_on": harness.today(),
                           "agencies": [user["agency"]]}), "consent.withdrawn")
    elif consent == "shared_without_consent":
        ok(harness.record(setup, child, "consent.overridden",
                          {"ground": "significant-harm", "detail": "asking would put the child at risk",
                           "shared_with": [user["agency"]]}), "consent.overridden")
    return child, request_event


def check_access(results, children, users):
    """The set-up is what the spec says it is: the summary reports the cell's relationship and consent.

    Read by each cell's own user where the policy lets them read; a mismatch
    here means the fixtures (or the server's derivation of the relationship
    or consent from the record) are off, and the matrix result for that cell
    is suspect.
    """
    names = {"allocated": "allocated worker", "team_member": "team member", "front_door_duty": "front door duty",
             "none": "none"}
    cnames = {"given": "given", "shared_without_consent": "shared without consent", "withdrawn": "withdrawn",
              "none": "none"}

    def norm(v):
        return str(v).replace("_", " ").replace("-", " ")

    bad = []
    for (role, rel, consent), (child, _) in children.items():
        if role not in CASE_ROLES or not may_read(role, rel, consent):
            continue
        st, h, b = users[(role, rel)]["client"].get("/api/v1/children/" + child)
        if st != 200 or not isinstance(b, dict):
            continue  # reported by the matrix
        acc = b.get("access", {})
        want = (norm(names[rel]), norm(cnames[consent]))
        got = (norm(acc.get("relationship", "")), norm(acc.get("consent", "")))
        if got != want:
            bad.append("%s/%s/%s: summary says %s, %s" % (role, rel, consent, got[0], got[1]))
    results.check(not bad, "the server describes the fixtures' relationship and consent as set up",
                  "; ".join(bad[:10]))


# ---------------------------------------------------------------------------
# The matrix


def request_for(route, child, request_event, user, cell):
    """(method, path, body) for one cell: a request the API takes as well formed."""
    method, template = route[0], route[1]
    params = {"child": child, "framework": "worcestershire", "alert": "999999999",
              "user": "u-000000000000"}
    path = harness.fill_path(template, params)
    if route == LOGIN:
        return method, path, {"username": user["username"], "password": "not-the-password-at-all"}
    if route == CORRECT_OTHER:
        return method, path, {"supersedes": request_event or "missing", "reason": "typed in the wrong field",
                              "fields": {"reason": "corrected reason"}}
    if route == CORRECTIONS:
        return method, path, {"supersedes": "0" * 32, "reason": "typed in the wrong field",
                              "fields": {"text": "corrected"}}
    if route == ROLE_LIMITED:
        return method, path, {"type": "consent.early_help_refused",
                              "fields": {"refused_by": "Sam Parent", "judgement": "needs can wait for now",
                                         "refer_to_social_care": False}}
    if route == ENTRY:
        return method, path, {"type": "referral.made",
                              "fields": {"reason": "bruising seen", "consent": "given"}}
    if template.endswith("/events") or template.endswith("/events/check"):
        return method, path, {"type": "note.added", "fields": {"text": "matrix note by " + cell}}
    if template == "/api/v1/children" and method == "POST":
        return method, path, {"framework": "worcestershire",
                              "fields": {"display_name": "Registered by " + cell, "date_of_birth": "2019-01-01"}}
    if template == "/api/v1/children" and method == "GET":
        return method, path + "?q=Matrix", None
    if template == "/api/v1/agencies" and method == "POST":
        return method, path, {"id": "mx-ag-" + cell, "name": "Agency made by " + cell, "kind": "school"}
    if template == "/api/v1/teams" and method == "POST":
        return method, path, {"id": "mx-tm-" + cell, "agency_id": user["agency"], "name": "Team made by " + cell}
    if template == "/api/v1/users" and method == "POST":
        return method, path, {"username": "mx-u-" + cell, "display_name": "Made by " + cell,
                              "role": "practitioner", "agency_id": user["agency"],
                              "password": harness.DEFAULT_PASSWORD}
    if method in ("POST", "DELETE"):
        return method, path, {}
    return method, path, None


def judge(route, expected, status, headers, body):
    """None if the response meets the expectation, else a short description of what came back."""
    if status >= 500:
        return "%d (a server error)" % status
    if status == 401:
        return "401"
    if expected == DENY:
        if status == 403 and harness.is_problem(status, headers, body):
            return None
        return str(status) if status != 403 else "403 (not problem+json)"
    want = ALLOWED_STATUS[route]
    if status in want:
        return None
    return "%d (wanted %s)" % (status, "/".join(str(s) for s in sorted(want)))


def run_cells(server, routes, pathway, users, children):
    """Runs every route x cell; one thread (and connection) per user. Returns (sent, mismatches)."""
    mismatches = []
    sent = 0
    tally = collections.Counter()

    def work(role, rel):
        user = users[(role, rel)]
        client = user["client"]
        local = []
        n = 0
        mine = collections.Counter()
        # Each user's four cells differ only by consent (and child).
        for consent in CONSENTS:
            child, request_event = children[(role, rel, consent)]
            cell = "%s-%s-%s" % (role.replace("_", "-"), REL_SHORT[rel], CONSENT_SHORT[consent])
            for route in routes:
                expected = expectation(rule_of(route), role, rel, consent, pathway, user["agency_kind"])
                method, path, body = request_for(route, child, request_event, user, cell)
                mine[expected] += 1
                n += 1
                if route == LOGOUT:
                    # Logging out ends the token: use a fresh session for it.
                    fresh = server.login(user["username"], user["password"])
                    st, h, b = fresh.request(method, path, body)
                    fresh.close()
                elif route == LOGIN:
                    # A wrong password: 401 (or 429 once throttled) is the
                    # answer a public route gives; never 403. A source address
                    # of the user's own keeps the per-address limit out of it.
                    anon = server.client(source_ip=user["source_ip"])
                    st, h, b = anon.request(method, path, body)
                    anon.close()
                    if st not in (401, 429) or not harness.is_problem(st, h, b):
                        local.append((route, role, rel, consent, "401", harness.describe(st, h, b, 80)))
                    continue
                elif route in PUBLIC_ROUTES:
                    st, h, b = client.request(method, path, body, auth=False)
                else:
                    st, h, b = client.request(method, path, body)
                bad = judge(route, expected, st, h, b)
                if bad is None and route[:2] == EVENTS[:2] and st == 201 and not may_read(role, rel, consent):
                    # An entry event from someone who may not read: nothing of the case comes back.
                    if not isinstance(b, dict) or sorted(b.keys()) != ["child_id", "event"]:
                        bad = "201 revealing %s" % sorted(b.keys() if isinstance(b, dict) else [])
                if bad is not None:
                    detail = b.get("detail", "") if isinstance(b, dict) else str(b)
                    local.append((route, role, rel, consent, expected, "%s %s" % (bad, str(detail)[:90])))
        return n, local, mine

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(work, role, rel) for role in ROLES for rel in RELATIONSHIPS]
        for f in futures:
            n, local, mine = f.result()
            tally.update(mine)
            sent += n
            mismatches.extend(local)
    print("expected: %s" % ", ".join("%s %d" % kv for kv in sorted(tally.items())))
    return sent, mismatches


def count_unauthenticated(la_lead):
    st, h, b = la_lead.get("/api/v1/audit?type=audit.unauthenticated&limit=10000")
    if st != 200 or not isinstance(b, dict):
        raise RuntimeError("the local authority's lead cannot read the audit trail: " + harness.describe(st, h, b))
    return len(b.get("records", []))


def check_unauthenticated(server, routes, children, la_lead, results):
    """Every route but the public ones wants a session: 401 problem+json
    without a token or with a bogus one (/metrics too), each one audited."""
    before = count_unauthenticated(la_lead)
    anon = server.client()
    child = next(iter(children.values()))[0]
    bad = []
    sent = 0
    for route in routes:
        if route in PUBLIC_ROUTES or len(route) == 3:
            continue
        method, template = route
        path = harness.fill_path(template, {"child": child, "framework": "worcestershire"})
        body = {} if method in ("POST", "DELETE") else None
        st, h, b = anon.request(method, path, body)
        sent += 1
        if not (st == 401 and harness.is_problem(st, h, b)):
            bad.append("%s %s -> %s" % (method, template, harness.describe(st, h, b, 60)))
        st, h, b = anon.request(method, path, body, token="bm90LWEtcmVhbC10b2tlbg")
        sent += 1
        if not (st == 401 and harness.is_problem(st, h, b)):
            bad.append("%s %s (bogus token) -> %s" % (method, template, harness.describe(st, h, b, 60)))
    anon.close()
    for line in bad:
        results.check(False, "unauthenticated", line)
    results.check(sent > 40, "unauthenticated requests checked on every non-public route", str(sent))
    after = count_unauthenticated(la_lead)
    results.check(after - before == sent, "every 401 is audited (audit.unauthenticated)",
                  "%d requests without a valid session, %d audit records" % (sent, after - before))


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
    pathway = load_pathway(env.repo)
    printed = harness.print_routes(env)
    unknown = [r for r in printed if r not in ROUTE_RULES]
    for r in unknown:
        results.check(False, "route has no expectation rule in matrix_test.py", "%s %s" % r)
    stale = [r for r in ROUTE_RULES if r not in printed]
    for r in stale:
        results.check(False, "a rule for a route the server does not have", "%s %s" % r)
    routes = [r for r in printed if r in ROUTE_RULES]
    for route in routes:
        if route not in ALLOWED_STATUS and route not in (LOGIN,):
            results.check(False, "route has no allowed status in matrix_test.py", "%s %s" % route)
    if CORRECTIONS in routes:
        routes.append(CORRECT_OTHER)
    if EVENTS in routes:
        routes += [ROLE_LIMITED, ENTRY]
    for route in routes:
        rule = rule_of(route)
        if rule.startswith("record:") or rule.startswith("check:"):
            ev = rule.split(":", 1)[1]
            if ev not in pathway:
                results.check(False, "framework event for rule", ev + " is not in worcestershire's pathway")
    results.check(pathway.get("referral.made", {}).get("entry") is True,
                  "the framework declares referral.made an entry event", str(pathway.get("referral.made")))

    env.init_db()
    fixed, users = create_directory(env)
    results.note("directory: %d users (%.1fs)" % (len(users) + len(fixed), time.time() - started))

    server = env.server()
    try:
        la_lead = server.login(fixed["la_lead"][0], fixed["la_lead"][1])
        children = {}

        # Every login attempt counts against its name until its password is
        # checked (docs/access.md, "Login throttling"): more than five logins
        # of one name in flight at once are refused, so the workers take
        # turns to log in.
        login_turn = threading.Lock()

        def build(role, rel):
            with login_turn:
                setup = server.login(fixed["setup"][0], fixed["setup"][1])
                referrer = server.login(fixed["referrer"][0], fixed["referrer"][1])
            out = {}
            for consent in CONSENTS:
                out[(role, rel, consent)] = create_child(setup, referrer, results, role, rel, consent,
                                                         users[(role, rel)])
            setup.close()
            referrer.close()
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
        check_access(results, children, users)

        sent, mismatches = run_cells(server, routes, pathway, users, children)
        cells = len(routes) * len(ROLES) * len(RELATIONSHIPS) * len(CONSENTS)
        results.check(sent == cells, "every cell was sent", "%d of %d" % (sent, cells))
        results.passed += sent - len(mismatches)
        results.failed += len(mismatches)
        results.failures.extend("%s %s %s/%s/%s" % (m[0][0], m[0][1], m[1], m[2], m[3]) for m in mismatches)
        results.note("matrix: %d routes x 128 cells = %d requests, %d mismatches (%.1fs)" %
                     (len(routes), sent, len(mismatches), time.time() - started))
        print_table(mismatches)

        check_unauthenticated(server, [r for r in routes if len(r) == 2], children, la_lead, results)

        st, _, _ = la_lead.get("/healthz", auth=False)
        results.check(st == 200, "healthz at the end", str(st))
        for u in users.values():
            u["client"].close()
        la_lead.close()
    finally:
        code = server.stop()
    results.check(code == 0, "continuum serve exits 0 on SIGTERM", "exit %s: %s" % (code, server.log()[-500:]))
    results.note("total %.1fs" % (time.time() - started))


if __name__ == "__main__":
    harness.run_main("api.matrix", main)
