// continuum due [--overdue] [--owner U] [--team T] [--agency A] [--json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/case_support.h"

namespace continuum::cli {
namespace {

struct DueOptions {
  bool overdue = false;
  bool json = false;
  int within_days = 14;
  std::string owner, team, agency;
};


}  // namespace

void AddDueCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<DueOptions>();
  auto* cmd = app.add_subcommand("due", "What is due and overdue: reviews, decisions, meetings, actions");
  cmd->add_option("--db", g.db, "Database URL (default: $CONTINUUM_DB or continuum.db)");
  cmd->add_flag("--overdue", o->overdue, "Only what is past its due time");
  cmd->add_option("--within", o->within_days, "Also what falls due within this many days (default 14)")
      ->check(CLI::Range(0, 3650));
  cmd->add_option("--owner", o->owner, "Only deadlines owned by this practitioner");
  cmd->add_option("--team", o->team, "Only deadlines owned by this team (front_door, …)");
  cmd->add_option("--agency", o->agency, "Only deadlines of this agency");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([&g, o] {
    auto s = OpenStore(g);
    if (!s.ok()) {
      g.exit_code = Fail(s.status());
      return;
    }
    auto now = Timestamp::Parse(NowUtc());
    if (!now.ok()) {
      g.exit_code = Fail(InvalidArgument("CONTINUUM_NOW: " + now.status().message()));
      return;
    }
    std::string horizon = o->overdue ? now->ToString()
                                     : Timestamp::FromUnixSeconds(now->unix_seconds() + 86400LL * o->within_days).ToString();
    auto rows = (*s)->Deadlines({.owner = o->owner, .team = o->team, .agency = o->agency, .due_before = horizon});
    if (!rows.ok()) {
      g.exit_code = Fail(rows.status());
      return;
    }
    std::string now_s = now->ToString();
    if (o->json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& r : *rows) {
        nlohmann::ordered_json x;
        for (const auto& [c, v] : r.columns) x[c] = v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
        x["overdue"] = Col(r, "due_at") < now_s;
        out.push_back(std::move(x));
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (rows->empty()) {
      std::cout << (o->overdue ? "nothing overdue\n" : "nothing due\n");
      return;
    }
    for (const auto& r : *rows) {
      bool late = Col(r, "due_at") < now_s;
      std::string who = !Col(r, "owner").empty() ? Col(r, "owner") : Col(r, "team");
      std::cout << (late ? "OVERDUE  " : "due      ") << Col(r, "due_at") << "  " << Col(r, "child_id") << "  "
                << Col(r, "label") << "  [" << who << ", " << Col(r, "agency") << "]\n";
    }
  });
}

}  // namespace continuum::cli
