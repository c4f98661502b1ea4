// continuum case correct CHILD EVENT_ID --reason WHY FILE|-
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::json;
using nlohmann::ordered_json;

void AddCaseCorrectCommand(CLI::App* parent, Globals& g) {
  auto o = std::make_shared<CaseOptions>();
  auto* cmd = parent->add_subcommand("correct", "Correct an earlier event: a new event that supersedes it, with a reason");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_option("EVENT_ID", o->event_id, "Id of the event to correct")->required();
  cmd->add_option("FILE", o->input, "The corrected fields as a JSON object, or - for standard input");
  cmd->add_option("--reason", o->reason, "Why the record is corrected")->required();
  AddActorOptions(cmd, &o->actor);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto actor = ResolveActor(o->actor, false);
      if (!actor.ok()) return Fail(actor.status());
      auto fields = ReadFields(o->input);
      if (!fields.ok()) return Fail(fields.status());
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto fw = CaseFramework(g, **s, o->child);
      if (!fw.ok()) return Fail(fw.status());
      auto original = (*s)->GetEvent(o->event_id);
      if (!original.ok()) return Fail(original.status());
      if (!*original) return Fail(NotFound("no event '" + o->event_id + "'"));
      pathway::Command c{.child_id = o->child, .event_type = pathway::kRecordCorrected, .occurred_at = NowUtc(),
                         .actor = *actor, .fields = *fields, .reason = o->reason};
      auto e = pathway::PrepareCorrection(**fw, **original, c);
      if (!e.ok()) return Fail(e.status());
      return AppendAndReport(**s, *e);
    }();
  });
}

}  // namespace continuum::cli
