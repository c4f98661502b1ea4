// continuum case chronology CHILD [filters] [--json]
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

std::string Stars(int significance) { return significance == 2 ? " **" : significance == 1 ? " *" : ""; }

}  // namespace

void AddCaseChronologyCommand(CLI::App* parent, Globals& g) {
  auto o = std::make_shared<CaseOptions>();
  auto* cmd = parent->add_subcommand("chronology", "A child's chronology across agencies, filtered");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_option("--agency", o->agencies, "Only events recorded by this agency (repeatable)");
  cmd->add_option("--type", o->types, "Only this event type, or a prefix like 'plan.*' (repeatable)");
  cmd->add_option("--significance", o->significance, "0 all, 1 significant and key, 2 key only")->check(CLI::Range(0, 2));
  cmd->add_option("--from", o->from, "From this date or time (inclusive)");
  cmd->add_option("--to", o->to, "Up to this date or time (exclusive)");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto bound = [](const std::string& v, const char* what) -> Result<std::string> {
        if (v.empty()) return std::string();
        if (v.size() == 10) {
          auto d = Date::Parse(v);
          if (!d.ok()) return InvalidArgument(std::string(what) + ": " + d.status().message());
          return Timestamp::FromDate(*d).ToString();
        }
        auto t = Timestamp::Parse(v);
        if (!t.ok()) return InvalidArgument(std::string(what) + ": " + t.status().message());
        return t->ToString();
      };
      auto from = bound(o->from, "--from");
      if (!from.ok()) return Fail(from.status());
      auto to = bound(o->to, "--to");
      if (!to.ok()) return Fail(to.status());
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto fw = CaseFramework(g, **s, o->child);
      if (!fw.ok()) return Fail(fw.status());
      auto events = (*s)->Chronology({.child_id = o->child, .agencies = o->agencies, .types = o->types,
                                      .min_significance = o->significance, .from = *from, .to = *to});
      if (!events.ok()) return Fail(events.status());
      std::set<std::string> superseded;
      for (const auto& e : *events) {
        if (!e.supersedes.empty()) superseded.insert(e.supersedes);
      }
      if (o->json) {
        ordered_json out = ordered_json::array();
        for (const auto& e : *events) {
          out.push_back({{"id", e.id}, {"seq", e.seq}, {"type", e.type}, {"occurred_at", e.occurred_at},
                         {"recorded_at", e.recorded_at}, {"author", e.author}, {"agency", e.agency},
                         {"significance", e.significance}, {"payload", json::parse(e.payload, nullptr, false)},
                         {"supersedes", e.supersedes.empty() ? ordered_json() : ordered_json(e.supersedes)},
                         {"reason", e.reason.empty() ? ordered_json() : ordered_json(e.reason)},
                         {"superseded", superseded.count(e.id) > 0}, {"hash", e.hash}});
        }
        std::cout << out.dump(2) << "\n";
        return kExitOk;
      }
      for (const auto& e : *events) {
        std::string label = e.type;
        if ((*fw)->pathway) {
          if (const auto* t = (*fw)->pathway->FindByEvent(e.type)) label = t->label;
        }
        if (e.type == pathway::kChildRegistered) label = "Child registered";
        if (e.type == pathway::kRecordCorrected) label = "Correction of " + e.supersedes + ": " + e.reason;
        std::cout << e.occurred_at.substr(0, 16) << "  " << label << Stars(e.significance)
                  << (superseded.count(e.id) ? "  [corrected later]" : "") << "\n";
        json p = json::parse(e.payload, nullptr, false);
        std::string line;
        const json fields = p.value("fields", json::object());
        for (const auto& [k, v] : fields.items()) {
          line += (line.empty() ? "" : "; ") + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
        }
        if (line.size() > 300) line = line.substr(0, 297) + "...";
        std::cout << "    " << e.agency << " / " << e.author << " — " << line << "\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
