// Handlers for sessions, lists across children (due, audit, alerts,
// reports), the subject-access export and administration.
#include <algorithm>
#include <map>
#include <set>

#include "access/credentials.h"
#include "api/api_internal.h"

namespace continuum::api::internal {
namespace {

using access::Action;

// A required string member of the body, or the 422 naming it.
std::optional<HttpResponse> RequireString(const Call& c, const char* name, std::string* out,
                                          size_t max = 200) {
  if (!c.body.contains(name) || !c.body[name].is_string() || c.body[name].get<std::string>().empty()) {
    return Problem(422, "Unprocessable Content", std::string(name) + ": required, a non-empty string",
                   {{name, "required"}});
  }
  *out = c.body[name].get<std::string>();
  if (out->size() > max) {
    return Problem(422, "Unprocessable Content",
                   std::string(name) + ": at most " + std::to_string(max) + " characters",
                   {{name, "too long"}});
  }
  return std::nullopt;
}

std::optional<HttpResponse> OptionalString(const Call& c, const char* name, std::string* out,
                                           size_t max = 200) {
  if (!c.body.contains(name)) return std::nullopt;
  if (!c.body[name].is_string())
    return Problem(422, "Unprocessable Content", std::string(name) + ": must be a string",
                   {{name, "must be a string"}});
  *out = c.body[name].get<std::string>();
  if (out->size() > max)
    return Problem(422, "Unprocessable Content",
                   std::string(name) + ": at most " + std::to_string(max) + " characters",
                   {{name, "too long"}});
  return std::nullopt;
}

ojson UserJson(const store::User& u) {
  return ojson{{"id", u.id},
               {"username", u.username},
               {"display_name", u.display_name},
               {"role", u.role},
               {"agency_id", u.agency_id},
               {"team_id", u.team_id},
               {"totp", !u.totp_secret.empty()},
               {"disabled", u.disabled},
               {"created_at", u.created_at},
               {"updated_at", u.updated_at}};
}

std::optional<HttpResponse> Audit(Api::Impl& api, Call& c, const std::string& what, const std::string& child,
                                  ojson detail) {
  auto a = AppendWithAudit(api, {AuditEvent(c, what, child, std::move(detail))});
  if (!a.ok()) return FromStatus(a.status());
  return std::nullopt;
}

}  // namespace

// --- sessions ---------------------------------------------------------------

HttpResponse LoginRoute(Api::Impl& api, Call& c) {
  std::string username, password, totp;
  if (auto r = RequireString(c, "username", &username, 256)) return *r;
  if (auto r = RequireString(c, "password", &password, 1024)) return *r;
  if (auto r = OptionalString(c, "totp", &totp, 16)) return *r;
  auto result = access::Login(
      api.store->directory(), api.options.login,
      {.username = username, .password = password, .totp = totp, .ip = c.http.remote_ip}, c.now);
  if (!result.ok()) return FromStatus(result.status());
  if (!result->ok) {
    api.logins_failed.fetch_add(1);
    // The attempt is audited under the account when the name exists; text
    // that names no account is not recorded (it may be a password).
    store::Event e =
        AuditEvent(c, "login_failed", "-",
                   {{"outcome", "denied"},
                    {"reason", result->failure},
                    {"username", result->user.id.empty() ? "unknown name" : result->user.username}});
    if (!result->user.id.empty()) {
      e.author = result->user.id;
      e.agency = result->user.agency_id;
    }
    auto a = AppendWithAudit(api, {e});
    if (!a.ok()) return FromStatus(a.status());
    if (result->throttled) {
      auto p = Problem(429, "Too Many Requests", "too many failed logins; try again later");
      p.headers.emplace_back("Retry-After", std::to_string(result->retry_after.count()));
      return p;
    }
    return Problem(401, "Unauthorized", "the user name, password or code is not right");
  }
  api.logins_ok.fetch_add(1);
  c.auth = access::Authenticated{result->user, result->session};
  if (auto r = Audit(api, c, "login", "-", {{"outcome", "allowed"}})) return *r;
  const auto& u = result->user;
  return JsonResponse(201, ojson{{"token", result->token},
                                 {"expires_at", result->session.expires_at},
                                 {"idle_timeout_seconds", api.options.login.idle_timeout.count()},
                                 {"user", UserJson(u)}});
}

HttpResponse WhoAmI(Api::Impl&, Call& c) {
  const auto& s = c.auth->session;
  return JsonResponse(
      200,
      ojson{
          {"user", UserJson(c.auth->user)},
          {"session",
           {{"created_at", s.created_at}, {"last_seen_at", s.last_seen_at}, {"expires_at", s.expires_at}}}});
}

HttpResponse LogoutRoute(Api::Impl& api, Call& c) {
  std::string_view token = std::string_view(c.http.authorization).substr(7);
  if (auto s = access::Logout(api.store->directory(), token); !s.ok()) return FromStatus(s);
  if (auto r = Audit(api, c, "logout", "-", {{"outcome", "allowed"}})) return *r;
  HttpResponse r;
  r.status = 204;
  r.content_type = "application/json";
  return r;
}

// --- lists across children --------------------------------------------------

HttpResponse DueRoute(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kListDue}, nullptr)) return *denied;
  store::DeadlineQuery q;
  q.owner = c.Query("owner");
  q.team = c.Query("team");
  q.agency = c.Query("agency");
  q.due_before = c.Query("before");
  if (c.HasQuery("overdue") && c.Query("overdue") != "true" && c.Query("overdue") != "false") {
    return Problem(422, "Unprocessable Content", "overdue: true or false", {{"overdue", "true or false"}});
  }
  if (c.Query("overdue") == "true") q.due_before = c.now.ToString();
  if (!q.due_before.empty() && !Timestamp::Parse(q.due_before).ok()) {
    return Problem(422, "Unprocessable Content", "before: a date-time such as 2026-11-30T09:00:00Z",
                   {{"before", "date-time"}});
  }
  auto rows = api.store->Deadlines(q);
  if (!rows.ok()) return FromStatus(rows.status());
  std::map<std::string, bool> may_read;
  ojson list = ojson::array();
  std::vector<std::string> children;
  for (const auto& r : *rows) {
    std::string child = r.Value("child_id");
    auto it = may_read.find(child);
    if (it == may_read.end()) {
      auto ctx = LoadChild(api, c, child);
      bool ok = ctx.ok() && access::Authorize(c.principal, {Action::kReadCase}, ctx->subject).allowed;
      it = may_read.emplace(child, ok).first;
      if (ok) children.push_back(child);
    }
    if (!it->second) continue;
    list.push_back({{"deadline_id", r.Value("deadline_id")},
                    {"child_id", child},
                    {"kind", r.Value("kind")},
                    {"label", r.Value("label")},
                    {"due_at", r.Value("due_at")},
                    {"owner", r.Value("owner")},
                    {"team", r.Value("team")},
                    {"agency", r.Value("agency")},
                    {"overdue", r.Value("due_at") < c.now.ToString()}});
  }
  if (auto r = Audit(api, c, "read", "-", {{"outcome", "allowed"}, {"children", children}})) return *r;
  return JsonResponse(200, ojson{{"deadlines", list}});
}

HttpResponse AuditRoute(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kReadAudit}, nullptr)) return *denied;
  store::AuditQuery q;
  q.user = c.Query("user");
  q.agency = c.Query("agency");
  q.child_id = c.Query("child");
  q.from = c.Query("from");
  q.to = c.Query("to");
  if (c.HasQuery("type")) q.types = {c.Query("type")};
  auto number = [&](const char* name, int64_t* out) -> std::optional<HttpResponse> {
    if (!c.HasQuery(name)) return std::nullopt;
    std::string v = c.Query(name);
    if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), ::isdigit))
      return Problem(422, "Unprocessable Content", std::string(name) + ": a whole number",
                     {{name, "a number"}});
    *out = std::stoll(v);
    return std::nullopt;
  };
  int64_t limit = 1000;
  if (auto r = number("after", &q.after_seq)) return *r;
  if (auto r = number("limit", &limit)) return *r;
  q.limit = static_cast<size_t>(std::clamp<int64_t>(limit, 1, 10000));
  auto records = api.store->Audit(q);
  if (!records.ok())
    return FromStatus(records.status(), {.members = {"from", "to", "user", "agency", "types"}});
  ojson list = ojson::array();
  for (const auto& e : *records) {
    list.push_back({{"seq", e.seq},
                    {"type", e.type},
                    {"at", e.recorded_at},
                    {"user", e.author},
                    {"agency", e.agency},
                    {"child_id", e.child_id},
                    {"hash", e.hash},
                    {"detail", ojson::parse(e.payload, nullptr, false)}});
  }
  if (auto r = Audit(api, c, "audit_read", "-", {{"outcome", "allowed"}, {"records", list.size()}}))
    return *r;
  ojson out{{"records", list}};
  if (!records->empty() && records->size() == q.limit) out["next_after"] = records->back().seq;
  return JsonResponse(200, out);
}

HttpResponse AlertsRoute(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kReadAlerts}, nullptr)) return *denied;
  if (c.HasQuery("all") && c.Query("all") != "true" && c.Query("all") != "false") {
    return Problem(422, "Unprocessable Content", "all: true or false", {{"all", "true or false"}});
  }
  auto alerts = api.store->directory().ListAlerts(c.Query("all") != "true", 500);
  if (!alerts.ok()) return FromStatus(alerts.status());
  ojson list = ojson::array();
  std::vector<std::string> children;
  for (const auto& a : *alerts) {
    children.push_back(a.child_id);
    list.push_back({{"id", a.id},
                    {"kind", a.kind},
                    {"child_id", a.child_id},
                    {"user_id", a.user_id},
                    {"agency_id", a.agency_id},
                    {"detail", a.detail},
                    {"created_at", a.created_at},
                    {"acknowledged_by", a.acknowledged_by},
                    {"acknowledged_at", a.acknowledged_at}});
  }
  if (auto r = Audit(api, c, "read", "-",
                     {{"outcome", "allowed"}, {"alerts", list.size()}, {"children", children}}))
    return *r;
  return JsonResponse(200, ojson{{"alerts", list}});
}

HttpResponse AcknowledgeAlert(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kReadAlerts}, nullptr)) return *denied;
  const std::string& id = c.params["alert"];
  if (id.empty() || id.size() > 18 || !std::all_of(id.begin(), id.end(), ::isdigit))
    return Problem(404, "Not Found", "no alert '" + id + "'");
  if (auto s = api.store->directory().AcknowledgeAlert(std::stoll(id), c.principal.user_id, c.now.ToString());
      !s.ok())
    return FromStatus(s);
  if (auto r = Audit(api, c, "admin", "-",
                     {{"outcome", "allowed"}, {"alert", std::stoll(id)}, {"change", "acknowledged"}}))
    return *r;
  return JsonResponse(200, ojson{{"id", std::stoll(id)},
                                 {"acknowledged_by", c.principal.user_id},
                                 {"acknowledged_at", c.now.ToString()}});
}

HttpResponse ReportSummary(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kReadAggregates}, nullptr)) return *denied;
  auto cases = api.store->EntitiesOfKind("case");
  if (!cases.ok()) return FromStatus(cases.status());
  std::map<std::string, std::map<std::string, int64_t>> by_framework_state;
  std::map<std::string, std::map<int, int64_t>> by_framework_level;
  for (const auto& r : *cases) {
    json j = json::parse(r.Value("data"), nullptr, false);
    if (!j.is_object()) continue;
    std::string fw = j.value("framework", "");
    by_framework_state[fw][j.value("state", "none")]++;
    by_framework_level[fw][j.value("level", 0)]++;
  }
  store::DeadlineQuery dq;
  dq.due_before = c.now.ToString();
  auto overdue = api.store->Deadlines(dq);
  if (!overdue.ok()) return FromStatus(overdue.status());
  std::map<std::string, int64_t> overdue_by_kind;
  for (const auto& r : *overdue) overdue_by_kind[r.Value("kind")]++;
  // Small numbers can identify a child: counts from 1 to 4 are shown as null
  // with "suppressed": true.
  auto count = [](int64_t n) {
    ojson x;
    if (n > 0 && n < 5) {
      x["count"] = nullptr;
      x["suppressed"] = true;
    } else {
      x["count"] = n;
    }
    return x;
  };
  ojson frameworks = ojson::array();
  for (const auto& [fw, states] : by_framework_state) {
    ojson s = ojson::array(), l = ojson::array();
    for (const auto& [state, n] : states) {
      ojson x = count(n);
      x["state"] = state;
      s.push_back(x);
    }
    for (const auto& [level, n] : by_framework_level[fw]) {
      ojson x = count(n);
      x["level"] = level;
      l.push_back(x);
    }
    frameworks.push_back({{"framework", fw}, {"by_state", s}, {"by_level", l}});
  }
  ojson od = ojson::array();
  for (const auto& [kind, n] : overdue_by_kind) {
    ojson x = count(n);
    x["kind"] = kind;
    od.push_back(x);
  }
  if (auto r = Audit(api, c, "report", "-", {{"outcome", "allowed"}})) return *r;
  return JsonResponse(200, ojson{{"generated_at", c.now.ToString()},
                                 {"suppression_threshold", 5},
                                 {"frameworks", frameworks},
                                 {"overdue", od}});
}

// --- administration ---------------------------------------------------------

HttpResponse ListAgencies(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kAdminister}, nullptr)) return *denied;
  auto list = api.store->directory().ListAgencies();
  if (!list.ok()) return FromStatus(list.status());
  ojson out = ojson::array();
  for (const auto& a : *list) out.push_back({{"id", a.id}, {"name", a.name}, {"kind", a.kind}});
  return JsonResponse(200, ojson{{"agencies", out}});
}

HttpResponse PutAgencyRoute(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kAdminister}, nullptr)) return *denied;
  store::Agency a;
  if (auto r = RequireString(c, "id", &a.id, 128)) return *r;
  if (auto r = RequireString(c, "name", &a.name)) return *r;
  if (auto r = RequireString(c, "kind", &a.kind, 32)) return *r;
  static const std::set<std::string> kKinds = {"school",      "health",          "police",    "early_help",
                                               "social_care", "local_authority", "voluntary", "other"};
  if (!kKinds.count(a.kind)) {
    return Problem(
        422, "Unprocessable Content",
        "kind: one of school, health, police, early_help, social_care, local_authority, voluntary, other",
        {{"kind", "unknown kind"}});
  }
  if (auto s = api.store->directory().PutAgency(a); !s.ok())
    return FromStatus(s, {.members = {"id", "name", "kind"}});
  if (auto r = Audit(api, c, "admin", "-",
                     {{"outcome", "allowed"}, {"change", "agency saved"}, {"agency_id", a.id}}))
    return *r;
  return JsonResponse(201, ojson{{"id", a.id}, {"name", a.name}, {"kind", a.kind}});
}

HttpResponse ListTeams(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kAdminister}, nullptr)) return *denied;
  auto list = api.store->directory().ListTeams();
  if (!list.ok()) return FromStatus(list.status());
  ojson out = ojson::array();
  for (const auto& t : *list)
    out.push_back({{"id", t.id}, {"agency_id", t.agency_id}, {"name", t.name}, {"front_door", t.front_door}});
  return JsonResponse(200, ojson{{"teams", out}});
}

HttpResponse PutTeamRoute(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kAdminister}, nullptr)) return *denied;
  store::Team t;
  if (auto r = RequireString(c, "id", &t.id, 128)) return *r;
  if (auto r = RequireString(c, "agency_id", &t.agency_id, 128)) return *r;
  if (auto r = RequireString(c, "name", &t.name)) return *r;
  if (c.body.contains("front_door")) {
    if (!c.body["front_door"].is_boolean())
      return Problem(422, "Unprocessable Content", "front_door: true or false", {{"front_door", "boolean"}});
    t.front_door = c.body["front_door"].get<bool>();
  }
  if (auto s = api.store->directory().PutTeam(t); !s.ok()) {
    if (s.code() == StatusCode::kNotFound)
      return Problem(422, "Unprocessable Content", s.message(), {{"agency_id", "does not exist"}});
    return FromStatus(s, {.members = {"id", "name", "agency_id"}});
  }
  if (auto r =
          Audit(api, c, "admin", "-", {{"outcome", "allowed"}, {"change", "team saved"}, {"team_id", t.id}}))
    return *r;
  return JsonResponse(
      201, ojson{{"id", t.id}, {"agency_id", t.agency_id}, {"name", t.name}, {"front_door", t.front_door}});
}

HttpResponse ListUsers(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kAdminister}, nullptr)) return *denied;
  auto list = api.store->directory().ListUsers();
  if (!list.ok()) return FromStatus(list.status());
  ojson out = ojson::array();
  for (const auto& u : *list) out.push_back(UserJson(u));
  return JsonResponse(200, ojson{{"users", out}});
}

HttpResponse AddUserRoute(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kAdminister}, nullptr)) return *denied;
  access::NewUser u;
  if (auto r = RequireString(c, "username", &u.username, 64)) return *r;
  if (auto r = RequireString(c, "display_name", &u.display_name)) return *r;
  if (auto r = RequireString(c, "role", &u.role, 32)) return *r;
  if (auto r = RequireString(c, "agency_id", &u.agency_id, 128)) return *r;
  if (auto r = OptionalString(c, "team_id", &u.team_id, 128)) return *r;
  if (auto r = RequireString(c, "password", &u.password, 1024)) return *r;
  if (c.body.contains("totp")) {
    if (!c.body["totp"].is_boolean())
      return Problem(422, "Unprocessable Content", "totp: true or false", {{"totp", "boolean"}});
    u.totp = c.body["totp"].get<bool>();
  }
  auto created = access::AddUser(api.store->directory(), u, c.now);
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kNotFound) {  // the agency or team named does not exist
      const char* field =
          created.status().message().find("team") != std::string::npos ? "team_id" : "agency_id";
      return Problem(422, "Unprocessable Content", created.status().message(), {{field, "does not exist"}});
    }
    return FromStatus(created.status(),
                      {.members = {"password", "username", "role", "display_name", "agency"}});
  }
  if (auto r = Audit(api, c, "admin", "-",
                     {{"outcome", "allowed"},
                      {"change", "user added"},
                      {"user_id", created->user.id},
                      {"user_role", created->user.role}}))
    return *r;
  ojson out = UserJson(created->user);
  if (!created->totp_secret.empty()) {
    out["totp_secret"] = created->totp_secret;
    out["totp_uri"] = created->totp_uri;
  }
  return JsonResponse(201, out);
}

HttpResponse DisableUserRoute(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kAdminister}, nullptr)) return *denied;
  auto u = access::DisableUser(api.store->directory(), c.params["user"], c.now);
  if (!u.ok()) return FromStatus(u.status());
  if (auto r = Audit(api, c, "admin", "-",
                     {{"outcome", "allowed"}, {"change", "user disabled"}, {"user_id", u->id}}))
    return *r;
  return JsonResponse(200, UserJson(*u));
}

HttpResponse ResetUserRoute(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kAdminister}, nullptr)) return *denied;
  access::Reset reset;
  std::string password;
  if (auto r = OptionalString(c, "password", &password, 1024)) return *r;
  if (c.body.contains("password")) reset.password = password;
  for (auto [name, flag] :
       {std::pair{"new_totp", &reset.new_totp}, std::pair{"remove_totp", &reset.remove_totp},
        std::pair{"enable", &reset.enable}}) {
    if (!c.body.contains(name)) continue;
    if (!c.body[name].is_boolean())
      return Problem(422, "Unprocessable Content", std::string(name) + ": true or false",
                     {{name, "boolean"}});
    *flag = c.body[name].get<bool>();
  }
  auto out = access::ResetUser(api.store->directory(), c.params["user"], reset, c.now);
  if (!out.ok()) return FromStatus(out.status(), {.members = {"password", "totp"}});
  if (auto r = Audit(api, c, "admin", "-",
                     {{"outcome", "allowed"}, {"change", "user reset"}, {"user_id", out->user.id}}))
    return *r;
  ojson j = UserJson(out->user);
  if (!out->totp_secret.empty()) {
    j["totp_secret"] = out->totp_secret;
    j["totp_uri"] = out->totp_uri;
  }
  return JsonResponse(200, j);
}

}  // namespace continuum::api::internal
