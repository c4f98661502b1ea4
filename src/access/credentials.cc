#include "access/credentials.h"

#include <liboath/oath.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <vector>

namespace continuum::access {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "continuum: fatal: %s\n", what);
  std::abort();
}

// sodium_init and oath_init are safe to repeat, but a function-local static
// makes the first call thread-safe and the rest free.
void EnsureSodium() {
  static const bool ok = [] {
    if (sodium_init() < 0) Die("libsodium could not be initialised (no usable random source)");
    return true;
  }();
  (void)ok;
}

void EnsureOath() {
  static const bool ok = [] {
    if (oath_init() != OATH_OK) Die("liboath could not be initialised");
    return true;
  }();
  (void)ok;
}

// libsodium reads encoded hashes as NUL-terminated strings of at most
// crypto_pwhash_STRBYTES - 1 characters; anything else cannot be a hash.
bool CopyEncodedHash(std::string_view encoded, char (&out)[crypto_pwhash_STRBYTES]) {
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  if (encoded.find('\0') != std::string_view::npos) return false;
  std::fill(std::begin(out), std::end(out), '\0');
  std::copy(encoded.begin(), encoded.end(), out);
  return true;
}

// A string_view's data() may be null when empty; C APIs get "" instead.
const char* NonNull(std::string_view s) { return s.empty() ? "" : s.data(); }

std::string Hex(const unsigned char* bytes, size_t n) {
  std::string hex(2 * n + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.pop_back();  // the terminating NUL
  return hex;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Splits UTF-8 text into code points (a code point starts at any byte that is
// not a continuation byte 10xxxxxx). Malformed text still splits somehow,
// which is all the policy needs.
std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 1; i <= s.size(); ++i) {
    if (i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      out.push_back(s.substr(start, i - start));
      start = i;
    }
  }
  return out;
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

// A decoded TOTP key, wiped when it goes out of scope.
struct TotpKey {
  std::string bytes;
  ~TotpKey() { sodium_memzero(bytes.data(), bytes.size()); }
};

// RFC 4226 section 4 requires a shared secret of at least 128 bits.
constexpr size_t kMinTotpKeyBytes = 16;

Status DecodeTotpSecret(std::string_view secret_base32, TotpKey* key) {
  EnsureSodium();
  EnsureOath();
  char* out = nullptr;
  size_t out_len = 0;
  int rc = oath_base32_decode(NonNull(secret_base32), secret_base32.size(), &out, &out_len);
  if (rc != OATH_OK) {
    std::free(out);
    return InvalidArgument("TOTP secret is not valid base32");
  }
  key->bytes.assign(out ? out : "", out_len);
  if (out) {
    sodium_memzero(out, out_len);
    std::free(out);
  }
  if (key->bytes.size() < kMinTotpKeyBytes) {
    return InvalidArgument("TOTP secret is too short: " + std::to_string(key->bytes.size() * 8) +
                           " bits, at least " + std::to_string(kMinTotpKeyBytes * 8) + " needed");
  }
  return Status::Ok();
}

// TOTP is HOTP with the time step as the counter (RFC 6238 section 4), so
// generating by step keeps the window arithmetic free of overflow.
Status CodeAtStep(const TotpKey& key, int64_t step, char (&out)[kTotpDigits + 1]) {
  int rc = oath_hotp_generate(key.bytes.data(), key.bytes.size(), static_cast<uint64_t>(step),
                              kTotpDigits, false, OATH_HOTP_DYNAMIC_TRUNCATION, out);
  if (rc != OATH_OK) {
    return Internal(std::string("cannot compute a TOTP code: ") + oath_strerror(rc));
  }
  return Status::Ok();
}

}  // namespace

// ---- Passwords ------------------------------------------------------------

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgument("password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  char out[crypto_pwhash_STRBYTES];
  // The only failure for a password this short is failing to allocate the
  // 19 MiB argon2 works in, which may pass; hence kUnavailable.
  if (crypto_pwhash_str_alg(out, NonNull(password), password.size(), kPasswordOpsLimit,
                            kPasswordMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Unavailable("cannot hash the password: out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  EnsureSodium();
  if (password.size() > kMaxPasswordBytes) return false;  // HashPassword never accepted it
  char hash[crypto_pwhash_STRBYTES];
  if (!CopyEncodedHash(encoded_hash, hash)) return false;
  return crypto_pwhash_str_verify(hash, NonNull(password), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view encoded) {
  EnsureSodium();
  char hash[crypto_pwhash_STRBYTES];
  if (!CopyEncodedHash(encoded, hash)) return true;
  // 0: current parameters; 1: other parameters or argon2i; -1: not a hash.
  return crypto_pwhash_str_needs_rehash(hash, kPasswordOpsLimit, kPasswordMemLimit) != 0;
}

Status CheckPasswordPolicy(std::string_view password, std::string_view username) {
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgument("password must be at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  std::vector<std::string_view> chars = CodePoints(password);
  if (chars.size() < kMinPasswordChars) {
    return InvalidArgument("password must be at least " + std::to_string(kMinPasswordChars) +
                           " characters");
  }
  bool all_same = true;
  for (std::string_view c : chars) all_same = all_same && c == chars.front();
  if (all_same) return InvalidArgument("password must not be one character repeated");

  if (!username.empty()) {
    std::string pw = AsciiLower(password);
    std::string name = AsciiLower(username);
    if (pw == name) return InvalidArgument("password must not be the user name");
    if (CodePoints(username).size() >= 3 && pw.find(name) != std::string::npos) {
      return InvalidArgument("password must not contain the user name");
    }
  }
  return Status::Ok();
}

const std::string& DummyPasswordHash() {
  static const std::string hash = [] {
    Result<std::string> h = HashPassword(RandomHexId(32));
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

// ---- Session tokens -------------------------------------------------------

std::string NewSessionToken() {
  EnsureSodium();
  constexpr size_t kBytes = 32;
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  unsigned char raw[kBytes];
  randombytes_buf(raw, sizeof raw);
  char encoded[sodium_base64_ENCODED_LEN(kBytes, kVariant)];
  sodium_bin2base64(encoded, sizeof encoded, raw, sizeof raw, kVariant);
  sodium_memzero(raw, sizeof raw);
  std::string token(encoded);
  sodium_memzero(encoded, sizeof encoded);
  return token;
}

std::string TokenHash(std::string_view token) {
  EnsureSodium();
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(NonNull(token)),
                     token.size(), nullptr, 0);
  return Hex(digest, sizeof digest);
}

std::string CsrfToken(std::string_view token) {
  EnsureSodium();
  // Keyed by a constant: a different value from TokenHash, so the stored
  // hash does not give it away, and only the token's holder can make it.
  static const unsigned char kKey[] = "continuum csrf token, keyed hash";
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(NonNull(token)), token.size(),
                     kKey, sizeof kKey - 1);
  return Hex(digest, sizeof digest);
}

bool SameSecret(std::string_view a, std::string_view b) {
  EnsureSodium();
  return a.size() == b.size() && !a.empty() &&
         sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool LooksLikeSessionToken(std::string_view text) {
  if (text.size() != kSessionTokenChars) return false;
  for (char c : text) {
    if (!IsBase64UrlChar(c)) return false;
  }
  return true;
}

std::string RandomHexId(size_t bytes) {
  EnsureSodium();
  if (bytes == 0) return "";
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  return Hex(raw.data(), raw.size());
}

// ---- TOTP -----------------------------------------------------------------

std::string NewTotpSecret() {
  EnsureSodium();
  EnsureOath();
  constexpr size_t kBytes = 20;
  char raw[kBytes];
  randombytes_buf(raw, sizeof raw);
  char* out = nullptr;
  size_t out_len = 0;
  int rc = oath_base32_encode(raw, sizeof raw, &out, &out_len);
  sodium_memzero(raw, sizeof raw);
  if (rc != OATH_OK || out == nullptr) Die("cannot base32-encode a TOTP secret (out of memory)");
  std::string secret(out, out_len);
  sodium_memzero(out, out_len);
  std::free(out);
  // 20 bytes fill whole base32 blocks, so there is no padding; stripping is
  // only a guard should kBytes change.
  while (!secret.empty() && secret.back() == '=') secret.pop_back();
  return secret;
}

std::string TotpUri(std::string_view issuer, std::string_view account, std::string_view secret) {
  std::string uri = "otpauth://totp/";
  if (!issuer.empty()) uri += PercentEncode(issuer) + ":";
  uri += PercentEncode(account);
  uri += "?secret=" + PercentEncode(secret);
  if (!issuer.empty()) uri += "&issuer=" + PercentEncode(issuer);
  uri += "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpPeriodSeconds);
  return uri;
}

Result<std::string> TotpCode(std::string_view secret_base32, int64_t unix_time) {
  if (unix_time < 0) return InvalidArgument("TOTP time must not be before 1970");
  TotpKey key;
  CONTINUUM_RETURN_IF_ERROR(DecodeTotpSecret(secret_base32, &key));
  char code[kTotpDigits + 1];
  CONTINUUM_RETURN_IF_ERROR(CodeAtStep(key, unix_time / kTotpPeriodSeconds, code));
  return std::string(code, kTotpDigits);
}

Result<std::optional<int64_t>> VerifyTotp(std::string_view secret_base32, std::string_view code,
                                          int64_t unix_time, int window_steps) {
  if (unix_time < 0) return InvalidArgument("TOTP time must not be before 1970");
  if (window_steps < 0 || window_steps > kMaxTotpWindowSteps) {
    return InvalidArgument("TOTP window must be 0 to " + std::to_string(kMaxTotpWindowSteps) +
                           " steps");
  }
  // The secret is checked first, so a broken stored secret is reported
  // whatever code the user typed.
  TotpKey key;
  CONTINUUM_RETURN_IF_ERROR(DecodeTotpSecret(secret_base32, &key));

  std::optional<int64_t> matched;
  if (code.size() != static_cast<size_t>(kTotpDigits)) return matched;
  for (char c : code) {
    if (c < '0' || c > '9') return matched;
  }

  // Current step first, then outwards, so the nearest step wins should two
  // match. Every step is compared, in constant time, so the reply's timing
  // does not say which step (if any) matched.
  const int64_t now_step = unix_time / kTotpPeriodSeconds;
  for (int i = 0; i <= 2 * window_steps; ++i) {
    int64_t offset = (i % 2 == 1) ? -(i + 1) / 2 : i / 2;
    int64_t step = now_step + offset;
    if (step < 0) continue;
    char expected[kTotpDigits + 1];
    CONTINUUM_RETURN_IF_ERROR(CodeAtStep(key, step, expected));
    bool equal = sodium_memcmp(expected, code.data(), kTotpDigits) == 0;
    sodium_memzero(expected, sizeof expected);
    if (equal && !matched) matched = step;
  }
  return matched;
}

}  // namespace continuum::access
