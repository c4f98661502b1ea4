// continuum case record CHILD EVENT FILE|- [--at TIME] --as USER [--check]
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

void AddCaseRecordCommand(CLI::App* parent, Globals& g) {
  struct Options {
    std::string child, event, input = "-", at, as;
    bool check = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = parent->add_subcommand(
      "record", "Record a pathway event for a child (see 'case next CHILD' for what may come next)");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_option("EVENT", o->event, "Event type, e.g. request.received, plan.agreed, review.held")->required();
  cmd->add_option("FILE", o->input, "The event's fields as a JSON object, or - for standard input");
  cmd->add_option("--at", o->at, "When it happened, e.g. 2026-11-20T14:00:00Z (default now)");
  cmd->add_flag("--check", o->check, "Check everything, record nothing");
  AddAsOption(cmd, &o->as);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto fields = ReadFields(o->input);
      if (!fields.ok()) return Fail(fields.status());
      auto s = OpenAs(g, o->as, o->check ? "case record --check" : "case record");
      if (!s.ok()) return Fail(s.status());
      casework::RecordRequest r{o->child, o->event, *fields, o->at};
      if (o->check) {
        auto out = s->service->Check(s->caller, r, s->now);
        if (!out.ok()) return Fail(out.status());
        std::cout << "would be accepted: " << o->event << " for " << o->child << "\n";
        for (const auto& w : (*out).value("warnings", nlohmann::ordered_json::array())) {
          std::cout << "  warning: " << SafeValue(w) << "\n";
        }
        return kExitOk;
      }
      auto out = s->service->Record(s->caller, r, s->now);
      if (!out.ok()) return Fail(out.status());
      const auto& e = (*out)["event"];
      std::cout << "recorded " << SafeValue(e["type"]) << " " << SafeValue(e["id"]) << " for " << Safe(o->child)
                << " at " << SafeValue(e["occurred_at"]) << "\n";
      if (out->contains("case") && (*out)["case"]["from"] != (*out)["case"]["state"]) {
        std::cout << "  case: " << SafeValue((*out)["case"]["from"]) << " -> " << SafeValue((*out)["case"]["state"])
                  << "\n";
      }
      for (const auto& d : (*out).value("deadlines", nlohmann::ordered_json::array())) {
        std::cout << "  due " << SafeValue(d["due_at"]) << ": " << SafeValue(d["label"]) << "\n";
      }
      for (const auto& w : (*out).value("warnings", nlohmann::ordered_json::array())) {
        std::cout << "  warning: " << SafeValue(w) << "\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
