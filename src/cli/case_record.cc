// continuum case record CHILD EVENT FILE|- [--at TIME]
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::json;
using nlohmann::ordered_json;

void AddCaseRecordCommand(CLI::App* parent, Globals& g) {
  auto o = std::make_shared<CaseOptions>();
  auto* cmd = parent->add_subcommand(
      "record", "Record a pathway event for a child (see 'case next CHILD' for what may come next)");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_option("EVENT", o->event, "Event type, e.g. request.received, plan.agreed, review.held")->required();
  cmd->add_option("FILE", o->input, "The event's fields as a JSON object, or - for standard input");
  cmd->add_option("--at", o->at, "When it happened, e.g. 2026-11-20T14:00:00Z (default now)");
  AddActorOptions(cmd, &o->actor);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto actor = ResolveActor(o->actor, true);
      if (!actor.ok()) return Fail(actor.status());
      auto fields = ReadFields(o->input);
      if (!fields.ok()) return Fail(fields.status());
      auto at = OccurredAt(o->at);
      if (!at.ok()) return Fail(at.status());
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto fw = CaseFramework(g, **s, o->child);
      if (!fw.ok()) return Fail(fw.status());
      auto cal = LoadCalendar(g);
      if (!cal.ok()) return Fail(cal.status());
      auto state = pathway::LoadCase(**s, o->child);
      if (!state.ok()) return Fail(state.status());
      pathway::Command c{.child_id = o->child, .event_type = o->event, .occurred_at = *at, .actor = *actor,
                         .fields = *fields};
      auto e = pathway::Prepare(**fw, *cal, *state, c);
      if (!e.ok()) return Fail(e.status());
      return AppendAndReport(**s, *e);
    }();
  });
}

}  // namespace continuum::cli
