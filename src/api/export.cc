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

std::string Text(const ojson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + Text(x);
    return out;
  }
  return v.dump();
}

}  // namespace

std::string ExportHtml(const ojson& out) {
  std::ostringstream h;
  const ojson& details = out["details"];
  const std::string id = out.value("child_id", "");
  const std::string name = details.is_object() ? details.value("display_name", id) : id;
  // No style sheet, script or image: the document stands alone, and the
  // Content-Security-Policy of every response forbids inline styles.
  h << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Record of " << Html(name)
    << "</title></head><body>\n";
  h << "<h1>Record of " << Html(name) << "</h1>\n";
  h << "<p>Exported " << Html(out.value("exported_at", "")) << " (UTC) under a subject access request. Reference "
    << Html(id) << ".</p>\n<h2>Details</h2>\n<table>\n";
  if (details.is_object())
    for (auto it = details.begin(); it != details.end(); ++it)
      h << "<tr><th>" << Html(it.key()) << "</th><td>" << Html(Text(*it)) << "</td></tr>\n";
  h << "</table>\n<h2>Chronology</h2>\n<table>\n<tr><th>When</th><th>What</th><th>Recorded "
       "by</th><th>Details</th></tr>\n";
  for (const auto& e : out["events"]) {
    std::string what = e.value("label", e.value("type", ""));
    bool corrected = e.contains("superseded_by");
    h << "<tr><td>" << Html(e.value("occurred_at", "")) << "</td><td>" << (corrected ? "<del>" : "") << Html(what)
      << (corrected ? "</del> (corrected)" : "")
      << (e.contains("supersedes") ? " (correction: " + Html(e.value("reason", "")) + ")" : "") << "</td><td>"
      << Html(e.value("author", "")) << ", " << Html(e.value("agency", "")) << "</td><td>";
    if (e.contains("fields") && e["fields"].is_object())
      for (auto it = e["fields"].begin(); it != e["fields"].end(); ++it)
        h << "<b>" << Html(it.key()) << "</b>: " << Html(Text(*it)) << "<br>";
    h << "</td></tr>\n";
  }
  h << "</table>\n<h2>Who has seen this "
       "record</h2>\n<table>\n<tr><th>When</th><th>Who</th><th>Agency</th><th>What</th></tr>\n";
  for (const auto& x : out["access_log"]) {
    h << "<tr><td>" << Html(x.value("at", "")) << "</td><td>" << Html(x.value("user", "")) << "</td><td>"
      << Html(x.value("agency", "")) << "</td><td>" << Html(x.value("type", "")) << " ("
      << Html(x.value("outcome", "")) << ")</td></tr>\n";
  }
  h << "</table>\n</body></html>\n";
  return h.str();
}

}  // namespace continuum::api::internal
