// continuum: the one binary. Subcommands are registered from their own files.
#include <iostream>

#include "cli/case_support.h"

int main(int argc, char** argv) {
  using namespace continuum::cli;
  std::ios::sync_with_stdio(false);
  Globals g;
  g.argv0 = argv[0];
  CLI::App app{
      "Continuum: children's levels of need under each authority's threshold framework,\n"
      "with explained suggestions and a shared pathway.",
      "continuum"};
  app.set_version_flag("--version", "continuum 0.1.0");
  app.add_option("--frameworks-dir", g.frameworks_dir,
                 "Directory of framework files (default: $CONTINUUM_FRAMEWORKS or the shipped frameworks/)");
  app.require_subcommand(1);

  auto* frameworks = app.add_subcommand("frameworks", "List, show and validate threshold frameworks");
  frameworks->require_subcommand(1);
  AddFrameworksListCommand(*frameworks, g);
  AddFrameworksShowCommand(*frameworks, g);
  AddFrameworksValidateCommand(*frameworks, g);
  AddAssessCommand(app, g);
  AddInitCommand(app, g);
  AddCaseCommands(app, g);
  AddDueCommand(app, g);
  AddVerifyCommand(app, g);
  AddImportCommand(app, g);
  AddDemoCommand(app, g);
  AddServeCommand(app, g);
  AddAccountCommands(app, g);
  AddWitnessCommands(app, g);
  AddWitnessOptions(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  return CheckpointAfterCommand(g);
}
