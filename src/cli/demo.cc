// continuum demo [--db URL] [--file examples/demo.yaml]
//
// Loads synthetic families (examples/demo.yaml) through the same pathway
// checks as real records, with dates placed around today so that some
// deadlines are met, some due and some overdue.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/case_support.h"

namespace continuum::cli {
namespace {

using nlohmann::json;

json ToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    json o = json::object();
    for (auto it = n.begin(); it != n.end(); ++it) o[it->first.as<std::string>()] = ToJson(it->second);
    return o;
  }
  if (n.IsSequence()) {
    json a = json::array();
    for (const auto& e : n) a.push_back(ToJson(e));
    return a;
  }
  if (n.IsNull()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() != "!") {  // unquoted scalars may be booleans or numbers
    if (s == "true") return true;
    if (s == "false") return false;
    static const std::regex kInt(R"(-?\d{1,9})");
    if (std::regex_match(s, kInt)) return std::stoi(s);
  }
  return s;
}

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

struct DemoOptions {
  std::string file;
};

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
  auto cal = LoadCalendar(g);
  if (!cal.ok()) return Fail(cal.status());
  auto s = OpenStore(g);
  if (!s.ok()) return Fail(s.status());
  auto now = Timestamp::Parse(NowUtc());
  if (!now.ok()) return Fail(now.status());
  Date today = now->date();

  int children = 0, events = 0, skipped = 0;
  for (const auto& c : root["children"]) {
    std::string id = c["id"].as<std::string>();
    auto fw = ResolveFramework(g, c["framework"].as<std::string>());
    if (!fw.ok()) return Fail(fw.status());
    auto existing = pathway::LoadCase(**s, id);
    if (!existing.ok()) return Fail(existing.status());
    if (existing->registered) {
      ++skipped;
      continue;
    }
    int first_day = 0;
    for (const auto& e : c["events"]) first_day = std::max(first_day, e["days_ago"].as<int>());
    auto at = [&](int days_ago) { return Timestamp::FromDate(AddDays(today, -days_ago), 10 * 3600).ToString(); };
    pathway::Command reg{.child_id = id, .event_type = pathway::kChildRegistered, .occurred_at = at(first_day),
                         .actor = {c["registered_by"]["as"].as<std::string>(), c["registered_by"]["agency"].as<std::string>(), ""},
                         .fields = ToJson(c["details"])};
    auto r = pathway::PrepareRegistration(**fw, reg);
    if (!r.ok()) return Fail(InvalidArgument(path + ": " + id + ": " + r.status().message()));
    auto stored = (*s)->Append({*r}, pathway::Project);
    if (!stored.ok()) return Fail(stored.status());
    ++children;
    ++events;
    for (const auto& e : c["events"]) {
      int days_ago = e["days_ago"].as<int>();
      json fields = ToJson(e["fields"]);
      ResolveRelativeDates(fields, AddDays(today, -days_ago));
      auto state = pathway::LoadCase(**s, id);
      if (!state.ok()) return Fail(state.status());
      pathway::Command cmd{.child_id = id, .event_type = e["type"].as<std::string>(), .occurred_at = at(days_ago),
                           .actor = {e["as"].as<std::string>(), e["agency"].as<std::string>(), e["role"].as<std::string>()},
                           .fields = fields};
      auto ev = pathway::Prepare(**fw, *cal, *state, cmd);
      if (!ev.ok()) {
        return Fail(Status(ev.status().code(), path + ": " + id + ", " + cmd.event_type + ": " + ev.status().message()));
      }
      auto st = (*s)->Append({*ev}, pathway::Project);
      if (!st.ok()) return Fail(st.status());
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
