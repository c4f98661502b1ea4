// continuum case next CHILD
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::json;
using nlohmann::ordered_json;

void AddCaseNextCommand(CLI::App* parent, Globals& g) {
  auto o = std::make_shared<CaseOptions>();
  auto* cmd = parent->add_subcommand("next", "What may be recorded next for a child, by whom, with which fields");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto fw = CaseFramework(g, **s, o->child);
      if (!fw.ok()) return Fail(fw.status());
      auto state = pathway::LoadCase(**s, o->child);
      if (!state.ok()) return Fail(state.status());
      if (!(*fw)->pathway) return Fail(NotFound("framework '" + (*fw)->id + "' has no pathway"));
      std::cout << "Case is '" << state->state << "'. May be recorded now:\n";
      for (const auto& t : (*fw)->pathway->transitions) {
        bool ok = std::find(t.from.begin(), t.from.end(), state->state) != t.from.end() ||
                  (t.from_any && state->state != "none");
        if (!ok) continue;
        std::cout << "  " << t.event << " — " << t.label << " [" << t.source << "]\n    by: ";
        for (size_t i = 0; i < t.roles.size(); ++i) std::cout << (i ? ", " : "") << t.roles[i];
        std::cout << "\n    fields: ";
        for (size_t i = 0; i < t.fields.size(); ++i) {
          const auto& f = t.fields[i];
          std::cout << (i ? ", " : "") << f.name << (f.optional ? "?" : "");
        }
        std::cout << "\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
