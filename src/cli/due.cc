// continuum due [--overdue] [--within DAYS] [--owner U] [--team T] [--mine] [--json] --as USER
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

void AddDueCommand(CLI::App& app, Globals& g) {
  struct Options {
    bool overdue = false, mine = false, json = false;
    int within_days = 14;
    std::string owner, team, as;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("due", "What is due and overdue on the cases you may see");
  cmd->add_option("--db", g.db, "Database URL (default: $CONTINUUM_DB or continuum.db)");
  cmd->add_flag("--overdue", o->overdue, "Only what is past its due time");
  cmd->add_option("--within", o->within_days, "Also what falls due within this many days (default 14)")
      ->check(CLI::Range(0, 3650));
  cmd->add_option("--owner", o->owner, "Only deadlines owned by this user");
  cmd->add_option("--team", o->team, "Only deadlines owned by this team");
  cmd->add_flag("--mine", o->mine, "Only yours and your team's");
  cmd->add_flag("--json", o->json, "Print JSON (the API's schema)");
  AddAsOption(cmd, &o->as);
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenAs(g, o->as, "due");
      if (!s.ok()) return Fail(s.status());
      casework::DueRequest q{o->owner, o->team, "", o->overdue, o->mine};
      if (!o->overdue) q.before = Timestamp::FromUnixSeconds(s->now.unix_seconds() + 86400LL * o->within_days).ToString();
      auto out = s->service->Due(s->caller, q, s->now);
      if (!out.ok()) return Fail(out.status());
      if (o->json) {
        PrintJson(*out);
        return kExitOk;
      }
      if ((*out)["deadlines"].empty()) {
        std::cout << (o->overdue ? "nothing overdue\n" : "nothing due\n");
        return kExitOk;
      }
      for (const auto& d : (*out)["deadlines"]) {
        std::string who = !d.value("owner", "").empty() ? d.value("owner", "") : d.value("team", "");
        std::cout << (d.value("overdue", false) ? "OVERDUE  " : "due      ") << SafeValue(d["due_at"]) << "  "
                  << SafeValue(d["child_id"]) << "  " << SafeValue(d["label"]) << "  [" << Safe(who) << "]\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
