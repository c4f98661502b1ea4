// continuum case create --framework ID [--child ID] FILE|-
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::json;
using nlohmann::ordered_json;

void AddCaseCreateCommand(CLI::App* parent, Globals& g) {
  auto o = std::make_shared<CaseOptions>();
  auto* cmd = parent->add_subcommand("create", "Register a child and the framework their case is worked under");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("--framework", o->framework, "Framework id (see 'frameworks list')")->required();
  cmd->add_option("--child", o->child, "Child id to use (default: a new random id)");
  cmd->add_option("FILE", o->input,
                  "Child details as JSON: display_name, date_of_birth, and optionally nhs_number, upn, local_id, "
                  "sex, ethnicity, address, communication_needs, household");
  cmd->add_option("--at", o->at, "When it happened (default now)");
  AddActorOptions(cmd, &o->actor);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto actor = ResolveActor(o->actor, false);
      if (!actor.ok()) return Fail(actor.status());
      auto fw = ResolveFramework(g, o->framework);
      if (!fw.ok()) return Fail(fw.status());
      auto fields = ReadFields(o->input);
      if (!fields.ok()) return Fail(fields.status());
      auto at = OccurredAt(o->at);
      if (!at.ok()) return Fail(at.status());
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      pathway::Command c{.child_id = o->child.empty() ? NewId("c-") : o->child, .event_type = pathway::kChildRegistered,
                         .occurred_at = *at, .actor = *actor, .fields = *fields};
      auto e = pathway::PrepareRegistration(**fw, c);
      if (!e.ok()) return Fail(e.status());
      return AppendAndReport(**s, *e);
    }();
  });
}

}  // namespace continuum::cli
