// The JSON API under /api/v1: every capability of the case record, for the
// people the access policy allows, each access audited.
//
//   auto api = api::Api::Create(store.get(), registry, calendar, api::ApiOptions{});
//   auto server = api::HttpServer::Listen(opts, [&](api::HttpRequest& r, api::HttpServer::Responder respond) {
//     (*api)->Handle(r, std::move(respond));
//   });
//
// Every route is in one table (routes.cc; docs/openapi.yaml documents it,
// and a test checks the two agree). A request is matched to its route,
// authenticated (Bearer session token), its body parsed (JSON object, at
// most the server's body limit), then the route's handler runs, which asks
// the policy (access/policy.h) before it reads or writes personal data.
// Refusals, reads and writes of personal data, logins and administration are
// appended to the audit trail before the response is sent.
//
// Errors are application/problem+json (RFC 9457), with `errors` naming the
// field at fault. Handle never throws. Thread-safe: Handle runs on many
// worker threads at once; the Api keeps no per-user state in memory, so
// several processes can share one database.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "access/accounts.h"
#include "api/http_server.h"
#include "core/calendar.h"
#include "framework/framework.h"
#include "store/store.h"

namespace continuum::api {

struct ApiOptions {
  access::LoginPolicy login;
  std::chrono::minutes break_glass_duration{60};
  bool log_requests = true;  // one JSON line per request on stderr, without personal data
};

class Api {
 public:
  static Result<std::unique_ptr<Api>> Create(store::Store* store, framework::Registry frameworks,
                                             HolidayCalendar calendar, ApiOptions options);
  ~Api();

  // Answers through `respond`, once, on the calling thread, after any audit
  // record (and event) the response depends on has been committed.
  void Handle(HttpRequest& request, HttpServer::Responder respond);

  // "GET /api/v1/children/{child}", one per route, in table order.
  static std::vector<std::string> RouteList();

  // Prometheus text exposition of the API's and the server's counters.
  void SetServerCounters(std::function<ServerCounters()> counters);

  struct Impl;

 private:
  explicit Api(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits a request target into its percent-decoded path segments and query
// parameters. Refuses (kInvalidArgument, with the reason) a target that is
// not origin-form, has a bad escape, decodes to a control character or NUL,
// or has a "." / ".." segment, more than 32 segments or 64 parameters.
struct Target {
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> query;
};
Result<Target> ParseTarget(std::string_view target);

}  // namespace continuum::api
