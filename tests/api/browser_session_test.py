#!/usr/bin/env python3
"""Browser sessions (docs/access.md, "Browser sessions"), on SQLite and, as
api.browser_session.postgres, on PostgreSQL:

- a login with "cookie": true sets a __Host- cookie (HttpOnly, Secure,
  SameSite=Strict, Path=/) and answers a CSRF token, never the token itself;
- the cookie authenticates reads; a change carried by the cookie needs this
  server's Origin and the session's X-CSRF-Token, and each refusal is audited;
- a login posted from another site is refused; a bearer token needs neither;
- every answer, errors and the web app's files included, carries the
  security headers;
- logging out ends the session and clears the cookie.

usage: browser_session_test.py CONTINUUM_BINARY REPO_ROOT [postgres]
"""
import os

import harness

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def cookie_of(headers):
    """The __Host-continuum pair from a Set-Cookie header, and its attributes."""
    raw = headers.get("set-cookie", "")
    parts = [p.strip() for p in raw.split(";")]
    name, _, value = parts[0].partition("=") if parts else ("", "", "")
    return name, value, {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else True) for p in parts[1:]}


def check_security_headers(results, what, headers):
    for name, want in SECURITY_HEADERS.items():
        results.check(headers.get(name) == want, "%s: %s is %s" % (what, name, want), str(headers.get(name)))
    csp = headers.get("content-security-policy", "")
    results.check("default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp,
                  "%s: a Content-Security-Policy without unsafe-inline, framing refused" % what, csp)


def main(env, results):
    env.init_db()
    env.add_agency("school-1", "Hill School", "school")
    env.add_agency("council", "County Council", "local_authority")
    env.add_user("alice", "practitioner", "school-1")
    env.add_user("lead", "safeguarding_lead", "council")
    web = os.path.join(env.tmp, "web")
    os.makedirs(os.path.join(web, "assets"))
    with open(os.path.join(web, "index.html"), "w") as f:
        f.write("<!doctype html><title>Continuum</title><script type=module src=/assets/app.js></script>")
    with open(os.path.join(web, "assets", "app.js"), "w") as f:
        f.write("console.log('app');")
    server = env.server("--web-dir", web)
    origin = "http://127.0.0.1:%d" % server.port
    try:
        c = server.client()
        st, h, b = c.request("POST", "/api/v1/session",
                             {"username": "alice", "password": harness.DEFAULT_PASSWORD, "cookie": True},
                             headers={"Origin": origin}, auth=False)
        results.check(st == 201, "a browser logs in", harness.describe(st, h, b))
        name, token, attrs = cookie_of(h)
        results.check(name == "__Host-continuum" and len(token) >= 32, "the session is a __Host- cookie", name)
        results.check(attrs.get("httponly") is True and attrs.get("secure") is True
                      and attrs.get("samesite") == "Strict" and attrs.get("path") == "/" and "domain" not in attrs,
                      "HttpOnly, Secure, SameSite=Strict, Path=/, no Domain", str(attrs))
        csrf = b.get("csrf_token", "") if isinstance(b, dict) else ""
        results.check("token" not in b and len(csrf) >= 32, "the answer holds a CSRF token, not the session token",
                      str(sorted(b.keys()) if isinstance(b, dict) else b))
        check_security_headers(results, "the login", h)
        jar = {"Cookie": "__Host-continuum=" + token}

        st, h, b = c.request("GET", "/api/v1/session", headers=jar, auth=False)
        results.check(st == 200 and b.get("csrf_token") == csrf, "the cookie reads who is signed in, with the token",
                      harness.describe(st, h, b))
        results.check(b.get("session", {}).get("idle_timeout_seconds", 0) > 0,
                      "the session says its idle timeout (for the warning)", str(b.get("session")))

        child = {"framework": "worcestershire",
                 "fields": {"display_name": "Browser Child", "date_of_birth": "2016-03-04"}}
        st, h, b = c.request("POST", "/api/v1/children", child, headers=jar, auth=False)
        results.check(st == 403, "a change by cookie without Origin or CSRF token is refused", harness.describe(st, h, b))
        st, h, b = c.request("POST", "/api/v1/children", child, headers=dict(jar, Origin=origin), auth=False)
        results.check(st == 403, "a change by cookie without the CSRF token is refused", harness.describe(st, h, b))
        st, h, b = c.request("POST", "/api/v1/children", child,
                             headers=dict(jar, Origin=origin, **{"X-CSRF-Token": csrf[:-1] + "x"}), auth=False)
        results.check(st == 403, "a wrong CSRF token is refused", harness.describe(st, h, b))
        st, h, b = c.request("POST", "/api/v1/children", child,
                             headers=dict(jar, Origin="http://evil.example", **{"X-CSRF-Token": csrf}), auth=False)
        results.check(st == 403, "a change from another site is refused, even with the token",
                      harness.describe(st, h, b))
        st, h, b = c.request("POST", "/api/v1/children", child,
                             headers=dict(jar, Origin=origin, **{"X-CSRF-Token": csrf}), auth=False)
        results.check(st == 201, "the same change from this site with its token is made", harness.describe(st, h, b))
        check_security_headers(results, "a 201", h)

        n = env.count("SELECT count(*) FROM events WHERE type = 'audit.denied' AND payload LIKE '%CSRF%'")
        results.check(n >= 2, "refusals for a missing or wrong token are audited", "%d records" % n)
        n = env.count("SELECT count(*) FROM events WHERE type = 'audit.denied' AND payload LIKE '%cross-origin%'")
        results.check(n >= 1, "a cross-origin refusal is audited", "%d records" % n)

        st, h, b = server.client().request(
            "POST", "/api/v1/session", {"username": "alice", "password": harness.DEFAULT_PASSWORD, "cookie": True},
            headers={"Origin": "http://evil.example"}, auth=False)
        results.check(st == 403 and "set-cookie" not in h, "a login posted from another site is refused",
                      harness.describe(st, h, b))

        bearer = server.login("lead", harness.DEFAULT_PASSWORD)
        st, h, b = bearer.request("GET", "/api/v1/session")
        results.check(st == 200 and "csrf_token" not in b, "a bearer session has no CSRF token",
                      harness.describe(st, h, b))
        bearer.close()

        for path, what in (("/healthz", "/healthz"), ("/api/v1/nowhere", "a 404"), ("/", "the app's page"),
                           ("/assets/app.js", "the app's script"), ("/case/anything", "an app route")):
            st, h, b = server.client().request("GET", path, auth=False)
            results.check(st in (200, 404), "%s answers" % what, str(st))
            check_security_headers(results, what, h)
        st, h, b = server.client().request("GET", "/case/anything", auth=False)
        results.check(st == 200 and "text/html" in h.get("content-type", ""),
                      "an app route gets the app's page", harness.describe(st, h, b))

        st, h, b = c.request("DELETE", "/api/v1/session", headers=dict(jar, Origin=origin, **{"X-CSRF-Token": csrf}),
                             auth=False)
        results.check(st == 204, "logging out", harness.describe(st, h, b))
        name, value, attrs = cookie_of(h)
        results.check(name == "__Host-continuum" and value == "" and attrs.get("max-age") == "0",
                      "logging out clears the cookie", h.get("set-cookie", ""))
        st, h, b = c.request("GET", "/api/v1/session", headers=jar, auth=False)
        results.check(st == 401, "the old cookie no longer works", harness.describe(st, h, b))
        c.close()
    finally:
        results.check(server.stop() == 0, "serve exits 0 on SIGTERM")


harness.run_main("api.browser_session", main)
