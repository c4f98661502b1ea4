// continuum witness keygen|checkpoint, and the checkpoint taken after every
// command that appends to the log when a witness key is configured
// (--witness-key/--witness-file before the command, or
// $CONTINUUM_WITNESS_KEY/$CONTINUUM_WITNESS_FILE). docs/event-log.md,
// "Signed checkpoints".
#include "store/witness.h"

#include <cstdlib>
#include <iostream>
#include <set>

#include "cli/case_support.h"

namespace continuum::cli {
namespace {

// The commands that append to the log (init may, when it migrates).
// Every command but these appends to the log: writes, and reads too, since
// each read is audited. `serve` signs on its own schedule.
const std::set<std::string> kCommandsThatNeverAppend = {"frameworks", "assess", "verify", "serve", "witness"};

std::string FromEnv(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* v = std::getenv(env);
  return v ? v : "";
}

// "case record": the subcommands chosen, outermost first.
std::string CommandPath(const CLI::App& app) {
  std::string path;
  for (const CLI::App* a = &app;;) {
    auto chosen = a->get_subcommands();
    if (chosen.empty()) return path;
    a = chosen.front();
    path += (path.empty() ? "" : " ") + a->get_name();
  }
}

struct WitnessOptions {
  std::string secret_key, public_key, witness_file;
};

}  // namespace

Result<std::shared_ptr<store::WitnessSigner>> OpenWitness(const std::string& key, const std::string& file) {
  if (key.empty() && file.empty()) return std::shared_ptr<store::WitnessSigner>();
  if (key.empty()) {
    return InvalidArgument("a witness file is set (" + file +
                           ") but no witness key: give both (--witness-key, $CONTINUUM_WITNESS_KEY)");
  }
  if (file.empty()) {
    return InvalidArgument("a witness key is set (" + key +
                           ") but no witness file: give both (--witness-file, $CONTINUUM_WITNESS_FILE)");
  }
  auto signer = store::WitnessSigner::Open(key, file);
  if (!signer.ok()) return signer.status();
  return std::shared_ptr<store::WitnessSigner>(std::move(*signer));
}

void AddWitnessOptions(CLI::App& app, Globals& g) {
  app.add_option("--witness-key", g.witness_key,
                 "Secret key that signs a checkpoint after each command that appends to the log "
                 "(or $CONTINUUM_WITNESS_KEY)");
  app.add_option("--witness-file", g.witness_file,
                 "Witness file the checkpoints are appended to (or $CONTINUUM_WITNESS_FILE)");
  // Before the command runs: a bad key or file refuses the command, so that
  // nothing is appended that could not be witnessed.
  app.parse_complete_callback([&app, &g] {
    const std::string path = CommandPath(app);
    if (path.empty() || kCommandsThatNeverAppend.count(path.substr(0, path.find(' ')))) return;
    auto signer = OpenWitness(FromEnv(g.witness_key, "CONTINUUM_WITNESS_KEY"),
                              FromEnv(g.witness_file, "CONTINUUM_WITNESS_FILE"));
    if (!signer.ok()) {
      Fail(signer.status());
      throw CLI::RuntimeError(kExitBadInput);
    }
    g.witness = std::move(*signer);
  });
}

int CheckpointAfterCommand(Globals& g) {
  if (!g.witness) return g.exit_code;
  const bool succeeded = g.exit_code == kExitOk;
  auto s = OpenStore(g);
  Status st = s.ok() ? Status::Ok() : s.status();
  if (st.ok()) {
    auto written = g.witness->Checkpoint(**s);
    if (!written.ok()) st = written.status();
  }
  // A command that failed has said why; one that succeeded must say that
  // its result is not yet witnessed.
  if (!st.ok() && succeeded) {
    std::cerr << "continuum: the command succeeded, but no checkpoint was written: " << st.message() << "\n";
    return kExitFailure;
  }
  return g.exit_code;
}

void AddWitnessCommands(CLI::App& app, Globals& g) {
  auto o = std::make_shared<WitnessOptions>();
  auto* witness = app.add_subcommand("witness", "Signed checkpoints of the event log: keygen, checkpoint");
  witness->require_subcommand(1);

  auto* keygen = witness->add_subcommand("keygen", "Make an Ed25519 key pair for signing checkpoints");
  keygen->add_option("--secret-key", o->secret_key, "File for the secret key (written mode 0600)")
      ->required();
  keygen->add_option("--public-key", o->public_key, "File for the public key")->required();
  keygen->callback([&g, o] {
    auto id = store::GenerateWitnessKey(o->secret_key, o->public_key);
    if (!id.ok()) {
      g.exit_code = Fail(id.status());
      return;
    }
    std::cout << "witness key " << *id << ": secret key in " << o->secret_key << " (keep it off the database "
              << "host's backups), public key in " << o->public_key << "\n";
  });

  auto* checkpoint =
      witness->add_subcommand("checkpoint", "Sign the log's head now and append it to the witness file");
  checkpoint->add_option("--db", g.db, "Database URL (default: $CONTINUUM_DB or continuum.db)");
  checkpoint->add_option("--secret-key", o->secret_key, "Witness secret key (or $CONTINUUM_WITNESS_KEY)");
  checkpoint->add_option("--witness-file", o->witness_file, "Witness file (or $CONTINUUM_WITNESS_FILE)");
  checkpoint->callback([&g, o] {
    g.exit_code = [&]() -> int {
      auto signer = OpenWitness(FromEnv(o->secret_key, "CONTINUUM_WITNESS_KEY"),
                                FromEnv(o->witness_file, "CONTINUUM_WITNESS_FILE"));
      if (!signer.ok()) return Fail(signer.status());
      if (!*signer) return Fail(InvalidArgument("give --secret-key and --witness-file"));
      auto s = OpenStore(g);
      if (!s.ok()) return Fail(s.status());
      auto written = (*signer)->Checkpoint(**s);
      if (!written.ok()) return Fail(written.status());
      if (*written) {
        std::cout << "checkpoint: seq " << (*written)->seq << " hash " << (*written)->hash
                  << " signed by key " << (*written)->key_id << " at " << (*written)->at << "\n";
      } else {
        std::cout << "no new checkpoint: the witness file already vouches for the log's head (or the log is "
                     "empty)\n";
      }
      return kExitOk;
    }();
  });
}

}  // namespace continuum::cli
