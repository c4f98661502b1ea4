// Private to src/store: the Directory (directory.h), written once over
// SqlConnection like the Store it belongs to, in the tables of schema
// migration 2.
//
// A change to an agency, team, user, break-glass grant or alert runs on the
// Store's writer, inside an append transaction (group commit): it checks,
// writes the row, reads it back and appends the directory.* event that
// records it (directory_log.h), so the row and its event commit together or
// not at all. Sessions, login throttling and TOTP steps lease a connection
// from the Store's pool: a change that is one statement runs on its own; one
// that must read before it writes runs in a short transaction of its own
// (BeginUpdate). Read-modify-write of a single record (ClaimTotpStep) is one
// conditional statement, so two processes cannot both win;
// UpdateLoginThrottles locks its records (SQLite: the write lock taken at
// BEGIN; PostgreSQL: each row, created if missing, in key order) before it
// reads them.
//
// Decisions the header leaves open:
//   - Text is checked before it reaches the database: ids, user names, roles
//     and kinds as identifiers (1..128 bytes, no control characters, no
//     leading or trailing space); names at most 200 bytes (may be empty);
//     reasons and alert details at most 4096 bytes; times must be UTC
//     "YYYY-MM-DDTHH:MM:SSZ". created_at, updated_at, granted_at and a
//     session's created_at and last_seen_at left empty are set to now.
//   - User names are lowercased in ASCII only (as SQLite's lower() and
//     PostgreSQL's under the "C" collation do); other letters must match.
//   - UpdateUser never moves totp_last_step backwards: a stale copy of the
//     user written back cannot make a used code valid again.
//   - Deleting a session, a user's sessions or a throttle record that does
//     not exist is not an error; acknowledging an alert already acknowledged
//     keeps the first acknowledgement and is not an error.
//   - A session or break-glass grant for an unknown user is kNotFound.
//   - ListAlerts with limit 0 lists every alert.
#pragma once

#include <functional>

#include "store/directory.h"
#include "store/sql.h"
#include "store/store.h"

namespace continuum::store::internal {

class SqlDirectory final : public Directory {
 public:
  // Work on the writer's connection, inside its transaction; the events it
  // adds are chained after it in the same transaction.
  using ChainedWork = std::function<Status(SqlConnection&, std::vector<Event>*)>;
  // Runs work as above and waits until it is committed (or has failed).
  using RunChained = std::function<Status(const ChainedWork&)>;

  SqlDirectory(ConnectionPool* pool, RunChained run_chained)
      : pool_(pool), run_chained_(std::move(run_chained)) {}

  Status PutAgency(const Agency& a) override;
  Result<std::optional<Agency>> GetAgency(const std::string& id) override;
  Result<std::vector<Agency>> ListAgencies() override;

  Status PutTeam(const Team& t) override;
  Result<std::optional<Team>> GetTeam(const std::string& id) override;
  Result<std::vector<Team>> ListTeams() override;

  Status CreateUser(const User& u) override;
  Status UpdateUser(const User& u) override;
  Result<std::optional<User>> GetUser(const std::string& id) override;
  Result<std::optional<User>> FindUserByName(const std::string& username) override;
  Result<std::vector<User>> ListUsers() override;
  Result<bool> ClaimTotpStep(const std::string& user_id, int64_t step) override;

  Status CreateSession(const Session& s) override;
  Result<std::optional<Session>> GetSession(const std::string& token_hash) override;
  Status TouchSession(const std::string& token_hash, const std::string& now) override;
  Status DeleteSession(const std::string& token_hash) override;
  Status DeleteUserSessions(const std::string& user_id) override;
  Status DeleteExpiredSessions(const std::string& now, const std::string& idle_before) override;

  Status UpdateLoginThrottles(const std::vector<std::string>& keys, const ThrottleUpdate& update) override;
  Result<std::optional<LoginThrottle>> GetLoginThrottle(const std::string& key) override;
  Status ClearLoginThrottle(const std::string& key) override;

  Status CreateBreakGlass(const BreakGlassGrant& g) override;
  Result<std::vector<BreakGlassGrant>> ActiveBreakGlass(const std::string& user_id,
                                                        const std::string& child_id,
                                                        const std::string& now) override;

  Result<int64_t> CreateAlert(const Alert& a) override;
  Result<std::vector<Alert>> ListAlerts(bool unacknowledged_only, int64_t before_id, size_t limit) override;
  Result<std::optional<Alert>> GetAlert(int64_t id) override;
  Result<std::vector<BreakGlassGrant>> RecentBreakGlass(const std::string& user_id,
                                                        const std::string& since) override;
  Status AcknowledgeAlert(int64_t id, const std::string& user_id, const std::string& at) override;

 private:
  // `work` inside BeginUpdate … Commit on a leased connection; rolled back
  // if it fails.
  Status InTransaction(const std::function<Status(SqlConnection&)>& work);
  // One statement on a leased connection, outside any transaction.
  Status Run(std::string_view sql, std::initializer_list<SqlParam> params, const RowCallback& on_row = {});
  Result<int64_t> RunCountingChanges(std::string_view sql, std::initializer_list<SqlParam> params);

  ConnectionPool* pool_;
  RunChained run_chained_;
};

}  // namespace continuum::store::internal
