// The SQLite schema, as ordered migrations (docs/event-log.md, "Schema").
// Never edit a migration that has shipped: add the next one.
#include <string_view>
#include <vector>

#include "store/directory_log.h"
#include "store/sqlite/sqlite_store.h"

namespace continuum::store::internal {

extern const std::string_view kSqliteMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "  version    INTEGER PRIMARY KEY,\n"
    "  name       TEXT NOT NULL,\n"
    "  applied_at TEXT NOT NULL\n"
    ") STRICT";

namespace {

constexpr std::string_view kV1EventLog = R"sql(
CREATE TABLE events (
  seq          INTEGER PRIMARY KEY CHECK (seq > 0),
  id           TEXT NOT NULL UNIQUE CHECK (length(id) = 32),
  child_id     TEXT NOT NULL,
  type         TEXT NOT NULL,
  occurred_at  TEXT NOT NULL CHECK (length(occurred_at) = 20),
  recorded_at  TEXT NOT NULL CHECK (length(recorded_at) = 20),
  author       TEXT NOT NULL,
  agency       TEXT NOT NULL,
  significance INTEGER NOT NULL CHECK (significance BETWEEN 0 AND 2),
  payload      TEXT NOT NULL,
  supersedes   TEXT REFERENCES events (id) CHECK (supersedes <> ''),
  reason       TEXT CHECK (reason <> ''),
  prev_hash    TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash         TEXT NOT NULL CHECK (length(hash) = 64)
) STRICT;
CREATE INDEX events_by_child ON events (child_id, occurred_at, seq);
CREATE UNIQUE INDEX events_by_supersedes ON events (supersedes) WHERE supersedes IS NOT NULL;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: a correction is a new event');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: a correction is a new event');
END;

CREATE TABLE chain_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
INSERT INTO chain_head (id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE children (
  child_id      TEXT NOT NULL PRIMARY KEY,
  display_name  TEXT,
  date_of_birth TEXT,
  nhs_number    TEXT,
  upn           TEXT,
  local_id      TEXT,
  framework_id  TEXT,
  data          TEXT,
  updated_seq   INTEGER NOT NULL REFERENCES events (seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE entities (
  child_id    TEXT NOT NULL,
  kind        TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  data        TEXT,
  updated_seq INTEGER NOT NULL REFERENCES events (seq),
  PRIMARY KEY (child_id, kind, entity_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE deadlines (
  deadline_id  TEXT NOT NULL PRIMARY KEY,
  child_id     TEXT NOT NULL,
  kind         TEXT,
  label        TEXT,
  due_at       TEXT NOT NULL,
  owner        TEXT,
  team         TEXT,
  agency       TEXT,
  status       TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
  source_event TEXT REFERENCES events (id),
  updated_seq  INTEGER NOT NULL REFERENCES events (seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX deadlines_by_child ON deadlines (child_id);
CREATE INDEX deadlines_by_owner ON deadlines (owner, due_at);
CREATE INDEX deadlines_by_team ON deadlines (team, due_at);
CREATE INDEX deadlines_by_agency ON deadlines (agency, due_at);
CREATE INDEX deadlines_by_status ON deadlines (status, due_at);
)sql";

// The audit trail (audit.* events) gets partial indexes of its own, and
// chronologies one that leaves it out: a child's record read a thousand times
// has a thousand audit.read events that a chronology must not wade through.
// The predicates are written exactly as the queries in sql_store.cc write
// them, so that both databases can use these indexes ('/' follows '.', so
// "audit." <= type < "audit/" is every type starting "audit.").
//
// The directory is mutable, unlike the log: no triggers guard it, and the
// audit trail records its changes.
constexpr std::string_view kV2AuditAndDirectory = R"sql(
CREATE INDEX events_by_child_without_audit ON events (child_id, occurred_at, seq)
  WHERE type < 'audit.' OR type >= 'audit/';
CREATE INDEX events_audit ON events (seq)
  WHERE type >= 'audit.' AND type < 'audit/';
CREATE INDEX events_audit_by_author ON events (author, seq)
  WHERE type >= 'audit.' AND type < 'audit/';
CREATE INDEX events_audit_by_child ON events (child_id, seq)
  WHERE type >= 'audit.' AND type < 'audit/';

CREATE TABLE agencies (
  id   TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE teams (
  id         TEXT NOT NULL PRIMARY KEY,
  agency_id  TEXT NOT NULL REFERENCES agencies (id),
  name       TEXT NOT NULL,
  front_door INTEGER NOT NULL CHECK (front_door IN (0, 1))
) STRICT, WITHOUT ROWID;
CREATE INDEX teams_by_agency ON teams (agency_id);

CREATE TABLE users (
  id                   TEXT NOT NULL PRIMARY KEY,
  username             TEXT NOT NULL UNIQUE CHECK (username = lower(username)),
  display_name         TEXT NOT NULL,
  role                 TEXT NOT NULL,
  agency_id            TEXT NOT NULL REFERENCES agencies (id),
  team_id              TEXT REFERENCES teams (id),
  password_hash        TEXT NOT NULL,
  totp_secret          TEXT NOT NULL,
  totp_last_step       INTEGER NOT NULL,
  disabled             INTEGER NOT NULL CHECK (disabled IN (0, 1)),
  must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX users_by_agency ON users (agency_id);

CREATE TABLE sessions (
  token_hash   TEXT NOT NULL PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id),
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  ip           TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_throttle (
  key          TEXT NOT NULL PRIMARY KEY,
  failures     INTEGER NOT NULL,
  window_start TEXT NOT NULL,
  locked_until TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE break_glass (
  id         TEXT NOT NULL PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users (id),
  child_id   TEXT NOT NULL,
  reason     TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX break_glass_by_user_child ON break_glass (user_id, child_id, expires_at);

CREATE TABLE alerts (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  kind            TEXT NOT NULL,
  child_id        TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  agency_id       TEXT NOT NULL,
  detail          TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  acknowledged_by TEXT,
  acknowledged_at TEXT
) STRICT;
CREATE INDEX alerts_unacknowledged ON alerts (id) WHERE acknowledged_at IS NULL;
)sql";

// A team's duty names the framework and the duty it holds
// ("worcestershire/front_door"). Teams that were on front-door duty before
// must be given theirs again: no framework could be inferred.
constexpr std::string_view kV3TeamDuty = R"sql(
ALTER TABLE teams ADD COLUMN duty TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: changes to the directory are events in the log
// (directory_log.h). The rows a database already holds are appended as
// directory.*.adopted events, so that Verify's replay of the directory starts
// from them; the migration holds the write lock (BEGIN IMMEDIATE).
Status AdoptDirectoryRows(SqlConnection& c) { return AdoptDirectory(c, SqlConnection::kReadChainHead); }

}  // namespace

extern const std::vector<Migration> kSqliteMigrations = {
    {1, "event log, chain head and current-state tables", kV1EventLog},
    {2, "audit trail indexes and the directory", kV2AuditAndDirectory},
    {3, "team duties by framework", kV3TeamDuty},
    {4, "the directory in the log", "", AdoptDirectoryRows},
};

}  // namespace continuum::store::internal
