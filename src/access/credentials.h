// Credentials: password hashes, session tokens and TOTP second factors.
//
//   // Setting a password:
//   CONTINUUM_RETURN_IF_ERROR(access::CheckPasswordPolicy(password, username));
//   Result<std::string> hash = access::HashPassword(password);  // "$argon2id$v=19$m=19456,t=2,p=1$…"
//   if (!hash.ok()) return hash.status();
//
//   // Logging in; an unknown user name costs the same time as a known one:
//   const std::string& stored = user ? user->password_hash : access::DummyPasswordHash();
//   if (!user || !access::VerifyPassword(stored, password)) return Forbidden("wrong user name or password");
//   if (access::PasswordNeedsRehash(stored)) { /* store HashPassword(password) */ }
//
//   // A session: give the client the token, keep only its hash.
//   std::string token = access::NewSessionToken();     // 43 chars, base64url
//   std::string key = access::TokenHash(token);        // 64 hex; the database key
//
//   // A second factor (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits):
//   std::string secret = access::NewTotpSecret();      // base32, stored for the user
//   std::string uri = access::TotpUri("Continuum", "a.smith", secret);  // for a QR code
//   auto step = access::VerifyTotp(secret, code, now_unix);
//   if (!step.ok()) return step.status();               // the stored secret is broken
//   if (!*step || **step <= user->last_totp_step) return Forbidden("wrong code");
//   // record **step as last_totp_step, so the same code cannot be used twice
//
// Passwords are hashed with argon2id (libsodium) at opslimit 2 and 19 MiB,
// the OWASP minimum; the parameters live in the encoded hash, so raising them
// later only makes PasswordNeedsRehash true for older hashes. Session tokens
// carry 256 random bits and are stored only as their BLAKE2b-256 hash, so a
// copy of the database does not hand out live sessions.
//
// Errors: HashPassword fails with kInvalidArgument for a password longer than
// kMaxPasswordBytes and kUnavailable when the hash's memory cannot be
// allocated. CheckPasswordPolicy fails with kInvalidArgument and a message
// naming the rule broken. TotpCode and VerifyTotp fail with kInvalidArgument
// for a secret that is not base32 or is shorter than 128 bits, or a negative
// time; a code that is not exactly six digits is not an error, it just does
// not match. The verifiers (VerifyPassword, LooksLikeSessionToken) return
// false for malformed input and never throw. If the system's random source or
// a crypto library cannot be initialised the process aborts, as libsodium
// itself does: no token or secret is ever made from weak randomness.
//
// Thread-safety: every function may be called from any number of threads.
// Library initialisation happens once, on first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace continuum::access {

// ---- Passwords ------------------------------------------------------------

inline constexpr size_t kMinPasswordChars = 12;    // Unicode code points
inline constexpr size_t kMaxPasswordBytes = 1024;  // bounds the work per login
inline constexpr unsigned long long kPasswordOpsLimit = 2;
inline constexpr size_t kPasswordMemLimit = 19 * 1024 * 1024;  // bytes

// An argon2id hash of `password` in the standard encoded form
// ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"), with a fresh random salt.
Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `encoded_hash`. False for a wrong password and
// for any hash that is empty, truncated or not an argon2 hash.
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);

// True when `encoded` was made with other parameters than HashPassword uses
// now (or is not a valid argon2id hash). Ask after a successful
// VerifyPassword, and store a new hash of the password the user just gave.
bool PasswordNeedsRehash(std::string_view encoded);

// The rules for a new password: at least kMinPasswordChars characters, at
// most kMaxPasswordBytes bytes, not one character repeated, and not the user
// name nor containing it (ignoring ASCII case; containment is checked for
// user names of three or more characters, as shorter ones would refuse
// passwords for no reason). kInvalidArgument names the first rule broken.
Status CheckPasswordPolicy(std::string_view password, std::string_view username);

// A hash of a random password nobody knows, made once per process. Verify
// against it when the user name is unknown, so the reply takes as long as for
// a real user and does not reveal which names exist. Never treat a match as a
// login. Empty if the hash could not be made (out of memory).
const std::string& DummyPasswordHash();

// ---- Session tokens -------------------------------------------------------

inline constexpr size_t kSessionTokenChars = 43;  // 32 bytes, base64url, no padding

// 32 random bytes, base64url without padding: 43 characters of
// [A-Za-z0-9_-]. Give it to the client; store only TokenHash(token).
std::string NewSessionToken();

// BLAKE2b-256 of `token`, as 64 lowercase hex digits. A fast hash suffices:
// the token already has 256 bits of entropy, so there is nothing to guess.
std::string TokenHash(std::string_view token);
// The CSRF token of a browser session: 64 hex, derived from the session
// token (so it needs no storage), different from TokenHash.
std::string CsrfToken(std::string_view session_token);
// Compares two secrets in constant time; false if either is empty.
bool SameSecret(std::string_view a, std::string_view b);

// True when `text` has the shape of a session token (43 characters of the
// base64url alphabet). A cheap filter before a database lookup, not a check
// that the token is valid.
bool LooksLikeSessionToken(std::string_view text);

// `bytes` random bytes as 2*bytes lowercase hex digits (e.g. 16 for an id).
std::string RandomHexId(size_t bytes);

// ---- TOTP (RFC 6238) ------------------------------------------------------

inline constexpr int kTotpDigits = 6;
inline constexpr int64_t kTotpPeriodSeconds = 30;
inline constexpr int kMaxTotpWindowSteps = 10;

// 20 random bytes (160 bits, as RFC 4226 recommends) in base32 without
// padding: 32 characters of [A-Z2-7].
std::string NewTotpSecret();

// The otpauth:// URI authenticator apps read from a QR code:
//   otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30
// `issuer` and `account` are percent-encoded (everything but A-Z a-z 0-9 - . _ ~).
std::string TotpUri(std::string_view issuer, std::string_view account, std::string_view secret);

// The six-digit code for `secret_base32` at `unix_time` (seconds since the
// epoch, >= 0). For tests and the command line; logins use VerifyTotp.
// The secret may be lowercase or contain spaces, as users copy it.
Result<std::string> TotpCode(std::string_view secret_base32, int64_t unix_time);

// Checks `code` against the steps unix_time/30 - window_steps ..
// unix_time/30 + window_steps (window 1 allows for clocks about 30 seconds
// apart). Returns the matched time step, or nullopt when the code matches
// none. The caller must refuse a step at or before the last one it accepted
// for this user, or a code overheard once could be used again.
// kInvalidArgument for a malformed secret, a negative time or a window
// outside 0..kMaxTotpWindowSteps.
Result<std::optional<int64_t>> VerifyTotp(std::string_view secret_base32, std::string_view code,
                                          int64_t unix_time, int window_steps = 1);

}  // namespace continuum::access
