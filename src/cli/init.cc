// continuum init [--db URL]
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

void AddInitCommand(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("init", "Create the database (or migrate it to this version's schema)");
  cmd->add_option("--db", g.db, "sqlite:PATH, a path, or postgresql://… (default: $CONTINUUM_DB or continuum.db)");
  cmd->callback([&g] {
    auto s = OpenStore(g);
    if (!s.ok()) {
      g.exit_code = Fail(s.status());
      return;
    }
    std::cout << "database ready: " << DatabaseUrl(g) << " (schema version " << (*s)->SchemaVersion() << ")\n";
  });
}

}  // namespace continuum::cli
