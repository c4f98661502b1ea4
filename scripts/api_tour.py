#!/usr/bin/env python3
"""A short tour of the HTTP API against a running `continuum serve`.

A school refers a child, the front door decides, a family worker is refused
until she is in the team around the family and the family consents, a
teacher with no relationship uses break-glass, and the safeguarding lead
sees the alert and the audit trail.

usage: api_tour.py PORT   (accounts as created by scripts/run.sh)
"""
import http.client
import json
import sys

PORT = int(sys.argv[1])
PASSWORD = "demo password 2026"


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


def say(status, text):
    print(f"  {status}  {text}")


def login(name):
    status, body = call("POST", "/api/v1/session", body={"username": name, "password": PASSWORD})
    if status != 201:
        sys.exit(f"login {name}: {status} {body}")
    return body["token"]


teacher, duty, coordinator, worker, lead = (login(n) for n in ("t.teacher", "f.duty", "c.coordinator", "w.family",
                                                                  "d.lead"))
worker_id = call("GET", "/api/v1/session", worker)[1]["user"]["id"]

s, b = call("POST", "/api/v1/children", teacher,
            {"framework": "worcestershire", "fields": {"display_name": "Jordan Example", "date_of_birth": "2016-05-14"}})
child = b["child_id"]
say(s, f"the school registers a child: {child}")
s, b = call("POST", f"/api/v1/children/{child}/requests", teacher,
            {"fields": {"source": "school", "reason": "Often hungry; attendance falling since September",
                        "immediate_risk": False, "consent": "given"}})
say(s, f"the school sends a request for support; the case is now '{b['case']['state']}', "
       f"front door decision due {b['deadlines'][0]['due_at']}")
s, b = call("GET", f"/api/v1/children/{child}", teacher)
say(s, f"the school reads the case back: refused ({b['detail']})")
s, b = call("GET", f"/api/v1/children/{child}", duty)
say(s, f"the front door on duty reads it: allowed ({b['access']['basis']})")
s, b = call("POST", f"/api/v1/children/{child}/requests/decision", duty,
            {"fields": {"decision": "early_help", "rationale": "Needs that a family worker can meet", "level": 2}})
say(s, f"the front door decides early help; the case is now '{b['case']['state']}'")
s, b = call("GET", f"/api/v1/children/{child}/chronology", worker)
say(s, f"the family worker reads the chronology before she is allocated: refused")
s, b = call("POST", f"/api/v1/children/{child}/team", coordinator,
            {"fields": {"member": worker_id, "agency": "early-help", "role": "family worker"}})
say(s, "the duty co-ordinator allocates the case: the family worker joins the team around the family")
s, b = call("GET", f"/api/v1/children/{child}/chronology", worker)
say(s, f"as a team member without the family's consent she is still refused ({b['detail']})")
s, b = call("POST", f"/api/v1/children/{child}/consent", worker,
            {"fields": {"given_by": "Parent", "relationship": "parent", "agencies": ["early-help", "school-1"],
                        "purpose": "early help assessment and plan", "form": "written", "given_on": "2026-01-05"}})
say(s, "the family worker records the parent's written consent for early help and the school")
s, b = call("GET", f"/api/v1/children/{child}/chronology", worker)
say(s, f"now the chronology is shared: {len(b['events'])} events")
s, b = call("GET", "/api/v1/children/demo-wo-lily", teacher)
say(s, f"a teacher with no relationship opens another child's record: refused")
s, b = call("POST", "/api/v1/children/demo-wo-lily/break-glass", teacher,
            {"reason": "Lily told me this morning she is frightened to go home"})
say(s, f"she uses break-glass with a reason: access until {b['grant']['expires_at']}")
s, b = call("GET", "/api/v1/children/demo-wo-lily", teacher)
say(s, f"and reads the record ({b['access']['basis'].split(';')[0]})")
s, b = call("GET", "/api/v1/alerts", lead)
say(s, f"the safeguarding lead sees {len(b['alerts'])} break-glass alert(s): \"{b['alerts'][0]['detail']}\"")
s, b = call("GET", "/api/v1/audit?child=demo-wo-lily", lead)
say(s, "the audit trail for that child: " + ", ".join(r["type"] for r in b["records"]))
s, b = call("GET", f"/api/v1/children/{child}/export?format=json", teacher)
say(s, "the teacher asks for a subject-access export: refused (safeguarding leads only)")
s, b = call("GET", f"/api/v1/children/{child}/export?format=json", lead)
say(s, f"the safeguarding lead exports it: {len(b['events'])} events, {len(b['accesses'])} recorded accesses")
