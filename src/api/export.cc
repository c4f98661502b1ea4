// The subject-access export: one child's whole record — details, current
// state, every event (corrected ones marked) and who accessed the record —
// as JSON, or as a readable HTML document to give to the family.
#include <sstream>

#include "api/api_internal.h"

namespace continuum::api::internal {
namespace {

std::string Html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string Text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + Text(x);
    return out;
  }
  return v.dump();
}

}  // namespace

HttpResponse ExportRoute(Api::Impl& api, Call& c) {
  auto loaded = LoadChild(api, c, c.params["child"]);
  if (!loaded.ok()) return FromStatus(loaded.status());
  ChildContext ctx = std::move(*loaded);
  if (auto denied = Gate(api, c, {access::Action::kExportCase}, &ctx)) return *denied;
  const std::string format = c.HasQuery("format") ? c.Query("format") : "json";
  if (format != "json" && format != "html") {
    return Problem(422, "Unprocessable Content", "format: json or html", {{"format", "json or html"}});
  }
  store::ChronologyQuery q;
  q.child_id = ctx.id;
  auto events = api.store->Chronology(q);
  if (!events.ok()) return FromStatus(events.status());
  store::AuditQuery aq;
  aq.child_id = ctx.id;
  aq.limit = 0;
  auto audit = api.store->Audit(aq);
  if (!audit.ok()) return FromStatus(audit.status());

  json details = json::parse(ctx.child.Value("data"), nullptr, false);
  ojson out;
  out["child_id"] = ctx.id;
  out["exported_at"] = c.now.ToString();
  out["exported_by"] = c.principal.user_id;
  out["details"] = details;
  out["framework"] = ctx.child.Value("framework_id");
  out["case"] = ctx.state.ToJson();
  ojson ev = ojson::array();
  for (const auto& e : *events) {
    ojson j{{"id", e.id},
            {"type", e.type},
            {"occurred_at", e.occurred_at},
            {"recorded_at", e.recorded_at},
            {"author", e.author},
            {"agency", e.agency},
            {"payload", ojson::parse(e.payload, nullptr, false)}};
    if (!e.supersedes.empty()) j["supersedes"] = e.supersedes, j["reason"] = e.reason;
    if (!e.superseded_by.empty()) j["superseded_by"] = e.superseded_by;
    ev.push_back(std::move(j));
  }
  out["events"] = ev;
  ojson acc = ojson::array();
  for (const auto& e : *audit) {
    json p = json::parse(e.payload, nullptr, false);
    acc.push_back({{"at", e.recorded_at},
                   {"type", e.type},
                   {"user", e.author},
                   {"agency", e.agency},
                   {"role", p.value("role", "")},
                   {"outcome", p.value("outcome", "")}});
  }
  out["accesses"] = acc;

  auto a = AppendWithAudit(
      api,
      {AuditEvent(c, "export", ctx.id, {{"outcome", "allowed"}, {"basis", c.basis}, {"format", format}})});
  if (!a.ok()) return FromStatus(a.status());
  if (format == "json") {
    HttpResponse r = JsonResponse(200, out);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + ctx.id + ".json\"");
    return r;
  }

  std::ostringstream h;
  const std::string name = details.is_object() ? details.value("display_name", ctx.id) : ctx.id;
  h << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Record of " << Html(name)
    << "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
       "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3em;text-align:left;"
       "vertical-align:top}.corrected{color:#666;text-decoration:line-through}</style></head><body>\n";
  h << "<h1>Record of " << Html(name) << "</h1>\n";
  h << "<p>Exported " << Html(c.now.ToString()) << " (UTC) under a subject access request. Reference "
    << Html(ctx.id) << ".</p>\n<h2>Details</h2>\n<table>\n";
  if (details.is_object())
    for (auto it = details.begin(); it != details.end(); ++it)
      h << "<tr><th>" << Html(it.key()) << "</th><td>" << Html(Text(*it)) << "</td></tr>\n";
  h << "</table>\n<h2>Chronology</h2>\n<table>\n<tr><th>When</th><th>What</th><th>Recorded "
       "by</th><th>Details</th></tr>\n";
  for (const auto& e : *events) {
    json p = json::parse(e.payload, nullptr, false);
    std::string what = e.type;
    if (ctx.fw && ctx.fw->pathway)
      if (const auto* t = ctx.fw->pathway->FindByEvent(e.type)) what = t->label;
    h << "<tr" << (e.superseded_by.empty() ? "" : " class=\"corrected\"") << "><td>" << Html(e.occurred_at)
      << "</td><td>" << Html(what) << (e.supersedes.empty() ? "" : " (correction: " + Html(e.reason) + ")")
      << "</td><td>" << Html(e.author) << ", " << Html(e.agency) << "</td><td>";
    if (p.is_object() && p.contains("fields") && p["fields"].is_object())
      for (auto it = p["fields"].begin(); it != p["fields"].end(); ++it)
        h << "<b>" << Html(it.key()) << "</b>: " << Html(Text(*it)) << "<br>";
    h << "</td></tr>\n";
  }
  h << "</table>\n<h2>Who has seen this "
       "record</h2>\n<table>\n<tr><th>When</th><th>Who</th><th>Agency</th><th>Role</th><th>What</th></tr>\n";
  for (const auto& x : acc) {
    h << "<tr><td>" << Html(x["at"].get<std::string>()) << "</td><td>" << Html(x["user"].get<std::string>())
      << "</td><td>" << Html(x["agency"].get<std::string>()) << "</td><td>"
      << Html(x["role"].get<std::string>()) << "</td><td>" << Html(x["type"].get<std::string>()) << " ("
      << Html(x["outcome"].get<std::string>()) << ")</td></tr>\n";
  }
  h << "</table>\n</body></html>\n";
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = h.str();
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  return r;
}

}  // namespace continuum::api::internal
