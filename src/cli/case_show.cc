// continuum case show CHILD [--json] --as USER
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::ordered_json;

void AddCaseShowCommand(CLI::App* parent, Globals& g) {
  struct Options {
    std::string child, as;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = parent->add_subcommand(
      "show", "A child's case: details, state, level, who holds it, team, records, deadlines");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_flag("--json", o->json, "Print JSON (the API's schema)");
  AddAsOption(cmd, &o->as);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenAs(g, o->as, "case show");
      if (!s.ok()) return Fail(s.status());
      auto out = s->service->Summary(s->caller, o->child, s->now);
      if (!out.ok()) return Fail(out.status());
      if (o->json) {
        PrintJson(*out);
        return kExitOk;
      }
      const ordered_json& d = (*out)["details"];
      const ordered_json& c = (*out)["case"];
      std::cout << SafeValue(d.value("display_name", "")) << " (" << Safe(o->child) << "), born "
                << SafeValue(d.value("date_of_birth", "")) << "\n";
      std::cout << "Framework: " << SafeValue((*out)["framework"]) << "\n";
      std::cout << "Case: " << SafeValue(c["state_label"]) << " (episode " << c.value("episode", 0) << ")\n";
      if (c.value("level", 0) > 0) {
        std::cout << "Decided level: " << c.value("level", 0) << " — " << SafeValue(c["level_name"]) << "\n";
      }
      if (!c["facts"].empty()) std::cout << "Statutory facts: " << SafeValue(c["facts"]) << "\n";
      if (!c.value("lead_professional", "").empty()) {
        std::cout << "Lead professional: " << SafeValue(c["lead_professional"])
                  << (c.value("lead_service", "").empty() ? "" : " (" + SafeValue(c["lead_service"]) + ")") << "\n";
      }
      if (!c.value("allocated_worker", "").empty()) {
        std::cout << "Allocated worker: " << SafeValue(c["allocated_worker"]) << "\n";
      }
      if (!c["team"].empty()) std::cout << "Team around the child: " << SafeValue(c["team"]) << "\n";
      if (!c["communication_needs"].empty()) {
        std::cout << "Communication needs: " << SafeValue(c["communication_needs"]) << "\n";
      }
      std::cout << "Your access: " << SafeValue((*out)["access"]["basis"]) << "\n";
      for (const auto& [kind, records] : (*out)["records"].items()) {
        std::cout << kind << ":\n";
        for (const auto& [id, r] : records.items()) {
          std::string line;
          const ordered_json fields = r.value("fields", ordered_json::object());  // items() must not outlive it
          for (const auto& [k, v] : fields.items()) {
            line += (line.empty() ? "" : "; ") + Safe(k) + ": " + SafeValue(v);
          }
          if (line.size() > 300) line = line.substr(0, 297) + "...";
          std::cout << "  " << Safe(id) << " — " << line << "\n";
        }
      }
      std::cout << "Open deadlines:\n";
      for (const auto& dl : (*out)["deadlines"]) {
        std::string who = !dl.value("owner", "").empty() ? dl.value("owner", "") : dl.value("team", "");
        std::cout << "  " << (dl.value("overdue", false) ? "OVERDUE " : "due     ") << SafeValue(dl["due_at"]) << "  "
                  << SafeValue(dl["label"]) << (who.empty() ? "" : "  [" + Safe(who) + "]") << "\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
