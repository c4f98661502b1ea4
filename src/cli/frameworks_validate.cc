// continuum frameworks validate FILE…
#include <filesystem>
#include <iostream>

#include "cli/cli.h"

namespace continuum::cli {

void AddFrameworksValidateCommand(CLI::App& frameworks, Globals& g) {
  auto* cmd = frameworks.add_subcommand(
      "validate", "Check framework files; print each problem as file:line:column: message");
  auto files = std::make_shared<std::vector<std::string>>();
  auto concepts_path = std::make_shared<std::string>();
  cmd->add_option("FILE", *files, "Framework files (YAML)")->required();
  cmd->add_option("--concepts", *concepts_path,
                  "Concept tags file (default: concepts.yaml in the frameworks directory)");
  cmd->callback([&g, files, concepts_path] {
    std::string cpath = !concepts_path->empty()
                            ? *concepts_path
                            : (std::filesystem::path(FrameworksDir(g)) / "concepts.yaml").string();
    auto concepts = framework::LoadConceptsFile(cpath);
    if (!concepts.ok()) {
      g.exit_code = Fail(concepts.status());
      return;
    }
    int bad = 0;
    for (const auto& f : *files) {
      auto fw = framework::LoadFrameworkFile(f, *concepts);
      if (!fw.ok()) {
        ++bad;
        std::cerr << fw.status().message() << "\n";
        continue;
      }
      int counts[3] = {0, 0, 0};
      for (const auto& it : fw->items) ++counts[static_cast<int>(it.kind)];
      std::cout << f << ": ok — " << fw->id << " version " << fw->version << ": " << fw->levels.size()
                << " levels, " << counts[0] << " indicators, " << counts[1] << " strengths, "
                << counts[2] << " facts, " << fw->rules.size() << " rules\n";
    }
    if (bad) {
      std::cerr << bad << " of " << files->size() << " file(s) failed validation\n";
      g.exit_code = kExitBadInput;
    }
  });
}

}  // namespace continuum::cli
