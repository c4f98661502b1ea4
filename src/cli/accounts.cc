// continuum user add|disable|reset|list, continuum agency add|list,
// continuum team add|list — the host operator's administration, through the
// case service and audited as the operator's; continuum audit — the audit
// trail, read as a named safeguarding lead (--as).
#include <iostream>

#include "cli/case_support.h"
#include "core/file.h"

namespace continuum::cli {
namespace {

using nlohmann::ordered_json;

// A password from a file, or "-" for standard input (first line).
Result<std::string> ReadPassword(const std::string& path) {
  std::string text;
  if (path == "-") {
    std::getline(std::cin, text);
  } else {
    auto t = ReadFileLimited(path, 4096);
    if (!t.ok()) return t.status();
    text = *t;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) {
    return InvalidArgument("password: empty (give it in the file named by --password-file, or on stdin with -)");
  }
  return text;
}

struct UserOptions {
  std::string username, name, role, agency, team, password_file = "-", duty;
  bool totp = false, new_totp = false, remove_totp = false, enable = false, json = false;
  std::string kind;
  // audit
  std::string user, child, from, to, type, as;
  size_t limit = 1000;
};

void PrintUser(const ordered_json& u) {
  std::cout << "User " << SafeValue(u["username"]) << " (" << SafeValue(u["id"]) << "), " << SafeValue(u["role"])
            << " at " << SafeValue(u["agency_id"]) << (u.value("disabled", false) ? ", disabled" : "") << "\n";
  if (u.contains("totp_secret")) {
    std::cout << "TOTP secret (shown once): " << SafeValue(u["totp_secret"]) << "\n"
              << SafeValue(u["totp_uri"]) << "\n";
  }
}

// Runs `fn` with a host-operator session.
template <typename Fn>
int AsOperator(Globals& g, const char* operation, Fn fn) {
  auto s = OpenAsOperator(g, operation);
  if (!s.ok()) return Fail(s.status());
  return fn(*s);
}

}  // namespace

void AddAccountCommands(CLI::App& app, Globals& g) {
  auto o = std::make_shared<UserOptions>();
  auto* user = app.add_subcommand("user", "User accounts: add, disable, reset, list");
  user->require_subcommand(1);

  auto* add = user->add_subcommand("add", "Add a user account");
  add->add_option("--db", g.db, "Database URL");
  add->add_option("USERNAME", o->username, "User name")->required();
  add->add_option("--name", o->name, "Display name")->required();
  add->add_option("--role", o->role,
                  "practitioner, lead_professional, team_leader, front_door, social_worker, "
                  "safeguarding_lead, analyst or administrator")
      ->required();
  add->add_option("--agency", o->agency, "Agency id")->required();
  add->add_option("--team", o->team, "Team id (a team of the same agency)");
  add->add_option("--password-file", o->password_file, "File holding the password; - for stdin (default)");
  add->add_flag("--totp", o->totp, "Give the account a TOTP second factor");
  add->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto pw = ReadPassword(o->password_file);
      if (!pw.ok()) return Fail(pw.status());
      return AsOperator(g, "user add", [&](Session& s) {
        auto u = s.service->AddUser(s.caller, {o->username, o->name, o->role, o->agency, o->team, *pw, o->totp}, s.now);
        if (!u.ok()) return Fail(u.status());
        PrintUser(*u);
        return kExitOk;
      });
    }();
  });

  auto* disable = user->add_subcommand("disable", "Disable an account and end its sessions");
  disable->add_option("--db", g.db, "Database URL");
  disable->add_option("USER", o->username, "User id or name")->required();
  disable->callback([&g, o] {
    g.exit_code = AsOperator(g, "user disable", [&](Session& s) {
      auto u = s.service->DisableUser(s.caller, o->username, s.now);
      if (!u.ok()) return Fail(u.status());
      std::cout << "Disabled " << SafeValue((*u)["username"]) << " (" << SafeValue((*u)["id"]) << "); sessions ended\n";
      return kExitOk;
    });
  });

  auto* reset = user->add_subcommand("reset", "Set a new password or TOTP secret, or re-enable; ends sessions");
  reset->add_option("--db", g.db, "Database URL");
  reset->add_option("USER", o->username, "User id or name")->required();
  auto* pwopt = reset->add_option("--password-file", o->password_file, "File holding the new password; - for stdin");
  reset->add_flag("--new-totp", o->new_totp, "Issue a new TOTP secret");
  reset->add_flag("--remove-totp", o->remove_totp, "Remove the TOTP second factor");
  reset->add_flag("--enable", o->enable, "Re-enable a disabled account");
  reset->callback([&g, o, pwopt] {
    g.exit_code = [&]() -> int {
      casework::Service::Reset r{.new_totp = o->new_totp, .remove_totp = o->remove_totp, .enable = o->enable};
      if (pwopt->count() > 0) {
        auto pw = ReadPassword(o->password_file);
        if (!pw.ok()) return Fail(pw.status());
        r.password = *pw;
      }
      return AsOperator(g, "user reset", [&](Session& s) {
        auto u = s.service->ResetUser(s.caller, o->username, r, s.now);
        if (!u.ok()) return Fail(u.status());
        PrintUser(*u);
        return kExitOk;
      });
    }();
  });

  auto* list = user->add_subcommand("list", "List accounts");
  list->add_option("--db", g.db, "Database URL");
  list->callback([&g] {
    g.exit_code = AsOperator(g, "user list", [&](Session& s) {
      auto users = s.service->ListUsers(s.caller, s.now);
      if (!users.ok()) return Fail(users.status());
      for (const auto& u : (*users)["users"]) {
        std::cout << SafeValue(u["id"]) << "\t" << SafeValue(u["username"]) << "\t" << SafeValue(u["role"]) << "\t"
                  << SafeValue(u["agency_id"]) << "\t" << SafeValue(u["team_id"]) << "\t"
                  << (u.value("disabled", false) ? "disabled" : "active") << (u.value("totp", false) ? "\ttotp" : "")
                  << "\n";
      }
      return kExitOk;
    });
  });

  auto* agency = app.add_subcommand("agency", "Agencies: add, list");
  agency->require_subcommand(1);
  auto* agency_add = agency->add_subcommand("add", "Add or rename an agency");
  agency_add->add_option("--db", g.db, "Database URL");
  agency_add->add_option("ID", o->username, "Agency id, e.g. school-42")->required();
  agency_add->add_option("--name", o->name, "Name")->required();
  agency_add->add_option("--kind", o->kind,
                         "school, health, police, early_help, social_care, local_authority (its safeguarding leads "
                         "oversee every child), voluntary or other")
      ->required();
  agency_add->callback([&g, o] {
    g.exit_code = AsOperator(g, "agency add", [&](Session& s) {
      auto a = s.service->PutAgency(s.caller, {o->username, o->name, o->kind}, s.now);
      if (!a.ok()) return Fail(a.status());
      std::cout << "Agency " << Safe(o->username) << " saved\n";
      return kExitOk;
    });
  });
  auto* agency_list = agency->add_subcommand("list", "List agencies");
  agency_list->add_option("--db", g.db, "Database URL");
  agency_list->callback([&g] {
    g.exit_code = AsOperator(g, "agency list", [&](Session& s) {
      auto list = s.service->ListAgencies(s.caller, s.now);
      if (!list.ok()) return Fail(list.status());
      for (const auto& a : (*list)["agencies"]) {
        std::cout << SafeValue(a["id"]) << "\t" << SafeValue(a["kind"]) << "\t" << SafeValue(a["name"]) << "\n";
      }
      return kExitOk;
    });
  });

  auto* team = app.add_subcommand("team", "Teams: add, list");
  team->require_subcommand(1);
  auto* team_add = team->add_subcommand("add", "Add or change a team");
  team_add->add_option("--db", g.db, "Database URL");
  team_add->add_option("ID", o->username, "Team id")->required();
  team_add->add_option("--agency", o->agency, "Agency id")->required();
  team_add->add_option("--name", o->name, "Name")->required();
  team_add->add_option("--duty", o->duty,
                       "A pathway duty the team holds, as FRAMEWORK/DUTY (e.g. worcestershire/front_door): the "
                       "team then owns that framework's duty deadlines");
  team_add->callback([&g, o] {
    g.exit_code = AsOperator(g, "team add", [&](Session& s) {
      auto t = s.service->PutTeam(s.caller, {o->username, o->agency, o->name, o->duty}, s.now);
      if (!t.ok()) return Fail(t.status());
      std::cout << "Team " << Safe(o->username) << " saved\n";
      return kExitOk;
    });
  });
  auto* team_list = team->add_subcommand("list", "List teams");
  team_list->add_option("--db", g.db, "Database URL");
  team_list->callback([&g] {
    g.exit_code = AsOperator(g, "team list", [&](Session& s) {
      auto list = s.service->ListTeams(s.caller, s.now);
      if (!list.ok()) return Fail(list.status());
      for (const auto& t : (*list)["teams"]) {
        std::cout << SafeValue(t["id"]) << "\t" << SafeValue(t["agency_id"]) << "\t" << SafeValue(t["name"])
                  << (t.value("duty", "").empty() ? "" : "\tduty " + SafeValue(t["duty"])) << "\n";
      }
      return kExitOk;
    });
  });

  auto* audit = app.add_subcommand("audit", "The audit trail: who read, wrote, was refused or logged in, and why");
  audit->add_option("--db", g.db, "Database URL");
  audit->add_option("--user", o->user, "Only this user id");
  audit->add_option("--agency", o->agency, "Only this agency");
  audit->add_option("--child", o->child, "Only this child");
  audit->add_option("--from", o->from, "Recorded at or after (date or date-time, UTC)");
  audit->add_option("--to", o->to, "Recorded before");
  audit->add_option("--type", o->type, "audit.read, audit.denied, audit.login*, …");
  audit->add_option("--limit", o->limit, "At most this many (default 1000, at most 10000)");
  audit->add_flag("--json", o->json, "One JSON object per line");
  AddAsOption(audit, &o->as);
  audit->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenAs(g, o->as, "audit");
      if (!s.ok()) return Fail(s.status());
      casework::AuditRequest q{o->user, o->agency, o->child, o->from, o->to, o->type, 0, o->limit};
      auto out = s->service->Audit(s->caller, q, s->now);
      if (!out.ok()) return Fail(out.status());
      for (const auto& e : (*out)["records"]) {
        if (o->json) {
          std::cout << e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
          continue;
        }
        const auto& p = e["detail"];
        std::string why = p.is_object() ? p.value("basis", p.value("reason", p.value("change", ""))) : "";
        std::cout << SafeValue(e["at"]) << "  " << Safe(e.value("type", "").substr(6)) << "  " << SafeValue(e["user"])
                  << " (" << (p.is_object() ? Safe(p.value("role", "")) : "") << ", " << SafeValue(e["agency"])
                  << ")  child " << SafeValue(e["child_id"]) << "  "
                  << (p.is_object() ? Safe(p.value("operation", "")) : "") << (why.empty() ? "" : "  — " + Safe(why))
                  << "\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
