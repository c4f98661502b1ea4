// Private to src/api: what the route handlers share.
#pragma once

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/policy.h"
#include "api/api.h"
#include "case/service.h"

namespace continuum::api::internal {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

struct Call;
using HandlerFn = HttpResponse (*)(Api::Impl&, Call&);

struct Route {
  const char* method;
  const char* path;  // "/api/v1/children/{child}"
  HandlerFn handler;
  bool authenticated = true;
};
const std::vector<Route>& Routes();

// One request on its way through.
struct Call {
  HttpRequest& http;
  Target target;
  const Route* route = nullptr;
  std::map<std::string, std::string> params;  // from the path template
  json body;                                  // the parsed body (an object), or null
  Timestamp now;
  std::optional<casework::Service::Session> session;
  std::string session_token;  // the session's token, from the header or the cookie
  bool by_cookie = false;     // a browser session
  casework::Channel channel;
  std::string Query(const std::string& name) const;
  bool HasQuery(const std::string& name) const;
  const casework::Caller& caller() const { return session->caller; }
};

struct RouteMetrics {
  std::atomic<uint64_t> count[6] = {};  // by status class 1xx..5xx (index 1..5)
  std::atomic<uint64_t> duration_bucket[12] = {};
  std::atomic<uint64_t> duration_us_sum{0};
};

}  // namespace continuum::api::internal

namespace continuum::api {

struct Api::Impl {
  casework::Service* service = nullptr;
  ApiOptions options;
  // The web app, read once at start: path ("/index.html") -> content type and bytes.
  std::map<std::string, std::pair<std::string, std::string>> web_files;
  std::function<ServerCounters()> server_counters;
  std::vector<internal::RouteMetrics> route_metrics;  // one per route, in table order
  std::atomic<uint64_t> unmatched{0}, logins_ok{0}, logins_failed{0};

  HttpResponse Dispatch(internal::Call& call);
};

namespace internal {

HttpResponse JsonResponse(int status, const ojson& body);
// Status → problem: kInvalidArgument 422, kNotFound 404, kForbidden 403,
// kConflict 409, kUnavailable 503, kInternal 500 (detail withheld). The
// Status's field, if any, is the one entry of `errors`.
HttpResponse FromStatus(const Status& s);
// A Result's JSON as a response with `status`, or its error.
HttpResponse Answer(const Result<ojson>& r, int status = 200);

// Reading the body and the query; each returns the problem to answer with.
std::optional<HttpResponse> RequireString(const Call& c, const char* name, std::string* out, size_t max = 200);
std::optional<HttpResponse> OptionalString(const Call& c, const char* name, std::string* out, size_t max = 200);
std::optional<HttpResponse> OptionalBool(const Call& c, const char* name, bool* out);
// A query parameter that is a whole number from 0 to `max`.
std::optional<HttpResponse> QueryNumber(const Call& c, const char* name, int64_t max, int64_t* out);
std::optional<HttpResponse> QueryBool(const Call& c, const char* name, bool* out);

// The Set-Cookie value that starts or ends a browser session.
std::string SessionCookie(const std::string& token, int64_t max_age_seconds);

// Handlers.
HttpResponse Healthz(Api::Impl&, Call&);
HttpResponse CaseloadRoute(Api::Impl&, Call&);
HttpResponse StaffRoute(Api::Impl&, Call&);
HttpResponse MetricsText(Api::Impl&, Call&);
// session_routes.cc
HttpResponse LoginRoute(Api::Impl&, Call&);
HttpResponse WhoAmI(Api::Impl&, Call&);
HttpResponse LogoutRoute(Api::Impl&, Call&);
// routes.cc
HttpResponse ListFrameworks(Api::Impl&, Call&);
HttpResponse ShowFramework(Api::Impl&, Call&);
HttpResponse AssessRoute(Api::Impl&, Call&);
HttpResponse RegisterChild(Api::Impl&, Call&);
HttpResponse SearchChildren(Api::Impl&, Call&);
HttpResponse CaseSummary(Api::Impl&, Call&);
HttpResponse ChronologyRoute(Api::Impl&, Call&);
HttpResponse NextSteps(Api::Impl&, Call&);
HttpResponse ListPeople(Api::Impl&, Call&);
HttpResponse RecordEventRoute(Api::Impl&, Call&);
HttpResponse CheckEventRoute(Api::Impl&, Call&);
HttpResponse CorrectRoute(Api::Impl&, Call&);
HttpResponse BreakGlassRoute(Api::Impl&, Call&);
HttpResponse ChildAudit(Api::Impl&, Call&);
HttpResponse ExportRoute(Api::Impl&, Call&);
// oversight_routes.cc
HttpResponse DueRoute(Api::Impl&, Call&);
HttpResponse AuditRoute(Api::Impl&, Call&);
HttpResponse AlertsRoute(Api::Impl&, Call&);
HttpResponse AcknowledgeAlert(Api::Impl&, Call&);
HttpResponse ReportSummary(Api::Impl&, Call&);
// directory_routes.cc
HttpResponse ListAgencies(Api::Impl&, Call&);
HttpResponse PutAgencyRoute(Api::Impl&, Call&);
HttpResponse ListTeams(Api::Impl&, Call&);
HttpResponse PutTeamRoute(Api::Impl&, Call&);
HttpResponse ListUsers(Api::Impl&, Call&);
HttpResponse AddUserRoute(Api::Impl&, Call&);
HttpResponse DisableUserRoute(Api::Impl&, Call&);
HttpResponse ResetUserRoute(Api::Impl&, Call&);

// The export as an HTML document for the family (export.cc).
std::string ExportHtml(const ojson& exported);

}  // namespace internal
}  // namespace continuum::api
