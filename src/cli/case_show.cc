// continuum case show CHILD [--json]
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/case_support.h"

namespace continuum::cli {

using nlohmann::json;
using nlohmann::ordered_json;

void AddCaseShowCommand(CLI::App* parent, Globals& g) {
  auto o = std::make_shared<CaseOptions>();
  auto* cmd = parent->add_subcommand("show", "A child's case: details, state, level, lead professional, team, plan, deadlines");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("CHILD", o->child, "Child id")->required();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto child = (*s)->GetRow("children", {o->child});
      if (!child.ok()) return Fail(child.status());
      if (!*child) return Fail(NotFound("no child '" + o->child + "' in " + DatabaseUrl(g)));
      auto entities = (*s)->ListRows("entities", o->child);
      if (!entities.ok()) return Fail(entities.status());
      auto deadlines = (*s)->ListRows("deadlines", o->child);
      if (!deadlines.ok()) return Fail(deadlines.status());
      ordered_json out;
      out["child_id"] = o->child;
      out["details"] = json::parse(Col(**child, "data"), nullptr, false);
      out["framework"] = Col(**child, "framework_id");
      ordered_json by_kind = ordered_json::object();
      for (const auto& r : *entities) {
        by_kind[Col(r, "kind")][Col(r, "entity_id")] = json::parse(Col(r, "data"), nullptr, false);
      }
      out["case"] = by_kind.contains("case") ? by_kind["case"]["current"] : ordered_json();
      by_kind.erase("case");
      out["records"] = by_kind;
      ordered_json dl = ordered_json::array();
      for (const auto& r : *deadlines) {
        ordered_json x;
        for (const auto& [c, v] : r.columns) x[c] = v.value_or("");
        dl.push_back(std::move(x));
      }
      out["deadlines"] = dl;
      if (o->json) {
        std::cout << out.dump(2) << "\n";
        return kExitOk;
      }
      auto fw = ResolveFramework(g, Col(**child, "framework_id"));
      const auto& c = out["case"];
      std::cout << out["details"].value("display_name", "") << " (" << o->child << "), born "
                << out["details"].value("date_of_birth", "") << "\n";
      std::cout << "Framework: " << out["framework"].get<std::string>() << "\n";
      if (c.is_object()) {
        std::string state = c.value("state", "none");
        std::string label = state;
        if (fw.ok() && (*fw)->pathway) {
          if (const auto* st = (*fw)->pathway->FindState(state)) label = st->label;
        }
        std::cout << "Case: " << label << " (episode " << c.value("episode", 0) << ")\n";
        if (c.value("level", 0) > 0) std::cout << "Decided level: " << c.value("level", 0) << "\n";
        if (!c.value("lead_professional", "").empty()) {
          std::cout << "Lead professional: " << c.value("lead_professional", "") << "\n";
        }
      }
      if (out["records"].contains("person")) {
        std::cout << "Family and household:\n";
        for (const auto& [id, m] : out["records"]["person"].items()) {
          const auto& f = m["fields"];
          std::cout << "  " << f.value("name", "") << " (" << f.value("relationship", "") << ")"
                    << (f.value("lives_with_child", false) ? ", lives with the child" : "")
                    << (f.value("parental_responsibility", false) ? ", parental responsibility" : "") << "\n";
        }
      }
      if (out["records"].contains("team_member")) {
        std::cout << "Team:\n";
        for (const auto& [id, m] : out["records"]["team_member"].items()) {
          std::cout << "  " << id << " (" << m["fields"].value("agency", "") << ", " << m["fields"].value("role", "") << ")\n";
        }
      }
      if (out["records"].contains("action")) {
        std::cout << "Actions:\n";
        for (const auto& [id, a] : out["records"]["action"].items()) {
          std::cout << "  " << id << ": " << a.value("description", "") << " — " << a.value("owner", "") << ", due "
                    << a.value("due_date", "") << ", " << a.value("status", "") << "\n";
        }
      }
      std::cout << "Deadlines:\n";
      for (const auto& d : out["deadlines"]) {
        std::cout << "  " << d.value("status", "") << "\t" << d.value("due_at", "") << "\t" << d.value("label", "") << "\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
