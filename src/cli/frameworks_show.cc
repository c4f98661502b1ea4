// continuum frameworks show ID [--json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "case/framework_json.h"
#include "cli/cli.h"

namespace continuum::cli {
namespace {

using nlohmann::ordered_json;
using namespace continuum::framework;

std::string ProvenanceText(const std::string& source, const std::string& local_default) {
  if (!local_default.empty()) return "local default: " + local_default + " (not stated in the document)";
  return "source: " + source;
}

void PrintText(const Framework& fw) {
  std::cout << fw.name << "\n" << fw.authority << " — version " << fw.version << ", effective "
            << fw.effective << "\n\n";
  std::string word(fw.Term("level"));
  for (const auto& l : fw.levels) {
    int n = 0;
    for (const auto& it : fw.items) n += it.kind == ItemKind::kIndicator && it.level == l.number;
    std::cout << word << " " << l.number << ": " << l.name << " (" << n << " indicators)\n  "
              << l.description << "\n  Response: " << ResponseLabel(l.response)
              << "; assessment: " << (l.assessment ? *l.assessment : "none") << "\n";
  }
  std::cout << "\nDomains:\n";
  for (size_t d = 0; d < fw.domains.size(); ++d) {
    std::cout << "  " << fw.domains[d].name << "\n";
    if (!fw.domains[d].has_subdomains) continue;
    for (const auto& a : fw.areas) {
      if (a.domain == static_cast<int>(d)) std::cout << "    - " << a.name << "\n";
    }
  }
  std::cout << "\nRules:\n";
  for (const auto& r : fw.rules) {
    std::cout << "  " << r.id << ": " << r.summary << "\n    " << ProvenanceText(r.source, r.local_default) << "\n";
  }
  int stated = 0;
  std::vector<const Item*> defaults;
  for (const auto& it : fw.items) {
    if (it.is_local_default()) {
      defaults.push_back(&it);
    } else {
      ++stated;
    }
  }
  std::cout << "\nIndicators, strengths and facts: " << stated << " cite the document; " << defaults.size()
            << " are local defaults (not stated in the document)" << (defaults.empty() ? "." : ":") << "\n";
  for (const auto* it : defaults) {
    std::cout << "  " << it->id << " (" << ItemKindName(it->kind);
    if (it->kind == ItemKind::kIndicator) std::cout << ", level " << it->level;
    std::cout << "): " << it->label << "\n    local default: " << it->local_default << "\n";
  }
  bool any_contradiction = false;
  for (const auto& it : fw.items) {
    if (it.contradicts_items.empty() && it.contradicts_tags.empty()) continue;
    if (!any_contradiction) std::cout << "\nContradictions (the first is set aside when both are observed):\n";
    any_contradiction = true;
    std::cout << "  " << it.id << " contradicts";
    for (int i : it.contradicts_items) std::cout << " " << fw.items[i].id;
    for (int t : it.contradicts_tags) std::cout << " tag:" << fw.tags[t];
    std::cout << "\n";
  }
  std::cout << "\nTimescales:\n";
  for (const auto& t : fw.timescales) {
    std::cout << "  " << t.label << ": within " << t.within.amount << " " << TimeUnitName(t.within.unit) << "\n";
  }
  std::cout << "\nUse --json for every indicator, strength and fact.\n";
}

}  // namespace

void AddFrameworksShowCommand(CLI::App& frameworks, Globals& g) {
  auto* cmd = frameworks.add_subcommand("show", "Show one framework: levels, domains, indicators, rules");
  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("ID", *id, "Framework id (see 'frameworks list') or a path to a framework file")->required();
  cmd->add_flag("--json", *json, "Print the whole framework as JSON");
  cmd->callback([&g, id, json] {
    auto fw = ResolveFramework(g, *id);
    if (!fw.ok()) {
      g.exit_code = Fail(fw.status());
      return;
    }
    if (*json) {
      std::cout << casework::FrameworkToJson(**fw).dump(2) << "\n";
    } else {
      PrintText(**fw);
    }
  });
}

}  // namespace continuum::cli
