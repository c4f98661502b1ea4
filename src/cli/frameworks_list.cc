// continuum frameworks list [--json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"

namespace continuum::cli {

void AddFrameworksListCommand(CLI::App& frameworks, Globals& g) {
  auto* cmd = frameworks.add_subcommand("list", "List the frameworks that are installed");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON array of {id, name, authority, version}");
  cmd->callback([&g, json] {
    auto reg = LoadRegistry(g);
    if (!reg.ok()) {
      g.exit_code = Fail(reg.status());
      return;
    }
    if (*json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& f : reg->all()) {
        out.push_back({{"id", f->id}, {"name", f->name}, {"authority", f->authority},
                       {"version", f->version}, {"effective", f->effective}});
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
    for (const auto& f : reg->all()) {
      std::cout << f->id << "\t" << f->name << " — " << f->authority << " (version " << f->version
                << ", effective " << f->effective << ")\n";
    }
  });
}

}  // namespace continuum::cli
