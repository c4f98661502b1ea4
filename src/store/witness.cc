#include "store/witness.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "store/event_format.h"

namespace continuum::store {
namespace {

using internal::IsLowerHex;
using internal::IsUtcTime;

constexpr std::string_view kSecretKeyTag = "continuum-witness-secret-key";
constexpr std::string_view kPublicKeyTag = "continuum-witness-public-key";
constexpr std::string_view kKeyVersion = "v1";
constexpr std::string_view kSignedTag = "continuum.checkpoint.v1";
constexpr size_t kMaxKeyFileBytes = 4096;
constexpr size_t kMaxLineBytes = 4096;

std::string Errno() { return std::strerror(errno); }

std::string Base64(const unsigned char* data, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Exactly `n` bytes of standard, padded base64.
bool FromBase64(std::string_view text, unsigned char* out, size_t n) {
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out, n, text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  return len == n && end == text.data() + text.size();
}

std::string KeyId(const unsigned char public_key[32]) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, public_key, 32, nullptr, 0);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, digest, 8);
  return std::string(hex, 16);
}

void AppendField(std::string* out, std::string_view v) {
  const uint64_t n = v.size();
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((n >> shift) & 0xff));
  out->append(v);
}

// "TAG v1 KEYID BASE64": a key file's one line.
Status ParseKeyFile(const std::string& path, const std::string& text, std::string_view tag,
                    unsigned char* key, size_t key_bytes, std::string* key_id) {
  std::istringstream in(text);
  std::string got_tag, version, id, encoded, extra;
  in >> got_tag >> version >> id >> encoded;
  const bool one_line = text.find('\n') == std::string::npos || text.find('\n') == text.size() - 1;
  if (got_tag != tag || version != kKeyVersion || encoded.empty() || (in >> extra) || !one_line) {
    return InvalidArgument(path + ": not a " + std::string(tag) +
                           " file (expected one line: " + std::string(tag) + " v1 KEYID BASE64)");
  }
  if (!IsLowerHex(id, 16)) return InvalidArgument(path + ": the key id is not 16 lowercase hex digits");
  if (!FromBase64(encoded, key, key_bytes)) {
    return InvalidArgument(path + ": the key is not " + std::to_string(key_bytes) + " bytes of base64");
  }
  *key_id = id;
  return Status::Ok();
}

// Creates `path` (refusing an existing file) holding `text`, synced.
Status WriteNewFile(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return Conflict(path + " exists already; a key file is never overwritten");
    return Unavailable(path + ": cannot create: " + Errno());
  }
  Status st;
  if (::fchmod(fd, mode) != 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd) != 0) {
    st = Unavailable(path + ": cannot write: " + Errno());
  }
  ::close(fd);
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

// The checkpoint on one line of a witness file; the message says what is wrong.
Result<SignedCheckpoint> ParseLine(std::string_view line) {
  if (line.size() > kMaxLineBytes)
    return InvalidArgument("longer than " + std::to_string(kMaxLineBytes) + " bytes");
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("not a JSON object");
  static const std::set<std::string> kKeys = {"v", "seq", "hash", "at", "key", "sig"};
  for (const auto& [k, v] : j.items()) {
    if (!kKeys.count(k)) return InvalidArgument("unexpected member " + internal::Quote(k));
  }
  for (const std::string& k : kKeys) {
    if (!j.contains(k)) return InvalidArgument("no \"" + k + "\"");
  }
  if (!j["v"].is_number_integer() || j["v"].get<int64_t>() != 1) {
    return InvalidArgument("\"v\" is not 1 (a checkpoint format this build does not know)");
  }
  if (!j["seq"].is_number_integer() || j["seq"].get<int64_t>() < 1) {
    return InvalidArgument("\"seq\" is not a whole number of 1 or more");
  }
  for (const char* k : {"hash", "at", "key", "sig"}) {
    if (!j[k].is_string()) return InvalidArgument(std::string("\"") + k + "\" is not a string");
  }
  SignedCheckpoint c{j["seq"].get<int64_t>(), j["hash"].get<std::string>(), j["at"].get<std::string>(),
                     j["key"].get<std::string>(), j["sig"].get<std::string>()};
  if (!IsLowerHex(c.hash, 64)) return InvalidArgument("\"hash\" is not 64 lowercase hex digits");
  if (!IsUtcTime(c.at)) return InvalidArgument("\"at\" is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
  if (!IsLowerHex(c.key_id, 16)) return InvalidArgument("\"key\" is not 16 lowercase hex digits");
  unsigned char sig[crypto_sign_BYTES];
  if (!FromBase64(c.signature, sig, sizeof sig)) {
    return InvalidArgument("\"sig\" is not 64 bytes of base64");
  }
  return c;
}

bool SignatureHolds(const SignedCheckpoint& c, const unsigned char public_key[32]) {
  unsigned char sig[crypto_sign_BYTES];
  if (!FromBase64(c.signature, sig, sizeof sig)) return false;
  const std::string bytes = CheckpointSignedBytes(c);
  return crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                                     public_key) == 0;
}

// Holds an exclusive flock on the witness file while in scope.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    for (;;) {
      if (::flock(fd_, LOCK_EX) == 0) {
        locked_ = true;
        return;
      }
      if (errno != EINTR) return;
    }
  }
  ~FileLock() {
    if (locked_) ::flock(fd_, LOCK_UN);
  }
  bool locked() const { return locked_; }

 private:
  int fd_;
  bool locked_ = false;
};

}  // namespace

std::string CheckpointSignedBytes(const SignedCheckpoint& c) {
  std::string out;
  AppendField(&out, kSignedTag);
  AppendField(&out, std::to_string(c.seq));
  AppendField(&out, c.hash);
  AppendField(&out, c.at);
  AppendField(&out, c.key_id);
  return out;
}

std::string CheckpointLine(const SignedCheckpoint& c) {
  return "{\"v\":1,\"seq\":" + std::to_string(c.seq) + ",\"hash\":\"" + c.hash + "\",\"at\":\"" + c.at +
         "\",\"key\":\"" + c.key_id + "\",\"sig\":\"" + c.signature + "\"}";
}

Result<std::string> GenerateWitnessKey(const std::string& secret_key_path,
                                       const std::string& public_key_path) {
  if (!internal::InitSodium()) return Internal("libsodium could not be initialised");
  if (secret_key_path == public_key_path) {
    return InvalidArgument("the secret and the public key need two different files");
  }
  std::error_code ec;
  for (const std::string& p : {secret_key_path, public_key_path}) {
    if (std::filesystem::exists(p, ec))
      return Conflict(p + " exists already; a key file is never overwritten");
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  const std::string id = KeyId(pk);
  std::string secret_text = std::string(kSecretKeyTag) + " " + std::string(kKeyVersion) + " " + id + " " +
                            Base64(sk, sizeof sk) + "\n";
  sodium_memzero(sk, sizeof sk);
  Status st = WriteNewFile(secret_key_path, secret_text, 0600);
  sodium_memzero(secret_text.data(), secret_text.size());
  if (!st.ok()) return st;
  st = WriteNewFile(public_key_path,
                    std::string(kPublicKeyTag) + " " + std::string(kKeyVersion) + " " + id + " " +
                        Base64(pk, sizeof pk) + "\n",
                    0644);
  if (!st.ok()) {
    ::unlink(secret_key_path.c_str());  // nothing partial: no secret without its public key
    return st;
  }
  return id;
}

// ---------------------------------------------------------------------------
// Signing

Result<std::unique_ptr<WitnessSigner>> WitnessSigner::Open(const std::string& secret_key_path,
                                                           const std::string& witness_path) {
  if (!internal::InitSodium()) return Internal("libsodium could not be initialised");
  std::unique_ptr<WitnessSigner> s(new WitnessSigner());
  s->path_ = witness_path;

  int key_fd = ::open(secret_key_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (key_fd < 0) {
    if (errno == ENOENT) return NotFound("witness secret key " + secret_key_path + " does not exist");
    return InvalidArgument("witness secret key " + secret_key_path + ": cannot open: " + Errno());
  }
  struct stat st {};
  std::string text(kMaxKeyFileBytes + 1, '\0');
  ssize_t n = -1;
  if (::fstat(key_fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0) {
    n = ::read(key_fd, text.data(), text.size());
  }
  ::close(key_fd);
  if (!S_ISREG(st.st_mode))
    return InvalidArgument("witness secret key " + secret_key_path + " is not a file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return InvalidArgument("witness secret key " + secret_key_path + " may be read by others (mode " + mode +
                           "); allow only its owner: chmod 600 " + secret_key_path);
  }
  if (n < 0 || static_cast<size_t>(n) > kMaxKeyFileBytes) {
    return InvalidArgument("witness secret key " + secret_key_path + ": cannot read it, or it is too long");
  }
  text.resize(static_cast<size_t>(n));
  std::string id;
  Status parsed =
      ParseKeyFile(secret_key_path, text, kSecretKeyTag, s->secret_key_, sizeof s->secret_key_, &id);
  sodium_memzero(text.data(), text.size());
  if (!parsed.ok()) return parsed;
  crypto_sign_ed25519_sk_to_pk(s->public_key_, s->secret_key_);
  s->key_id_ = KeyId(s->public_key_);
  if (s->key_id_ != id) {
    return InvalidArgument(secret_key_path + ": the key id " + id + " does not belong to the key it holds (" +
                           s->key_id_ + "); the file is damaged");
  }

  s->fd_ = ::open(witness_path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  const bool created = s->fd_ >= 0;
  if (!created && errno == EEXIST) s->fd_ = ::open(witness_path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (s->fd_ < 0)
    return Unavailable("witness file " + witness_path + ": cannot open for appending: " + Errno());
  struct stat wst {};
  if (::fstat(s->fd_, &wst) != 0 || !S_ISREG(wst.st_mode)) {
    return InvalidArgument("witness file " + witness_path + " is not a file");
  }
  if (created) {
    // The new file's name must survive a crash as well as its lines.
    std::filesystem::path dir = std::filesystem::path(witness_path).parent_path();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  return s;
}

WitnessSigner::~WitnessSigner() {
  if (fd_ >= 0) ::close(fd_);
  sodium_memzero(secret_key_, sizeof secret_key_);
}

std::optional<SignedCheckpoint> WitnessSigner::LastCheckpointLocked() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || st.st_size == 0) return std::nullopt;
  const off_t size = st.st_size;
  const off_t from = size > static_cast<off_t>(kMaxLineBytes) ? size - static_cast<off_t>(kMaxLineBytes) : 0;
  std::string tail(static_cast<size_t>(size - from), '\0');
  if (::pread(fd_, tail.data(), tail.size(), from) != static_cast<ssize_t>(tail.size())) return std::nullopt;
  if (tail.back() != '\n') return std::nullopt;
  tail.pop_back();
  const size_t start = tail.rfind('\n');
  Result<SignedCheckpoint> c =
      ParseLine(std::string_view(tail).substr(start == std::string::npos ? 0 : start + 1));
  if (!c.ok() || c->key_id != key_id_ || !SignatureHolds(*c, public_key_)) return std::nullopt;
  return *c;
}

Result<SignedCheckpoint> WitnessSigner::AppendLocked(int64_t seq, const std::string& hash) {
  if (seq < 1 || !IsLowerHex(hash, 64)) {
    return InvalidArgument("a checkpoint needs a seq of 1 or more and a 64-hex hash");
  }
  SignedCheckpoint c{seq, hash, internal::UtcNow(), key_id_, ""};
  const std::string bytes = CheckpointSignedBytes(c);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                       secret_key_);
  c.signature = Base64(sig, sizeof sig);
  std::string line = CheckpointLine(c) + "\n";
  // A line cut short by a crash is left as it is (verify reports it); this
  // one starts on a line of its own.
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    if (::pread(fd_, &last, 1, st.st_size - 1) == 1 && last != '\n') line.insert(0, "\n");
  }
  for (size_t done = 0; done < line.size();) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unavailable("witness file " + path_ + ": cannot append: " + Errno());
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) return Unavailable("witness file " + path_ + ": cannot sync: " + Errno());
  return c;
}

Result<SignedCheckpoint> WitnessSigner::Append(int64_t seq, const std::string& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  FileLock file(fd_);
  if (!file.locked()) return Unavailable("witness file " + path_ + ": cannot lock: " + Errno());
  return AppendLocked(seq, hash);
}

Result<std::optional<SignedCheckpoint>> WitnessSigner::Checkpoint(Store& store) {
  std::lock_guard<std::mutex> lock(mu_);
  FileLock file(fd_);
  if (!file.locked()) return Unavailable("witness file " + path_ + ": cannot lock: " + Errno());
  // The head is read under the lock, so that the lines of processes sharing
  // the file never go back in seq.
  Result<ChainPoint> head = store.Head();
  if (!head.ok()) return head.status();
  if (head->seq == 0) return std::optional<SignedCheckpoint>();
  std::optional<SignedCheckpoint> last = LastCheckpointLocked();
  if (last && last->seq == head->seq && last->hash == head->hash) return std::optional<SignedCheckpoint>();
  Result<SignedCheckpoint> written = AppendLocked(head->seq, head->hash);
  if (!written.ok()) return written.status();
  return std::optional<SignedCheckpoint>(*written);
}

// ---------------------------------------------------------------------------
// Reading

Result<WitnessFile> ReadWitnessFile(const std::string& witness_path, const std::string& public_key_path) {
  if (!internal::InitSodium()) return Internal("libsodium could not be initialised");
  WitnessFile out;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  {
    std::ifstream in(public_key_path, std::ios::binary);
    if (!in) {
      std::error_code ec;
      if (!std::filesystem::exists(public_key_path, ec)) {
        return NotFound("witness public key " + public_key_path + " does not exist");
      }
      return InvalidArgument("witness public key " + public_key_path + ": cannot read it");
    }
    std::string text(kMaxKeyFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    std::string id;
    CONTINUUM_RETURN_IF_ERROR(ParseKeyFile(public_key_path, text, kPublicKeyTag, pk, sizeof pk, &id));
    if (KeyId(pk) != id) {
      return InvalidArgument(public_key_path + ": the key id " + id +
                             " does not belong to the key it holds; the "
                             "file is damaged");
    }
    out.key_id = id;
  }

  std::ifstream in(witness_path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(witness_path, ec))
      return NotFound("witness file " + witness_path + " does not exist");
    return InvalidArgument("witness file " + witness_path + ": cannot read it");
  }
  struct Seen {
    int64_t line;
    std::string hash;
  };
  std::map<int64_t, Seen> by_seq;  // the first line vouching for each seq
  int64_t last_seq = 0, last_line = 0;
  std::string line;
  while (std::getline(in, line)) {
    const int64_t number = ++out.lines;
    const std::string where = witness_path + " line " + std::to_string(number);
    if (in.eof()) {
      out.problems.push_back(where + ": incomplete (no newline at its end: a write cut short?)");
      break;
    }
    if (line.empty()) {
      out.problems.push_back(where + ": empty");
      continue;
    }
    Result<SignedCheckpoint> c = ParseLine(line);
    if (!c.ok()) {
      out.problems.push_back(where + ": not a checkpoint: " + c.status().message());
      continue;
    }
    if (c->key_id != out.key_id) {
      out.problems.push_back(where + ": signed with key " + c->key_id + ", not with the public key given (" +
                             out.key_id + ")");
      continue;
    }
    if (!SignatureHolds(*c, pk)) {
      out.problems.push_back(
          where + ": the signature does not verify: the line was altered, or not signed by " + "this key");
      continue;
    }
    if (c->seq < last_seq) {
      out.problems.push_back(where + ": seq " + std::to_string(c->seq) + " comes after seq " +
                             std::to_string(last_seq) + " on line " + std::to_string(last_line) +
                             ": lines were moved (checkpoints only go forward)");
    }
    auto [it, added] = by_seq.emplace(c->seq, Seen{number, c->hash});
    if (!added && it->second.hash != c->hash) {
      out.problems.push_back(where + ": vouches for seq " + std::to_string(c->seq) + " with hash " + c->hash +
                             ", but line " + std::to_string(it->second.line) + " with " + it->second.hash +
                             ": the log was rewritten between the two checkpoints");
    }
    if (c->seq >= last_seq) {
      last_seq = c->seq;
      last_line = number;
    }
    out.points.push_back(ChainPoint{c->seq, c->hash, where + " (signed " + c->at + ")"});
  }
  if (in.bad()) return Unavailable("witness file " + witness_path + ": reading failed");
  return out;
}

// ---------------------------------------------------------------------------
// While serving

CheckpointSchedule::CheckpointSchedule(Store& store, WitnessSigner& signer, int64_t every_events,
                                       std::chrono::seconds period,
                                       std::function<void(const Status&)> on_error)
    : store_(store),
      signer_(signer),
      every_events_(every_events < 1 ? 1 : every_events),
      period_(period),
      on_error_(std::move(on_error)),
      thread_([this] { Loop(); }) {
  store_.SetCommitObserver([this](size_t events) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_events_ += static_cast<int64_t>(events);
    if (pending_events_ >= every_events_) wake_.notify_one();
  });
}

CheckpointSchedule::~CheckpointSchedule() {
  store_.SetCommitObserver({});
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  Take();
}

void CheckpointSchedule::Take() {
  Result<std::optional<SignedCheckpoint>> r = signer_.Checkpoint(store_);
  if (!r.ok() && on_error_) on_error_(r.status());
}

void CheckpointSchedule::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, period_, [&] { return stopping_ || pending_events_ >= every_events_; });
    if (stopping_) return;
    pending_events_ = 0;
    lock.unlock();
    Take();
    lock.lock();
  }
}

}  // namespace continuum::store
