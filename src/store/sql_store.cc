#include "store/sql_store.h"

#include <exception>
#include <limits>
#include <map>
#include <unordered_map>

#include "store/directory_log.h"
#include "store/event_format.h"
#include "store/memory_state.h"
#include "store/schema.h"

namespace continuum::store::internal {
namespace {

constexpr size_t kMaxBatchEvents = 4096;  // per group-commit transaction (one caller may exceed it alone)
// Each caller's savepoint is a subtransaction in PostgreSQL; more than 64 in
// one transaction overflow the server's per-backend cache of them, which
// slows every session's snapshots.
constexpr size_t kMaxBatchCallers = 64;
constexpr int kMaxPoolSize = 10000;
constexpr size_t kMaxQueryTerms = 100;  // agencies or types in one chronology query
constexpr int64_t kVerifyPage = 1000;
constexpr size_t kMaxStateDifferences = 100;

// The event columns, in the order ReadEvent expects.
constexpr std::string_view kEventColumns =
    "e.seq, e.id, e.child_id, e.type, e.occurred_at, e.recorded_at, e.author, e.agency, e.significance, "
    "e.payload, e.supersedes, e.reason, e.prev_hash, e.hash";
// The id of the event correcting e (the unique index on supersedes allows one).
constexpr std::string_view kSupersededBy = "(SELECT c.id FROM events c WHERE c.supersedes = e.id)";
// Audit records and everything else ('/' follows '.'). Written as literals,
// exactly as the partial indexes of migration 2 write them, so that the
// databases use those indexes.
constexpr std::string_view kIsAudit = "(e.type >= 'audit.' AND e.type < 'audit/')";
constexpr std::string_view kIsNotAudit = "(e.type < 'audit.' OR e.type >= 'audit/')";
static_assert(kAuditPrefix == "audit.");
// Directory changes (directory_log.h), likewise.
constexpr std::string_view kIsNotDirectory = "(e.type < 'directory.' OR e.type >= 'directory/')";
static_assert(kDirectoryPrefix == "directory.");
// SearchChildren: the longest text searched for, and the most rows returned.
constexpr size_t kMaxSearchTextBytes = 200;
constexpr size_t kMaxSearchResults = 200;

Event ReadEvent(const SqlRow& row) {
  Event e;
  e.seq = row.Int(0);
  e.id = row.Text(1);
  e.child_id = row.Text(2);
  e.type = row.Text(3);
  e.occurred_at = row.Text(4);
  e.recorded_at = row.Text(5);
  e.author = row.Text(6);
  e.agency = row.Text(7);
  e.significance = static_cast<int>(row.Int(8));
  e.payload = row.Text(9);
  e.supersedes = row.Text(10);
  e.reason = row.Text(11);
  e.prev_hash = row.Text(12);
  e.hash = row.Text(13);
  return e;
}

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

std::string ColumnList(const TableDef& t, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += (i ? ", " : "") + std::string(t.columns[i].name);
  return out;
}

std::string KeyCondition(const TableDef& t) {
  std::string out;
  for (int i = 0; i < t.key_columns; ++i) out += (i ? " AND " : "") + std::string(t.columns[i].name) + " = ?";
  return out;
}

// Statement text per table, built once from schema.h.
struct TableSql {
  std::string select_one, select_child, select_all, upsert, remove;
};

const TableSql& SqlFor(const TableDef& t) {
  static const std::map<std::string_view, TableSql> all = [] {
    std::map<std::string_view, TableSql> m;
    for (const TableDef& t : Tables()) {
      const int n = static_cast<int>(t.columns.size());
      const std::string cols = ColumnList(t, n);
      const std::string key = ColumnList(t, t.key_columns);
      TableSql s;
      s.select_one = "SELECT " + cols + " FROM " + std::string(t.name) + " WHERE " + KeyCondition(t);
      s.select_child = "SELECT " + cols + " FROM " + std::string(t.name) + " WHERE " +
                       std::string(t.columns[t.child_id_column].name) + " = ? ORDER BY " + key;
      s.select_all = "SELECT " + cols + " FROM " + std::string(t.name);
      s.upsert = "INSERT INTO " + std::string(t.name) + " (" + cols + ") VALUES (" + Placeholders(n) +
                 ") ON CONFLICT (" + key + ") DO UPDATE SET ";
      for (int i = t.key_columns; i < n; ++i) {
        std::string c(t.columns[i].name);
        s.upsert += (i > t.key_columns ? ", " : "") + c + " = excluded." + c;
      }
      s.remove = "DELETE FROM " + std::string(t.name) + " WHERE " + KeyCondition(t);
      m.emplace(t.name, std::move(s));
    }
    return m;
  }();
  return all.at(t.name);
}

Cells ReadCells(const TableDef& t, const SqlRow& row) {
  Cells cells(t.columns.size());
  for (size_t i = 0; i < t.columns.size(); ++i) cells[i] = row.Optional(static_cast<int>(i));
  return cells;
}

Result<std::optional<Cells>> ReadRow(SqlConnection& c, const TableDef& t,
                                     const std::vector<std::string>& key) {
  std::vector<SqlParam> params;
  for (const std::string& k : key) params.push_back(SqlParam::Text(k));
  std::optional<Cells> out;
  Status st = c.Run(SqlFor(t).select_one, params, [&](const SqlRow& row) {
    out = ReadCells(t, row);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// Writes the projector's row change in the write transaction.
Status ApplyRow(SqlConnection& c, const RowChange& change, int64_t seq) {
  const TableDef& t = *change.table;
  if (change.remove) {
    std::vector<SqlParam> params;
    for (const std::string& k : change.key) params.push_back(SqlParam::Text(k));
    return c.Run(SqlFor(t).remove, params, {});
  }
  // The existing row matters only if the change leaves some column unnamed.
  std::optional<Cells> existing;
  if (change.values.size() + t.key_columns + 1 < t.columns.size()) {
    Result<std::optional<Cells>> found = ReadRow(c, t, change.key);
    if (!found.ok()) return found.status();
    existing = std::move(*found);
  }
  Result<Cells> merged = Merge(change, existing, seq);
  if (!merged.ok()) return merged.status();
  std::vector<SqlParam> params;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (static_cast<int>(i) == t.updated_seq_column()) {
      params.push_back(SqlParam::Int(seq));
    } else {
      params.push_back((*merged)[i] ? SqlParam::Text(*(*merged)[i]) : SqlParam::Null());
    }
  }
  return c.Run(SqlFor(t).upsert, params, {});
}

// The state as the write transaction sees it, rows from earlier events of the
// same transaction included.
class TxnStateReader : public StateReader {
 public:
  explicit TxnStateReader(SqlConnection& c) : c_(c) {}
  Result<std::optional<Row>> Get(const std::string& table, const std::vector<std::string>& key) override {
    Result<const TableDef*> t = CheckKey(table, key);
    if (!t.ok()) return t.status();
    Result<std::optional<Cells>> cells = ReadRow(c_, **t, key);
    if (!cells.ok()) return cells.status();
    if (!*cells) return std::optional<Row>();
    return std::optional<Row>(MakeRow(**t, **cells));
  }

 private:
  SqlConnection& c_;
};

// Calls the projector, turning an exception into a Status.
Status Project(const Projector& projector, const Event& e, StateReader& reader, std::vector<Row>* rows) {
  try {
    return projector(e, reader, rows);
  } catch (const std::exception& ex) {
    return Internal(std::string("the projector threw an exception: ") + ex.what());
  } catch (...) {
    return Internal("the projector threw an exception");
  }
}

std::string EventLabel(size_t index, const Event& e) {
  return "events[" + std::to_string(index) + "] (" + e.type + ")";
}

Status Prefixed(const Status& st, const std::string& prefix) {
  return Status(st.code(), prefix + ": " + st.message());
}

Status CheckIdentifierList(std::string_view field, const std::vector<std::string>& values) {
  if (values.size() > kMaxQueryTerms) {
    return InvalidArgument(std::string(field) + " lists " + std::to_string(values.size()) +
                           " values; at most " + std::to_string(kMaxQueryTerms) + " are allowed");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    CONTINUUM_RETURN_IF_ERROR(CheckText(std::string(field) + "[" + std::to_string(i) + "]", values[i],
                                        TextRule::kIdentifier, kMaxIdBytes));
  }
  return Status::Ok();
}

// A LIMIT value.
int64_t SqlLimit(size_t limit) {
  return limit > static_cast<size_t>(std::numeric_limits<int64_t>::max())
             ? std::numeric_limits<int64_t>::max()
             : static_cast<int64_t>(limit);
}

Status CheckBound(std::string_view field, const std::string& value) {
  if (!value.empty() && !IsTimeBound(value)) {
    return InvalidArgument(std::string(field) + " " + Quote(value) +
                           " is not a UTC time YYYY-MM-DDTHH:MM:SSZ or a date YYYY-MM-DD");
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------
// Migrations

namespace {

Result<std::vector<int>> AppliedVersions(SqlConnection& c) {
  std::vector<int> versions;
  Status st = c.Run("SELECT version FROM schema_migrations ORDER BY version", {}, [&](const SqlRow& row) {
    versions.push_back(static_cast<int>(row.Int(0)));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return versions;
}

// The version the applied migrations reach, refusing gaps and the future.
Result<int> CheckVersions(const SqlBackend& backend, const std::vector<int>& versions) {
  const int latest = static_cast<int>(backend.Migrations().size());
  for (size_t i = 0; i < versions.size(); ++i) {
    if (versions[i] != static_cast<int>(i) + 1) {
      return Internal("the " + std::string(backend.Name()) + " database at " + backend.Location() +
                      " has schema migrations with a gap (version " + std::to_string(versions[i]) +
                      " where " + std::to_string(i + 1) + " was expected); it was not migrated by Continuum");
    }
  }
  const int version = static_cast<int>(versions.size());
  if (version > latest) {
    return Conflict("the " + std::string(backend.Name()) + " database at " + backend.Location() +
                    " has schema version " + std::to_string(version) +
                    ", newer than this build of Continuum knows (" + std::to_string(latest) +
                    "); upgrade Continuum, or open a database made by this version");
  }
  return version;
}

}  // namespace

Result<int> Migrate(SqlBackend& backend, SqlConnection& c) {
  const int latest = static_cast<int>(backend.Migrations().size());
  // Fast path, without the lock: already current (or newer, refused).
  Result<bool> exists = c.TableExists("schema_migrations");
  if (!exists.ok()) return exists.status();
  if (*exists) {
    Result<std::vector<int>> versions = AppliedVersions(c);
    if (!versions.ok()) return versions.status();
    Result<int> version = CheckVersions(backend, *versions);
    if (!version.ok() || *version == latest) return version;
  }

  CONTINUUM_RETURN_IF_ERROR(c.BeginMigration());
  auto fail = [&](const Status& st) -> Result<int> {
    c.RollbackQuietly();
    return st;
  };
  // Re-read under the lock: another process may have migrated meanwhile.
  exists = c.TableExists("schema_migrations");
  if (!exists.ok()) return fail(exists.status());
  if (!*exists) {
    Result<std::vector<std::string>> tables = c.ListTables();
    if (!tables.ok()) return fail(tables.status());
    if (!tables->empty()) {
      return fail(Conflict("the " + std::string(backend.Name()) + " database at " + backend.Location() +
                           " already holds tables (" + tables->front() +
                           ", …) but no schema_migrations table; it is not a Continuum database"));
    }
  }
  Status st = c.Script(backend.MigrationsTableSql());
  if (!st.ok()) return fail(st);
  Result<std::vector<int>> versions = AppliedVersions(c);
  if (!versions.ok()) return fail(versions.status());
  Result<int> version = CheckVersions(backend, *versions);
  if (!version.ok()) return fail(version.status());
  const std::string now = UtcNow();
  for (const Migration& m : backend.Migrations()) {
    if (m.version <= *version) continue;
    if (!m.sql.empty()) st = c.Script(m.sql);
    if (st.ok() && m.after) st = m.after(c);
    if (!st.ok())
      return fail(
          Prefixed(st, "schema migration " + std::to_string(m.version) + " (" + std::string(m.name) + ")"));
    st = c.Run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
               {SqlParam::Int(m.version), SqlParam::Text(m.name), SqlParam::Text(now)});
    if (!st.ok()) return fail(st);
  }
  st = c.Commit();
  if (!st.ok()) return fail(st);
  return latest;
}

// ---------------------------------------------------------------------------
// Opening and appending

Result<std::unique_ptr<Store>> SqlStore::Open(std::unique_ptr<SqlBackend> backend,
                                              const OpenOptions& options) {
  if (options.pool_size < 2 || options.pool_size > kMaxPoolSize) {
    return InvalidArgument("the connection pool size is " + std::to_string(options.pool_size) +
                           "; it must be from 2 (the writer's connection and one for reads) to " +
                           std::to_string(kMaxPoolSize));
  }
  if (options.pool_wait.count() < 0) {
    return InvalidArgument("the wait for a pooled connection is negative (" +
                           std::to_string(options.pool_wait.count()) + " ms)");
  }
  if (!InitSodium()) return Internal("libsodium could not be initialised");
  Result<std::unique_ptr<SqlConnection>> writer = backend->Connect();
  if (!writer.ok()) return writer.status();
  Result<int> version = Migrate(*backend, **writer);
  if (!version.ok()) return version.status();
  return std::unique_ptr<Store>(new SqlStore(std::move(backend), std::move(*writer), *version, options));
}

SqlStore::SqlStore(std::unique_ptr<SqlBackend> backend, std::unique_ptr<SqlConnection> writer,
                   int schema_version, const OpenOptions& options)
    : backend_(std::move(backend)),
      pool_size_(options.pool_size),
      pool_(backend_.get(), static_cast<size_t>(options.pool_size - 1), options.pool_wait,
            "; the store opens at most " + std::to_string(options.pool_size) +
                " connections, the writer's included (the pool size: db_pool_size for continuum serve)"),
      directory_(&pool_,
                 [this](const SqlDirectory::ChainedWork& work) { return AppendDirectoryChange(work); }),
      writer_conn_(std::move(writer)),
      schema_version_(schema_version),
      writer_(std::make_unique<GroupCommitWriter>(
          [this](std::span<AppendRequest* const> batch) { RunBatch(batch); }, kMaxBatchCallers,
          kMaxBatchEvents)) {}

SqlStore::~SqlStore() { writer_.reset(); }

ConnectionStats SqlStore::Connections() {
  const ConnectionPool::Stats pool = pool_.GetStats();
  ConnectionStats out;
  out.pool_size = pool_size_;
  out.open = static_cast<int>(pool.open) + 1;  // the writer's
  out.most_open = static_cast<int>(pool.most_open) + 1;
  out.waits = pool.waited;
  out.wait_timeouts = pool.timed_out;
  return out;
}

Result<std::vector<Event>> SqlStore::Append(std::vector<Event> events, const Projector& projector) {
  CONTINUUM_RETURN_IF_ERROR(CheckAppend(events, projector));
  return writer_->Submit(std::move(events), projector);
}

Status SqlStore::CheckAppend(const std::vector<Event>& events, const Projector& projector) {
  if (!projector) return InvalidArgument("Append needs a projector");
  if (events.empty()) return InvalidArgument("Append was given no events");
  if (events.size() > kMaxEventsPerAppend) {
    return InvalidArgument("Append was given " + std::to_string(events.size()) + " events; at most " +
                           std::to_string(kMaxEventsPerAppend) + " are allowed in one call");
  }
  std::unordered_map<std::string_view, size_t> ids;  // caller-supplied id -> index
  for (size_t i = 0; i < events.size(); ++i) {
    CONTINUUM_RETURN_IF_ERROR(CheckNewEvent(events[i], i));
    if (events[i].type.compare(0, kDirectoryPrefix.size(), kDirectoryPrefix) == 0) {
      return InvalidArgument("events[" + std::to_string(i) + "].type " + Quote(events[i].type) +
                             ": types starting \"directory.\" are written by the store itself, for changes "
                             "made through the directory");
    }
    if (events[i].id.empty()) continue;
    auto [it, added] = ids.emplace(events[i].id, i);
    if (!added) {
      return InvalidArgument("events[" + std::to_string(i) + "].id repeats events[" +
                             std::to_string(it->second) + "].id");
    }
  }
  return Status::Ok();
}

void SqlStore::RunBatch(std::span<AppendRequest* const> batch) {
  Status st;
  try {
    st = RunBatchOrFail(batch);
  } catch (const std::exception& ex) {
    st = Internal(std::string("appending failed: ") + ex.what());
  } catch (...) {
    st = Internal("appending failed");
  }
  if (!st.ok()) {
    writer_conn_->RollbackQuietly();
    for (AppendRequest* r : batch) {
      if (r->result.ok()) r->result = st;  // callers whose own work had failed keep their own error
    }
    return;
  }
  size_t committed = 0;
  for (AppendRequest* r : batch) committed += r->result.ok() ? r->result->size() : 0;
  if (committed == 0) return;
  std::lock_guard<std::mutex> lock(observer_mu_);
  if (observer_) observer_(committed);
}

void SqlStore::SetCommitObserver(CommitObserver observer) {
  std::lock_guard<std::mutex> lock(observer_mu_);
  observer_ = std::move(observer);
}

Status SqlStore::AppendDirectoryChange(const SqlDirectory::ChainedWork& work) {
  static const Projector kNoRows = [](const Event&, StateReader&, std::vector<Row>*) { return Status::Ok(); };
  const DirectoryChange change = [&](std::vector<Event>* events) { return work(*writer_conn_, events); };
  Result<std::vector<Event>> appended = writer_->Submit({}, kNoRows, &change);
  return appended.ok() ? Status::Ok() : appended.status();
}

Status InsertEvent(SqlConnection& c, const Event& e, std::string_view context) {
  return c.Defer(
      "INSERT INTO events (seq, id, child_id, type, occurred_at, recorded_at, author, agency, "
      "significance, "
      "payload, supersedes, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {SqlParam::Int(e.seq), SqlParam::Text(e.id), SqlParam::Text(e.child_id), SqlParam::Text(e.type),
       SqlParam::Text(e.occurred_at), SqlParam::Text(e.recorded_at), SqlParam::Text(e.author),
       SqlParam::Text(e.agency), SqlParam::Int(e.significance), SqlParam::Text(e.payload),
       e.supersedes.empty() ? SqlParam::Null() : SqlParam::Text(e.supersedes),
       e.reason.empty() ? SqlParam::Null() : SqlParam::Text(e.reason), SqlParam::Text(e.prev_hash),
       SqlParam::Text(e.hash)},
      context);
}

// Sets each request's result. A non-ok return fails every request in the
// batch that had succeeded so far: the transaction is rolled back.
Status SqlStore::RunBatchOrFail(std::span<AppendRequest* const> batch) {
  SqlConnection& c = *writer_conn_;
  for (AppendRequest* r : batch) r->result = std::vector<Event>();  // pending: ok so far
  if (!c.Usable()) CONTINUUM_RETURN_IF_ERROR(c.Reconnect());

  ChainHead head;
  bool found = false;
  CONTINUUM_RETURN_IF_ERROR(c.BeginWrite([&](const SqlRow& row) {
    head.seq = row.Int(0);
    head.hash = row.Text(1);
    found = true;
    return Status::Ok();
  }));
  if (!found) return Internal("the chain_head table is empty; the database was altered outside Continuum");

  // Each caller runs inside the savepoint append_call. After a caller that
  // succeeded, RELEASE and a new SAVEPOINT are sent without waiting; after
  // one that failed, ROLLBACK TO undoes it and leaves the savepoint in place
  // for the next. The last is never released: COMMIT ends it. A batch of one
  // needs no savepoint: its failure rolls back the whole transaction.
  // Statements whose answer is not needed at once are deferred (pipelined on
  // PostgreSQL); Flush at the end of each caller collects their errors, so a
  // caller is judged on everything it wrote.
  const std::string recorded_at = UtcNow();
  const bool savepoints = batch.size() > 1;
  size_t succeeded = 0;
  if (savepoints) CONTINUUM_RETURN_IF_ERROR(c.Defer("SAVEPOINT append_call", {}, "SAVEPOINT"));
  for (size_t i = 0; i < batch.size(); ++i) {
    AppendRequest* r = batch[i];
    const bool last = i + 1 == batch.size();
    const ChainHead before = head;
    Result<std::vector<Event>> out = AppendOne(*r, &head, recorded_at);
    if (out.ok()) {
      if (Status flushed = c.Flush(); !flushed.ok()) out = flushed;
    } else {
      (void)c.Flush();  // its error is out's, or follows from it
    }
    if (out.ok()) {
      if (savepoints && !last) {
        CONTINUUM_RETURN_IF_ERROR(c.Defer("RELEASE SAVEPOINT append_call", {}, "RELEASE SAVEPOINT"));
        CONTINUUM_RETURN_IF_ERROR(c.Defer("SAVEPOINT append_call", {}, "SAVEPOINT"));
      }
      r->result = std::move(out);
      ++succeeded;
    } else {
      if (savepoints) CONTINUUM_RETURN_IF_ERROR(c.Run("ROLLBACK TO SAVEPOINT append_call"));
      head = before;
      r->result = out.status();
    }
  }
  if (succeeded == 0) {
    c.RollbackQuietly();
    return Status::Ok();
  }
  CONTINUUM_RETURN_IF_ERROR(c.Defer("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1",
                                    {SqlParam::Int(head.seq), SqlParam::Text(head.hash)},
                                    "updating the chain head"));
  Status st = c.Commit();
  if (!st.ok()) {
    return Status(
        st.code() == StatusCode::kInternal ? StatusCode::kUnavailable : st.code(),
        "the database did not confirm the commit (" + st.message() +
            "); if it was lost in transit the events may have been written: retry with the same event "
            "ids, and a kConflict answer means they were");
  }
  return Status::Ok();
}

Result<std::vector<Event>> SqlStore::AppendOne(AppendRequest& request, ChainHead* head,
                                               const std::string& recorded_at) {
  SqlConnection& c = *writer_conn_;
  TxnStateReader reader(c);
  std::vector<Row> rows;
  if (request.directory_change) {
    // The directory's rows first; the events it adds record them.
    CONTINUUM_RETURN_IF_ERROR((*request.directory_change)(&request.events));
    for (size_t i = 0; i < request.events.size(); ++i) {
      if (Status st = CheckNewEvent(request.events[i], i); !st.ok())
        return Internal("a directory change made a bad event: " + st.message());
    }
  }
  for (size_t i = 0; i < request.events.size(); ++i) {
    Event& e = request.events[i];
    const std::string field = "events[" + std::to_string(i) + "]";
    if (e.id.empty()) {
      e.id = NewEventId();
    } else {
      bool exists = false;
      CONTINUUM_RETURN_IF_ERROR(
          c.Run("SELECT 1 FROM events WHERE id = ?", {SqlParam::Text(e.id)}, [&](const SqlRow&) {
            exists = true;
            return Status::Ok();
          }));
      if (exists) return Conflict(field + ".id: event " + e.id + " is already in the log");
    }
    if (!e.supersedes.empty()) {
      bool exists = false;
      std::string child, corrected_by;
      CONTINUUM_RETURN_IF_ERROR(
          c.Run("SELECT e.child_id, " + std::string(kSupersededBy) + " FROM events e WHERE e.id = ?",
                {SqlParam::Text(e.supersedes)}, [&](const SqlRow& row) {
                  exists = true;
                  child = row.Text(0);
                  corrected_by = row.Text(1);
                  return Status::Ok();
                }));
      if (!exists) {
        return InvalidArgument(field + ".supersedes names event " + e.supersedes +
                               ", which is not in the log");
      }
      if (child != e.child_id) {
        return InvalidArgument(field + ".supersedes names event " + e.supersedes + " of another child (" +
                               child + "); a correction belongs to the same child as the event it corrects");
      }
      if (!corrected_by.empty()) {
        return Conflict(field + ".supersedes: event " + e.supersedes + " is already corrected by event " +
                        corrected_by + "; correct that event instead");
      }
    }
    e.seq = head->seq + 1;
    e.recorded_at = recorded_at;
    e.prev_hash = head->hash;
    e.hash = EventHash(e);
    // Checked above, so it fails only in a race or on a broken connection.
    Status st = InsertEvent(c, e, field);
    if (!st.ok()) return st;
    head->seq = e.seq;
    head->hash = e.hash;

    rows.clear();
    st = Project(*request.projector, e, reader, &rows);
    if (!st.ok()) return Prefixed(st, EventLabel(i, e) + ": the projector refused it");
    for (size_t j = 0; j < rows.size(); ++j) {
      const std::string where = EventLabel(i, e) + ": projector row " + std::to_string(j);
      Result<RowChange> change = CheckRow(rows[j]);
      // A bad row is a bug in the projector, not in the caller's input.
      if (!change.ok()) return Internal(where + ": " + change.status().message());
      st = ApplyRow(c, *change, e.seq);
      if (!st.ok()) {
        return Status(st.code() == StatusCode::kInvalidArgument ? StatusCode::kInternal : st.code(),
                      where + ": " + st.message());
      }
    }
  }
  return std::move(request.events);
}

// ---------------------------------------------------------------------------
// Reading

namespace {

// Appends " AND <condition>" (with one '?') and its value, when the value is set.
void AndIf(std::string* sql, std::vector<SqlParam>* params, std::string_view condition,
           const std::string& value) {
  if (value.empty()) return;
  *sql += " AND ";
  *sql += condition;
  params->push_back(SqlParam::Text(value));
}

// Checks optional identifier filters, naming the one at fault.
Status CheckOptionalIds(std::initializer_list<std::pair<const char*, const std::string&>> ids) {
  for (const auto& [field, value] : ids) {
    if (!value.empty())
      CONTINUUM_RETURN_IF_ERROR(CheckText(field, value, TextRule::kIdentifier, kMaxIdBytes));
  }
  return Status::Ok();
}

// " AND (…)" over event types, each exact or a prefix written with a
// trailing '*' ("plan.*", "audit.login*"), matched as the range
// [prefix, the prefix with its last character raised) so that the type index serves it. `owned`
// keeps the bounds alive for the parameters; `hint` ends the message for a
// term that is neither.
Status AndTypes(const std::vector<std::string>& types, bool (*is_prefix)(std::string_view),
                bool (*is_type)(std::string_view), std::string_view hint, std::string* sql,
                std::vector<SqlParam>* params, std::vector<std::string>* owned) {
  if (types.empty()) return Status::Ok();
  owned->reserve(owned->size() + 2 * types.size());
  *sql += " AND (";
  for (size_t i = 0; i < types.size(); ++i) {
    const std::string& t = types[i];
    *sql += i ? " OR " : "";
    if (!t.empty() && t.back() == '*' && is_prefix(std::string_view(t).substr(0, t.size() - 1))) {
      owned->push_back(t.substr(0, t.size() - 1));
      std::string end = owned->back();
      ++end.back();  // the smallest string after every one starting with the prefix
      owned->push_back(std::move(end));
      *sql += "(e.type >= ? AND e.type < ?)";
      params->push_back(SqlParam::Text((*owned)[owned->size() - 2]));
      params->push_back(SqlParam::Text(owned->back()));
    } else if (is_type(t)) {
      *sql += "e.type = ?";
      params->push_back(SqlParam::Text(t));
    } else {
      return InvalidArgument("types[" + std::to_string(i) + "] " + Quote(t) + " is neither " +
                             std::string(hint));
    }
  }
  *sql += ")";
  return Status::Ok();
}

// Every row a SELECT of `t`'s columns returns.
Result<std::vector<Row>> SelectRows(ConnectionPool& pool, const TableDef& t, const std::string& sql,
                                    std::span<const SqlParam> params) {
  Result<ConnectionPool::Lease> conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  std::vector<Row> rows;
  CONTINUUM_RETURN_IF_ERROR((*conn)->Run(sql, params, [&](const SqlRow& row) {
    rows.push_back(MakeRow(t, ReadCells(t, row)));
    return Status::Ok();
  }));
  return rows;
}

}  // namespace

Result<std::vector<Event>> SqlStore::Chronology(const ChronologyQuery& q) {
  CONTINUUM_RETURN_IF_ERROR(CheckText("child_id", q.child_id, TextRule::kIdentifier, kMaxIdBytes));
  CONTINUUM_RETURN_IF_ERROR(CheckIdentifierList("agencies", q.agencies));
  if (q.types.size() > kMaxQueryTerms) {
    return InvalidArgument("types lists " + std::to_string(q.types.size()) + " values; at most " +
                           std::to_string(kMaxQueryTerms) + " are allowed");
  }
  if (q.min_significance < kRoutine || q.min_significance > kKey) {
    return InvalidArgument("min_significance is " + std::to_string(q.min_significance) +
                           "; it must be 0 (routine), 1 (significant) or 2 (key)");
  }
  CONTINUUM_RETURN_IF_ERROR(CheckBound("from", q.from));
  CONTINUUM_RETURN_IF_ERROR(CheckBound("to", q.to));

  std::string sql = "SELECT " + std::string(kEventColumns) + ", " + std::string(kSupersededBy) +
                    " FROM events e WHERE e.child_id = ?";
  std::vector<std::string> owned;  // prefix bounds, kept alive for the parameters
  std::vector<SqlParam> params = {SqlParam::Text(q.child_id)};
  if (!q.agencies.empty()) {
    sql += " AND e.agency IN (" + Placeholders(q.agencies.size()) + ")";
    for (const std::string& a : q.agencies) params.push_back(SqlParam::Text(a));
  }
  // "plan.*": types from "plan." up to, not including, "plan/" ('/' follows '.').
  CONTINUUM_RETURN_IF_ERROR(AndTypes(
      q.types,
      [](std::string_view p) {
        return p.size() > 1 && p.back() == '.' && IsEventType(p.substr(0, p.size() - 1));
      },
      [](std::string_view t) { return IsEventType(t); },
      "an event type (\"plan.agreed\") nor a prefix (\"plan.*\")", &sql, &params, &owned));
  // The audit trail is read through Audit, and directory changes are no part
  // of a child's chronology: both only when `types` names them.
  if (q.types.empty()) sql += " AND " + std::string(kIsNotAudit) + " AND " + std::string(kIsNotDirectory);
  if (q.min_significance > kRoutine) {
    sql += " AND e.significance >= ?";
    params.push_back(SqlParam::Int(q.min_significance));
  }
  AndIf(&sql, &params, "e.occurred_at >= ?", q.from);
  AndIf(&sql, &params, "e.occurred_at < ?", q.to);
  if (!q.include_superseded) sql += " AND NOT EXISTS (SELECT 1 FROM events c WHERE c.supersedes = e.id)";
  sql += " ORDER BY e.occurred_at, e.seq";
  if (q.limit > 0) {
    sql += " LIMIT ?";
    params.push_back(SqlParam::Int(SqlLimit(q.limit)));
  }

  Result<ConnectionPool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  std::vector<Event> events;
  events.reserve(q.limit > 0 && q.limit < 4096 ? q.limit : 1024);
  CONTINUUM_RETURN_IF_ERROR((*conn)->Run(sql, params, [&](const SqlRow& row) {
    events.push_back(ReadEvent(row));
    events.back().superseded_by = row.Text(14);
    return Status::Ok();
  }));
  return events;
}

Result<std::optional<Event>> SqlStore::GetEvent(const std::string& id) {
  if (!IsLowerHex(id, 32))
    return InvalidArgument("event id " + Quote(id) + " is not 32 lowercase hex digits");
  Result<ConnectionPool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  std::optional<Event> out;
  CONTINUUM_RETURN_IF_ERROR((*conn)->Run("SELECT " + std::string(kEventColumns) + ", " +
                                             std::string(kSupersededBy) + " FROM events e WHERE e.id = ?",
                                         {SqlParam::Text(id)}, [&](const SqlRow& row) {
                                           out = ReadEvent(row);
                                           out->superseded_by = row.Text(14);
                                           return Status::Ok();
                                         }));
  return out;
}

Result<std::optional<Row>> SqlStore::GetRow(const std::string& table, const std::vector<std::string>& key) {
  Result<const TableDef*> t = CheckKey(table, key);
  if (!t.ok()) return t.status();
  Result<ConnectionPool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  Result<std::optional<Cells>> cells = ReadRow(**conn, **t, key);
  if (!cells.ok()) return cells.status();
  if (!*cells) return std::optional<Row>();
  return std::optional<Row>(MakeRow(**t, **cells));
}

Result<std::vector<Row>> SqlStore::ListRows(const std::string& table, const std::string& child_id) {
  const TableDef* t = FindTable(table);
  if (!t) {
    return InvalidArgument("table " + Quote(table) +
                           " is not a current-state table (children, entities, deadlines)");
  }
  CONTINUUM_RETURN_IF_ERROR(CheckText("child_id", child_id, TextRule::kIdentifier, kMaxIdBytes));
  const SqlParam params[] = {SqlParam::Text(child_id)};
  return SelectRows(pool_, *t, SqlFor(*t).select_child, params);
}

Result<std::vector<Row>> SqlStore::EntitiesOfKind(const std::string& kind) {
  CONTINUUM_RETURN_IF_ERROR(CheckText("kind", kind, TextRule::kIdentifier, kMaxIdBytes));
  const TableDef& t = *FindTable("entities");
  const SqlParam params[] = {SqlParam::Text(kind)};
  return SelectRows(pool_, t, SqlFor(t).select_all + " WHERE kind = ? ORDER BY child_id", params);
}

Result<std::vector<Row>> SqlStore::Deadlines(const DeadlineQuery& q) {
  CONTINUUM_RETURN_IF_ERROR(CheckOptionalIds({{"owner", q.owner}, {"team", q.team}, {"agency", q.agency}}));
  CONTINUUM_RETURN_IF_ERROR(CheckBound("due_before", q.due_before));
  const TableDef& t = *FindTable("deadlines");
  std::string sql = SqlFor(t).select_all + " WHERE 1 = 1";
  std::vector<SqlParam> params;
  AndIf(&sql, &params, "owner = ?", q.owner);
  AndIf(&sql, &params, "team = ?", q.team);
  AndIf(&sql, &params, "agency = ?", q.agency);
  AndIf(&sql, &params, "due_at < ?", q.due_before);
  if (q.open_only) sql += " AND status = 'open'";
  sql += " ORDER BY due_at, deadline_id";
  return SelectRows(pool_, t, sql, params);
}

// ---------------------------------------------------------------------------
// The audit trail and searching children

namespace {

// "audit.*", "audit.login*", "audit.login.*": a prefix of audit types.
bool IsAuditTypePrefix(std::string_view p) {
  if (p.substr(0, kAuditPrefix.size()) != kAuditPrefix) return false;
  if (p.size() == kAuditPrefix.size()) return true;
  if (p.back() == '.') p.remove_suffix(1);
  return IsEventType(p);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A LIKE pattern (ESCAPE '\') matching text that contains `text` literally.
std::string ContainsPattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace

Result<std::vector<Event>> SqlStore::Audit(const AuditQuery& q) {
  CONTINUUM_RETURN_IF_ERROR(
      CheckOptionalIds({{"user", q.user}, {"agency", q.agency}, {"child_id", q.child_id}}));
  CONTINUUM_RETURN_IF_ERROR(CheckBound("from", q.from));
  CONTINUUM_RETURN_IF_ERROR(CheckBound("to", q.to));
  if (q.types.size() > kMaxQueryTerms) {
    return InvalidArgument("types lists " + std::to_string(q.types.size()) + " values; at most " +
                           std::to_string(kMaxQueryTerms) + " are allowed");
  }
  if (q.after_seq < 0) {
    return InvalidArgument("after_seq is " + std::to_string(q.after_seq) + "; it must be 0 or more");
  }

  std::string sql = "SELECT " + std::string(kEventColumns) + ", " + std::string(kSupersededBy) +
                    " FROM events e WHERE " + std::string(kIsAudit);
  std::vector<std::string> owned;  // prefix bounds, kept alive for the parameters
  std::vector<SqlParam> params;
  AndIf(&sql, &params, "e.author = ?", q.user);
  AndIf(&sql, &params, "e.agency = ?", q.agency);
  AndIf(&sql, &params, "e.child_id = ?", q.child_id);
  CONTINUUM_RETURN_IF_ERROR(AndTypes(
      q.types, IsAuditTypePrefix,
      [](std::string_view t) { return IsEventType(t) && t.substr(0, kAuditPrefix.size()) == kAuditPrefix; },
      "an audit type (\"audit.read\") nor a prefix of audit types (\"audit.*\", \"audit.login*\")", &sql,
      &params, &owned));
  AndIf(&sql, &params, "e.recorded_at >= ?", q.from);
  AndIf(&sql, &params, "e.recorded_at < ?", q.to);
  if (q.after_seq > 0) {
    sql += " AND e.seq > ?";
    params.push_back(SqlParam::Int(q.after_seq));
  }
  sql += " ORDER BY e.seq";
  if (q.limit > 0) {
    sql += " LIMIT ?";
    params.push_back(SqlParam::Int(SqlLimit(q.limit)));
  }

  Result<ConnectionPool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  std::vector<Event> events;
  CONTINUUM_RETURN_IF_ERROR((*conn)->Run(sql, params, [&](const SqlRow& row) {
    events.push_back(ReadEvent(row));
    events.back().superseded_by = row.Text(14);
    return Status::Ok();
  }));
  return events;
}

Result<std::vector<Row>> SqlStore::SearchChildren(const std::string& text, size_t limit) {
  if (text.empty()) return InvalidArgument("the search text is empty");
  if (text.size() > kMaxSearchTextBytes) {
    return InvalidArgument("the search text is " + std::to_string(text.size()) + " bytes; at most " +
                           std::to_string(kMaxSearchTextBytes) + " are allowed");
  }
  if (!IsValidUtf8(text) || text.find('\0') != std::string::npos) {
    return InvalidArgument("the search text is not valid UTF-8 text");
  }
  const size_t n = limit == 0 || limit > kMaxSearchResults ? kMaxSearchResults : limit;
  // Case folds ASCII only, in the query as in the database (SQLite's lower()
  // and PostgreSQL's under the "C" collation): "ZOË" finds "zoË", not "zoë".
  const std::string pattern = ContainsPattern(AsciiLower(text));
  std::string digits;  // NHS numbers are written "943 476 5919" or "9434765919"
  for (char c : text) {
    if (c != ' ') digits += c;
  }
  const std::string nhs_pattern = ContainsPattern(AsciiLower(digits));
  const TableDef& t = *FindTable("children");
  std::string sql = SqlFor(t).select_all +
                    " WHERE lower(display_name) LIKE ? ESCAPE '\\' OR lower(child_id) LIKE ? ESCAPE '\\'";
  std::vector<SqlParam> params = {SqlParam::Text(pattern), SqlParam::Text(pattern)};
  if (!digits.empty()) {
    sql += " OR lower(replace(nhs_number, ' ', '')) LIKE ? ESCAPE '\\'";
    params.push_back(SqlParam::Text(nhs_pattern));
  }
  sql += " ORDER BY child_id LIMIT ?";
  params.push_back(SqlParam::Int(static_cast<int64_t>(n)));
  return SelectRows(pool_, t, sql, params);
}

// ---------------------------------------------------------------------------
// Verify

namespace {

std::string Show(const std::optional<std::string>& v) { return v ? Quote(*v) : "null"; }

// Compares one table with its replay, adding differences to the report.
void CompareTable(const TableDef& t, const MemoryState::TableRows& stored,
                  const MemoryState::TableRows& replayed, VerifyReport* report) {
  auto add = [&](std::string difference) {
    report->ok = false;
    if (report->state_differences.size() < kMaxStateDifferences) {
      report->state_differences.push_back(std::move(difference));
    }
  };
  for (const auto& [key, cells] : replayed) {
    auto it = stored.find(key);
    if (it == stored.end()) {
      add(DescribeKey(t, key) + ": missing from the table (the log has it)");
      continue;
    }
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (cells[i] != it->second[i]) {
        add(DescribeKey(t, key) + ": " + std::string(t.columns[i].name) + " is " + Show(it->second[i]) +
            " in the table but " + Show(cells[i]) + " on replay");
      }
    }
  }
  for (const auto& [key, cells] : stored) {
    if (!replayed.count(key))
      add(DescribeKey(t, key) + ": in the table but not produced by the log (extra row)");
  }
}

}  // namespace

Result<ChainPoint> SqlStore::Head() {
  Result<ConnectionPool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  ChainPoint head{.seq = 0, .hash = std::string(kGenesisHash), .source = "the log"};
  CONTINUUM_RETURN_IF_ERROR(
      (*conn)->Run("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", {}, [&](const SqlRow& row) {
        head.seq = row.Int(0);
        head.hash = row.Text(1);
        return Status::Ok();
      }));
  return head;
}

Result<VerifyReport> SqlStore::Verify(const Projector& projector, std::span<const ChainPoint> checkpoints) {
  if (!projector) return InvalidArgument("Verify needs the projector that wrote the current state");
  // Checkpoints by seq; the one vouching for the highest seq.
  std::multimap<int64_t, const ChainPoint*> vouched;
  const ChainPoint* furthest = nullptr;
  for (const ChainPoint& p : checkpoints) {
    if (p.seq < 1 || !IsLowerHex(p.hash, 64)) {
      return InvalidArgument("checkpoint from " + p.source + ": seq " + std::to_string(p.seq) + ", hash " +
                             Quote(p.hash) + " is not a point of a log");
    }
    vouched.emplace(p.seq, &p);
    if (!furthest || p.seq > furthest->seq) furthest = &p;
  }
  Result<ConnectionPool::Lease> lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  SqlConnection& c = **lease;
  CONTINUUM_RETURN_IF_ERROR(c.BeginSnapshot());
  struct EndSnapshot {
    SqlConnection& c;
    ~EndSnapshot() { c.RollbackQuietly(); }
  } end{c};

  VerifyReport report;
  MemoryState state;
  DirectoryReplay directory;
  auto bad = [&](const Event& e, std::string problem) {
    report.ok = false;
    report.first_bad_event = e.id;
    report.problem = "event " + e.id + " (seq " + std::to_string(e.seq) + "): " + std::move(problem);
  };

  // 1. The chain, in seq order, replaying each event as it is checked.
  Event previous;
  previous.hash = std::string(kGenesisHash);
  int64_t after = std::numeric_limits<int64_t>::min();  // every row, even one whose seq was set below 1
  std::vector<Event> page;
  std::vector<Row> rows;
  for (bool more = true; more && report.ok;) {
    page.clear();
    CONTINUUM_RETURN_IF_ERROR(c.Run(
        "SELECT " + std::string(kEventColumns) + " FROM events e WHERE e.seq > ? ORDER BY e.seq LIMIT ?",
        {SqlParam::Int(after), SqlParam::Int(kVerifyPage)}, [&](const SqlRow& row) {
          page.push_back(ReadEvent(row));
          return Status::Ok();
        }));
    more = static_cast<int64_t>(page.size()) == kVerifyPage;
    for (const Event& e : page) {
      ++report.events;
      const int64_t expected = previous.seq + 1;
      after = e.seq;
      if (e.seq < expected) {
        bad(e, "seq " + std::to_string(e.seq) + " is out of place: seq " + std::to_string(expected) +
                   " was expected");
      } else if (e.seq > expected) {
        bad(e, "seq " + std::to_string(e.seq) + " follows seq " + std::to_string(previous.seq) +
                   ": the event(s) at seq " + std::to_string(expected) +
                   (e.seq - 1 > expected ? "–" + std::to_string(e.seq - 1) : "") + " are missing");
      } else if (e.prev_hash != previous.hash) {
        bad(e, "prev_hash " + e.prev_hash + " does not match the hash of the event before it" +
                   (previous.seq ? " (seq " + std::to_string(previous.seq) + ", id " + previous.id + ")"
                                 : " (the log's start)") +
                   ": one of the two was altered");
      } else if (std::string computed = EventHash(e); computed != e.hash) {
        bad(e, "its contents do not match its hash (stored " + e.hash + ", computed " + computed +
                   "): a field of this event was altered");
      } else {
        for (auto [it, end] = vouched.equal_range(e.seq); it != end && report.ok; ++it) {
          ++report.checkpoints;
          if (it->second->hash != e.hash) {
            bad(e, "its hash " + e.hash + " is not the hash " + it->second->hash + " that " +
                       it->second->source +
                       " vouches for at this seq: the log was rewritten at or before seq " +
                       std::to_string(e.seq) + " (hashes recomputed) since that checkpoint was signed");
          }
        }
      }
      if (!report.ok) break;

      Status st;
      if (DirectoryReplay::IsDirectoryEvent(e)) {
        st = directory.Apply(e);
        if (!st.ok()) {
          report.ok = false;
          report.first_bad_event = e.id;
          report.problem = "replaying directory event " + e.id + " (seq " + std::to_string(e.seq) + ", " +
                           e.type + ") failed: " + st.message();
          break;
        }
        previous = e;
        continue;
      }
      rows.clear();
      st = Project(projector, e, state, &rows);
      for (size_t j = 0; st.ok() && j < rows.size(); ++j) {
        Result<RowChange> change = CheckRow(rows[j]);
        st = change.ok() ? state.Apply(*change, e.seq) : change.status();
      }
      if (!st.ok()) {
        report.ok = false;
        report.problem = "replaying event " + e.id + " (seq " + std::to_string(e.seq) + ", " + e.type +
                         ") through the projector failed: " + st.message() +
                         "; the projector differs from the one that wrote the log";
        break;
      }
      previous = e;
    }
  }
  if (!report.ok) return report;

  // 2. The chain head: catches events deleted from the end of the log.
  int64_t head_seq = -1;
  std::string head_hash;
  CONTINUUM_RETURN_IF_ERROR(
      c.Run("SELECT seq, hash FROM chain_head WHERE id = 1", {}, [&](const SqlRow& row) {
        head_seq = row.Int(0);
        head_hash = row.Text(1);
        return Status::Ok();
      }));
  if (head_seq < 0) {
    report.ok = false;
    report.problem = "the chain_head table is empty";
    return report;
  }
  if (head_seq != previous.seq || head_hash != previous.hash) {
    report.ok = false;
    if (head_seq > previous.seq) {
      report.problem = "the chain head records " + std::to_string(head_seq) +
                       " events but the log ends at seq " + std::to_string(previous.seq) +
                       ": events were removed from the end of the log";
    } else {
      report.problem = "the chain head (seq " + std::to_string(head_seq) + ", hash " + head_hash +
                       ") does not match the last event (seq " + std::to_string(previous.seq) + ", hash " +
                       previous.hash + ")";
      if (head_seq == previous.seq) report.first_bad_event = previous.id;
    }
    return report;
  }

  // 3. The checkpoints: one beyond the end of the log means events were
  // removed from the end and the chain head set back to match.
  if (furthest && furthest->seq > previous.seq) {
    report.ok = false;
    report.problem = "the log ends at seq " + std::to_string(previous.seq) + " but " + furthest->source +
                     " vouches for seq " + std::to_string(furthest->seq) + " (hash " + furthest->hash +
                     "): events were removed from the end of the log (and the chain head set back to match)";
    return report;
  }

  // 4. The current-state tables and the directory against the replay.
  for (const TableDef& t : Tables()) {
    MemoryState::TableRows stored;
    CONTINUUM_RETURN_IF_ERROR(c.Run(SqlFor(t).select_all, {}, [&](const SqlRow& row) {
      Cells cells = ReadCells(t, row);
      std::vector<std::string> key;
      for (int i = 0; i < t.key_columns; ++i) key.push_back(cells[i].value_or(""));
      stored[std::move(key)] = std::move(cells);
      return Status::Ok();
    }));
    CompareTable(t, stored, state.Rows(t), &report);
  }
  CONTINUUM_RETURN_IF_ERROR(directory.Compare(c, [&](std::string difference) {
    report.ok = false;
    if (report.state_differences.size() < kMaxStateDifferences) {
      report.state_differences.push_back(std::move(difference));
    }
  }));
  if (!report.ok) {
    report.problem = std::to_string(report.state_differences.size()) +
                     (report.state_differences.size() == kMaxStateDifferences ? "+" : "") +
                     " current-state or directory row(s) differ from a replay of the log";
  }
  return report;
}

}  // namespace continuum::store::internal
