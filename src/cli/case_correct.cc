// continuum case correct CHILD EVENT_ID --reason WHY FILE|- --as USER
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

void AddCaseCorrectCommand(CLI::App* parent, Globals& g) {
  struct Options {
    std::string child, event_id, input = "-", reason, as;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = parent->add_subcommand("correct", "Correct an earlier event: a new event that supersedes it, with a reason");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_option("EVENT_ID", o->event_id, "Id of the event to correct")->required();
  cmd->add_option("FILE", o->input, "The corrected fields as a JSON object, or - for standard input");
  cmd->add_option("--reason", o->reason, "Why the record is corrected")->required();
  AddAsOption(cmd, &o->as);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto fields = ReadFields(o->input);
      if (!fields.ok()) return Fail(fields.status());
      auto s = OpenAs(g, o->as, "case correct");
      if (!s.ok()) return Fail(s.status());
      auto out = s->service->Correct(s->caller, o->child, o->event_id, *fields, o->reason, "", s->now);
      if (!out.ok()) return Fail(out.status());
      std::cout << "recorded correction " << SafeValue((*out)["event"]["id"]) << " of " << Safe(o->event_id) << "\n";
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
