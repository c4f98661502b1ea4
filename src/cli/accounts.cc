// continuum user add|disable|reset|list, continuum agency add|list,
// continuum team add|list, continuum audit — administration from the
// command line. Each change is recorded in the audit trail, as one made
// through the API would be (author: $CONTINUUM_USER, else "cli").
#include "access/accounts.h"

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/case_support.h"
#include "core/file.h"

namespace continuum::cli {
namespace {

using nlohmann::ordered_json;

Result<Timestamp> Now() { return Timestamp::Parse(NowUtc()); }

Status AuditChange(store::Store& s, const std::string& change, ordered_json detail) {
  store::Event e;
  e.child_id = "-";
  e.type = "audit.admin";
  e.occurred_at = NowUtc();
  const char* who = std::getenv("CONTINUUM_USER");
  e.author = who && *who ? who : "cli";
  e.agency = "-";
  detail["outcome"] = "allowed";
  detail["change"] = change;
  detail["via"] = "cli";
  e.payload = detail.dump();
  auto r = s.Append({e}, pathway::Project);
  return r.ok() ? Status::Ok() : r.status();
}

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
  if (text.empty())
    return InvalidArgument(
        "password: empty (give it in the file named by --password-file, or on stdin with -)");
  return text;
}

struct UserOptions {
  std::string username, name, role, agency, team, password_file = "-";
  bool totp = false, new_totp = false, remove_totp = false, enable = false, json = false;
  std::string kind;
  bool front_door = false;
  // audit
  std::string user, child, from, to, type;
  size_t limit = 1000;
};

void PrintCreated(const access::UserCreated& c) {
  std::cout << "User " << c.user.username << " (" << c.user.id << "), " << c.user.role << " at "
            << c.user.agency_id << (c.user.disabled ? ", disabled" : "") << "\n";
  if (!c.totp_secret.empty()) {
    std::cout << "TOTP secret (shown once): " << c.totp_secret << "\n" << c.totp_uri << "\n";
  }
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
  add->add_option("--team", o->team, "Team id");
  add->add_option("--password-file", o->password_file, "File holding the password; - for stdin (default)");
  add->add_flag("--totp", o->totp, "Give the account a TOTP second factor");
  add->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto pw = ReadPassword(o->password_file);
      if (!pw.ok()) return Fail(pw.status());
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto now = Now();
      if (!now.ok()) return Fail(now.status());
      auto c = access::AddUser((*s)->directory(),
                               {o->username, o->name, o->role, o->agency, o->team, *pw, o->totp}, *now);
      if (!c.ok()) return Fail(c.status());
      if (auto a = AuditChange(**s, "user added", {{"user_id", c->user.id}, {"user_role", c->user.role}});
          !a.ok())
        return Fail(a);
      PrintCreated(*c);
      return kExitOk;
    }();
  });

  auto* disable = user->add_subcommand("disable", "Disable an account and end its sessions");
  disable->add_option("--db", g.db, "Database URL");
  disable->add_option("USER", o->username, "User id or name")->required();
  disable->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto now = Now();
      if (!now.ok()) return Fail(now.status());
      auto u = access::DisableUser((*s)->directory(), o->username, *now);
      if (!u.ok()) return Fail(u.status());
      if (auto a = AuditChange(**s, "user disabled", {{"user_id", u->id}}); !a.ok()) return Fail(a);
      std::cout << "Disabled " << u->username << " (" << u->id << "); sessions ended\n";
      return kExitOk;
    }();
  });

  auto* reset =
      user->add_subcommand("reset", "Set a new password or TOTP secret, or re-enable; ends sessions");
  reset->add_option("--db", g.db, "Database URL");
  reset->add_option("USER", o->username, "User id or name")->required();
  auto* pwopt =
      reset->add_option("--password-file", o->password_file, "File holding the new password; - for stdin");
  reset->add_flag("--new-totp", o->new_totp, "Issue a new TOTP secret");
  reset->add_flag("--remove-totp", o->remove_totp, "Remove the TOTP second factor");
  reset->add_flag("--enable", o->enable, "Re-enable a disabled account");
  reset->callback([&g, o, pwopt] {
    g.exit_code = [&]() -> int {
      access::Reset r{.new_totp = o->new_totp, .remove_totp = o->remove_totp, .enable = o->enable};
      if (pwopt->count() > 0) {
        auto pw = ReadPassword(o->password_file);
        if (!pw.ok()) return Fail(pw.status());
        r.password = *pw;
      }
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto now = Now();
      if (!now.ok()) return Fail(now.status());
      auto c = access::ResetUser((*s)->directory(), o->username, r, *now);
      if (!c.ok()) return Fail(c.status());
      if (auto a = AuditChange(**s, "user reset", {{"user_id", c->user.id}}); !a.ok()) return Fail(a);
      PrintCreated(*c);
      return kExitOk;
    }();
  });

  auto* list = user->add_subcommand("list", "List accounts");
  list->add_option("--db", g.db, "Database URL");
  list->callback([&g] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto users = (*s)->directory().ListUsers();
      if (!users.ok()) return Fail(users.status());
      for (const auto& u : *users)
        std::cout << u.id << "\t" << u.username << "\t" << u.role << "\t" << u.agency_id << "\t" << u.team_id
                  << "\t" << (u.disabled ? "disabled" : "active") << (u.totp_secret.empty() ? "" : "\ttotp")
                  << "\n";
      return kExitOk;
    }();
  });

  auto* agency = app.add_subcommand("agency", "Agencies: add, list");
  agency->require_subcommand(1);
  auto* agency_add = agency->add_subcommand("add", "Add or rename an agency");
  agency_add->add_option("--db", g.db, "Database URL");
  agency_add->add_option("ID", o->username, "Agency id, e.g. school-42")->required();
  agency_add->add_option("--name", o->name, "Name")->required();
  agency_add
      ->add_option("--kind", o->kind,
                   "school, health, police, early_help, social_care, local_authority, voluntary or other")
      ->required()
      ->check(CLI::IsMember({"school", "health", "police", "early_help", "social_care", "local_authority",
                             "voluntary", "other"}));
  agency_add->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      if (auto st = (*s)->directory().PutAgency({o->username, o->name, o->kind}); !st.ok()) return Fail(st);
      if (auto a = AuditChange(**s, "agency saved", {{"agency_id", o->username}}); !a.ok()) return Fail(a);
      std::cout << "Agency " << o->username << " saved\n";
      return kExitOk;
    }();
  });
  auto* agency_list = agency->add_subcommand("list", "List agencies");
  agency_list->add_option("--db", g.db, "Database URL");
  agency_list->callback([&g] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto list = (*s)->directory().ListAgencies();
      if (!list.ok()) return Fail(list.status());
      for (const auto& a : *list) std::cout << a.id << "\t" << a.kind << "\t" << a.name << "\n";
      return kExitOk;
    }();
  });

  auto* team = app.add_subcommand("team", "Teams: add, list");
  team->require_subcommand(1);
  auto* team_add = team->add_subcommand("add", "Add or change a team");
  team_add->add_option("--db", g.db, "Database URL");
  team_add->add_option("ID", o->username, "Team id")->required();
  team_add->add_option("--agency", o->agency, "Agency id")->required();
  team_add->add_option("--name", o->name, "Name")->required();
  team_add->add_flag("--front-door", o->front_door, "The team is on front-door (MASH) duty");
  team_add->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      if (auto st = (*s)->directory().PutTeam({o->username, o->agency, o->name, o->front_door}); !st.ok())
        return Fail(st);
      if (auto a = AuditChange(**s, "team saved", {{"team_id", o->username}}); !a.ok()) return Fail(a);
      std::cout << "Team " << o->username << " saved\n";
      return kExitOk;
    }();
  });
  auto* team_list = team->add_subcommand("list", "List teams");
  team_list->add_option("--db", g.db, "Database URL");
  team_list->callback([&g] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto list = (*s)->directory().ListTeams();
      if (!list.ok()) return Fail(list.status());
      for (const auto& t : *list)
        std::cout << t.id << "\t" << t.agency_id << "\t" << t.name << (t.front_door ? "\tfront door" : "")
                  << "\n";
      return kExitOk;
    }();
  });

  auto* audit =
      app.add_subcommand("audit", "The audit trail: who read, wrote, was refused or logged in, and why");
  audit->add_option("--db", g.db, "Database URL");
  audit->add_option("--user", o->user, "Only this user id");
  audit->add_option("--agency", o->agency, "Only this agency");
  audit->add_option("--child", o->child, "Only this child");
  audit->add_option("--from", o->from, "Recorded at or after (date or date-time, UTC)");
  audit->add_option("--to", o->to, "Recorded before");
  audit->add_option("--type", o->type, "audit.read, audit.denied, audit.login*, …");
  audit->add_option("--limit", o->limit, "At most this many (default 1000; 0: all)");
  audit->add_flag("--json", o->json, "One JSON object per line");
  audit->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      store::AuditQuery q{
          .user = o->user, .agency = o->agency, .child_id = o->child, .from = o->from, .to = o->to};
      if (!o->type.empty()) q.types = {o->type};
      q.limit = o->limit;
      auto records = (*s)->Audit(q);
      if (!records.ok()) return Fail(records.status());
      for (const auto& e : *records) {
        auto p = nlohmann::json::parse(e.payload, nullptr, false);
        if (o->json) {
          std::cout << ordered_json{{"seq", e.seq},     {"at", e.recorded_at}, {"type", e.type},
                                    {"user", e.author}, {"agency", e.agency},  {"child_id", e.child_id},
                                    {"detail", p},      {"hash", e.hash}}
                           .dump()
                    << "\n";
          continue;
        }
        std::string why = p.is_object() ? p.value("basis", p.value("reason", p.value("change", ""))) : "";
        std::cout << e.recorded_at << "  " << e.type.substr(6) << "  " << e.author << " ("
                  << (p.is_object() ? p.value("role", "") : "") << ", " << e.agency << ")  child "
                  << e.child_id << "  " << (p.is_object() ? p.value("route", "") : "")
                  << (why.empty() ? "" : "  — " + why) << "\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
