// continuum case next CHILD [--json] --as USER
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::ordered_json;

void AddCaseNextCommand(CLI::App* parent, Globals& g) {
  struct Options {
    std::string child, as;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = parent->add_subcommand("next", "What may be recorded next for a child, by whom, with which fields");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_flag("--json", o->json, "Print JSON (the API's schema)");
  AddAsOption(cmd, &o->as);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenAs(g, o->as, "case next");
      if (!s.ok()) return Fail(s.status());
      auto out = s->service->Next(s->caller, o->child, s->now);
      if (!out.ok()) return Fail(out.status());
      if (o->json) {
        PrintJson(*out);
        return kExitOk;
      }
      std::cout << "Case is '" << SafeValue((*out)["state"]) << "' (" << SafeValue((*out)["state_label"])
                << "). May be recorded now:\n";
      for (const auto& t : (*out)["next"]) {
        std::string where = t.contains("source") ? SafeValue(t["source"]) : "local default";
        const bool now = t.value("allowed_for_you", false) && t.value("ready", true);
        std::cout << (now ? "  * " : "    ") << SafeValue(t["event"]) << " — "
                  << SafeValue(t["label"]) << " [" << where << "]\n      by: " << SafeValue(t["roles"]);
        if (t.contains("by")) std::cout << " (only the case's " << SafeValue(t["by"]) << ")";
        std::cout << "\n      fields: ";
        bool first = true;
        for (const auto& f : t["fields"]) {
          std::cout << (first ? "" : ", ") << SafeValue(f["name"]) << (f.value("optional", false) ? "?" : "");
          first = false;
        }
        std::cout << "\n";
        if (t.contains("why_not")) std::cout << "      not for you: " << SafeValue(t["why_not"]) << "\n";
        if (t.contains("waiting_for")) {
          for (const auto& w : t["waiting_for"]) std::cout << "      waits for: " << SafeValue(w) << "\n";
        }
      }
      std::cout << "(* you may record it now)\n";
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
