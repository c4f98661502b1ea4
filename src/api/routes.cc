// The route table, and the handlers for frameworks, children and their
// cases: each parses the request, calls the case service, and answers.
#include <algorithm>

#include "api/api_internal.h"

namespace continuum::api::internal {
namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (!s.empty() && pos <= s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

const std::string& Child(Call& c) { return c.params["child"]; }

// The members of an event request: {type, fields, occurred_at}.
std::optional<HttpResponse> ReadEventRequest(const Call& c, casework::RecordRequest* r) {
  if (auto p = RequireString(c, "type", &r->type, 100)) return p;
  if (c.body.contains("fields")) {
    if (!c.body["fields"].is_object()) {
      return Problem(422, "Unprocessable Content", "fields: must be an object", {{"fields", "must be an object"}});
    }
    r->fields = c.body["fields"];
  }
  if (auto p = OptionalString(c, "occurred_at", &r->occurred_at, 40)) return p;
  for (auto it = c.body.begin(); it != c.body.end(); ++it) {
    if (it.key() != "type" && it.key() != "fields" && it.key() != "occurred_at") {
      return Problem(422, "Unprocessable Content", "unknown member '" + it.key() + "'; send type, fields, occurred_at",
                     {{it.key(), "unknown member"}});
    }
  }
  return std::nullopt;
}

}  // namespace

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", Healthz, false},
      {"GET", "/metrics", MetricsText, false},
      {"POST", "/api/v1/session", LoginRoute, false},
      {"GET", "/api/v1/session", WhoAmI},
      {"DELETE", "/api/v1/session", LogoutRoute},
      {"GET", "/api/v1/frameworks", ListFrameworks},
      {"GET", "/api/v1/frameworks/{framework}", ShowFramework},
      {"POST", "/api/v1/frameworks/{framework}/assess", AssessRoute},
      {"POST", "/api/v1/children", RegisterChild},
      {"GET", "/api/v1/children", SearchChildren},
      {"GET", "/api/v1/children/{child}", CaseSummary},
      {"GET", "/api/v1/children/{child}/chronology", ChronologyRoute},
      {"GET", "/api/v1/children/{child}/next", NextSteps},
      {"GET", "/api/v1/children/{child}/people", ListPeople},
      {"POST", "/api/v1/children/{child}/events", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/events/check", CheckEventRoute},
      {"POST", "/api/v1/children/{child}/corrections", CorrectRoute},
      {"POST", "/api/v1/children/{child}/break-glass", BreakGlassRoute},
      {"GET", "/api/v1/children/{child}/audit", ChildAudit},
      {"GET", "/api/v1/children/{child}/export", ExportRoute},
      {"GET", "/api/v1/due", DueRoute},
      {"GET", "/api/v1/caseload", CaseloadRoute},
      {"GET", "/api/v1/staff", StaffRoute},
      {"GET", "/api/v1/audit", AuditRoute},
      {"GET", "/api/v1/alerts", AlertsRoute},
      {"POST", "/api/v1/alerts/{alert}/acknowledgement", AcknowledgeAlert},
      {"GET", "/api/v1/reports/summary", ReportSummary},
      {"GET", "/api/v1/agencies", ListAgencies},
      {"POST", "/api/v1/agencies", PutAgencyRoute},
      {"GET", "/api/v1/teams", ListTeams},
      {"POST", "/api/v1/teams", PutTeamRoute},
      {"GET", "/api/v1/users", ListUsers},
      {"POST", "/api/v1/users", AddUserRoute},
      {"POST", "/api/v1/users/{user}/disable", DisableUserRoute},
      {"POST", "/api/v1/users/{user}/reset", ResetUserRoute},
  };
  return kRoutes;
}

// --- frameworks -------------------------------------------------------------

HttpResponse ListFrameworks(Api::Impl& api, Call&) { return JsonResponse(200, api.service->FrameworkList()); }

HttpResponse ShowFramework(Api::Impl& api, Call& c) { return Answer(api.service->FrameworkJson(c.params["framework"])); }

HttpResponse AssessRoute(Api::Impl& api, Call& c) {
  auto out = api.service->Assess(c.params["framework"], c.http.body);
  if (!out.ok()) return FromStatus(out.status());
  HttpResponse r;
  r.body = std::move(*out);
  return r;
}

// --- children ---------------------------------------------------------------

HttpResponse RegisterChild(Api::Impl& api, Call& c) {
  std::string framework, at;
  if (auto r = RequireString(c, "framework", &framework, 64)) return *r;
  if (!c.body.contains("fields") || !c.body["fields"].is_object()) {
    return Problem(422, "Unprocessable Content", "fields: required, an object", {{"fields", "must be an object"}});
  }
  if (auto r = OptionalString(c, "occurred_at", &at, 40)) return *r;
  return Answer(api.service->Register(c.caller(), framework, c.body["fields"], at, c.now), 201);
}

HttpResponse SearchChildren(Api::Impl& api, Call& c) { return Answer(api.service->Search(c.caller(), c.Query("q"), c.now)); }

HttpResponse CaseSummary(Api::Impl& api, Call& c) { return Answer(api.service->Summary(c.caller(), Child(c), c.now)); }

HttpResponse ChronologyRoute(Api::Impl& api, Call& c) {
  casework::ChronologyRequest q;
  q.child = Child(c);
  q.from = c.Query("from");
  q.to = c.Query("to");
  q.types = SplitList(c.Query("types"));
  q.agencies = SplitList(c.Query("agency"));
  int64_t sig = 0, limit = 0;
  if (auto r = QueryNumber(c, "min_significance", 2, &sig)) return *r;
  if (auto r = QueryNumber(c, "limit", 999999, &limit)) return *r;
  q.min_significance = static_cast<int>(sig);
  q.limit = static_cast<size_t>(limit);
  return Answer(api.service->Chronology(c.caller(), q, c.now));
}

HttpResponse NextSteps(Api::Impl& api, Call& c) { return Answer(api.service->Next(c.caller(), Child(c), c.now)); }

HttpResponse ListPeople(Api::Impl& api, Call& c) { return Answer(api.service->People(c.caller(), Child(c), c.now)); }

HttpResponse RecordEventRoute(Api::Impl& api, Call& c) {
  casework::RecordRequest r;
  r.child = Child(c);
  if (auto p = ReadEventRequest(c, &r)) return *p;
  return Answer(api.service->Record(c.caller(), r, c.now), 201);
}

HttpResponse CheckEventRoute(Api::Impl& api, Call& c) {
  casework::RecordRequest r;
  r.child = Child(c);
  if (auto p = ReadEventRequest(c, &r)) return *p;
  return Answer(api.service->Check(c.caller(), r, c.now));
}

HttpResponse CorrectRoute(Api::Impl& api, Call& c) {
  std::string supersedes, reason, at;
  if (auto r = RequireString(c, "supersedes", &supersedes, 64)) return *r;
  if (auto r = RequireString(c, "reason", &reason, 4096)) return *r;
  if (auto r = OptionalString(c, "occurred_at", &at, 40)) return *r;
  json fields = c.body.value("fields", json::object());
  if (!fields.is_object()) {
    return Problem(422, "Unprocessable Content", "fields: must be an object", {{"fields", "object"}});
  }
  return Answer(api.service->Correct(c.caller(), Child(c), supersedes, fields, reason, at, c.now), 201);
}

HttpResponse BreakGlassRoute(Api::Impl& api, Call& c) {
  std::string reason;
  if (c.body.contains("reason") && c.body["reason"].is_string()) reason = c.body["reason"].get<std::string>();
  return Answer(api.service->BreakGlass(c.caller(), Child(c), reason, c.now), 201);
}

HttpResponse ChildAudit(Api::Impl& api, Call& c) { return Answer(api.service->ChildAudit(c.caller(), Child(c), c.now)); }

HttpResponse ExportRoute(Api::Impl& api, Call& c) {
  const std::string format = c.HasQuery("format") ? c.Query("format") : "json";
  if (format != "json" && format != "html") {
    return Problem(422, "Unprocessable Content", "format: json or html", {{"format", "json or html"}});
  }
  auto out = api.service->Export(c.caller(), Child(c), c.now);
  if (!out.ok()) return FromStatus(out.status());
  if (format == "json") return JsonResponse(200, *out);
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = ExportHtml(*out);
  return r;
}

}  // namespace continuum::api::internal
