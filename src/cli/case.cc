// continuum case …: the group; each subcommand is in its own case_*.cc.
#include "cli/case_support.h"

namespace continuum::cli {

void AddCaseCommands(CLI::App& app, Globals& g) {
  auto* c = app.add_subcommand("case", "Children's case records: register, record pathway events, read");
  c->require_subcommand(1);
  AddCaseCreateCommand(c, g);
  AddCaseRecordCommand(c, g);
  AddCaseCorrectCommand(c, g);
  AddCaseShowCommand(c, g);
  AddCaseChronologyCommand(c, g);
  AddCaseNextCommand(c, g);
}

}  // namespace continuum::cli
