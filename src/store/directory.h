// The directory: agencies, teams, user accounts, sessions, login throttling,
// break-glass grants and alerts. Unlike the event log these are mutable
// records (a password is reset, a session ends), kept in the same database as
// the log so that several `continuum serve` processes share them.
//
// Every change to an agency, team, user, break-glass grant or alert is also
// appended to the log as a directory.* event (store.h, kDirectoryPrefix) in
// the same transaction as the row: both are written or neither. The event
// holds the record as it now is, with BLAKE2b digests in place of the
// password hash and TOTP secret, so Verify can replay the directory and
// report a row edited, added or removed behind Continuum's back. Sessions,
// login throttling and the last accepted TOTP step are ephemeral and stay
// out of the log. Who asked for a change is in the audit trail (audit.*).
//
//   store::Directory& dir = store->directory();
//   auto user = dir.FindUserByName("a.jones");            // nullopt if none
//   dir.CreateSession({.token_hash = h, .user_id = user->id, …});
//
// Secrets never reach this interface in clear: passwords arrive as argon2id
// hash strings, session tokens as their BLAKE2b hash. A TOTP secret is stored
// as given (it must be, to check codes), so the database is as sensitive as
// any credential store.
//
// Times are UTC "YYYY-MM-DDTHH:MM:SSZ" strings, compared as text.
// Errors: kInvalidArgument (a value that does not fit, e.g. an id over 128
// bytes), kNotFound (updating a record that does not exist), kConflict (a
// duplicate id or user name), kUnavailable (database), kInternal.
// Thread-safety: may be used from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace continuum::store {

struct Agency {
  std::string id;    // "school-42"
  std::string name;  // "Riverside Primary School"
  std::string kind;  // school | health | police | early_help | social_care | local_authority | voluntary | other
};

struct Team {
  std::string id;
  std::string agency_id;
  std::string name;
  // The pathway duty the team holds, as "FRAMEWORK/DUTY" (the framework's
  // `duties:`, e.g. "worcestershire/front_door"), or "" for none. The team
  // then owns that framework's duty deadlines (docs/access.md).
  std::string duty;
};

struct User {
  std::string id;             // "u-7"
  std::string username;       // unique, compared case-insensitively (stored lowercased)
  std::string display_name;
  std::string role;           // practitioner | lead_professional | team_leader | front_door | social_worker
                              // | safeguarding_lead | analyst | administrator
  std::string agency_id;
  std::string team_id;        // "" if none
  std::string password_hash;  // argon2id, libsodium's encoded string
  std::string totp_secret;    // base32, "" when no second factor
  int64_t totp_last_step = 0; // last TOTP time step accepted (a code is never accepted twice)
  bool disabled = false;
  bool must_change_password = false;
  std::string created_at;
  std::string updated_at;
};

struct Session {
  std::string token_hash;  // 64 hex (BLAKE2b-256 of the token); the token itself is never stored
  std::string user_id;
  std::string created_at;
  std::string last_seen_at;  // idle timeout counts from here
  std::string expires_at;    // absolute timeout
  std::string ip;            // where the login came from, for the audit
};

// Login attempts counted under one key (a user name, an address, or both:
// the keys and what the counts mean are access::Login's).
struct LoginThrottle {
  std::string key;
  int failures = 0;
  std::string last_at;       // when the record last counted something ("" if never)
  std::string locked_until;  // no attempt under this key before then; "" when not locked
  bool operator==(const LoginThrottle&) const = default;
};

struct BreakGlassGrant {
  std::string id;  // 32 hex
  std::string user_id;
  std::string child_id;
  std::string reason;
  std::string granted_at;
  std::string expires_at;
};

// Alerts for safeguarding leads (break-glass use, for now).
struct Alert {
  int64_t id = 0;  // assigned
  std::string kind;  // "break_glass"
  std::string child_id;
  std::string user_id;
  std::string agency_id;
  std::string detail;
  std::string created_at;
  std::string acknowledged_by;  // "" until acknowledged
  std::string acknowledged_at;
};

class Directory {
 public:
  virtual ~Directory() = default;

  virtual Status PutAgency(const Agency& a) = 0;  // insert or update by id
  virtual Result<std::optional<Agency>> GetAgency(const std::string& id) = 0;
  virtual Result<std::vector<Agency>> ListAgencies() = 0;  // by id

  virtual Status PutTeam(const Team& t) = 0;  // insert or update by id; the agency must exist (kNotFound)
  virtual Result<std::optional<Team>> GetTeam(const std::string& id) = 0;
  virtual Result<std::vector<Team>> ListTeams() = 0;  // by id

  // The agency (and team, if set) must exist: kNotFound otherwise.
  virtual Status CreateUser(const User& u) = 0;  // kConflict on a taken id or user name
  virtual Status UpdateUser(const User& u) = 0;  // every field but id and created_at; kNotFound
  virtual Result<std::optional<User>> GetUser(const std::string& id) = 0;
  virtual Result<std::optional<User>> FindUserByName(const std::string& username) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;  // by id
  // Accepts TOTP step `step` for the user only if it is later than the last
  // accepted one (atomically: two logins cannot use one code). False if not.
  virtual Result<bool> ClaimTotpStep(const std::string& user_id, int64_t step) = 0;

  virtual Status CreateSession(const Session& s) = 0;
  virtual Result<std::optional<Session>> GetSession(const std::string& token_hash) = 0;
  virtual Status TouchSession(const std::string& token_hash, const std::string& now) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  virtual Status DeleteUserSessions(const std::string& user_id) = 0;
  virtual Status DeleteExpiredSessions(const std::string& now, const std::string& idle_before) = 0;

  // Reads the records under `keys` (at most 8, no repeats; nullopt where
  // there is none), lets `update` change them, and writes back what it
  // leaves (nullopt: delete) — in one transaction that no other update of
  // any of these keys, in any process, can interleave with. So a login
  // attempt can be checked against its limits and counted before anyone
  // else's is. `update` must only compute (it runs inside the transaction);
  // the record keys it leaves are ignored (`keys` are used), and times it
  // sets must be UTC "YYYY-MM-DDTHH:MM:SSZ" or "".
  using ThrottleUpdate = std::function<void(std::vector<std::optional<LoginThrottle>>& records)>;
  virtual Status UpdateLoginThrottles(const std::vector<std::string>& keys, const ThrottleUpdate& update) = 0;
  virtual Result<std::optional<LoginThrottle>> GetLoginThrottle(const std::string& key) = 0;
  virtual Status ClearLoginThrottle(const std::string& key) = 0;

  virtual Status CreateBreakGlass(const BreakGlassGrant& g) = 0;
  // Grants of this user for this child that have not expired at `now`, latest first.
  virtual Result<std::vector<BreakGlassGrant>> ActiveBreakGlass(const std::string& user_id,
                                                                const std::string& child_id,
                                                                const std::string& now) = 0;
  // Grants of this user (any child) made at or after `since`, latest first.
  virtual Result<std::vector<BreakGlassGrant>> RecentBreakGlass(const std::string& user_id,
                                                                const std::string& since) = 0;

  virtual Result<int64_t> CreateAlert(const Alert& a) = 0;
  // Newest first; `before_id` > 0 pages on from there (ids below it).
  virtual Result<std::vector<Alert>> ListAlerts(bool unacknowledged_only, int64_t before_id, size_t limit) = 0;
  virtual Result<std::optional<Alert>> GetAlert(int64_t id) = 0;
  virtual Status AcknowledgeAlert(int64_t id, const std::string& user_id, const std::string& at) = 0;
};

}  // namespace continuum::store
