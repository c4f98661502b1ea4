// continuum verify [--db URL]
#include <iostream>

#include "cli/case_support.h"
#include "pathway/engine.h"

namespace continuum::cli {

void AddVerifyCommand(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "verify", "Check the event log's hash chain and that the current state matches a replay of the log");
  cmd->add_option("--db", g.db, "Database URL (default: $CONTINUUM_DB or continuum.db)");
  cmd->callback([&g] {
    auto s = OpenStore(g);
    if (!s.ok()) {
      g.exit_code = Fail(s.status());
      return;
    }
    auto report = (*s)->Verify(pathway::Project);
    if (!report.ok()) {
      g.exit_code = Fail(report.status());
      return;
    }
    if (report->ok) {
      std::cout << "ok: " << report->events << " events, hash chain intact, current state matches the log\n";
      return;
    }
    std::cerr << "continuum: verify FAILED after " << report->events << " events"
              << (report->first_bad_event.empty() ? "" : "; first bad event: " + report->first_bad_event) << "\n  "
              << report->problem << "\n";
    g.exit_code = kExitFailure;
  });
}

}  // namespace continuum::cli
