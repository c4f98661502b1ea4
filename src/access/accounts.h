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
// for the audit trail only. Failures are counted per user name and per
// address; past the limit the key is locked for a while (429).
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
  int max_user_failures = 5;                // per user name, within the window
  int max_ip_failures = 50;                 // per address, within the window
  std::chrono::seconds failure_window{15 * 60};
  std::chrono::seconds lockout{15 * 60};
};

struct LoginAttempt {
  std::string username;
  std::string password;
  std::string totp;  // 6 digits, when the account has a second factor
  std::string ip;
};

struct LoginResult {
  bool ok = false;
  bool throttled = false;  // refused without checking: too many failures (429)
  std::string failure;     // for the audit only: unknown_user, bad_password, bad_totp, disabled, throttled
  std::string token;       // on success: give this to the client, never store it
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
