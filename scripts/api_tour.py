#!/usr/bin/env python3
"""A short tour of the HTTP API against a running `continuum serve` over the
demo families (examples/demo.yaml, loaded by `continuum demo`).

A school refers a child and is told nothing back; the front door on duty
decides; the MASH manager allocates a lead professional, who brings the
school into the team once the family consents; a teacher at another school
who refers gains nothing by it; a teacher with no relationship uses
break-glass; the local authority's safeguarding lead sees the alert, the
audit trail and the subject-access export.

usage: api_tour.py PORT [PASSWORD]   (the demo accounts' password, default the demo file's)
"""
import http.client
import json
import sys
import time

PORT = int(sys.argv[1])
PASSWORD = sys.argv[2] if len(sys.argv) > 2 else "demo password 2026"
failures = []


def call(method, path, token=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    try:
        return r.status, json.loads(data) if data else None
    except ValueError:
        return r.status, data.decode()


def say(status, text, want):
    """Prints one step; a step that does not answer as the tour expects is reported and fails the tour."""
    mark = "" if status == want else "   <-- expected %d" % want
    if status != want:
        failures.append(text)
    print(f"  {status}  {text}{mark}")


def login(name):
    status, body = call("POST", "/api/v1/session", body={"username": name, "password": PASSWORD})
    if status != 201:
        sys.exit(f"login {name}: {status} {body}")
    return body["token"], body["user"]["id"]


def event(token, child, type_, fields):
    return call("POST", f"/api/v1/children/{child}/events", token, {"type": type_, "fields": fields})


(teacher, teacher_id), (duty, _), (manager, _), (worker, worker_id), (other_teacher, _), (lead, _) = (
    login(n) for n in ("t.jones", "k.osei", "l.hughes", "h.khan", "p.grant", "c.lead"))

s, b = call("POST", "/api/v1/children", teacher,
            {"framework": "worcestershire", "fields": {"display_name": "Jordan Example", "date_of_birth": "2016-05-14"}})
child = b["child_id"]
say(s, f"the school registers a child: {child}", 201)
s, b = event(teacher, child, "request.received",
             {"source": "school", "reason": "Often hungry; attendance falling since September",
              "immediate_risk": False, "consent": "given"})
say(s, f"the school sends a request for support and is told only {sorted(b)} (nothing of the case)", 201)
s, b = call("GET", f"/api/v1/children/{child}", teacher)
say(s, f"the school reads the case back: refused ({b['detail'][:60]}...)", 403)
s, b = call("GET", f"/api/v1/children/{child}", duty)
say(s, f"the front door on duty reads it: allowed ({b['access']['basis']}); "
       f"decision due {b['deadlines'][0]['due_at']}", 200)
s, b = event(duty, child, "consent.given",
             {"given_by": "Parent", "relationship": "parent", "agencies": ["targeted-family-support"],
              "purpose": "early help", "form": "verbal", "given_on": time.strftime("%Y-%m-%d", time.gmtime())})
say(s, "the front door records that the family agreed to early help (§4: no early help without it)", 201)
s, b = event(duty, child, "request.decided",
             {"decision": "early_help", "rationale": "Needs that a family worker can meet", "level": 2})
say(s, f"the front door decides early help; the case is now '{b['case']['state']}'", 201)
s, b = call("GET", f"/api/v1/children/{child}/chronology", worker)
say(s, "a family worker reads the chronology before she is allocated: refused", 403)
s, b = event(manager, child, "lead_professional.assigned", {"lead_professional": worker_id, "service": "early_help"})
say(s, "the MASH manager (on the duty team) makes her the lead professional", 201)
s, b = call("GET", f"/api/v1/children/{child}/chronology", worker)
say(s, f"now she reads it: {len(b['events'])} events", 200)
s, b = call("GET", f"/api/v1/children/{child}", duty)
say(s, "the front door no longer holds the allocated case: refused", 403)
s, b = event(worker, child, "team.member_added", {"member": teacher_id, "role": "class teacher"})
say(s, "she brings the teacher into the team around the child", 201)
s, b = call("GET", f"/api/v1/children/{child}", teacher)
say(s, f"as a team member without the family's consent the teacher is still refused", 403)
s, b = event(worker, child, "consent.given",
             {"given_by": "Parent", "relationship": "parent", "agencies": ["st-marys-primary", "targeted-family-support"],
              "purpose": "early help assessment and plan", "form": "written", "given_on": time.strftime("%Y-%m-%d", time.gmtime())})
say(s, "she records the parent's written consent to share with the school", 201)
s, b = call("GET", f"/api/v1/children/{child}", teacher)
say(s, f"now the teacher reads the case ({b['access']['basis']})", 200)
s, b = event(other_teacher, child, "referral.made",
             {"reason": "Came in with a bruise on his cheek", "consent": "not_sought",
              "consent_note": "Asking could put him at risk"})
say(s, f"another school's teacher refers to children's social care and is told only {sorted(b)}", 201)
s, b = call("GET", f"/api/v1/children/{child}", other_teacher)
say(s, "referring gives him no access: refused", 403)

s, b = call("GET", "/api/v1/children/demo-wo-lily", teacher)
if s == 200 and "break-glass" in str(b.get("access", {}).get("basis", "")):
    # The tour ran within the hour: her grant from then still stands.
    say(s, "the teacher opens another child's record: still under her break-glass grant of an earlier tour", 200)
else:
    say(s, "the teacher opens another child's record (no relationship): refused", 403)
    s, b = call("POST", "/api/v1/children/demo-wo-lily/break-glass", teacher,
                {"reason": "Lily told me this morning she is frightened to go home"})
    say(s, f"she uses break-glass with a reason: access until {b['grant']['expires_at']}" if s == 201
        else f"break-glass refused: {b}", 201)
s, b = call("GET", "/api/v1/children/demo-wo-lily", teacher)
say(s, f"and reads the record ({str(b.get('access', {}).get('basis', b)).split(';')[0]})", 200)
s, b = call("GET", "/api/v1/alerts", lead)
bg = [a for a in b.get("alerts", []) if a["kind"] == "break_glass"]
say(s, f"the local authority's safeguarding lead sees the alert: \"{bg[0]['detail'] if bg else '?'}\"", 200)
s, b = call("GET", "/api/v1/audit?child=demo-wo-lily&limit=20", lead)
say(s, "the audit trail for that child: " + ", ".join(sorted({r["type"] for r in b["records"]})), 200)
s, b = call("GET", f"/api/v1/children/{child}/export?format=json", teacher)
say(s, "the teacher asks for a subject-access export: refused (safeguarding leads only)", 403)
s, b = call("GET", f"/api/v1/children/{child}/export?format=json", lead)
say(s, f"the lead exports it: {len(b['events'])} events, {len(b['access_log'])} recorded accesses", 200)
s, b = call("GET", "/metrics")
say(s, "operational metrics without an administrator's session: refused", 401)

if failures:
    print(f"api_tour: {len(failures)} step(s) did not answer as expected", file=sys.stderr)
    sys.exit(1)
