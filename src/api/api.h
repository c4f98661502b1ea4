// The JSON API under /api/v1: an adapter over the case service
// (case/service.h), which holds every rule. This layer matches a request to
// its route, authenticates it (a Bearer session token), parses the body
// (a JSON object, at most the server's body limit), hands the request to the
// service, and turns the answer or the error into HTTP.
//
//   casework::Service service(*store, registry, calendar, {});
//   auto api = api::Api::Create(&service, api::ApiOptions{});
//   auto server = api::HttpServer::Listen(opts, [&](api::HttpRequest& r, api::HttpServer::Responder respond) {
//     (*api)->Handle(r, std::move(respond));
//   });
//
// Every route is in one table (routes.cc). The OpenAPI document is generated
// from that table and the framework files (PrintOpenApi; docs/openapi.json is
// its output, and a test checks the two agree).
//
// Errors are application/problem+json (RFC 9457), with `errors` naming the
// field at fault, taken from the Status (Status::field). Handle never throws.
// Thread-safe: Handle runs on many worker threads at once; the Api keeps no
// per-user state in memory, so several processes can share one database.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "case/service.h"

namespace continuum::api {

struct ApiOptions {
  bool log_requests = true;  // one JSON line per request on stderr, without personal data
  // /metrics answers an administrator's session, or this token as
  // "Authorization: Bearer …" (for a scraper); "" for no token.
  std::string metrics_token;
  // The built web app (index.html and its assets), served at / for every
  // path outside /api/, /healthz and /metrics; "" for none.
  std::string web_dir;
};

// Browser sessions: the session cookie's name. A state-changing request
// carried by it must come from the server's own origin and carry the
// session's CSRF token in X-CSRF-Token (docs/access.md, "Browser sessions").
inline constexpr const char* kSessionCookie = "__Host-continuum";

class Api {
 public:
  static Result<std::unique_ptr<Api>> Create(casework::Service* service, ApiOptions options);
  ~Api();

  // Answers through `respond`, once, on the calling thread, after any audit
  // record (and event) the response depends on has been committed.
  void Handle(HttpRequest& request, HttpServer::Responder respond);

  // "GET /api/v1/children/{child}", one per route, in table order.
  static std::vector<std::string> RouteList();
  // The OpenAPI 3.1 document of these routes, with the event request
  // schemas of the given frameworks, as JSON text; kInternal if a route has
  // no documentation or documentation names no route.
  static Result<std::string> PrintOpenApi(const framework::Registry& frameworks);

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
