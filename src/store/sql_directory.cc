#include "store/sql_directory.h"

#include <algorithm>
#include <limits>

#include "store/directory_log.h"
#include "store/event_format.h"

namespace continuum::store::internal {
namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxSecretBytes = 1024;  // an argon2id hash string, a base32 TOTP secret
constexpr size_t kMaxDetailBytes = 4096;  // reasons and alert details

// ---- Checking values ------------------------------------------------------

Status CheckId(const std::string& field, const std::string& value) {
  return CheckText(field, value, TextRule::kIdentifier, kMaxIdBytes);
}

Status CheckOptionalId(const std::string& field, const std::string& value) {
  return value.empty() ? Status::Ok() : CheckId(field, value);
}

Status CheckName(const std::string& field, const std::string& value) {
  return value.empty() ? Status::Ok() : CheckText(field, value, TextRule::kIdentifier, kMaxNameBytes);
}

Status CheckDetail(const std::string& field, const std::string& value, bool required) {
  if (required && value.empty()) return InvalidArgument(field + " is required");
  return CheckText(field, value, TextRule::kFreeText, kMaxDetailBytes);
}

// Like an identifier, but the value is never quoted in a message.
Status CheckSecret(const std::string& field, const std::string& value) {
  if (value.size() > kMaxSecretBytes) {
    return InvalidArgument(field + " is " + std::to_string(value.size()) + " bytes; at most " +
                           std::to_string(kMaxSecretBytes) + " are allowed");
  }
  if (!IsValidUtf8(value)) return InvalidArgument(field + " is not valid UTF-8");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return InvalidArgument(field + " contains a control character");
  }
  return Status::Ok();
}

Status CheckTime(const std::string& field, const std::string& value) {
  if (value.empty()) return InvalidArgument(field + " is required (a UTC time YYYY-MM-DDTHH:MM:SSZ)");
  if (!IsUtcTime(value)) {
    return InvalidArgument(field + " " + Quote(value) +
                           " is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
  }
  return Status::Ok();
}

// A time that defaults to now when left empty.
Result<std::string> TimeOrNow(const std::string& field, const std::string& value) {
  if (value.empty()) return UtcNow();
  CONTINUUM_RETURN_IF_ERROR(CheckTime(field, value));
  return value;
}

Status CheckTokenHash(const std::string& field, const std::string& value) {
  if (!IsLowerHex(value, 64)) {
    return InvalidArgument(field + " " + Quote(value) +
                           " is not 64 lowercase hex digits (a BLAKE2b-256 hash)");
  }
  return Status::Ok();
}

std::string AsciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

SqlParam TextOrNull(const std::string& s) { return s.empty() ? SqlParam::Null() : SqlParam::Text(s); }
SqlParam Bool(bool b) { return SqlParam::Int(b ? 1 : 0); }

// ---- Reading rows ---------------------------------------------------------

constexpr std::string_view kAgencyColumns = "id, name, kind";
constexpr std::string_view kTeamColumns = "id, agency_id, name, duty";
constexpr std::string_view kUserColumns =
    "id, username, display_name, role, agency_id, team_id, password_hash, totp_secret, totp_last_step, "
    "disabled, must_change_password, created_at, updated_at";
constexpr std::string_view kSessionColumns = "token_hash, user_id, created_at, last_seen_at, expires_at, ip";
// login_throttle.window_start holds LoginThrottle::last_at.
constexpr std::string_view kThrottleColumns = "key, failures, window_start, locked_until";
constexpr std::string_view kBreakGlassColumns = "id, user_id, child_id, reason, granted_at, expires_at";
constexpr std::string_view kAlertColumns =
    "id, kind, child_id, user_id, agency_id, detail, created_at, acknowledged_by, acknowledged_at";

std::string Select(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

Agency ReadAgency(const SqlRow& r) {
  return {std::string(r.Text(0)), std::string(r.Text(1)), std::string(r.Text(2))};
}

Team ReadTeam(const SqlRow& r) {
  return {std::string(r.Text(0)), std::string(r.Text(1)), std::string(r.Text(2)), std::string(r.Text(3))};
}

User ReadUser(const SqlRow& r) {
  User u;
  u.id = r.Text(0);
  u.username = r.Text(1);
  u.display_name = r.Text(2);
  u.role = r.Text(3);
  u.agency_id = r.Text(4);
  u.team_id = r.Text(5);  // "" for null
  u.password_hash = r.Text(6);
  u.totp_secret = r.Text(7);
  u.totp_last_step = r.Int(8);
  u.disabled = r.Int(9) != 0;
  u.must_change_password = r.Int(10) != 0;
  u.created_at = r.Text(11);
  u.updated_at = r.Text(12);
  return u;
}

Session ReadSession(const SqlRow& r) {
  return {std::string(r.Text(0)), std::string(r.Text(1)), std::string(r.Text(2)),
          std::string(r.Text(3)), std::string(r.Text(4)), std::string(r.Text(5))};
}

LoginThrottle ReadThrottle(const SqlRow& r) {
  return {std::string(r.Text(0)), static_cast<int>(r.Int(1)), std::string(r.Text(2)), std::string(r.Text(3))};
}

BreakGlassGrant ReadBreakGlass(const SqlRow& r) {
  return {std::string(r.Text(0)), std::string(r.Text(1)), std::string(r.Text(2)),
          std::string(r.Text(3)), std::string(r.Text(4)), std::string(r.Text(5))};
}

Alert ReadAlert(const SqlRow& r) {
  Alert a;
  a.id = r.Int(0);
  a.kind = r.Text(1);
  a.child_id = r.Text(2);
  a.user_id = r.Text(3);
  a.agency_id = r.Text(4);
  a.detail = r.Text(5);
  a.created_at = r.Text(6);
  a.acknowledged_by = r.Text(7);
  a.acknowledged_at = r.Text(8);
  return a;
}

// ---- Existence, inside a transaction --------------------------------------

Result<bool> Exists(SqlConnection& c, std::string_view sql, const std::string& id) {
  bool found = false;
  Status st = c.Run(sql, {SqlParam::Text(id)}, [&](const SqlRow&) {
    found = true;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return found;
}

Status MustExist(SqlConnection& c, std::string_view table, const std::string& field, const std::string& id) {
  Result<bool> found = Exists(c, "SELECT 1 FROM " + std::string(table) + " WHERE id = ?", id);
  if (!found.ok()) return found.status();
  if (!*found) return NotFound(field + " " + Quote(id) + " does not exist");
  return Status::Ok();
}

// The agency and team a user names must exist.
Status CheckUserReferences(SqlConnection& c, const User& u) {
  CONTINUUM_RETURN_IF_ERROR(MustExist(c, "agencies", "user.agency_id: the agency", u.agency_id));
  if (!u.team_id.empty())
    CONTINUUM_RETURN_IF_ERROR(MustExist(c, "teams", "user.team_id: the team", u.team_id));
  return Status::Ok();
}

// Checks every field of a user given to CreateUser or UpdateUser; returns the
// user as stored (name lowercased, times filled in).
Result<User> CheckedUser(const User& given) {
  User u = given;
  CONTINUUM_RETURN_IF_ERROR(CheckId("user.id", u.id));
  CONTINUUM_RETURN_IF_ERROR(CheckId("user.username", u.username));
  u.username = AsciiLower(u.username);
  CONTINUUM_RETURN_IF_ERROR(CheckName("user.display_name", u.display_name));
  CONTINUUM_RETURN_IF_ERROR(CheckId("user.role", u.role));
  CONTINUUM_RETURN_IF_ERROR(CheckId("user.agency_id", u.agency_id));
  CONTINUUM_RETURN_IF_ERROR(CheckOptionalId("user.team_id", u.team_id));
  CONTINUUM_RETURN_IF_ERROR(CheckSecret("user.password_hash", u.password_hash));
  CONTINUUM_RETURN_IF_ERROR(CheckSecret("user.totp_secret", u.totp_secret));
  if (u.totp_last_step < 0) {
    return InvalidArgument("user.totp_last_step is " + std::to_string(u.totp_last_step) +
                           "; it must be 0 or more");
  }
  Result<std::string> created = TimeOrNow("user.created_at", u.created_at);
  if (!created.ok()) return created.status();
  u.created_at = *created;
  Result<std::string> updated = TimeOrNow("user.updated_at", u.updated_at);
  if (!updated.ok()) return updated.status();
  u.updated_at = *updated;
  return u;
}

}  // namespace

// ---------------------------------------------------------------------------
// Connections and transactions

Status SqlDirectory::InTransaction(const std::function<Status(SqlConnection&)>& work) {
  Result<ConnectionPool::Lease> lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  SqlConnection& c = **lease;
  Status st = c.BeginUpdate();
  if (st.ok()) st = work(c);
  if (st.ok()) st = c.Commit();
  if (!st.ok()) c.RollbackQuietly();
  return st;
}

Status SqlDirectory::Run(std::string_view sql, std::initializer_list<SqlParam> params,
                         const RowCallback& on_row) {
  Result<ConnectionPool::Lease> lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  return (*lease)->Run(sql, params, on_row);
}

Result<int64_t> SqlDirectory::RunCountingChanges(std::string_view sql,
                                                 std::initializer_list<SqlParam> params) {
  Result<ConnectionPool::Lease> lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  return (*lease)->RunCountingChanges(sql, params);
}

namespace {

// Reads the record with `key`, runs `write`, and records the change in the
// log (directory_log.h): the body of every chained directory change.
Status WriteAndRecord(SqlConnection& c, DirectoryKind kind, const std::string& key,
                      std::vector<Event>* events,
                      const std::function<Status(const std::optional<DirectoryRecord>& before)>& write) {
  Result<std::optional<DirectoryRecord>> before = ReadDirectoryRecord(c, kind, key);
  if (!before.ok()) return before.status();
  CONTINUUM_RETURN_IF_ERROR(write(*before));
  return RecordDirectoryChange(c, kind, key, *before, events);
}

}  // namespace

// ---------------------------------------------------------------------------
// Agencies and teams

Status SqlDirectory::PutAgency(const Agency& a) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("agency.id", a.id));
  CONTINUUM_RETURN_IF_ERROR(CheckName("agency.name", a.name));
  CONTINUUM_RETURN_IF_ERROR(CheckId("agency.kind", a.kind));
  return run_chained_([&](SqlConnection& c, std::vector<Event>* events) {
    return WriteAndRecord(c, DirectoryKind::kAgency, a.id, events, [&](const auto&) {
      return c.Run(
          "INSERT INTO agencies (id, name, kind) VALUES (?, ?, ?) "
          "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind",
          {SqlParam::Text(a.id), SqlParam::Text(a.name), SqlParam::Text(a.kind)});
    });
  });
}

Result<std::optional<Agency>> SqlDirectory::GetAgency(const std::string& id) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("agency id", id));
  std::optional<Agency> out;
  CONTINUUM_RETURN_IF_ERROR(
      Run(Select(kAgencyColumns, "FROM agencies WHERE id = ?"), {SqlParam::Text(id)}, [&](const SqlRow& r) {
        out = ReadAgency(r);
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<Agency>> SqlDirectory::ListAgencies() {
  std::vector<Agency> out;
  CONTINUUM_RETURN_IF_ERROR(
      Run(Select(kAgencyColumns, "FROM agencies ORDER BY id"), {}, [&](const SqlRow& r) {
        out.push_back(ReadAgency(r));
        return Status::Ok();
      }));
  return out;
}

Status SqlDirectory::PutTeam(const Team& t) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("team.id", t.id));
  CONTINUUM_RETURN_IF_ERROR(CheckId("team.agency_id", t.agency_id));
  CONTINUUM_RETURN_IF_ERROR(CheckName("team.name", t.name));
  if (t.duty.size() > 200) return InvalidArgument("team.duty: at most 200 characters");
  return run_chained_([&](SqlConnection& c, std::vector<Event>* events) {
    CONTINUUM_RETURN_IF_ERROR(MustExist(c, "agencies", "team.agency_id: the agency", t.agency_id));
    return WriteAndRecord(c, DirectoryKind::kTeam, t.id, events, [&](const auto&) {
      return c.Run(
          "INSERT INTO teams (id, agency_id, name, front_door, duty) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (id) DO UPDATE SET agency_id = excluded.agency_id, name = excluded.name, "
          "front_door = excluded.front_door, duty = excluded.duty",
          {SqlParam::Text(t.id), SqlParam::Text(t.agency_id), SqlParam::Text(t.name), Bool(!t.duty.empty()),
           SqlParam::Text(t.duty)});
    });
  });
}

Result<std::optional<Team>> SqlDirectory::GetTeam(const std::string& id) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("team id", id));
  std::optional<Team> out;
  CONTINUUM_RETURN_IF_ERROR(
      Run(Select(kTeamColumns, "FROM teams WHERE id = ?"), {SqlParam::Text(id)}, [&](const SqlRow& r) {
        out = ReadTeam(r);
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<Team>> SqlDirectory::ListTeams() {
  std::vector<Team> out;
  CONTINUUM_RETURN_IF_ERROR(Run(Select(kTeamColumns, "FROM teams ORDER BY id"), {}, [&](const SqlRow& r) {
    out.push_back(ReadTeam(r));
    return Status::Ok();
  }));
  return out;
}

// ---------------------------------------------------------------------------
// Users

Status SqlDirectory::CreateUser(const User& given) {
  Result<User> checked = CheckedUser(given);
  if (!checked.ok()) return checked.status();
  const User& u = *checked;
  return run_chained_([&](SqlConnection& c, std::vector<Event>* events) {
    CONTINUUM_RETURN_IF_ERROR(CheckUserReferences(c, u));
    Result<bool> taken = Exists(c, "SELECT 1 FROM users WHERE id = ?", u.id);
    if (!taken.ok()) return taken.status();
    if (*taken) return Conflict("user.id " + Quote(u.id) + " is taken");
    taken = Exists(c, "SELECT 1 FROM users WHERE username = ?", u.username);
    if (!taken.ok()) return taken.status();
    if (*taken) return Conflict("user.username " + Quote(u.username) + " is taken");
    CONTINUUM_RETURN_IF_ERROR(
        c.Run("INSERT INTO users (" + std::string(kUserColumns) +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {SqlParam::Text(u.id), SqlParam::Text(u.username), SqlParam::Text(u.display_name),
               SqlParam::Text(u.role), SqlParam::Text(u.agency_id), TextOrNull(u.team_id),
               SqlParam::Text(u.password_hash), SqlParam::Text(u.totp_secret),
               SqlParam::Int(u.totp_last_step), Bool(u.disabled), Bool(u.must_change_password),
               SqlParam::Text(u.created_at), SqlParam::Text(u.updated_at)}));
    return RecordDirectoryChange(c, DirectoryKind::kUser, u.id, std::nullopt, events);
  });
}

Status SqlDirectory::UpdateUser(const User& given) {
  User without_created = given;
  without_created.created_at = "";  // the stored one is kept, so the given one is not checked
  Result<User> checked = CheckedUser(without_created);
  if (!checked.ok()) return checked.status();
  const User& u = *checked;
  return run_chained_([&](SqlConnection& c, std::vector<Event>* events) {
    Result<std::optional<DirectoryRecord>> before = ReadDirectoryRecord(c, DirectoryKind::kUser, u.id);
    if (!before.ok()) return before.status();
    if (!*before) return NotFound("the user " + Quote(u.id) + " does not exist");
    CONTINUUM_RETURN_IF_ERROR(CheckUserReferences(c, u));
    bool other = false;
    CONTINUUM_RETURN_IF_ERROR(c.Run("SELECT 1 FROM users WHERE username = ? AND id <> ?",
                                    {SqlParam::Text(u.username), SqlParam::Text(u.id)}, [&](const SqlRow&) {
                                      other = true;
                                      return Status::Ok();
                                    }));
    if (other) return Conflict("user.username " + Quote(u.username) + " is taken by another user");
    // totp_last_step only moves forward (see sql_directory.h).
    CONTINUUM_RETURN_IF_ERROR(
        c.Run("UPDATE users SET username = ?, display_name = ?, role = ?, agency_id = ?, team_id = ?, "
              "password_hash = ?, totp_secret = ?, "
              "totp_last_step = CASE WHEN totp_last_step < ? THEN ? ELSE totp_last_step END, "
              "disabled = ?, must_change_password = ?, updated_at = ? WHERE id = ?",
              {SqlParam::Text(u.username), SqlParam::Text(u.display_name), SqlParam::Text(u.role),
               SqlParam::Text(u.agency_id), TextOrNull(u.team_id), SqlParam::Text(u.password_hash),
               SqlParam::Text(u.totp_secret), SqlParam::Int(u.totp_last_step),
               SqlParam::Int(u.totp_last_step), Bool(u.disabled), Bool(u.must_change_password),
               SqlParam::Text(u.updated_at), SqlParam::Text(u.id)}));
    return RecordDirectoryChange(c, DirectoryKind::kUser, u.id, *before, events);
  });
}

Result<std::optional<User>> SqlDirectory::GetUser(const std::string& id) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("user id", id));
  std::optional<User> out;
  CONTINUUM_RETURN_IF_ERROR(
      Run(Select(kUserColumns, "FROM users WHERE id = ?"), {SqlParam::Text(id)}, [&](const SqlRow& r) {
        out = ReadUser(r);
        return Status::Ok();
      }));
  return out;
}

Result<std::optional<User>> SqlDirectory::FindUserByName(const std::string& username) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("username", username));
  const std::string lower = AsciiLower(username);
  std::optional<User> out;
  CONTINUUM_RETURN_IF_ERROR(Run(Select(kUserColumns, "FROM users WHERE username = ?"),
                                {SqlParam::Text(lower)}, [&](const SqlRow& r) {
                                  out = ReadUser(r);
                                  return Status::Ok();
                                }));
  return out;
}

Result<std::vector<User>> SqlDirectory::ListUsers() {
  std::vector<User> out;
  CONTINUUM_RETURN_IF_ERROR(Run(Select(kUserColumns, "FROM users ORDER BY id"), {}, [&](const SqlRow& r) {
    out.push_back(ReadUser(r));
    return Status::Ok();
  }));
  return out;
}

Result<bool> SqlDirectory::ClaimTotpStep(const std::string& user_id, int64_t step) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("user_id", user_id));
  if (step < 0) return InvalidArgument("step is " + std::to_string(step) + "; it must be 0 or more");
  // One statement: of two logins presenting the same code, one updates the
  // row and the other finds the condition false.
  Result<int64_t> changed =
      RunCountingChanges("UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
                         {SqlParam::Int(step), SqlParam::Text(user_id), SqlParam::Int(step)});
  if (!changed.ok()) return changed.status();
  if (*changed > 0) return true;
  bool found = false;
  CONTINUUM_RETURN_IF_ERROR(
      Run("SELECT 1 FROM users WHERE id = ?", {SqlParam::Text(user_id)}, [&](const SqlRow&) {
        found = true;
        return Status::Ok();
      }));
  if (!found) return NotFound("the user " + Quote(user_id) + " does not exist");
  return false;
}

// ---------------------------------------------------------------------------
// Sessions

Status SqlDirectory::CreateSession(const Session& given) {
  Session s = given;
  CONTINUUM_RETURN_IF_ERROR(CheckTokenHash("session.token_hash", s.token_hash));
  CONTINUUM_RETURN_IF_ERROR(CheckId("session.user_id", s.user_id));
  Result<std::string> created = TimeOrNow("session.created_at", s.created_at);
  if (!created.ok()) return created.status();
  s.created_at = *created;
  Result<std::string> seen = TimeOrNow("session.last_seen_at", s.last_seen_at);
  if (!seen.ok()) return seen.status();
  s.last_seen_at = *seen;
  CONTINUUM_RETURN_IF_ERROR(CheckTime("session.expires_at", s.expires_at));
  CONTINUUM_RETURN_IF_ERROR(CheckName("session.ip", s.ip));
  return InTransaction([&](SqlConnection& c) {
    CONTINUUM_RETURN_IF_ERROR(MustExist(c, "users", "session.user_id: the user", s.user_id));
    Result<bool> taken = Exists(c, "SELECT 1 FROM sessions WHERE token_hash = ?", s.token_hash);
    if (!taken.ok()) return taken.status();
    if (*taken) return Conflict("a session with this session.token_hash exists already");
    return c.Run("INSERT INTO sessions (" + std::string(kSessionColumns) + ") VALUES (?, ?, ?, ?, ?, ?)",
                 {SqlParam::Text(s.token_hash), SqlParam::Text(s.user_id), SqlParam::Text(s.created_at),
                  SqlParam::Text(s.last_seen_at), SqlParam::Text(s.expires_at), SqlParam::Text(s.ip)});
  });
}

Result<std::optional<Session>> SqlDirectory::GetSession(const std::string& token_hash) {
  CONTINUUM_RETURN_IF_ERROR(CheckTokenHash("token_hash", token_hash));
  std::optional<Session> out;
  CONTINUUM_RETURN_IF_ERROR(Run(Select(kSessionColumns, "FROM sessions WHERE token_hash = ?"),
                                {SqlParam::Text(token_hash)}, [&](const SqlRow& r) {
                                  out = ReadSession(r);
                                  return Status::Ok();
                                }));
  return out;
}

Status SqlDirectory::TouchSession(const std::string& token_hash, const std::string& now) {
  CONTINUUM_RETURN_IF_ERROR(CheckTokenHash("token_hash", token_hash));
  CONTINUUM_RETURN_IF_ERROR(CheckTime("now", now));
  Result<int64_t> changed = RunCountingChanges("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                                               {SqlParam::Text(now), SqlParam::Text(token_hash)});
  if (!changed.ok()) return changed.status();
  if (*changed == 0) return NotFound("the session does not exist (it ended or expired)");
  return Status::Ok();
}

Status SqlDirectory::DeleteSession(const std::string& token_hash) {
  CONTINUUM_RETURN_IF_ERROR(CheckTokenHash("token_hash", token_hash));
  return Run("DELETE FROM sessions WHERE token_hash = ?", {SqlParam::Text(token_hash)});
}

Status SqlDirectory::DeleteUserSessions(const std::string& user_id) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("user_id", user_id));
  return Run("DELETE FROM sessions WHERE user_id = ?", {SqlParam::Text(user_id)});
}

Status SqlDirectory::DeleteExpiredSessions(const std::string& now, const std::string& idle_before) {
  CONTINUUM_RETURN_IF_ERROR(CheckTime("now", now));
  if (idle_before.empty()) {
    return Run("DELETE FROM sessions WHERE expires_at <= ?", {SqlParam::Text(now)});
  }
  CONTINUUM_RETURN_IF_ERROR(CheckTime("idle_before", idle_before));
  return Run("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?",
             {SqlParam::Text(now), SqlParam::Text(idle_before)});
}

// ---------------------------------------------------------------------------
// Login throttling

Status SqlDirectory::UpdateLoginThrottles(const std::vector<std::string>& keys,
                                          const ThrottleUpdate& update) {
  constexpr size_t kMaxKeys = 8;
  if (keys.empty() || keys.size() > kMaxKeys) {
    return InvalidArgument("UpdateLoginThrottles takes 1 to " + std::to_string(kMaxKeys) + " keys, not " +
                           std::to_string(keys.size()));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    CONTINUUM_RETURN_IF_ERROR(CheckId("keys[" + std::to_string(i) + "]", keys[i]));
    for (size_t j = 0; j < i; ++j) {
      if (keys[j] == keys[i])
        return InvalidArgument("keys[" + std::to_string(i) + "] repeats keys[" + std::to_string(j) + "]");
    }
  }
  // Locked in key order, so that two updates of overlapping keys cannot
  // each wait for the other. A missing record is created empty (a row to
  // lock) and treated as none.
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return keys[x] < keys[y]; });
  return InTransaction([&](SqlConnection& c) -> Status {
    std::vector<std::optional<LoginThrottle>> records(keys.size());
    for (size_t i : order) {
      CONTINUUM_RETURN_IF_ERROR(c.Run(
          "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES (?, 0, '', '') "
          "ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures "
          "RETURNING key, failures, window_start, locked_until",
          {SqlParam::Text(keys[i])}, [&](const SqlRow& r) {
            LoginThrottle t = ReadThrottle(r);
            if (t.failures != 0 || !t.last_at.empty() || !t.locked_until.empty()) records[i] = std::move(t);
            return Status::Ok();
          }));
    }
    update(records);
    if (records.size() != keys.size())
      return Internal("a login throttle update changed the number of records");
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string field = "login_throttle[" + keys[i] + "]";
      if (!records[i]) {
        CONTINUUM_RETURN_IF_ERROR(
            c.Run("DELETE FROM login_throttle WHERE key = ?", {SqlParam::Text(keys[i])}));
        continue;
      }
      const LoginThrottle& t = *records[i];
      if (t.failures < 0) return InvalidArgument(field + ".failures is negative");
      if (!t.last_at.empty()) CONTINUUM_RETURN_IF_ERROR(CheckTime(field + ".last_at", t.last_at));
      if (!t.locked_until.empty())
        CONTINUUM_RETURN_IF_ERROR(CheckTime(field + ".locked_until", t.locked_until));
      CONTINUUM_RETURN_IF_ERROR(
          c.Run("UPDATE login_throttle SET failures = ?, window_start = ?, locked_until = ? WHERE key = ?",
                {SqlParam::Int(t.failures), SqlParam::Text(t.last_at), SqlParam::Text(t.locked_until),
                 SqlParam::Text(keys[i])}));
    }
    return Status::Ok();
  });
}

Result<std::optional<LoginThrottle>> SqlDirectory::GetLoginThrottle(const std::string& key) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("key", key));
  std::optional<LoginThrottle> out;
  CONTINUUM_RETURN_IF_ERROR(Run(Select(kThrottleColumns, "FROM login_throttle WHERE key = ?"),
                                {SqlParam::Text(key)}, [&](const SqlRow& r) {
                                  out = ReadThrottle(r);
                                  return Status::Ok();
                                }));
  return out;
}

Status SqlDirectory::ClearLoginThrottle(const std::string& key) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("key", key));
  return Run("DELETE FROM login_throttle WHERE key = ?", {SqlParam::Text(key)});
}

// ---------------------------------------------------------------------------
// Break-glass grants

Status SqlDirectory::CreateBreakGlass(const BreakGlassGrant& given) {
  BreakGlassGrant g = given;
  if (!IsLowerHex(g.id, 32)) {
    return InvalidArgument("break_glass.id " + Quote(g.id) + " is not 32 lowercase hex digits");
  }
  CONTINUUM_RETURN_IF_ERROR(CheckId("break_glass.user_id", g.user_id));
  CONTINUUM_RETURN_IF_ERROR(CheckId("break_glass.child_id", g.child_id));
  CONTINUUM_RETURN_IF_ERROR(CheckDetail("break_glass.reason", g.reason, /*required=*/true));
  Result<std::string> granted = TimeOrNow("break_glass.granted_at", g.granted_at);
  if (!granted.ok()) return granted.status();
  g.granted_at = *granted;
  CONTINUUM_RETURN_IF_ERROR(CheckTime("break_glass.expires_at", g.expires_at));
  return run_chained_([&](SqlConnection& c, std::vector<Event>* events) {
    CONTINUUM_RETURN_IF_ERROR(MustExist(c, "users", "break_glass.user_id: the user", g.user_id));
    Result<bool> taken = Exists(c, "SELECT 1 FROM break_glass WHERE id = ?", g.id);
    if (!taken.ok()) return taken.status();
    if (*taken) return Conflict("break_glass.id " + Quote(g.id) + " is taken");
    CONTINUUM_RETURN_IF_ERROR(
        c.Run("INSERT INTO break_glass (" + std::string(kBreakGlassColumns) + ") VALUES (?, ?, ?, ?, ?, ?)",
              {SqlParam::Text(g.id), SqlParam::Text(g.user_id), SqlParam::Text(g.child_id),
               SqlParam::Text(g.reason), SqlParam::Text(g.granted_at), SqlParam::Text(g.expires_at)}));
    return RecordDirectoryChange(c, DirectoryKind::kBreakGlass, g.id, std::nullopt, events);
  });
}

Result<std::vector<BreakGlassGrant>> SqlDirectory::ActiveBreakGlass(const std::string& user_id,
                                                                    const std::string& child_id,
                                                                    const std::string& now) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("user_id", user_id));
  CONTINUUM_RETURN_IF_ERROR(CheckId("child_id", child_id));
  CONTINUUM_RETURN_IF_ERROR(CheckTime("now", now));
  std::vector<BreakGlassGrant> out;
  CONTINUUM_RETURN_IF_ERROR(
      Run(Select(kBreakGlassColumns,
                 "FROM break_glass WHERE user_id = ? AND child_id = ? AND expires_at > ? "
                 "ORDER BY granted_at DESC, id DESC"),
          {SqlParam::Text(user_id), SqlParam::Text(child_id), SqlParam::Text(now)}, [&](const SqlRow& r) {
            out.push_back(ReadBreakGlass(r));
            return Status::Ok();
          }));
  return out;
}

Result<std::vector<BreakGlassGrant>> SqlDirectory::RecentBreakGlass(const std::string& user_id,
                                                                    const std::string& since) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("user_id", user_id));
  CONTINUUM_RETURN_IF_ERROR(CheckTime("since", since));
  std::vector<BreakGlassGrant> out;
  CONTINUUM_RETURN_IF_ERROR(Run(Select(kBreakGlassColumns,
                                       "FROM break_glass WHERE user_id = ? AND granted_at >= ? "
                                       "ORDER BY granted_at DESC, id DESC"),
                                {SqlParam::Text(user_id), SqlParam::Text(since)}, [&](const SqlRow& r) {
                                  out.push_back(ReadBreakGlass(r));
                                  return Status::Ok();
                                }));
  return out;
}

// ---------------------------------------------------------------------------
// Alerts

Result<int64_t> SqlDirectory::CreateAlert(const Alert& a) {
  CONTINUUM_RETURN_IF_ERROR(CheckId("alert.kind", a.kind));
  CONTINUUM_RETURN_IF_ERROR(CheckOptionalId("alert.child_id", a.child_id));
  CONTINUUM_RETURN_IF_ERROR(CheckOptionalId("alert.user_id", a.user_id));
  CONTINUUM_RETURN_IF_ERROR(CheckOptionalId("alert.agency_id", a.agency_id));
  CONTINUUM_RETURN_IF_ERROR(CheckDetail("alert.detail", a.detail, /*required=*/false));
  Result<std::string> created = TimeOrNow("alert.created_at", a.created_at);
  if (!created.ok()) return created.status();
  // A new alert is unacknowledged, whatever acknowledged_by/_at say.
  int64_t id = 0;
  CONTINUUM_RETURN_IF_ERROR(run_chained_([&](SqlConnection& c, std::vector<Event>* events) {
    id = 0;
    CONTINUUM_RETURN_IF_ERROR(
        c.Run("INSERT INTO alerts (kind, child_id, user_id, agency_id, detail, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
              {SqlParam::Text(a.kind), SqlParam::Text(a.child_id), SqlParam::Text(a.user_id),
               SqlParam::Text(a.agency_id), SqlParam::Text(a.detail), SqlParam::Text(*created)},
              [&](const SqlRow& r) {
                id = r.Int(0);
                return Status::Ok();
              }));
    if (id <= 0) return Internal("creating an alert returned no id");
    return RecordDirectoryChange(c, DirectoryKind::kAlert, std::to_string(id), std::nullopt, events);
  }));
  return id;
}

Result<std::vector<Alert>> SqlDirectory::ListAlerts(bool unacknowledged_only, int64_t before_id, size_t limit) {
  std::string sql = Select(kAlertColumns, "FROM alerts WHERE id < ?");
  if (unacknowledged_only) sql += " AND acknowledged_at IS NULL";
  sql += " ORDER BY id DESC";
  const int64_t before = before_id > 0 ? before_id : std::numeric_limits<int64_t>::max();
  std::vector<Alert> out;
  auto on_row = [&](const SqlRow& r) {
    out.push_back(ReadAlert(r));
    return Status::Ok();
  };
  if (limit == 0) {
    CONTINUUM_RETURN_IF_ERROR(Run(sql, {SqlParam::Int(before)}, on_row));
  } else {
    const int64_t n = limit > static_cast<size_t>(std::numeric_limits<int64_t>::max())
                          ? std::numeric_limits<int64_t>::max()
                          : static_cast<int64_t>(limit);
    CONTINUUM_RETURN_IF_ERROR(Run(sql + " LIMIT ?", {SqlParam::Int(before), SqlParam::Int(n)}, on_row));
  }
  return out;
}

Result<std::optional<Alert>> SqlDirectory::GetAlert(int64_t id) {
  std::optional<Alert> out;
  CONTINUUM_RETURN_IF_ERROR(
      Run(Select(kAlertColumns, "FROM alerts WHERE id = ?"), {SqlParam::Int(id)}, [&](const SqlRow& r) {
        out = ReadAlert(r);
        return Status::Ok();
      }));
  return out;
}

Status SqlDirectory::AcknowledgeAlert(int64_t id, const std::string& user_id, const std::string& at) {
  if (id <= 0) return InvalidArgument("alert id " + std::to_string(id) + " is not an alert id (1 or more)");
  CONTINUUM_RETURN_IF_ERROR(CheckId("user_id", user_id));
  CONTINUUM_RETURN_IF_ERROR(CheckTime("at", at));
  return run_chained_([&](SqlConnection& c, std::vector<Event>* events) {
    return WriteAndRecord(c, DirectoryKind::kAlert, std::to_string(id), events, [&](const auto& before) {
      if (!before) return NotFound("alert " + std::to_string(id) + " does not exist");
      // Already acknowledged: the first acknowledgement stands (no change, no event).
      return c.Run(
          "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS "
          "NULL",
          {SqlParam::Text(user_id), SqlParam::Text(at), SqlParam::Int(id)});
    });
  });
}

}  // namespace continuum::store::internal
