// Logging in and out, and who am I.
#include "access/credentials.h"
#include "api/api_internal.h"

namespace continuum::api::internal {

HttpResponse LoginRoute(Api::Impl& api, Call& c) {
  std::string username, password, totp;
  bool cookie = false;
  if (auto r = RequireString(c, "username", &username, 256)) return *r;
  if (auto r = RequireString(c, "password", &password, 1024)) return *r;
  if (auto r = OptionalString(c, "totp", &totp, 16)) return *r;
  if (auto r = OptionalBool(c, "cookie", &cookie)) return *r;
  auto result = api.service->Login({.username = username, .password = password, .totp = totp, .ip = c.http.remote_ip},
                                   c.channel, c.now);
  if (!result.ok()) return FromStatus(result.status());
  if (!result->ok) {
    api.logins_failed.fetch_add(1);
    if (result->throttled) {
      auto p = Problem(429, "Too Many Requests", "too many failed logins; try again later");
      p.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(1, result->retry_after.count())));
      return p;
    }
    return Problem(401, "Unauthorized", "the user name, password or code is not right");
  }
  api.logins_ok.fetch_add(1);
  if (!cookie) return JsonResponse(201, result->body);
  // A browser: the session is an HttpOnly cookie the page cannot read; the
  // page gets the CSRF token it must send with every change instead.
  ojson body = result->body;
  body.erase("token");
  body["csrf_token"] = access::CsrfToken(result->token);
  HttpResponse r = JsonResponse(201, body);
  r.headers.emplace_back("Set-Cookie", SessionCookie(result->token, api.service->login_policy().absolute_timeout.count()));
  return r;
}

HttpResponse WhoAmI(Api::Impl& api, Call& c) {
  const auto& s = c.session->session;
  const auto& u = c.session->user;
  ojson out{{"user",
                                  {{"id", u.id},
                                   {"username", u.username},
                                   {"display_name", u.display_name},
                                   {"role", u.role},
                                   {"agency_id", u.agency_id},
                                   {"team_id", c.caller().principal.team_id},
                                   {"totp", !u.totp_secret.empty()}}},
                                 {"session",
                                  {{"created_at", s.created_at},
                                   {"last_seen_at", s.last_seen_at},
                                   {"expires_at", s.expires_at},
                                   {"idle_timeout_seconds", api.service->login_policy().idle_timeout.count()}}}};
  if (c.by_cookie) out["csrf_token"] = access::CsrfToken(c.session_token);
  return JsonResponse(200, out);
}

HttpResponse LogoutRoute(Api::Impl& api, Call& c) {
  if (auto s = api.service->Logout(c.caller(), c.session_token, c.now); !s.ok()) return FromStatus(s);
  HttpResponse r;
  r.status = 204;
  if (c.by_cookie) r.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
  return r;
}

}  // namespace continuum::api::internal
