#include "api/api.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "access/credentials.h"
#include "api/api_internal.h"

namespace continuum::api {

using internal::Call;
using internal::json;
using internal::ojson;

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Decode(std::string_view s, bool plus_is_space, const char* what) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || HexValue(s[i + 1]) < 0 || HexValue(s[i + 2]) < 0) {
        return InvalidArgument(std::string(what) + ": bad percent-escape");
      }
      c = static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument(std::string(what) + ": control characters are not allowed");
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

Result<Target> ParseTarget(std::string_view target) {
  if (target.empty() || target[0] != '/') return InvalidArgument("request target: must start with '/'");
  if (target.size() > 8192) return InvalidArgument("request target: longer than 8192 bytes");
  Target t;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  size_t hash = query.find('#');
  if (hash != std::string_view::npos) query = query.substr(0, hash);
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(pos, end - pos);
    if (!(seg.empty() && end == path.size())) {
      auto d = Decode(seg, false, "path");
      if (!d.ok()) return d.status();
      if (*d == "." || *d == "..") return InvalidArgument("path: '.' and '..' segments are not allowed");
      if (d->find('/') != std::string::npos) return InvalidArgument("path: an encoded '/' is not allowed");
      t.segments.push_back(std::move(*d));
      if (t.segments.size() > 32) return InvalidArgument("path: more than 32 segments");
    }
    pos = end + 1;
  }
  pos = 0;
  while (pos < query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(pos, end - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      auto k = Decode(pair.substr(0, eq), true, "query");
      if (!k.ok()) return k.status();
      auto v = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true, "query");
      if (!v.ok()) return v.status();
      t.query.emplace_back(std::move(*k), std::move(*v));
      if (t.query.size() > 64) return InvalidArgument("query: more than 64 parameters");
    }
    pos = end + 1;
  }
  return t;
}

namespace internal {

std::string Call::Query(const std::string& name) const {
  for (const auto& [k, v] : target.query)
    if (k == name) return v;
  return "";
}
bool Call::HasQuery(const std::string& name) const {
  for (const auto& [k, v] : target.query)
    if (k == name) return true;
  return false;
}

HttpResponse JsonResponse(int status, const ojson& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

HttpResponse FromStatus(const Status& s) {
  std::vector<std::pair<std::string, std::string>> errors;
  if (!s.field().empty()) errors.emplace_back(s.field(), s.message());
  const std::string& m = s.message();
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return Problem(422, "Unprocessable Content", m, errors);
    case StatusCode::kNotFound:
      return Problem(404, "Not Found", m, errors);
    case StatusCode::kForbidden:
      return Problem(403, "Forbidden", m);
    case StatusCode::kConflict:
      return Problem(409, "Conflict", m);
    case StatusCode::kUnavailable:
      return Problem(503, "Service Unavailable", m);
    default:
      return Problem(500, "Internal Server Error", "the request could not be completed");
  }
}

HttpResponse Answer(const Result<ojson>& r, int status) {
  if (!r.ok()) return FromStatus(r.status());
  return JsonResponse(status, *r);
}

std::optional<HttpResponse> RequireString(const Call& c, const char* name, std::string* out, size_t max) {
  if (!c.body.contains(name) || !c.body[name].is_string() || c.body[name].get_ref<const std::string&>().empty()) {
    return Problem(422, "Unprocessable Content", std::string(name) + ": required, a string", {{name, "required"}});
  }
  *out = c.body[name].get<std::string>();
  if (out->size() > max) {
    return Problem(422, "Unprocessable Content", std::string(name) + ": at most " + std::to_string(max) + " bytes",
                   {{name, "too long"}});
  }
  return std::nullopt;
}

std::optional<HttpResponse> OptionalString(const Call& c, const char* name, std::string* out, size_t max) {
  if (!c.body.contains(name) || c.body[name].is_null()) return std::nullopt;
  return RequireString(c, name, out, max);
}

std::optional<HttpResponse> OptionalBool(const Call& c, const char* name, bool* out) {
  if (!c.body.contains(name)) return std::nullopt;
  if (!c.body[name].is_boolean()) {
    return Problem(422, "Unprocessable Content", std::string(name) + ": true or false", {{name, "true or false"}});
  }
  *out = c.body[name].get<bool>();
  return std::nullopt;
}

std::optional<HttpResponse> QueryNumber(const Call& c, const char* name, int64_t max, int64_t* out) {
  if (!c.HasQuery(name)) return std::nullopt;
  std::string v = c.Query(name);
  bool digits = !v.empty() && v.size() <= 18 &&
                std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits || std::stoll(v) > max) {
    return Problem(422, "Unprocessable Content",
                   std::string(name) + ": a whole number from 0 to " + std::to_string(max), {{name, "a number"}});
  }
  *out = std::stoll(v);
  return std::nullopt;
}

std::optional<HttpResponse> QueryBool(const Call& c, const char* name, bool* out) {
  if (!c.HasQuery(name)) return std::nullopt;
  std::string v = c.Query(name);
  if (v != "true" && v != "false") {
    return Problem(422, "Unprocessable Content", std::string(name) + ": true or false", {{name, "true or false"}});
  }
  *out = v == "true";
  return std::nullopt;
}

std::string SessionCookie(const std::string& token, int64_t max_age_seconds) {
  // __Host-: Secure, Path=/, no Domain — the browser keeps it to this origin.
  return std::string(kSessionCookie) + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age_seconds);
}

}  // namespace internal

namespace {

using internal::Route;

// The value of one cookie in a Cookie header, or "".
std::string CookieValue(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(pos, end - pos);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    pos = end + 1;
  }
  return "";
}

// A request from a page of this server: its Origin is this host's.
bool SameOrigin(const HttpRequest& r) {
  if (r.origin.empty() || r.host.empty()) return false;
  return r.origin == "http://" + r.host || r.origin == "https://" + r.host;
}

bool Unsafe(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

const char* ContentType(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
      {".png", "image/png"},                 {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},              {".woff", "font/woff"},
      {".json", "application/json"},         {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"}};
  for (const auto& [ext, type] : kTypes) {
    if (path.size() >= std::strlen(ext) && path.compare(path.size() - std::strlen(ext), std::string::npos, ext) == 0) {
      return type;
    }
  }
  return "application/octet-stream";
}

// Reads the built web app into memory (it is small), refusing more than 32 MiB.
Status LoadWebFiles(const std::string& dir, std::map<std::string, std::pair<std::string, std::string>>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return InvalidArgument("web_dir: '" + dir + "' is not a directory (build the web app: npm --prefix web run build)");
  }
  size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = "/" + fs::relative(it->path(), dir, ec).generic_string();
    std::ifstream f(it->path(), std::ios::binary);
    std::stringstream bytes;
    bytes << f.rdbuf();
    total += bytes.str().size();
    if (total > (32u << 20)) return InvalidArgument("web_dir: more than 32 MiB of files in '" + dir + "'");
    (*out)[rel] = {ContentType(rel), bytes.str()};
  }
  if (ec) return Unavailable("web_dir: reading '" + dir + "': " + ec.message());
  if (!out->count("/index.html")) return InvalidArgument("web_dir: no index.html in '" + dir + "'");
  return Status::Ok();
}

// The web app's page or asset for a path no route has: the file, else the
// app's index (its own pages are routed in the browser).
std::optional<HttpResponse> WebFile(const Api::Impl& api, const internal::Call& c) {
  if (api.web_files.empty() || (c.http.method != "GET" && c.http.method != "HEAD")) return std::nullopt;
  if (!c.target.segments.empty() && (c.target.segments[0] == "api" || c.target.segments[0] == "healthz" ||
                                     c.target.segments[0] == "metrics")) {
    return std::nullopt;
  }
  std::string path;
  for (const auto& s : c.target.segments) path += "/" + s;
  auto it = api.web_files.find(path);
  bool asset = it != api.web_files.end() && path != "/index.html";
  if (it == api.web_files.end()) {
    // A file-looking path that is missing is a 404, not the app.
    if (!c.target.segments.empty() && c.target.segments.back().find('.') != std::string::npos) {
      return Problem(404, "Not Found", "no such file");
    }
    it = api.web_files.find("/index.html");
  }
  HttpResponse r;
  r.content_type = it->second.first;
  r.body = it->second.second;
  // Built assets carry a hash in their names and never change.
  if (asset && path.rfind("/assets/", 0) == 0) r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  return r;
}

// Matches a path template against segments; fills params.
bool Match(const char* templ, const std::vector<std::string>& segs, std::map<std::string, std::string>* params) {
  std::string_view t(templ);
  size_t i = 0, pos = 1;
  while (pos <= t.size()) {
    size_t end = t.find('/', pos);
    if (end == std::string_view::npos) end = t.size();
    std::string_view part = t.substr(pos, end - pos);
    if (i >= segs.size()) return false;
    if (!part.empty() && part.front() == '{') {
      if (segs[i].empty() || segs[i].size() > 128) return false;
      (*params)[std::string(part.substr(1, part.size() - 2))] = segs[i];
    } else if (part != segs[i]) {
      return false;
    }
    ++i;
    pos = end + 1;
  }
  return i == segs.size();
}

constexpr double kBucketsMs[] = {0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000};

std::string StatusClassLabel(int i) { return std::to_string(i) + "xx"; }

Timestamp Now() {
  return Timestamp::FromUnixSeconds(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

Api::Api(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Api::~Api() = default;

Result<std::unique_ptr<Api>> Api::Create(casework::Service* service, ApiOptions options) {
  if (!service) return InvalidArgument("the API needs a case service");
  auto impl = std::make_unique<Impl>();
  impl->service = service;
  impl->options = std::move(options);
  impl->route_metrics = std::vector<internal::RouteMetrics>(internal::Routes().size());
  if (!impl->options.web_dir.empty()) CONTINUUM_RETURN_IF_ERROR(LoadWebFiles(impl->options.web_dir, &impl->web_files));
  return std::unique_ptr<Api>(new Api(std::move(impl)));
}

void Api::SetServerCounters(std::function<ServerCounters()> counters) {
  impl_->server_counters = std::move(counters);
}

std::vector<std::string> Api::RouteList() {
  std::vector<std::string> out;
  for (const auto& r : internal::Routes()) out.push_back(std::string(r.method) + " " + r.path);
  return out;
}

HttpResponse Api::Impl::Dispatch(internal::Call& c) {
  auto target = ParseTarget(c.http.target);
  if (!target.ok()) return Problem(400, "Bad Request", target.status().message());
  c.target = std::move(*target);

  const auto& routes = internal::Routes();
  std::string allowed;
  for (const auto& r : routes) {
    std::map<std::string, std::string> params;
    if (!Match(r.path, c.target.segments, &params)) continue;
    if (c.http.method != r.method) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(r.method);
      continue;
    }
    c.route = &r;
    c.params = std::move(params);
    break;
  }
  if (!c.route) {
    if (allowed.empty())
      if (auto file = WebFile(*this, c)) return *file;
    unmatched.fetch_add(1);
    if (!allowed.empty()) {
      auto p = Problem(405, "Method Not Allowed", c.http.method + " is not supported here; use " + allowed);
      p.headers.emplace_back("Allow", allowed);
      return p;
    }
    return Problem(404, "Not Found", "no such resource");
  }
  c.channel = {.via = "api",
               .operation = std::string(c.route->method) + " " + c.route->path,
               .request_id = c.http.request_id,
               .ip = c.http.remote_ip};

  // A browser's login comes from a page of this server, or not at all.
  if (!c.route->authenticated && Unsafe(c.http.method) && !c.http.origin.empty() && !SameOrigin(c.http)) {
    auto a = service->AuditAnonymous(c.channel, "denied", {{"outcome", "denied"}, {"reason", "cross-origin request"}},
                                     c.now);
    if (!a.ok()) return internal::FromStatus(a);
    return Problem(403, "Forbidden", "a request from another site is refused");
  }
  if (c.route->authenticated) {
    std::string_view auth = c.http.authorization;
    const std::string_view bearer = "Bearer ";
    if (auth.size() > bearer.size() && auth.substr(0, bearer.size()) == bearer) {
      c.session_token = std::string(auth.substr(bearer.size()));
    } else if (std::string cookie = CookieValue(c.http.cookie, kSessionCookie); !cookie.empty()) {
      c.session_token = cookie;
      c.by_cookie = true;
    }
    if (!c.session_token.empty()) {
      auto s = service->Authenticate(c.session_token, c.channel, c.now);
      if (!s.ok()) return internal::FromStatus(s.status());
      c.session = std::move(*s);
    }
    // A cookie goes with every request the browser makes, whoever asked for
    // it: a change needs this server's origin and the session's CSRF token.
    if (c.session && c.by_cookie && Unsafe(c.http.method) &&
        (!SameOrigin(c.http) || !access::SameSecret(c.http.csrf_token, access::CsrfToken(c.session_token)))) {
      auto a = service->AuditAs(c.session->caller, "denied", "-",
                                {{"outcome", "denied"},
                                 {"reason", SameOrigin(c.http) ? "missing or wrong CSRF token" : "cross-origin request"}},
                                c.now);
      if (!a.ok()) return internal::FromStatus(a);
      return Problem(403, "Forbidden",
                     "a change made with the session cookie must come from this site with its X-CSRF-Token");
    }
    if (!c.session) {
      // Every refused attempt is audited, this one too.
      auto a = service->AuditAnonymous(c.channel, "unauthenticated",
                                       {{"outcome", "denied"}, {"reason", "no valid session"}}, c.now);
      if (!a.ok()) return internal::FromStatus(a);
      auto p = Problem(401, "Unauthorized", "log in: a valid session token is required (Authorization: Bearer …)");
      p.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"continuum\"");
      return p;
    }
  }

  // A body, when there is one, is a JSON object; a POST without one is {}.
  if (!c.http.body.empty()) {
    std::string_view ct = c.http.content_type;
    ct = ct.substr(0, ct.find(';'));
    while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
    if (ct != "application/json") return Problem(415, "Unsupported Media Type", "send the body as application/json");
    try {
      c.body = json::parse(c.http.body);
    } catch (const json::parse_error& e) {
      return Problem(400, "Bad Request", "the body is not valid JSON (at byte " + std::to_string(e.byte) + ")",
                     {{"body", "not valid JSON"}});
    } catch (const json::out_of_range&) {
      return Problem(400, "Bad Request", "the body holds a number out of range", {{"body", "number out of range"}});
    }
    if (!c.body.is_object()) return Problem(400, "Bad Request", "the body must be a JSON object", {{"body", "not an object"}});
  } else if (c.http.method != "GET" && c.http.method != "DELETE") {
    c.body = json::object();
  }
  return c.route->handler(*this, c);
}

void Api::Handle(HttpRequest& request, HttpServer::Responder respond) {
  const auto start = std::chrono::steady_clock::now();
  internal::Call c{request};
  c.now = Now();
  HttpResponse res;
  try {
    res = impl_->Dispatch(c);
  } catch (const std::exception& e) {
    res = Problem(500, "Internal Server Error", "the request could not be completed");
  }
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  if (c.route) {
    auto& m = impl_->route_metrics[c.route - internal::Routes().data()];
    int cls = std::clamp(res.status / 100, 1, 5);
    m.count[cls].fetch_add(1, std::memory_order_relaxed);
    m.duration_us_sum.fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
    for (size_t i = 0; i < std::size(kBucketsMs); ++i) {
      if (us <= kBucketsMs[i] * 1000) {
        m.duration_bucket[i].fetch_add(1, std::memory_order_relaxed);
        break;
      }
    }
  }
  if (impl_->options.log_requests) {
    // No personal data: the route template, never the path (it holds ids),
    // nor the query, body or user.
    char line[512];
    std::snprintf(line, sizeof line,
                  "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"request\",\"method\":\"%.10s\",\"route\":\"%s\","
                  "\"status\":%d,\"duration_ms\":%.3f,\"request_id\":\"%s\"}\n",
                  c.now.ToString().c_str(), res.status >= 500 ? "error" : "info", request.method.c_str(),
                  c.route ? c.route->path : "unmatched", res.status, us / 1000.0, request.request_id.c_str());
    std::fputs(line, stderr);
  }
  respond(std::move(res));
}

namespace internal {

HttpResponse MetricsText(Api::Impl& api, Call& c) {
  // Operational figures carry no personal data but are not for the public:
  // an administrator's session, or the scraper's token.
  std::string_view auth = c.http.authorization;
  const std::string_view bearer = "Bearer ";
  bool token_ok = !api.options.metrics_token.empty() && auth.size() > bearer.size() &&
                  auth.substr(0, bearer.size()) == bearer && auth.substr(bearer.size()) == api.options.metrics_token;
  if (!token_ok) {
    std::optional<casework::Service::Session> s;
    if (auth.size() > bearer.size() && auth.substr(0, bearer.size()) == bearer) {
      auto a = api.service->Authenticate(auth.substr(bearer.size()), c.channel, c.now);
      if (!a.ok()) return FromStatus(a.status());
      s = std::move(*a);
    }
    if (!s) {
      auto a = api.service->AuditAnonymous(c.channel, "unauthenticated",
                                           {{"outcome", "denied"}, {"reason", "metrics without a token"}}, c.now);
      if (!a.ok()) return FromStatus(a);
      auto p = Problem(401, "Unauthorized", "metrics need an administrator's session or the metrics token");
      p.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"continuum\"");
      return p;
    }
    if (!access::Authorize(s->caller.principal, {access::Action::kReadMetrics}, {}).allowed) {
      auto a = api.service->AuditAs(s->caller, "denied", "-", {{"outcome", "denied"}, {"reason", "metrics"}}, c.now);
      if (!a.ok()) return FromStatus(a);
      return Problem(403, "Forbidden", "operational metrics are for administrators (or the metrics token)");
    }
  }
  std::string out;
  out += "# HELP continuum_http_requests_total Requests handled, by route and status class.\n";
  out += "# TYPE continuum_http_requests_total counter\n";
  const auto& routes = Routes();
  for (size_t i = 0; i < routes.size(); ++i) {
    for (int cls = 1; cls <= 5; ++cls) {
      uint64_t n = api.route_metrics[i].count[cls].load();
      if (n == 0) continue;
      out += "continuum_http_requests_total{method=\"" + std::string(routes[i].method) + "\",route=\"" +
             routes[i].path + "\",status=\"" + StatusClassLabel(cls) + "\"} " + std::to_string(n) + "\n";
    }
  }
  out += "# HELP continuum_http_request_duration_seconds Time to handle a request, by route.\n";
  out += "# TYPE continuum_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < routes.size(); ++i) {
    const auto& m = api.route_metrics[i];
    uint64_t total = 0;
    for (int cls = 1; cls <= 5; ++cls) total += m.count[cls].load();
    if (total == 0) continue;
    std::string labels = "method=\"" + std::string(routes[i].method) + "\",route=\"" + routes[i].path + "\"";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < std::size(kBucketsMs); ++b) {
      cumulative += m.duration_bucket[b].load();
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBucketsMs[b] / 1000.0);
      out += "continuum_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "continuum_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(total) +
           "\n";
    char sum[64];
    std::snprintf(sum, sizeof sum, "%.6f", m.duration_us_sum.load() / 1e6);
    out += "continuum_http_request_duration_seconds_sum{" + labels + "} " + sum + "\n";
    out += "continuum_http_request_duration_seconds_count{" + labels + "} " + std::to_string(total) + "\n";
  }
  auto counter = [&](const char* name, const char* help, uint64_t v, const char* type = "counter") {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
           std::to_string(v) + "\n";
  };
  counter("continuum_http_unmatched_requests_total", "Requests for no known route.", api.unmatched.load());
  counter("continuum_audit_records_total", "Audit records appended by this process.", api.service->audit_records());
  counter("continuum_logins_total", "Successful logins.", api.logins_ok.load());
  counter("continuum_login_failures_total", "Refused logins.", api.logins_failed.load());
  counter("continuum_authorisation_denials_total", "Requests refused by the access policy.", api.service->denials());
  if (api.server_counters) {
    ServerCounters s = api.server_counters();
    counter("continuum_http_connections_accepted_total", "Connections accepted.", s.connections_accepted);
    counter("continuum_http_connections_open", "Connections open now.", s.connections_open, "gauge");
    counter("continuum_http_requests_rejected_total",
            "Requests refused before routing (malformed, over a limit, too slow).", s.requests_rejected);
    counter("continuum_http_handlers_running", "Handlers running now.", s.handlers_running, "gauge");
  }
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(out);
  return r;
}

HttpResponse Healthz(Api::Impl& api, Call&) {
  // Ready when the database answers.
  auto row = api.service->store().GetRow("children", {"-"});
  if (!row.ok()) return JsonResponse(503, ojson{{"status", "unavailable"}, {"detail", "the database does not answer"}});
  return JsonResponse(200, ojson{{"status", "ok"}, {"schema_version", api.service->store().SchemaVersion()}});
}

}  // namespace internal
}  // namespace continuum::api
