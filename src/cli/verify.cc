// continuum verify [--db URL] [--witness FILE… --public-key FILE]
#include <algorithm>
#include <iostream>

#include "cli/case_support.h"
#include "pathway/engine.h"
#include "store/witness.h"

namespace continuum::cli {
namespace {

struct VerifyOptions {
  std::vector<std::string> witness_files;
  std::string public_key;
};

int Verify(const VerifyOptions& o, Globals& g) {
  if (o.witness_files.empty() != o.public_key.empty()) {
    return Fail(
        InvalidArgument("--witness and --public-key go together: the checkpoints in a witness file are "
                        "checked with the public key of the key that signed them"));
  }
  // The witness files first: a bad file is bad input, before the database is read.
  std::vector<store::WitnessFile> files;
  std::vector<store::ChainPoint> points;
  for (const std::string& path : o.witness_files) {
    auto file = store::ReadWitnessFile(path, o.public_key);
    if (!file.ok()) return Fail(file.status());
    points.insert(points.end(), file->points.begin(), file->points.end());
    files.push_back(std::move(*file));
  }
  auto s = OpenStore(g);
  if (!s.ok()) return Fail(s.status());
  auto report = (*s)->Verify(pathway::Project, points);
  if (!report.ok()) return Fail(report.status());

  size_t witness_problems = 0;
  for (const auto& f : files) witness_problems += f.problems.size();
  if (report->ok && witness_problems == 0) {
    std::cout << "ok: " << report->events
              << " events, hash chain intact, current state and directory match the log\n";
    for (size_t i = 0; i < files.size(); ++i) {
      std::cout << "ok: " << files[i].points.size() << " checkpoint(s) in " << o.witness_files[i]
                << " signed by key " << files[i].key_id << " agree with the log";
      if (!files[i].points.empty()) {
        int64_t furthest = 0;
        for (const auto& p : files[i].points) furthest = std::max(furthest, p.seq);
        std::cout << " (the furthest vouches for seq " << furthest << ")";
      }
      std::cout << "\n";
    }
    return kExitOk;
  }
  std::cerr << "continuum: verify FAILED after " << report->events << " events";
  if (!report->first_bad_event.empty()) std::cerr << "; first bad event: " << report->first_bad_event;
  std::cerr << "\n";
  if (!report->ok) {
    std::cerr << "  " << report->problem << "\n";
    for (const std::string& d : report->state_differences) std::cerr << "    " << d << "\n";
  }
  for (const auto& f : files) {
    for (const std::string& p : f.problems) std::cerr << "  witness: " << p << "\n";
  }
  return kExitFailure;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<VerifyOptions>();
  auto* cmd = app.add_subcommand(
      "verify",
      "Check the event log's hash chain, that the current state and the directory match a replay of the log, "
      "and (with --witness) that the log still holds every signed checkpoint");
  cmd->add_option("--db", g.db, "Database URL (default: $CONTINUUM_DB or continuum.db)");
  cmd->add_option("--witness", o->witness_files, "Witness file of signed checkpoints (may be repeated)");
  cmd->add_option("--public-key", o->public_key, "Public key of the witness key (continuum witness keygen)");
  cmd->callback([&g, o] { g.exit_code = Verify(*o, g); });
}

}  // namespace continuum::cli
