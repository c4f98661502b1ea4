// Signed checkpoints of the event log, kept outside the database. The hash
// chain alone cannot stop someone with write access to the database from
// cutting the log short or rewriting it with recomputed hashes; a checkpoint
// signed with a key the database does not hold pins the log's head as it
// was, and `continuum verify --witness` checks that the log still holds it.
//
//   // once: continuum witness keygen --secret-key witness.key --public-key witness.pub
//   auto signer = store::WitnessSigner::Open("witness.key", "/srv/worm/continuum.witness");
//   auto written = (*signer)->Checkpoint(*store);    // signs the head, appends one line, fsyncs
//   …
//   auto file = store::ReadWitnessFile("/srv/worm/continuum.witness", "witness.pub");
//   auto report = store->Verify(pathway::Project, file->points);   // file->problems: bad lines
//
// A checkpoint is the log's last seq, the hash of the event at that seq, the
// time it was signed and the id of the signing key, signed with Ed25519
// (libsodium crypto_sign_detached). The witness file holds one checkpoint per
// line, as JSON:
//
//   {"v":1,"seq":1200,"hash":"<64 hex>","at":"2026-05-01T10:00:00Z","key":"<16 hex>","sig":"<base64>"}
//
// written with O_APPEND under an exclusive flock (so processes on one host
// may share a file and its seqs never go backwards) and fsynced before
// Checkpoint returns. The signed bytes, the key files and what is and is not
// detected: docs/event-log.md, "Signed checkpoints".
//
// Errors: kNotFound for a key or witness file that does not exist;
// kInvalidArgument for one that is malformed, or a secret key file that
// others may read; kConflict when keygen would overwrite a file; kUnavailable
// when the witness file cannot be written or synced.
// Thread-safety: a WitnessSigner may be shared by any number of threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace continuum::store {

// Writes a new Ed25519 key pair: the secret key to `secret_key_path` (mode
// 0600) and the public key to `public_key_path`. Refuses (kConflict) if
// either file exists, writing neither. Returns the key id.
Result<std::string> GenerateWitnessKey(const std::string& secret_key_path,
                                       const std::string& public_key_path);

struct SignedCheckpoint {
  int64_t seq = 0;
  std::string hash;       // of the event at seq, 64 hex
  std::string at;         // when it was signed, UTC "YYYY-MM-DDTHH:MM:SSZ"
  std::string key_id;     // 16 hex: the start of BLAKE2b-256 of the public key
  std::string signature;  // base64 of the 64-byte Ed25519 signature
};

// The bytes a checkpoint's signature covers, and its line in the witness
// file (without the newline).
std::string CheckpointSignedBytes(const SignedCheckpoint& c);
std::string CheckpointLine(const SignedCheckpoint& c);

class WitnessSigner {
 public:
  // Loads the secret key (refusing a file that group or others may read)
  // and opens the witness file for appending, creating it if need be.
  static Result<std::unique_ptr<WitnessSigner>> Open(const std::string& secret_key_path,
                                                     const std::string& witness_path);
  ~WitnessSigner();
  WitnessSigner(const WitnessSigner&) = delete;
  WitnessSigner& operator=(const WitnessSigner&) = delete;

  const std::string& key_id() const { return key_id_; }

  // Signs the log's head (Store::Head) and appends it, unless the log is
  // empty or the file's last line already vouches for that head: then
  // nullopt.
  Result<std::optional<SignedCheckpoint>> Checkpoint(Store& store);
  // Signs and appends this point, whatever the file holds.
  Result<SignedCheckpoint> Append(int64_t seq, const std::string& hash);

 private:
  WitnessSigner() = default;
  Result<SignedCheckpoint> AppendLocked(int64_t seq, const std::string& hash);
  // The last line of the file, if it is a checkpoint signed by this key.
  std::optional<SignedCheckpoint> LastCheckpointLocked();

  std::mutex mu_;  // one writer per process; flock orders processes
  int fd_ = -1;
  std::string path_;
  std::string key_id_;
  unsigned char secret_key_[64] = {};
  unsigned char public_key_[32] = {};
};

// A witness file read back and checked against a public key.
struct WitnessFile {
  // Every line whose signature verifies, in file order, as points for
  // Store::Verify; source is "FILE line N (signed AT)".
  std::vector<ChainPoint> points;
  // One entry per fault, "FILE line N: what": a line that is not a
  // checkpoint, signed by another key, whose signature does not verify, out
  // of order, or vouching for a seq with another hash than an earlier line.
  std::vector<std::string> problems;
  int64_t lines = 0;
  std::string key_id;  // of the public key
};
Result<WitnessFile> ReadWitnessFile(const std::string& witness_path, const std::string& public_key_path);

// Keeps checkpoints coming while a Store is in use (continuum serve): one
// after every `every_events` events this Store commits, one every `period`
// while the log grows (whoever appends), and a last one when destroyed.
// Failures go to `on_error` and the schedule carries on.
class CheckpointSchedule {
 public:
  CheckpointSchedule(Store& store, WitnessSigner& signer, int64_t every_events, std::chrono::seconds period,
                     std::function<void(const Status&)> on_error);
  // Stops observing the store, then takes the last checkpoint.
  ~CheckpointSchedule();
  CheckpointSchedule(const CheckpointSchedule&) = delete;
  CheckpointSchedule& operator=(const CheckpointSchedule&) = delete;

 private:
  void Loop();
  void Take();

  Store& store_;
  WitnessSigner& signer_;
  const int64_t every_events_;
  const std::chrono::seconds period_;
  const std::function<void(const Status&)> on_error_;
  std::mutex mu_;
  std::condition_variable wake_;
  int64_t pending_events_ = 0;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread thread_;          // last: starts after the rest is constructed
};

}  // namespace continuum::store
