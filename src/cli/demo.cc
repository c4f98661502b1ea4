// continuum demo [--db URL] [--file examples/demo.yaml]
//
// Loads synthetic families (examples/demo.yaml) through the same pathway
// checks as real records, with dates placed around today so that some
// deadlines are met, some due and some overdue. The file's agencies, teams
// and accounts are made first; each event is then recorded as its author
// (`as: USERNAME`), who must be allowed to record it. A field value written
// "@USERNAME" names that account (user fields take user ids, which are
// random); a child's `id` is kept, so the demo's children have known ids.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/case_support.h"
#include "framework/yaml_json.h"

namespace continuum::cli {
namespace {

using nlohmann::json;

using framework::YamlToJson;

// "+Nd" in a field: a date N days after the event.
void ResolveRelativeDates(json& fields, Date event_day) {
  static const std::regex kRel(R"(\+(\d{1,4})d)");
  for (auto& [k, v] : fields.items()) {
    std::smatch m;
    if (v.is_string()) {
      std::string s = v.get<std::string>();
      if (std::regex_match(s, m, kRel)) v = AddDays(event_day, std::stoi(m[1])).ToString();
    }
  }
}

// "@username" in a field (or in a list): the id of that account.
Status ResolveUsers(store::Directory& dir, json& fields) {
  auto resolve = [&](json& v) -> Status {
    if (!v.is_string()) return Status::Ok();
    const std::string s = v.get<std::string>();
    if (s.size() < 2 || s[0] != '@') return Status::Ok();
    auto u = dir.FindUserByName(s.substr(1));
    if (!u.ok()) return u.status();
    if (!*u) return InvalidArgument("'" + s + "' names no account of the demo");
    v = (*u)->id;
    return Status::Ok();
  };
  for (auto& [k, v] : fields.items()) {
    if (v.is_array()) {
      for (auto& e : v) CONTINUUM_RETURN_IF_ERROR(resolve(e));
    } else {
      CONTINUUM_RETURN_IF_ERROR(resolve(v));
    }
  }
  return Status::Ok();
}

struct DemoOptions {
  std::string file;
};

std::string Text(const YAML::Node& n, const char* key) {
  return n[key] && n[key].IsScalar() ? n[key].as<std::string>() : std::string();
}

// The demo's agencies, teams and accounts, made by the host operator. Every
// account has the file's demo password.
Status LoadDirectory(Session& s, const YAML::Node& root) {
  auto& svc = *s.service;
  for (const auto& a : root["agencies"]) {
    auto r = svc.PutAgency(s.caller, {Text(a, "id"), Text(a, "name"), Text(a, "kind")}, s.now);
    if (!r.ok()) return r.status();
  }
  for (const auto& t : root["teams"]) {
    auto r = svc.PutTeam(s.caller, {Text(t, "id"), Text(t, "agency"), Text(t, "name"), Text(t, "duty")}, s.now);
    if (!r.ok()) return r.status();
  }
  const std::string password = Text(root, "password");
  for (const auto& u : root["users"]) {
    auto existing = s.store->directory().FindUserByName(Text(u, "username"));
    if (!existing.ok()) return existing.status();
    if (*existing) continue;
    auto r = svc.AddUser(s.caller,
                         {Text(u, "username"), Text(u, "name"), Text(u, "role"), Text(u, "agency"), Text(u, "team"),
                          password, false},
                         s.now);
    if (!r.ok()) return Status(r.status().code(), "user " + Text(u, "username") + ": " + r.status().message());
  }
  return Status::Ok();
}

int Run(const Globals& g, const DemoOptions& o) {
  std::string path = o.file;
  if (path.empty()) {
    path = (std::filesystem::path(FrameworksDir(g)).parent_path() / "examples" / "demo.yaml").string();
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Fail(InvalidArgument("cannot read demo file " + path + ": " + e.what()));
  }
  auto s = OpenAsOperator(g, "demo");
  if (!s.ok()) return Fail(s.status());
  if (auto st = LoadDirectory(*s, root); !st.ok()) return Fail(Status(st.code(), path + ": " + st.message()));
  auto& svc = *s->service;
  const Date today = s->now.date();
  // Each event is recorded by its author, through the same checks as any.
  auto as = [&](const std::string& user) -> Result<casework::Caller> {
    return svc.CallerByName(user, {.via = "cli", .operation = "demo"});
  };

  int children = 0, events = 0, skipped = 0;
  for (const auto& c : root["children"]) {
    const std::string name = Text(c["details"], "display_name");
    const std::string wanted_id = Text(c, "id");
    bool exists = false;
    if (!wanted_id.empty()) {
      auto row = s->store->GetRow("children", {wanted_id});
      if (!row.ok()) return Fail(row.status());
      exists = row->has_value();
    } else {
      auto found = s->store->SearchChildren(name, 5);
      if (!found.ok()) return Fail(found.status());
      for (const auto& r : *found) exists = exists || r.Value("display_name") == name;
    }
    if (exists) {
      ++skipped;
      continue;
    }
    int first_day = 0;
    for (const auto& e : c["events"]) first_day = std::max(first_day, e["days_ago"].as<int>());
    auto at = [&](int days_ago) { return Timestamp::FromDate(AddDays(today, -days_ago), 10 * 3600).ToString(); };
    auto who = as(Text(c, "registered_by"));
    if (!who.ok()) return Fail(Status(who.status().code(), path + ": " + name + ": " + who.status().message()));
    // Registered through the same checks as any registration, under the
    // file's id when it gives one.
    std::string id = wanted_id;
    if (id.empty()) {
      auto reg = svc.Register(*who, Text(c, "framework"), YamlToJson(c["details"]), at(first_day), s->now);
      if (!reg.ok()) return Fail(Status(reg.status().code(), path + ": " + name + ": " + reg.status().message()));
      id = (*reg)["child_id"].get<std::string>();
    } else {
      auto reg = svc.RegisterMany(*who, Text(c, "framework"), {{id, YamlToJson(c["details"]), path + ": " + name}},
                                  at(first_day), /*all_or_nothing=*/true, s->now);
      if (!reg.ok()) return Fail(Status(reg.status().code(), path + ": " + name + ": " + reg.status().message()));
      if (!reg->problems.empty()) return Fail(InvalidArgument(reg->problems.front()));
    }
    ++children;
    ++events;
    for (const auto& e : c["events"]) {
      int days_ago = e["days_ago"].as<int>();
      json fields = YamlToJson(e["fields"]);
      ResolveRelativeDates(fields, AddDays(today, -days_ago));
      if (auto st = ResolveUsers(s->store->directory(), fields); !st.ok()) {
        return Fail(Status(st.code(), path + ": " + name + ", " + Text(e, "type") + ": " + st.message()));
      }
      const std::string type = Text(e, "type");
      auto author = as(Text(e, "as"));
      if (!author.ok()) return Fail(Status(author.status().code(), path + ": " + name + ": " + author.status().message()));
      auto r = svc.Record(*author, {id, type, fields, at(days_ago)}, s->now);
      if (!r.ok()) {
        return Fail(Status(r.status().code(), path + ": " + name + ", " + type + " as " + Text(e, "as") + ": " +
                                                  r.status().message()));
      }
      ++events;
    }
  }
  std::cout << "demo: " << children << " children and " << events << " events loaded into " << DatabaseUrl(g);
  if (skipped) std::cout << " (" << skipped << " already there)";
  std::cout << "\n";
  return kExitOk;
}

}  // namespace

void AddDemoCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand("demo", "Load synthetic families across the frameworks (dates around today)");
  cmd->add_option("--db", g.db, "Database URL (default: $CONTINUUM_DB or continuum.db)");
  cmd->add_option("--file", o->file, "Demo data (default: examples/demo.yaml)");
  cmd->callback([&g, o] {
    try {
      g.exit_code = Run(g, *o);
    } catch (const YAML::Exception& e) {
      g.exit_code = Fail(InvalidArgument(std::string("demo file: ") + e.what()));
    }
  });
}

}  // namespace continuum::cli
