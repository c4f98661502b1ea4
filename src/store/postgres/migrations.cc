// The PostgreSQL schema, as ordered migrations (docs/event-log.md, "Schema").
// Never edit a migration that has shipped: add the next one.
//
// Text is stored as text, not jsonb or timestamptz: the hash covers the exact
// bytes given, and byte-wise ("C") collation makes ordering and prefix
// matching behave as in SQLite whatever the database's locale.
#include "store/directory_log.h"
#include "store/postgres/postgres_store.h"

namespace continuum::store::internal {

extern const std::string_view kPostgresMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "  version    integer PRIMARY KEY,\n"
    "  name       text NOT NULL,\n"
    "  applied_at text NOT NULL\n"
    ")";

namespace {

constexpr std::string_view kV1EventLog = R"sql(
CREATE TABLE events (
  seq          bigint PRIMARY KEY CHECK (seq > 0),
  id           text COLLATE "C" NOT NULL UNIQUE CHECK (length(id) = 32),
  child_id     text COLLATE "C" NOT NULL,
  type         text COLLATE "C" NOT NULL,
  occurred_at  text COLLATE "C" NOT NULL CHECK (length(occurred_at) = 20),
  recorded_at  text COLLATE "C" NOT NULL CHECK (length(recorded_at) = 20),
  author       text COLLATE "C" NOT NULL,
  agency       text COLLATE "C" NOT NULL,
  significance smallint NOT NULL CHECK (significance BETWEEN 0 AND 2),
  payload      text COLLATE "C" NOT NULL,
  supersedes   text COLLATE "C" REFERENCES events (id) CHECK (supersedes <> ''),
  reason       text COLLATE "C" CHECK (reason <> ''),
  prev_hash    text COLLATE "C" NOT NULL CHECK (length(prev_hash) = 64),
  hash         text COLLATE "C" NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX events_by_child ON events (child_id, occurred_at, seq);
CREATE UNIQUE INDEX events_by_supersedes ON events (supersedes) WHERE supersedes IS NOT NULL;
CREATE FUNCTION continuum_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: a correction is a new event (% refused)', TG_OP;
END
$$;
CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION continuum_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION continuum_events_append_only();

CREATE TABLE chain_head (
  id   smallint PRIMARY KEY CHECK (id = 1),
  seq  bigint NOT NULL,
  hash text COLLATE "C" NOT NULL
);
INSERT INTO chain_head (id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE children (
  child_id      text COLLATE "C" PRIMARY KEY,
  display_name  text COLLATE "C",
  date_of_birth text COLLATE "C",
  nhs_number    text COLLATE "C",
  upn           text COLLATE "C",
  local_id      text COLLATE "C",
  framework_id  text COLLATE "C",
  data          text COLLATE "C",
  updated_seq   bigint NOT NULL REFERENCES events (seq)
);

CREATE TABLE entities (
  child_id    text COLLATE "C" NOT NULL,
  kind        text COLLATE "C" NOT NULL,
  entity_id   text COLLATE "C" NOT NULL,
  data        text COLLATE "C",
  updated_seq bigint NOT NULL REFERENCES events (seq),
  PRIMARY KEY (child_id, kind, entity_id)
);

CREATE TABLE deadlines (
  deadline_id  text COLLATE "C" PRIMARY KEY,
  child_id     text COLLATE "C" NOT NULL,
  kind         text COLLATE "C",
  label        text COLLATE "C",
  due_at       text COLLATE "C" NOT NULL,
  owner        text COLLATE "C",
  team         text COLLATE "C",
  agency       text COLLATE "C",
  status       text COLLATE "C" NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
  source_event text COLLATE "C" REFERENCES events (id),
  updated_seq  bigint NOT NULL REFERENCES events (seq)
);
CREATE INDEX deadlines_by_child ON deadlines (child_id);
CREATE INDEX deadlines_by_owner ON deadlines (owner, due_at);
CREATE INDEX deadlines_by_team ON deadlines (team, due_at);
CREATE INDEX deadlines_by_agency ON deadlines (agency, due_at);
CREATE INDEX deadlines_by_status ON deadlines (status, due_at);
)sql";

// As in SQLite (sqlite/migrations.cc): partial indexes for the audit trail
// and for chronologies without it, their predicates written exactly as the
// queries write them (as literals, so that even a generic plan of a prepared
// statement can use them); and the mutable directory.
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
  id   text COLLATE "C" PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL
);

CREATE TABLE teams (
  id         text COLLATE "C" PRIMARY KEY,
  agency_id  text COLLATE "C" NOT NULL REFERENCES agencies (id),
  name       text COLLATE "C" NOT NULL,
  front_door smallint NOT NULL CHECK (front_door IN (0, 1))
);
CREATE INDEX teams_by_agency ON teams (agency_id);

CREATE TABLE users (
  id                   text COLLATE "C" PRIMARY KEY,
  username             text COLLATE "C" NOT NULL UNIQUE CHECK (username = lower(username)),
  display_name         text COLLATE "C" NOT NULL,
  role                 text COLLATE "C" NOT NULL,
  agency_id            text COLLATE "C" NOT NULL REFERENCES agencies (id),
  team_id              text COLLATE "C" REFERENCES teams (id),
  password_hash        text COLLATE "C" NOT NULL,
  totp_secret          text COLLATE "C" NOT NULL,
  totp_last_step       bigint NOT NULL,
  disabled             smallint NOT NULL CHECK (disabled IN (0, 1)),
  must_change_password smallint NOT NULL CHECK (must_change_password IN (0, 1)),
  created_at           text COLLATE "C" NOT NULL,
  updated_at           text COLLATE "C" NOT NULL
);
CREATE INDEX users_by_agency ON users (agency_id);

CREATE TABLE sessions (
  token_hash   text COLLATE "C" PRIMARY KEY,
  user_id      text COLLATE "C" NOT NULL REFERENCES users (id),
  created_at   text COLLATE "C" NOT NULL,
  last_seen_at text COLLATE "C" NOT NULL,
  expires_at   text COLLATE "C" NOT NULL,
  ip           text COLLATE "C" NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_throttle (
  key          text COLLATE "C" PRIMARY KEY,
  failures     integer NOT NULL,
  window_start text COLLATE "C" NOT NULL,
  locked_until text COLLATE "C" NOT NULL
);

CREATE TABLE break_glass (
  id         text COLLATE "C" PRIMARY KEY,
  user_id    text COLLATE "C" NOT NULL REFERENCES users (id),
  child_id   text COLLATE "C" NOT NULL,
  reason     text COLLATE "C" NOT NULL,
  granted_at text COLLATE "C" NOT NULL,
  expires_at text COLLATE "C" NOT NULL
);
CREATE INDEX break_glass_by_user_child ON break_glass (user_id, child_id, expires_at);

CREATE TABLE alerts (
  id              bigserial PRIMARY KEY,
  kind            text COLLATE "C" NOT NULL,
  child_id        text COLLATE "C" NOT NULL,
  user_id         text COLLATE "C" NOT NULL,
  agency_id       text COLLATE "C" NOT NULL,
  detail          text COLLATE "C" NOT NULL,
  created_at      text COLLATE "C" NOT NULL,
  acknowledged_by text COLLATE "C",
  acknowledged_at text COLLATE "C"
);
CREATE INDEX alerts_unacknowledged ON alerts (id) WHERE acknowledged_at IS NULL;
)sql";

// A team's duty names the framework and the duty it holds
// ("worcestershire/front_door"). Teams that were on front-door duty before
// must be given theirs again: no framework could be inferred.
constexpr std::string_view kV3TeamDuty = R"sql(
ALTER TABLE teams ADD COLUMN duty text COLLATE "C" NOT NULL DEFAULT '';
)sql";

// Version 4: changes to the directory are events in the log
// (directory_log.h). The rows a database already holds are appended as
// directory.*.adopted events, so that Verify's replay of the directory starts
// from them; the chain head row is locked until the migration commits.
Status AdoptDirectoryRows(SqlConnection& c) {
  return AdoptDirectory(c, "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE");
}

}  // namespace

extern const std::vector<Migration> kPostgresMigrations = {
    {1, "event log, chain head and current-state tables", kV1EventLog},
    {2, "audit trail indexes and the directory", kV2AuditAndDirectory},
    {3, "team duties by framework", kV3TeamDuty},
    {4, "the directory in the log", "", AdoptDirectoryRows},
};

}  // namespace continuum::store::internal
