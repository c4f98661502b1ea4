// The SQLite schema, as ordered migrations (docs/event-log.md, "Schema").
// Never edit a migration that has shipped: add the next one.
#include <string_view>
#include <vector>

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

}  // namespace

extern const std::vector<Migration> kSqliteMigrations = {
    {1, "event log, chain head and current-state tables", kV1EventLog},
};

}  // namespace continuum::store::internal
