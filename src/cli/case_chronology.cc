// continuum case chronology CHILD [--agency A] [--type T] [--significance N] [--from D] [--to D] [--json] --as USER
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::ordered_json;

namespace {

std::string Stars(int significance) { return significance == 2 ? " **" : significance == 1 ? " *" : ""; }

}  // namespace

void AddCaseChronologyCommand(CLI::App* parent, Globals& g) {
  struct Options {
    std::string child, from, to, as;
    std::vector<std::string> agencies, types;
    int significance = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = parent->add_subcommand("chronology", "A child's chronology across agencies, filtered");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_option("--agency", o->agencies, "Only events recorded by this agency (repeatable)");
  cmd->add_option("--type", o->types, "Only this event type, or a prefix like 'plan.*' (repeatable)");
  cmd->add_option("--significance", o->significance, "0 all, 1 significant and key, 2 key only")->check(CLI::Range(0, 2));
  cmd->add_option("--from", o->from, "From this date or time (inclusive)");
  cmd->add_option("--to", o->to, "Up to this date or time (exclusive)");
  cmd->add_flag("--json", o->json, "Print JSON (the API's schema)");
  AddAsOption(cmd, &o->as);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenAs(g, o->as, "case chronology");
      if (!s.ok()) return Fail(s.status());
      casework::ChronologyRequest q{o->child, o->agencies, o->types, o->significance, o->from, o->to, 0};
      auto out = s->service->Chronology(s->caller, q, s->now);
      if (!out.ok()) return Fail(out.status());
      if (o->json) {
        PrintJson(*out);
        return kExitOk;
      }
      for (const auto& e : (*out)["events"]) {
        std::string label = e.value("type", "");
        if (e.contains("supersedes")) label = "Correction of " + e.value("supersedes", "") + ": " + e.value("reason", "");
        std::cout << Safe(e.value("occurred_at", "").substr(0, 16)) << "  " << Safe(label)
                  << Stars(e.value("significance", 0)) << (e.contains("superseded_by") ? "  [corrected later]" : "")
                  << "\n";
        std::string line;
        const ordered_json fields = e.value("fields", ordered_json::object());  // items() must not outlive it
        for (const auto& [k, v] : fields.items()) {
          line += (line.empty() ? "" : "; ") + Safe(k) + ": " + SafeValue(v);
        }
        if (line.size() > 300) line = line.substr(0, 297) + "...";
        std::cout << "    " << SafeValue(e["agency"]) << " / " << SafeValue(e["author"]) << " — " << line << "\n";
        for (const auto& w : e.value("warnings", ordered_json::array())) {
          std::cout << "    warning: " << SafeValue(w) << "\n";
        }
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
