// The PostgreSQL schema, as ordered migrations (docs/event-log.md, "Schema").
// Never edit a migration that has shipped: add the next one.
//
// Text is stored as text, not jsonb or timestamptz: the hash covers the exact
// bytes given, and byte-wise ("C") collation makes ordering and prefix
// matching behave as in SQLite whatever the database's locale.
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

}  // namespace

extern const std::vector<Migration> kPostgresMigrations = {
    {1, "event log, chain head and current-state tables", kV1EventLog},
};

}  // namespace continuum::store::internal
