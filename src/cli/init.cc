// continuum init [--db URL]
#include <iostream>

#include "cli/case_support.h"

namespace continuum::cli {

void AddInitCommand(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("init", "Create the database (or migrate it to this version's schema)");
  cmd->add_option("--db", g.db, "sqlite:PATH, a path, or postgresql://… (default: $CONTINUUM_DB or continuum.db)");
  cmd->callback([&g] {
    g.exit_code = [&]() -> int {
      auto s = OpenAsOperator(g, "init");
      if (!s.ok()) return Fail(s.status());
      // The host operator's administration is audited as such.
      if (auto a = s->service->AuditAs(s->caller, "admin", "-",
                                       {{"outcome", "allowed"}, {"change", "database opened (created or migrated)"},
                                        {"schema_version", s->store->SchemaVersion()}},
                                       s->now);
          !a.ok()) {
        return Fail(a);
      }
      std::cout << "database ready: " << DatabaseUrl(g) << " (schema version " << s->store->SchemaVersion() << ")\n";
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
