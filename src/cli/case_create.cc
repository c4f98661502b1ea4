// continuum case create --framework ID FILE|- --as USER
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

void AddCaseCreateCommand(CLI::App* parent, Globals& g) {
  struct Options {
    std::string framework, input = "-", at, as;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = parent->add_subcommand("create", "Register a child and the framework their case is worked under");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("--framework", o->framework, "Framework id (see 'frameworks list')")->required();
  cmd->add_option("FILE", o->input,
                  "Child details as JSON: display_name, date_of_birth, and optionally nhs_number, upn, local_id, "
                  "sex, ethnicity, address, communication_needs");
  cmd->add_option("--at", o->at, "When it happened, e.g. 2026-11-20T14:00:00Z (default now)");
  AddAsOption(cmd, &o->as);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto fields = ReadFields(o->input);
      if (!fields.ok()) return Fail(fields.status());
      auto s = OpenAs(g, o->as, "case create");
      if (!s.ok()) return Fail(s.status());
      auto out = s->service->Register(s->caller, o->framework, *fields, o->at, s->now);
      if (!out.ok()) return Fail(out.status());
      std::cout << "registered " << (*out)["child_id"].get<std::string>() << " under " << o->framework << "\n";
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
