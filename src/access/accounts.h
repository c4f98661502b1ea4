// Accounts and sessions: adding, disabling and resetting users; logging in
// with a password and, when the account has one, a TOTP code; checking a
// session token on each request. Shared by `continuum user …` and the API.
//
//   access::LoginPolicy policy;
//   auto r = access::Login(dir, policy, {.username = "a.jones", .password = pw, .ip = "10.0.0.5"}, now);
//   if (r.ok() && r->ok) send(r->token);   // else 401 (or 429), the same for every cause
//   auto who = access::Authenticate(dir, policy, token, now);   // nullopt: log in again
//
// Login tells the caller nothing about why it failed: an unknown user name,
// a wrong password, a wrong code and a disabled account all give the same
// answer after the same work (an argon2id verification). The reason is kept
// for the audit trail only.
//
// Throttling (docs/access.md, "Login throttling"). Each attempt is counted
// before its password is checked — reserved, in one transaction with the
// check of the limits, so concurrent attempts cannot overtake the count —
// and a success takes its count back. Three counts, each restarting after
// failure_window without a failure:
//   - per user name and address: max_name_address_failures, then each
//     further attempt from that address for that name waits a delay that
//     starts at `backoff` and doubles, up to `lockout`;
//   - per user name, from every address: the wider max_name_failures, then
//     the same back-off;
//   - per address, for every name: max_address_failures, then the same.
// An address the name has logged in from within known_address_days is
// exempt from the per-name and per-address counts (not from its own
// per-name-and-address one), so others' failed attempts, from anywhere,
// cannot keep a person out of their account from where they usually work.
// Unknown names are counted exactly like known ones. The keys store the
// name only as a hash, never as typed (a password typed into the name box
// must not be kept).
//
// Sessions: a token of 256 random bits, stored only as its hash; a new one at
// every login; it ends on logout, when idle longer than the idle timeout,
// at the absolute timeout, and when the account is disabled or reset.
//
// Thread-safe (all state is in the Directory).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/calendar.h"
#include "core/status.h"
#include "store/directory.h"

namespace continuum::access {

struct NewUser {
  std::string username;
  std::string display_name;
  std::string role;
  std::string agency_id;
  std::string team_id;
  std::string password;
  bool totp = false;  // give the account a TOTP second factor
};

struct UserCreated {
  store::User user;
  std::string totp_secret;  // base32, shown once; "" without TOTP
  std::string totp_uri;     // otpauth:// for an authenticator app
};

// Checks the role, agency, team and password policy; kConflict if the user
// name is taken.
Result<UserCreated> AddUser(store::Directory& dir, const NewUser& u, Timestamp now);
// The user by id or user name; kNotFound.
Result<store::User> FindUser(store::Directory& dir, const std::string& id_or_name);
// Disables the account and ends its sessions.
Result<store::User> DisableUser(store::Directory& dir, const std::string& id_or_name, Timestamp now);
struct Reset {
  std::optional<std::string> password;  // a new password
  bool new_totp = false;                // a new TOTP secret
  bool remove_totp = false;
  bool enable = false;  // re-enable a disabled account
};
// Applies the reset and ends the user's sessions.
Result<UserCreated> ResetUser(store::Directory& dir, const std::string& id_or_name, const Reset& r,
                              Timestamp now);

struct LoginPolicy {
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds absolute_timeout{12 * 3600};
  std::chrono::seconds touch_interval{60};  // last_seen is written at most this often
  int max_name_address_failures = 5;        // per user name from one address
  int max_name_failures = 50;               // per user name from every address
  int max_address_failures = 50;            // per address, for every name
  std::chrono::seconds failure_window{15 * 60};  // a count restarts after this long without a failure
  std::chrono::seconds backoff{30};              // the first wait past a limit; doubles each time
  std::chrono::seconds lockout{15 * 60};         // the longest wait
  int known_address_days = 90;  // how long a successful login makes its address known for the name
};

struct LoginAttempt {
  std::string username;
  std::string password;
  std::string totp;  // 6 digits, when the account has a second factor
  std::string ip;
};

struct LoginResult {
  bool ok = false;
  bool throttled = false;               // refused without checking: too many failures (429)
  std::chrono::seconds retry_after{0};  // when throttled: the wait before the next attempt may be made
  bool password_checked = false;  // the attempt reached the argon2id verification (false when throttled)
  std::string failure;  // for the audit only: unknown_user, bad_password, bad_totp, disabled, throttled
  std::string token;    // on success: give this to the client, never store it
  store::Session session;
  store::User user;  // on success; on failure, the user if the name exists (for the audit)
};

// A non-ok Result only when the directory cannot be used.
Result<LoginResult> Login(store::Directory& dir, const LoginPolicy& p, const LoginAttempt& a, Timestamp now);

struct Authenticated {
  store::User user;
  store::Session session;
};
// nullopt for a token that is malformed, unknown, expired, idle too long or
// whose account is disabled.
Result<std::optional<Authenticated>> Authenticate(store::Directory& dir, const LoginPolicy& p,
                                                  std::string_view token, Timestamp now);
Status Logout(store::Directory& dir, std::string_view token);

}  // namespace continuum::access
