"""Bad input on every route: the server answers a 4xx problem+json, writes
nothing, and keeps serving.

    python3 tests/api/bad_input_test.py PATH/TO/continuum REPO_ROOT [postgres]

For each route printed by `continuum serve --print-routes`, as a user whom
docs/access.md lets use it, the test sends: malformed JSON, a JSON array, the
wrong content type, wrong member types, unknown enumeration values, unknown
members, a future or non-string occurred_at, bad query values, bad path ids
(very long, %00, ..). Through the one event route (and its check), every
event type of Worcestershire's pathway and the household's gets a bad value
in each of its fields, on a child in a state the event may follow, as a user
whose role the event allows. Each answer must be a 4xx with Content-Type
application/problem+json and a JSON body with type, title, status and detail;
where the body member at fault is known, the problem's `errors` must name it
(docs/openapi.yaml: "errors: [{field, message}] naming the member at fault
where there is one"). Then: an oversized body (413), oversized headers (431),
malformed request lines over a raw socket (400). The count of non-audit events
in the database must not move, /healthz must still answer 200 and a good
request must still work.
"""

import json
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import matrix_test as spec  # noqa: E402
import yaml  # noqa: E402

PW = harness.DEFAULT_PASSWORD
EVENTS_SQL = "SELECT count(*) FROM events WHERE type NOT LIKE 'audit.%' AND type NOT LIKE 'directory.%'"
EVENT_ROUTES = ("/api/v1/children/{child}/events", "/api/v1/children/{child}/events/check")


class Checker:
    def __init__(self, results):
        self.results = results
        self.unnamed = []  # (route, member) where a 422 did not name the member at fault

    def problem(self, resp, what, statuses=None, member=None, route=None):
        """A 4xx problem+json (in `statuses` if given); `member` must be named in errors on a 422."""
        st, h, b = resp
        ok = 400 <= st < 500 and harness.is_problem(st, h, b) and (statuses is None or st in statuses)
        self.results.check(ok, what, harness.describe(st, h, b, 200))
        if ok and member and st == 422:
            named = [e.get("field", "") for e in b.get("errors", []) if isinstance(e, dict)]
            # A list's element at fault ("indicators[0]") names its member too.
            if not any(n == member or n.endswith("." + member) or n == "fields." + member or
                       n.startswith(member + "[") for n in named):
                self.unnamed.append("%s: %s (errors %s; detail %r)" %
                                    (route or what, member, named, str(b.get("detail", ""))[:100]))
        return ok


def field_type(ftype):
    """The type of a field as the framework file writes it: a list of values, or a name without '?'."""
    return ftype if isinstance(ftype, list) else str(ftype).rstrip("?")


def sample_value(ftype, user_id):
    """A well-formed value of a framework field type (docs/pathway-format.md)."""
    t = field_type(ftype)
    if isinstance(t, list):
        return t[0]
    return {"text": "some words", "id": "x-1", "date": harness.today(), "datetime": harness.utc(-60),
            "bool": False, "int": 1, "level": 2, "list": ["one"], "user": user_id, "users": [user_id],
            "agency": "ag-w", "agencies": ["ag-w"], "person": "p-1", "people": ["p-1"],
            "facts": [], "communication": ["large_print"]}.get(t, "some words")


def bad_value(ftype):
    """(a value of the wrong shape for the type, what it is)."""
    t = field_type(ftype)
    if isinstance(t, list):
        return "not-a-listed-value", "an unknown value"
    if t in ("text", "id", "user", "agency", "person"):
        return 12345, "a number for text"
    if t in ("date", "datetime"):
        return "31/12/2025", "a badly written date"
    if t == "bool":
        return "yes", "a string for a bool"
    if t in ("int", "level"):
        return "two", "a string for a number"
    if t == "communication":
        return ["telepathy"], "a need not on the list"
    return "one", "a string for a list"


def load_transitions(repo):
    """event type -> its transitions (several may share an event), and the household's."""
    with open(os.path.join(repo, "frameworks", "worcestershire.yaml")) as f:
        fw = yaml.safe_load(f)
    out = {}
    for t in fw["pathway"]["transitions"]:
        out.setdefault(t["event"], []).append(t)
    for ev, t in HOUSEHOLD.items():
        out[ev] = [t]
    return out


HOUSEHOLD = {
    "person.added": {"event": "person.added", "from": ["any"], "roles": spec.CASE_ROLES, "fields": {
        "person_id": "id", "name": "text",
        "relationship": ["mother", "father", "parent", "step_parent", "carer", "foster_carer", "grandparent",
                         "sibling", "half_sibling", "other_relative", "partner_of_parent", "other"],
        "lives_with_child": "bool", "parental_responsibility": "bool?", "date_of_birth": "date?",
        "nhs_number": "id?", "communication_needs": "communication?", "note": "text?"}},
    "person.removed": {"event": "person.removed", "from": ["any"], "roles": spec.CASE_ROLES,
                       "fields": {"person_id": "person", "reason": "text"}},
}


def main(env, results):
    chk = Checker(results)
    routes = harness.print_routes(env)
    event_roles = spec.load_event_roles(env.repo)
    transitions = load_transitions(env.repo)

    env.init_db()
    env.add_agency("ag-w", "Westfield Partnership", "social_care")
    env.add_team("tm-w-fd", "ag-w", "Westfield Front Door", duty=spec.FRONT_DOOR_DUTY)
    env.add_agency("ag-v", "Valley School", "school")
    env.add_team("tm-v", "ag-v", "Valley pastoral team")
    users = {}
    for role in spec.CASE_ROLES:
        name = "b-" + role.replace("_", "-")
        uid, pw = env.add_user(name, role, "ag-w", team_id="tm-w-fd")
        users[role] = (name, uid, pw)
    for role in ("analyst", "administrator"):
        name = "b-" + role
        uid, pw = env.add_user(name, role, "ag-w")
        users[role] = (name, uid, pw)

    server = env.server()
    try:
        run(env, server, routes, users, event_roles, transitions, chk, results)
    finally:
        code = server.stop()
    results.check(code == 0, "continuum serve exits 0 on SIGTERM", "exit %s" % code)
    if chk.unnamed:
        print("\n422 answers whose `errors` do not name the member at fault:")
        for line in chk.unnamed:
            print("  " + line)
    results.check(not chk.unnamed, "422 answers name the member at fault in `errors`",
                  "%d answers did not (listed above)" % len(chk.unnamed))


def role_for_event(transitions, event):
    """A case role the event's transitions allow (every ag-w user may write to the children)."""
    roles = []
    for t in transitions[event]:
        roles += list(t.get("roles") or spec.CASE_ROLES)
    for r in spec.CASE_ROLES:
        if r in roles:
            return r
    return None


def user_for(rule, transitions):
    """The role docs/access.md lets use the route (every ag-w user is in the team of every child)."""
    if rule == "public":
        return None
    if rule in ("administer", "metrics"):
        return "administrator"
    if rule in ("safeguarding", "aggregates", "oversight"):
        return "safeguarding_lead"
    if rule.startswith("record:") or rule.startswith("check:"):
        return role_for_event(transitions, rule.split(":", 1)[1])
    return "social_worker"  # corrections: the social worker corrects her own note


def weeks_ahead(n):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + n * 7 * 86400))


def build_children(server, clients, users, results):
    """One child in each pathway state, so that every event's fields get checked.

    Every ag-w user joins each child's team (consent given to ag-w) while the
    request still awaits the front door (whose duty team the social worker
    is on), so they keep a relationship after the front door's decision.
    Returns {state: child id} and a note's id.
    """
    sw = clients["social_worker"]
    uid = {role: u[1] for role, u in users.items()}

    def post(c, child, event, fields):
        st, h, b = c.post("/api/v1/children/%s/events" % child, {"type": event, "fields": fields})
        results.check(st == 201, "set-up %s on %s" % (event, child), harness.describe(st, h, b))
        return b

    def new_child(label, request=True):
        st, h, b = sw.post("/api/v1/children", {"framework": "worcestershire", "fields": {
            "display_name": "Bad Input " + label, "date_of_birth": "2018-01-05"}})
        results.check(st == 201, "register the %s child" % label, harness.describe(st, h, b))
        child = b["child_id"]
        if not request:
            return child
        post(sw, child, "request.received", {"source": "school", "reason": "worries about neglect",
                                             "immediate_risk": False, "consent": "given"})
        for role in spec.CASE_ROLES:
            post(sw, child, "team.member_added", {"member": uid[role], "role": role})
        post(sw, child, "consent.given", {"given_by": "Pat Parent", "relationship": "parent", "agencies": ["ag-w"],
                                          "purpose": "early help", "form": "written", "given_on": harness.today()})
        return child

    pr = uid["practitioner"]
    walk = {
        "early_help": [("social_worker", "request.decided", {"decision": "early_help", "rationale": "needs met by early help",
                                                              "level": 2})],
        "assessment": [("practitioner", "assessment.started", {"assessment_type": "early_help_assessment",
                                                                "assessor": pr})],
        "planning": [("practitioner", "assessment.completed", {"needs": "routines", "strengths": "warm family",
                                                                "child_views": "likes school", "parent_views": "wants help"})],
        # A plan: the family on the record, a SMART action, the practitioner leading (and so reviewing).
        "plan_active": [("practitioner", "person.added", {"person_id": "p-2", "name": "Pat Parent",
                                                          "relationship": "parent", "lives_with_child": True}),
                        ("practitioner", "action.added", {"action_id": "a-1", "description": "weekly check-in",
                                                          "owner": pr, "agency": "ag-w", "due_date": weeks_ahead(2),
                                                          "measure": "check-ins held"}),
                        ("practitioner", "plan.agreed", {"plan_type": "single_agency", "outcomes": ["attendance up"],
                                                         "review_date": weeks_ahead(8), "lead_professional": pr,
                                                         "shared_with_family": ["p-2"]})],
    }
    social_care = [
        ("social_worker", "request.decided", {"decision": "social_care", "rationale": "injury", "level": 4}),
        ("social_worker", "referral.accepted", {"social_worker": uid["social_worker"],
                                                "assessment": "social_work_assessment", "level": 4}),
    ]
    children = {"none": new_child("none", request=False)}
    children["requested"] = new_child("requested")
    order = ["early_help", "assessment", "planning", "plan_active"]
    for i, state in enumerate(order):
        child = new_child(state)
        for prev in order[:i + 1]:
            for role, event, fields in walk[prev]:
                post(clients[role], child, event, fields)
        children[state] = child
    child = new_child("referred")
    post(sw, child, *social_care[0][1:])
    children["referred"] = child
    child = new_child("social_care")
    for role, event, fields in social_care:
        post(clients[role], child, event, fields)
    children["social_care"] = child
    child = new_child("step_down")
    for role, event, fields in social_care:
        post(clients[role], child, event, fields)
    post(sw, child, "social_care.assessment_completed", {"assessment": "social_work_assessment",
                                                          "outcome": "early_help", "level": 3,
                                                          "rationale": "needs can be met at level 3"})
    post(sw, child, "step_down.requested", {"needs": "support at home", "recommended_level": 3,
                                            "plan_required": "family plan", "agreed_by": uid["team_leader"]})
    children["step_down"] = child
    for state, child in children.items():
        if state == "none":
            continue  # registered only: no one has a relationship to read it
        st, h, b = sw.get("/api/v1/children/" + child)
        got = b.get("case", {}).get("state") if isinstance(b, dict) else None
        results.check(st == 200 and got == state, "the %s child is in state %s" % (state, state),
                      harness.describe(st, h, b))
    post(sw, children["requested"], "person.added", {"person_id": "p-1", "name": "Pat Parent",
                                                      "relationship": "parent", "lives_with_child": True})
    b = post(sw, children["requested"], "note.added", {"text": "a note to correct"})
    return children, b.get("event", {}).get("id")


def child_for_event(event, children, transitions):
    """A child whose state lets the event be taken (else the 'requested' one)."""
    for t in transitions.get(event, []):
        for state in t.get("from") or []:
            if state == "any":
                return children["requested"]
            if state in children:
                return children[state]
    return children["requested"]


def run(env, server, routes, users, event_roles, transitions, chk, results):
    clients = {role: server.login(name, pw) for role, (name, uid, pw) in users.items()}
    sw = clients["social_worker"]
    children, note_id = build_children(server, clients, users, results)
    child = children["requested"]
    base = "/api/v1/children/" + child
    victim = server.login(users["practitioner"][0], users["practitioner"][2])  # for the logout route

    before = env.count(EVENTS_SQL)
    results.note("non-audit events before the bad requests: %d" % before)
    t0 = time.time()
    sent = 0

    for method, template in routes:
        rule = spec.ROUTE_RULES.get((method, template))
        if rule is None:
            results.check(False, "route has no rule in matrix_test.ROUTE_RULES", "%s %s" % (method, template))
            continue
        role = user_for(rule, transitions)
        if rule == "public":
            client = server.client(source_ip="127.0.7.1")
            client_auth = False
        else:
            client = victim if (method, template) == spec.LOGOUT else clients[role]
            client_auth = True
        name = "%s %s" % (method, template)
        params = {"child": child, "framework": "worcestershire", "user": users["analyst"][1], "alert": "1"}
        path = harness.fill_path(template, params)

        def send(m=method, p=path, **kw):
            nonlocal sent
            sent += 1
            return client.request(m, p, auth=client_auth, **kw)

        has_body = method in ("POST", "PUT", "PATCH") or (method == "DELETE")
        if has_body:
            chk.problem(send(raw='{"fields": {', content_type="application/json"),
                        name + ": malformed JSON", statuses=(400,))
            chk.problem(send(raw='{"a": 1} trailing', content_type="application/json"),
                        name + ": JSON with trailing garbage", statuses=(400,))
            chk.problem(send(raw="[]", content_type="application/json"), name + ": a JSON array", statuses=(400, 422))
            chk.problem(send(raw='"just a string"', content_type="application/json"),
                        name + ": a JSON string", statuses=(400, 422))
            chk.problem(send(raw='{}', content_type="text/plain"), name + ": wrong content type",
                        statuses=(415,))
            chk.problem(send(raw='username=a&password=b', content_type="application/x-www-form-urlencoded"),
                        name + ": a form instead of JSON", statuses=(415,))
            chk.problem(send(raw=b'{"fields": {"text": "\xff\xfe"}}', content_type="application/json"),
                        name + ": invalid UTF-8", statuses=(400, 422))

        # Member-level bad input, by what the route takes.
        for body, member, what in (member_cases(rule, template, note_id) if has_body else []):
            chk.problem(send(body=body), "%s: %s" % (name, what), member=member, route=name)

        # Query values (docs/openapi.yaml's documented parameters).
        for query, member in (query_cases(template) if method == "GET" else []):
            chk.problem(send(p=path + "?" + query), "%s: ?%s" % (name, query), member=member, route=name)

        # Path ids.
        for pname in [s[1:-1] for s in template.split("/") if s.startswith("{")]:
            for bad, label in (("x" * 300, "a 300-character id"), ("%00", "%00"), ("a%00b", "an embedded %00"),
                               ("..", ".."), ("%2e%2e", "encoded .."), ("%2F", "an encoded /"), ("%zz", "a bad escape"),
                               ("%0d%0a", "CR LF")):
                segs = []
                for s in template.split("/"):
                    if s == "{" + pname + "}":
                        segs.append(bad)
                    elif s.startswith("{"):
                        segs.append(harness.quote(params.get(s[1:-1], "x")))
                    else:
                        segs.append(s)
                body = {} if has_body else None
                chk.problem(send(p="/".join(segs), body=body), "%s: {%s} = %s" % (name, pname, label))

    results.note("sent %d bad requests over %d routes (%.1fs)" % (sent, len(routes), time.time() - t0))

    # Every event type's fields, through the event route and its check.
    uid = {role: u[1] for role, u in users.items()}
    n = 0
    for event in sorted(transitions):
        role = role_for_event(transitions, event)
        if role is None:
            results.check(False, "some case role may record " + event)
            continue
        ev_child = child_for_event(event, children, transitions)
        for template in EVENT_ROUTES:
            if ("POST", template) not in routes:
                continue
            path = harness.fill_path(template, {"child": ev_child})
            for body, member, what in event_cases(event, transitions, uid["practitioner"]):
                n += 1
                chk.problem(clients[role].post(path, body), "POST %s %s: %s" % (template, event, what),
                            member=member, route="POST %s %s" % (template, event))
    results.note("sent %d bad events over %d event types" % (n, len(transitions)))

    raw_checks(server, clients, child, chk, results)

    after = env.count(EVENTS_SQL)
    results.check(after == before, "no non-audit event was written by the bad requests",
                  "%d before, %d after" % (before, after))

    st, h, b = server.client().get("/healthz")
    results.check(st == 200, "GET /healthz still answers 200", harness.describe(st, h, b))
    st, h, b = sw.get(base)
    results.check(st == 200, "a good read still works", harness.describe(st, h, b))
    st, h, b = harness.record(sw, child, "note.added", {"text": "still working"})
    results.check(st == 201, "a good write still works", harness.describe(st, h, b))
    st, h, b = harness.record(sw, child, "note.added", {"text": "still working"}, check=True)
    results.check(st == 200 and isinstance(b, dict) and b.get("accepted") is True,
                  "a good check still works", harness.describe(st, h, b))
    st, h, b = victim.get("/api/v1/session")
    results.check(st == 200, "no bad request to DELETE /api/v1/session logged the user out",
                  harness.describe(st, h, b))
    for c in clients.values():
        c.close()


def event_cases(event, transitions, user_id):
    """(body, member named in errors or None, description) for one event type's fields."""
    future = harness.utc(3600 * 24 * 3)
    fields_spec = {}
    for t in transitions[event]:
        fields_spec.update(t.get("fields") or {})
    good = {k: sample_value(v, user_id) for k, v in fields_spec.items() if not str(v).endswith("?")}
    typ = {"type": event}
    out = [(dict(typ, fields="x"), "fields", "fields: a string"),
           (dict(typ, fields=["x"]), "fields", "fields: a list"),
           (dict(typ, fields=good, occurred_at=5), "occurred_at", "occurred_at: a number"),
           (dict(typ, fields=good, occurred_at="yesterday"), "occurred_at", "occurred_at: not a time"),
           (dict(typ, fields=good, occurred_at="2026-02-30T10:00:00Z"), "occurred_at",
            "occurred_at: an impossible date"),
           (dict(typ, fields=good, occurred_at=future), "occurred_at", "occurred_at: three days ahead"),
           (dict(typ, fields=dict(good, no_such_field="x")), "no_such_field", "an unknown field")]
    for k, v in fields_spec.items():
        value, what = bad_value(v)
        out.append((dict(typ, fields=dict(good, **{k: value})), k, "%s: %s" % (k, what)))
        if field_type(v) == "text":
            out.append((dict(typ, fields=dict(good, **{k: "bell \x07 and escape \x1b[31m"})), k,
                        k + ": control characters"))
            out.append((dict(typ, fields=dict(good, **{k: "   "})), k, k + ": blank"))
        if not str(v).endswith("?") and not isinstance(v, list):
            missing = dict(good)
            missing.pop(k, None)
            out.append((dict(typ, fields=missing), k, k + ": missing"))
    return out


def member_cases(rule, template, note_id):
    """(body, member named in errors or None, description) for the route's kind of body."""
    future = harness.utc(3600 * 24 * 3)
    if template in EVENT_ROUTES:
        # The envelope; each event type's fields are checked by event_cases.
        return [({"type": 5}, "type", "type: a number"),
                ({}, "type", "type: missing"),
                ({"type": "no.such_event"}, "type", "an unknown event type"),
                ({"type": ["note.added"]}, "type", "type: a list"),
                ({"type": "note.added", "fields": {"text": 5}}, "text", "fields.text: a number"),
                ({"type": "note.added", "fields": {"text": "t"}, "colour": "red"}, "colour", "an unknown member"),
                ({"type": "child.registered", "fields": {}}, "type", "type: the product's own event"),
                ({"type": "audit.read", "fields": {}}, "type", "type: an audit record")]
    if rule == "correct":
        return [({"supersedes": 5, "reason": "r", "fields": {"text": "t"}}, "supersedes", "supersedes: a number"),
                ({"supersedes": "0" * 32, "reason": "r", "fields": {"text": "t"}}, "supersedes",
                 "supersedes: no such event"),
                ({"supersedes": note_id, "reason": 5, "fields": {"text": "t"}}, "reason", "reason: a number"),
                ({"supersedes": note_id, "reason": "r", "fields": "x"}, "fields", "fields: a string"),
                ({"supersedes": note_id, "reason": "r", "fields": {"text": 5}}, "text", "fields.text: a number"),
                ({"supersedes": note_id, "reason": "r", "fields": {"text": "a\x1bb"}}, "text",
                 "fields.text: a control character"),
                ({"supersedes": note_id, "reason": "r", "fields": {"nope": "x"}}, "nope", "an unknown field"),
                ({"supersedes": note_id, "reason": "r", "fields": {"text": "t"}, "occurred_at": 5}, "occurred_at",
                 "occurred_at: a number"),
                ({"supersedes": note_id, "reason": "r", "fields": {"text": "t"}, "occurred_at": future},
                 "occurred_at", "occurred_at: in the future")]
    if template == "/api/v1/children" :
        good = {"display_name": "Someone New", "date_of_birth": "2019-06-01"}
        return [({"framework": 5, "fields": good}, "framework", "framework: a number"),
                ({"framework": "no-such-framework", "fields": good}, "framework", "framework: unknown"),
                ({"framework": "worcestershire", "fields": "x"}, "fields", "fields: a string"),
                ({"framework": "worcestershire", "fields": dict(good, display_name=5)}, "display_name",
                 "display_name: a number"),
                ({"framework": "worcestershire", "fields": dict(good, date_of_birth="yesterday")}, "date_of_birth",
                 "date_of_birth: not a date"),
                ({"framework": "worcestershire", "fields": dict(good, date_of_birth="2019-02-30")}, "date_of_birth",
                 "date_of_birth: an impossible date"),
                ({"framework": "worcestershire", "fields": dict(good, nhs_number="1234567890")}, "nhs_number",
                 "nhs_number: a bad check digit"),
                ({"framework": "worcestershire", "fields": dict(good, household="x")}, "household",
                 "household: a string for a list"),
                ({"framework": "worcestershire", "fields": dict(good, shoe_size="4")}, "shoe_size",
                 "an unknown child field"),
                ({"framework": "worcestershire", "fields": good, "occurred_at": 5}, "occurred_at",
                 "occurred_at: a number"),
                ({"framework": "worcestershire", "fields": good, "occurred_at": future}, "occurred_at",
                 "occurred_at: in the future")]
    if template == "/api/v1/session" and rule == "public":
        return [({"username": 5, "password": "x"}, "username", "username: a number"),
                ({"username": "someone", "password": 5}, "password", "password: a number"),
                ({"username": "someone", "password": "p", "totp": 123456}, "totp", "totp: a number"),
                ({"username": ["a"], "password": "p"}, "username", "username: a list")]
    if template.endswith("/assess"):
        return [({"indicators": "x"}, "indicators", "indicators: a string"),
                ({"indicators": [5]}, "indicators", "indicators: a list of numbers"),
                ({"indicators": ["no-such-indicator"]}, None, "an unknown indicator"),
                ({"age": "ten"}, "age", "age: a string"),
                ({"age": 99}, "age", "age: out of range"),
                ({"colour": "blue"}, "colour", "an unknown member")]
    if template.endswith("/break-glass"):
        return [({"reason": 5}, "reason", "reason: a number"),
                ({"reason": "too short"}, "reason", "reason: too few words"),
                ({"reason": " " * 10}, "reason", "reason: ten spaces"),
                ({"reason": "x" * 40}, "reason", "reason: one long word"),
                ({"reason": "words " * 1000}, "reason", "reason: over 4096 characters")]
    if template == "/api/v1/agencies":
        return [({"id": 5, "name": "N", "kind": "school"}, "id", "id: a number"),
                ({"id": "ag-new", "name": "N", "kind": "spaceship"}, "kind", "kind: an unknown value"),
                ({"id": "ag-new", "name": 5, "kind": "school"}, "name", "name: a number")]
    if template == "/api/v1/teams":
        return [({"id": 5, "agency_id": "ag-w", "name": "T"}, "id", "id: a number"),
                ({"id": "tm-new", "agency_id": "ag-w", "name": "T", "duty": 5}, "duty", "duty: a number"),
                ({"id": "tm-new", "agency_id": "ag-w", "name": "T", "duty": "worcestershire/nothing"}, "duty",
                 "duty: not a duty of the framework"),
                ({"id": "tm-new", "agency_id": "ag-w", "name": "T", "duty": "front_door"}, "duty",
                 "duty: no framework named"),
                ({"id": "tm-new", "agency_id": "ag-w", "name": "T\x1b"}, "name", "name: a control character"),
                ({"id": "tm-new", "agency_id": "no-such-agency", "name": "T"}, "agency_id", "an unknown agency")]
    if template == "/api/v1/users":
        good = {"username": "newbie", "display_name": "New Bie", "role": "practitioner", "agency_id": "ag-w",
                "password": "Another-Long-Passphrase-7"}
        return [(dict(good, role="wizard"), "role", "role: an unknown value"),
                (dict(good, username=5), "username", "username: a number"),
                (dict(good, password="short"), "password", "password: too short"),
                (dict(good, password="newbie-Long-Passphrase"), "password", "password: contains the user name"),
                (dict(good, totp="yes"), "totp", "totp: a string"),
                (dict(good, display_name="New\x1bBie"), "display_name", "display_name: a control character"),
                (dict(good, team_id="tm-v"), "team_id", "team_id: a team of another agency"),
                (dict(good, team_id="no-such-team"), "team_id", "team_id: no such team"),
                (dict(good, agency_id="no-such-agency"), "agency_id", "an unknown agency")]
    if template.endswith("/reset"):
        return [({"password": 5}, "password", "password: a number"),
                ({"enable": "yes"}, "enable", "enable: a string")]
    return []


def query_cases(template):
    """(query string, parameter to be named) per docs/openapi.yaml's parameters of the route."""
    if template == "/api/v1/children":
        return [("q=a", "q"), ("q=" + "x" * 201, "q"), ("", "q")]
    if template.endswith("/chronology"):
        return [("limit=abc", "limit"), ("limit=-1", "limit"), ("min_significance=9", "min_significance"),
                ("min_significance=x", "min_significance"), ("from=notadate", "from"), ("to=2026-13-45", "to"),
                ("types=audit.read", "types")]
    if template.endswith("/export"):
        return [("format=pdf", "format")]
    if template == "/api/v1/due":
        return [("before=notadate", "before"), ("before=2026-02-30T00:00:00Z", "before"),
                ("overdue=maybe", "overdue")]
    if template == "/api/v1/audit":
        return [("limit=abc", "limit"), ("after=x", "after"), ("from=notadate", "from"), ("to=31/12/2025", "to")]
    if template == "/api/v1/alerts":
        return [("all=maybe", "all")]
    return []


def raw_checks(server, clients, child, chk, results):
    port = server.port
    token = clients["social_worker"].token

    def raw(data, what, statuses):
        got = harness.raw_exchange(port, data)
        parsed = harness.parse_raw_response(got)
        if parsed is None:
            results.check(False, what, "no complete HTTP response: %r" % got[:200])
            return
        chk.problem(parsed, what, statuses=statuses)

    # An oversized body: > 1 MiB, announced by Content-Length.
    big = b'{"type": "note.added", "fields": {"text": "' + b"a" * (1024 * 1024 + 100) + b'"}}'
    for path in ("/api/v1/children/%s/events" % child, "/api/v1/session", "/api/v1/children"):
        head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (path, token, len(big))).encode()
        raw(head + big, "a body over 1 MiB to %s is 413" % path, (413,))
    # Chunked bodies over the limit.
    chunk = b"a" * 65536
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
    head = ("POST /api/v1/children/%s/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" % (child, token)).encode()
    raw(head + chunked, "a chunked body over 1 MiB is 413", (413,))

    # Oversized headers: > 16 KiB.
    head = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: %s\r\n\r\n" % ("p" * 17 * 1024)).encode()
    raw(head, "headers over 16 KiB are 431", (431,))
    head = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
            "".join("X-H%d: %s\r\n" % (i, "v" * 100) for i in range(200)) + "\r\n").encode()
    raw(head, "many headers over 16 KiB in all are 431", (431,))
    head = ("GET /api/v1/children/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s%s\r\n\r\n"
            % (child, token, "A" * 17000)).encode()
    raw(head, "an oversized Authorization header is 431", (431,))

    # Malformed request lines.
    raw(b"THIS IS NOT HTTP\r\n\r\n", "a malformed request line is 400", (400,))
    raw(b"GET\r\n\r\n", "a request line with no target is 400", (400,))
    raw(b"GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n", "a request line with an extra word is 400", (400,))
    raw(b"GET healthz HTTP/1.1\r\nHost: x\r\n\r\n", "a target without a leading / is 400", (400,))
    raw(b"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n", "a header line without a colon is 400", (400,))
    raw(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "a non-numeric Content-Length is 400", (400,))
    raw(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
        "conflicting Content-Lengths are 400", (400,))
    raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Ctl: a\x01b\r\n\r\n", "a control character in a header is 400",
        (400,))

    # A method the path does not have: 405 with Allow.
    st, h, b = clients["social_worker"].request("PUT", "/api/v1/children/" + child, body={})
    chk.problem((st, h, b), "PUT on a child is 405", statuses=(405,))
    results.check("allow" in h, "405 carries Allow", str(h))
    chk.problem(clients["social_worker"].get("/api/v1/no/such/route"), "an unknown path is 404", statuses=(404,))


if __name__ == "__main__":
    harness.run_main("api.bad_input", main)
