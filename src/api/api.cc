#include "api/api.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

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

HttpResponse FromStatus(const Status& s, const FieldNames& names) {
  std::vector<std::pair<std::string, std::string>> errors;
  const std::string& m = s.message();
  auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  // 1. "… field 'level' must be …": a field of the event or record.
  size_t at = m.find("field '");
  if (at != std::string::npos) {
    size_t start = at + 7, end = start;
    while (end < m.size() && is_name_char(m[end])) ++end;
    if (end > start) errors.emplace_back(names.field_prefix + m.substr(start, end - start), m);
  }
  // 2. A message that opens with one of the request's member names, bare or
  // quoted: "password must be …", "'indicators' must be …", "from \"x\" …".
  if (errors.empty()) {
    std::string_view rest = m;
    for (const auto& p : names.strip_prefixes)
      if (rest.substr(0, p.size()) == p) rest.remove_prefix(p.size());
    if (!rest.empty() && rest.front() == '\'') rest.remove_prefix(1);
    for (const auto& n : names.members) {
      if (rest.substr(0, n.size()) == n && (rest.size() == n.size() || !is_name_char(rest[n.size()]))) {
        errors.emplace_back(names.member_prefix + n, m);
        break;
      }
    }
  }
  // 3. "fields.review_date: …" or "q: …".
  if (errors.empty()) {
    size_t colon = m.find(": ");
    if (colon != std::string::npos && colon < 80) {
      std::string_view head(m.data(), colon);
      bool looks_like_field = !head.empty() && std::all_of(head.begin(), head.end(), [&](char c) {
        return is_name_char(c) || c == '.' || c == '[' || c == ']';
      });
      if (looks_like_field) errors.emplace_back(std::string(head), m.substr(colon + 2));
    }
  }
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return Problem(422, "Unprocessable Content", m, errors);
    case StatusCode::kNotFound:
      return Problem(404, "Not Found", m);
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

store::Event AuditEvent(const Call& c, const std::string& what, const std::string& child_id, ojson detail) {
  store::Event e;
  e.child_id = child_id.empty() ? "-" : child_id;
  e.type = "audit." + what;
  e.occurred_at = c.now.ToString();
  e.author = c.auth ? c.auth->user.id : "-";
  e.agency = c.auth ? c.auth->user.agency_id : "-";
  e.significance = store::kRoutine;
  ojson p;
  p["role"] = c.auth ? c.auth->user.role : "";
  p["action"] = c.route ? access::ActionName(c.route->action) : "";
  p["method"] = c.http.method;
  p["route"] = c.route ? c.route->path : "";
  p["request_id"] = c.http.request_id;
  p["ip"] = c.http.remote_ip;
  for (auto it = detail.begin(); it != detail.end(); ++it) p[it.key()] = *it;
  e.payload = p.dump(-1, ' ', false, json::error_handler_t::replace);
  return e;
}

Result<std::vector<store::Event>> AppendWithAudit(Api::Impl& api, std::vector<store::Event> events) {
  size_t audits = 0;
  for (const auto& e : events) audits += e.type.rfind(store::kAuditPrefix, 0) == 0;
  auto r = api.store->Append(std::move(events), pathway::Project);
  if (r.ok()) api.audit_records.fetch_add(audits);
  return r;
}

namespace {}  // namespace

Result<ChildContext> LoadChild(Api::Impl& api, Call& c, const std::string& child_id) {
  ChildContext ctx;
  ctx.id = child_id;
  auto child = api.store->GetRow("children", {child_id});
  if (!child.ok()) return child.status();
  if (!*child) return NotFound("no child '" + child_id + "'");
  ctx.child = std::move(**child);
  auto entities = api.store->ListRows("entities", child_id);
  if (!entities.ok()) return entities.status();
  ctx.entities = std::move(*entities);
  auto deadlines = api.store->ListRows("deadlines", child_id);
  if (!deadlines.ok()) return deadlines.status();
  ctx.deadlines = std::move(*deadlines);
  ctx.fw = api.frameworks.Find(ctx.child.Value("framework_id"));

  struct Consent {
    std::string at;
    int64_t seq;
    access::CaseFacts::ConsentEvent e;
  };
  std::vector<Consent> consents;
  for (const auto& r : ctx.entities) {
    const std::string kind = r.Value("kind");
    if (kind == "case") {
      json j = json::parse(r.Value("data"), nullptr, false);
      if (j.is_object()) ctx.state = pathway::CaseState::FromJson(j);
    } else if (kind == "team_member") {
      ctx.facts.team_members.push_back(r.Value("entity_id"));
    } else if (kind == "consent") {
      json j = json::parse(r.Value("data"), nullptr, false);
      if (!j.is_object()) continue;
      const json f = j.value("fields", json::object());
      Consent x{j.value("occurred_at", ""), std::stoll("0" + r.Value("updated_seq")), {}};
      x.e.type = j.value("type", "");
      auto list = [&](const char* name) {
        std::vector<std::string> out;
        if (f.contains(name) && f[name].is_array())
          for (const auto& v : f[name])
            if (v.is_string()) out.push_back(v.get<std::string>());
        return out;
      };
      if (x.e.type.empty()) {  // records projected before the type was kept
        x.e.type = f.contains("given_by")       ? "consent.given"
                   : f.contains("withdrawn_by") ? "consent.withdrawn"
                   : f.contains("ground")       ? "consent.overridden"
                                                : "consent.early_help_refused";
      }
      x.e.agencies = x.e.type == "consent.overridden" ? list("shared_with") : list("agencies");
      consents.push_back(std::move(x));
    }
  }
  std::sort(consents.begin(), consents.end(),
            [](const Consent& a, const Consent& b) { return std::tie(a.at, a.seq) < std::tie(b.at, b.seq); });
  for (auto& x : consents) ctx.facts.consent_events.push_back(std::move(x.e));
  ctx.facts.lead_professional = ctx.state.lead_professional;
  for (const auto& d : ctx.deadlines) {
    if (d.Value("status") != "open") continue;
    if (!d.Value("owner").empty()) ctx.facts.open_deadline_owners.push_back(d.Value("owner"));
    if (d.Value("team") == "front_door") ctx.facts.awaiting_front_door = true;
  }
  // An open case that nobody holds yet (no lead professional, no team) is
  // the duty team's to allocate, as is one awaiting the front door.
  if (ctx.state.registered && ctx.state.state != "none" && ctx.facts.lead_professional.empty() &&
      ctx.facts.team_members.empty() &&
      !(ctx.fw && ctx.fw->pathway && ctx.fw->pathway->IsClosed(ctx.state.state))) {
    ctx.facts.awaiting_front_door = true;
  }
  ctx.subject = access::DescribeChild(c.principal, ctx.facts);
  return ctx;
}

std::optional<HttpResponse> Gate(Api::Impl& api, Call& c, const access::Request& what, ChildContext* child) {
  access::Subject subject = child ? child->subject : access::Subject{};
  access::Decision d = access::Authorize(c.principal, what, subject);
  if (!d.allowed && child && !subject.break_glass && what.action == access::Action::kReadCase &&
      access::IsCaseRole(c.principal.role)) {
    auto grants = api.store->directory().ActiveBreakGlass(c.principal.user_id, child->id, c.now.ToString());
    if (!grants.ok()) return FromStatus(grants.status());
    if (!grants->empty()) {
      child->subject.break_glass = true;
      subject.break_glass = true;
      d = access::Authorize(c.principal, what, subject);
      if (d.allowed) d.basis += "; grant " + grants->front().id + ": " + grants->front().reason;
    }
  }
  if (d.allowed) {
    if (child) child->subject = subject;
    c.basis = d.basis;  // recorded by the caller's audit record
    return std::nullopt;
  }
  api.denials.fetch_add(1);
  ojson detail{{"outcome", "denied"}, {"reason", d.reason}};
  if (child) {
    detail["relationship"] = access::RelationshipName(subject.relationship);
    detail["consent"] = access::ConsentName(subject.consent);
  }
  if (!what.event_type.empty()) detail["event_type"] = what.event_type;
  auto r = AppendWithAudit(api, {AuditEvent(c, "denied", child ? child->id : "-", detail)});
  if (!r.ok()) return FromStatus(r.status());
  return Problem(403, "Forbidden", d.reason);
}

}  // namespace internal

namespace {

using internal::Route;

// Matches a path template against segments; fills params.
bool Match(const char* templ, const std::vector<std::string>& segs,
           std::map<std::string, std::string>* params) {
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

}  // namespace

Api::Api(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Api::~Api() = default;

Result<std::unique_ptr<Api>> Api::Create(store::Store* store, framework::Registry frameworks,
                                         HolidayCalendar calendar, ApiOptions options) {
  auto impl = std::make_unique<Impl>(std::move(calendar));
  impl->store = store;
  impl->frameworks = std::move(frameworks);
  impl->options = options;
  impl->route_metrics = std::vector<internal::RouteMetrics>(internal::Routes().size());
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

HttpResponse Api::Impl::Dispatch(Call& c) {
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
    unmatched.fetch_add(1);
    if (!allowed.empty()) {
      auto p = Problem(405, "Method Not Allowed", c.http.method + " is not supported here; use " + allowed);
      p.headers.emplace_back("Allow", allowed);
      return p;
    }
    return Problem(404, "Not Found", "no such resource");
  }

  if (c.route->authenticated) {
    std::string_view auth = c.http.authorization;
    const std::string_view bearer = "Bearer ";
    std::optional<access::Authenticated> who;
    if (auth.size() > bearer.size() && auth.substr(0, bearer.size()) == bearer) {
      auto a = access::Authenticate(store->directory(), options.login, auth.substr(bearer.size()), c.now);
      if (!a.ok()) return internal::FromStatus(a.status());
      who = std::move(*a);
    }
    if (!who) {
      auto p =
          Problem(401, "Unauthorized", "log in: a valid session token is required (Authorization: Bearer …)");
      p.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"continuum\"");
      return p;
    }
    c.auth = std::move(who);
    const auto& u = c.auth->user;
    c.principal.user_id = u.id;
    c.principal.agency_id = u.agency_id;
    c.principal.team_id = u.team_id;
    c.principal.role = access::ParseRole(u.role).value_or(access::Role::kPractitioner);
    if (!u.team_id.empty()) {
      auto team = store->directory().GetTeam(u.team_id);
      if (!team.ok()) return internal::FromStatus(team.status());
      c.principal.front_door_team = *team && (*team)->front_door;
    }
  }

  // A body, when there is one, is a JSON object; a POST without one is {}.
  if (!c.http.body.empty()) {
    std::string_view ct = c.http.content_type;
    ct = ct.substr(0, ct.find(';'));
    while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
    if (ct != "application/json") {
      return Problem(415, "Unsupported Media Type", "send the body as application/json");
    }
    try {
      c.body = json::parse(c.http.body);
    } catch (const json::parse_error& e) {
      return Problem(400, "Bad Request",
                     "the body is not valid JSON (at byte " + std::to_string(e.byte) + ")",
                     {{"body", "not valid JSON"}});
    }
    if (!c.body.is_object())
      return Problem(400, "Bad Request", "the body must be a JSON object", {{"body", "not an object"}});
  } else if (c.http.method != "GET" && c.http.method != "DELETE") {
    c.body = json::object();
  }
  return c.route->handler(*this, c);
}

void Api::Handle(HttpRequest& request, HttpServer::Responder respond) {
  const auto start = std::chrono::steady_clock::now();
  Call c{request};
  c.now = Timestamp::FromUnixSeconds(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  HttpResponse res;
  try {
    res = impl_->Dispatch(c);
  } catch (const std::exception& e) {
    res = Problem(500, "Internal Server Error", "the request could not be completed");
  }
  // Counts, logs and sends the response, whenever it is ready.
  auto finish = [impl = impl_.get(), start, route = c.route, method = request.method,
                 request_id = request.request_id, now = c.now.ToString(),
                 respond = std::move(respond)](HttpResponse res) {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
            .count();
    if (route) {
      auto& m = impl->route_metrics[route - internal::Routes().data()];
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
    if (impl->options.log_requests) {
      // No personal data: the route template, never the path (it holds ids),
      // nor the query, body or user.
      char line[512];
      std::snprintf(
          line, sizeof line,
          "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"request\",\"method\":\"%.10s\",\"route\":\"%s\","
          "\"status\":%d,\"duration_ms\":%.3f,\"request_id\":\"%s\"}\n",
          now.c_str(), res.status >= 500 ? "error" : "info", method.c_str(),
          route ? route->path : "unmatched", res.status, us / 1000.0, request_id.c_str());
      std::fputs(line, stderr);
    }
    respond(std::move(res));
  };
  finish(std::move(res));
}

namespace internal {

HttpResponse MetricsText(Api::Impl& api, Call&) {
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
    out += "continuum_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(total) + "\n";
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
  counter("continuum_audit_records_total", "Audit records appended by this process.",
          api.audit_records.load());
  counter("continuum_logins_total", "Successful logins.", api.logins_ok.load());
  counter("continuum_login_failures_total", "Refused logins.", api.logins_failed.load());
  counter("continuum_authorisation_denials_total", "Requests refused by the access policy.",
          api.denials.load());
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
  auto row = api.store->GetRow("children", {"-"});
  if (!row.ok())
    return JsonResponse(503, ojson{{"status", "unavailable"}, {"detail", "the database does not answer"}});
  return JsonResponse(200, ojson{{"status", "ok"}, {"schema_version", api.store->SchemaVersion()}});
}

}  // namespace internal
}  // namespace continuum::api
