// Private to src/api: what the route handlers share.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/accounts.h"
#include "access/policy.h"
#include "api/api.h"
#include "pathway/pathway.h"

namespace continuum::api::internal {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

struct Call;
using HandlerFn = HttpResponse (*)(Api::Impl&, Call&);

struct Route {
  const char* method;
  const char* path;  // "/api/v1/children/{child}/plans"
  access::Action action;
  const char* event_type;  // for event routes: the event recorded; else nullptr
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
  std::optional<access::Authenticated> auth;
  access::Principal principal;
  std::string basis;  // why the policy allowed it
  std::string Query(const std::string& name) const;
  bool HasQuery(const std::string& name) const;
};

// A child's record as far as a request needs it.
struct ChildContext {
  std::string id;
  store::Row child;
  std::vector<store::Row> entities;
  std::vector<store::Row> deadlines;
  pathway::CaseState state;
  std::shared_ptr<const framework::Framework> fw;
  access::CaseFacts facts;
  access::Subject subject;
};

struct RouteMetrics {
  std::atomic<uint64_t> count[6] = {};  // by status class 1xx..5xx (index 1..5)
  std::atomic<uint64_t> duration_bucket[12] = {};
  std::atomic<uint64_t> duration_us_sum{0};
};

}  // namespace continuum::api::internal

namespace continuum::api {

struct Api::Impl {
  explicit Impl(HolidayCalendar cal) : calendar(std::move(cal)) {}
  store::Store* store = nullptr;
  framework::Registry frameworks;
  HolidayCalendar calendar;
  ApiOptions options;
  std::function<ServerCounters()> server_counters;
  std::vector<internal::RouteMetrics> route_metrics;  // one per route, in table order
  std::atomic<uint64_t> unmatched{0}, audit_records{0}, logins_ok{0}, logins_failed{0}, denials{0};

  HttpResponse Dispatch(internal::Call& call);
};

namespace internal {

HttpResponse JsonResponse(int status, const ojson& body);
// How to find the member at fault in a message, for `errors`.
struct FieldNames {
  std::string field_prefix = "fields.";     // for "field 'x'" in a message
  std::vector<std::string> members;         // request members a message may open with
  std::string member_prefix;                // e.g. "fields." for a child's details
  std::vector<std::string> strip_prefixes;  // e.g. "child: "
};
// Status → problem: kInvalidArgument 422, kNotFound 404, kForbidden 403,
// kConflict 409, kUnavailable 503, kInternal 500 (detail withheld).
HttpResponse FromStatus(const Status& s, const FieldNames& names = {});

// Loads a child and what the policy needs (404 problem if unknown).
Result<ChildContext> LoadChild(Api::Impl& api, Call& c, const std::string& child_id);
// Asks the policy; on refusal appends audit.denied and returns the 403.
// Break-glass grants are looked up only when they could change the answer.
std::optional<HttpResponse> Gate(Api::Impl& api, Call& c, const access::Request& what, ChildContext* child);

// An audit record for this call: type "audit.<what>", the child or "-".
store::Event AuditEvent(const Call& c, const std::string& what, const std::string& child_id, ojson detail);
// Appends audit records (and any events before them) in one transaction.
Result<std::vector<store::Event>> AppendWithAudit(Api::Impl& api, std::vector<store::Event> events);

// Handlers (routes.cc, admin_routes.cc).
HttpResponse Healthz(Api::Impl&, Call&);
HttpResponse MetricsText(Api::Impl&, Call&);
HttpResponse LoginRoute(Api::Impl&, Call&);
HttpResponse WhoAmI(Api::Impl&, Call&);
HttpResponse LogoutRoute(Api::Impl&, Call&);
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
HttpResponse CorrectRoute(Api::Impl&, Call&);
HttpResponse BreakGlassRoute(Api::Impl&, Call&);
HttpResponse ChildAudit(Api::Impl&, Call&);
HttpResponse ExportRoute(Api::Impl&, Call&);
HttpResponse DueRoute(Api::Impl&, Call&);
HttpResponse AuditRoute(Api::Impl&, Call&);
HttpResponse AlertsRoute(Api::Impl&, Call&);
HttpResponse AcknowledgeAlert(Api::Impl&, Call&);
HttpResponse ReportSummary(Api::Impl&, Call&);
HttpResponse ListAgencies(Api::Impl&, Call&);
HttpResponse PutAgencyRoute(Api::Impl&, Call&);
HttpResponse ListTeams(Api::Impl&, Call&);
HttpResponse PutTeamRoute(Api::Impl&, Call&);
HttpResponse ListUsers(Api::Impl&, Call&);
HttpResponse AddUserRoute(Api::Impl&, Call&);
HttpResponse DisableUserRoute(Api::Impl&, Call&);
HttpResponse ResetUserRoute(Api::Impl&, Call&);

}  // namespace internal
}  // namespace continuum::api
