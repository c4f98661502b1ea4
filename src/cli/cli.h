// Shared plumbing for the `continuum` subcommands: where the frameworks are,
// how a Status becomes an exit code, and how input is read. Each subcommand
// lives in its own file and registers itself with Add*Command.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "core/status.h"
#include "framework/framework.h"

namespace continuum::store {
class WitnessSigner;
}

namespace continuum::cli {

// Exit codes: 0 ok, 2 bad input (anything the caller can fix), 1 otherwise.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
int ExitCode(const Status& s);

// Prints "continuum: <message>" to stderr and returns the exit code.
int Fail(const Status& s);

struct Globals {
  std::string frameworks_dir;  // --frameworks-dir; empty: found as below
  std::string db;              // --db; empty: $CONTINUUM_DB or continuum.db
  std::string argv0;
  int exit_code = 0;
  std::string witness_key, witness_file;          // --witness-key, --witness-file (before the command)
  std::shared_ptr<store::WitnessSigner> witness;  // set before a command that appends, if configured
};

// --frameworks-dir, else $CONTINUUM_FRAMEWORKS, else ../frameworks beside the
// executable's directory, else ./frameworks.
std::string FrameworksDir(const Globals& g);
Result<framework::Registry> LoadRegistry(const Globals& g);
// An id from the registry, or a path to a framework file (contains '/' or
// ends in .yaml), read with the registry's concepts.
// Loading a path reads only concepts.yaml and that file, so one broken
// framework in the directory does not stop work on another.
Result<std::shared_ptr<const framework::Framework>> ResolveFramework(const Globals& g,
                                                                    const std::string& id_or_path);
bool IsFrameworkPath(const std::string& id_or_path);


void AddFrameworksListCommand(CLI::App& frameworks, Globals& g);
void AddFrameworksShowCommand(CLI::App& frameworks, Globals& g);
void AddFrameworksValidateCommand(CLI::App& frameworks, Globals& g);
void AddAssessCommand(CLI::App& app, Globals& g);

// Signed checkpoints (cli/witness.cc): `continuum witness keygen|checkpoint`;
// the global --witness-key/--witness-file, which open the signer before a
// command that appends to the log; and the checkpoint after it, which
// returns the exit code to use.
void AddWitnessCommands(CLI::App& app, Globals& g);
void AddWitnessOptions(CLI::App& app, Globals& g);
int CheckpointAfterCommand(Globals& g);
// The signer for a key and file given together, null when neither is given.
Result<std::shared_ptr<store::WitnessSigner>> OpenWitness(const std::string& key, const std::string& file);

}  // namespace continuum::cli
