#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <unordered_map>

namespace continuum::store::internal {
namespace {

constexpr size_t kMaxCachedStatements = 128;
constexpr auto kBusyTimeout = std::chrono::milliseconds(kSqliteBusyTimeoutMs);

// Sleeps between tries for a lock held by another connection: short at
// first (most locks are held for one commit, well under a millisecond to a
// few), then up to 50 ms.
std::chrono::milliseconds BusyDelay(int tries) {
  static constexpr int kDelaysMs[] = {1, 1, 2, 2, 5, 5, 10, 10, 20, 20, 50};
  constexpr int n = sizeof kDelaysMs / sizeof kDelaysMs[0];
  return std::chrono::milliseconds(kDelaysMs[tries < n ? tries : n - 1]);
}

class SqliteRow final : public SqlRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool IsNull(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string_view Text(int column) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
  }
  int64_t Int(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_INTEGER ? sqlite3_column_int64(stmt_, column)
                                                                : SqlRow::Int(column);
  }

 private:
  sqlite3_stmt* stmt_;
};

std::string Seconds(std::chrono::steady_clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f",
                std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0);
  return text;
}

// What this connection did about another connection's lock, for a busy
// error's message: how long it waited, or that SQLite did not let it wait.
struct BusyWait {
  bool waited = false;
  std::chrono::steady_clock::duration how_long{};
};

std::string DescribeBusy(int rc, const BusyWait& wait) {
  if (rc == SQLITE_BUSY_SNAPSHOT) {
    return " (another connection wrote after this transaction began reading; it must start again)";
  }
  const std::string who = rc == SQLITE_BUSY_RECOVERY
                              ? "another connection was recovering the database after a crash"
                              : "another connection held its lock";
  if (wait.waited) {
    return " (" + who + " for the " + Seconds(wait.how_long) +
           " s this connection waited; it waits at most " + std::to_string(kSqliteBusyTimeoutMs / 1000) +
           " s)";
  }
  return " (" + who + "; SQLite answered at once, without waiting for it)";
}

// One error code, in Continuum's terms.
Status SqliteStatus(int rc, const std::string& location, std::string_view message,
                    const BusyWait& wait = {}) {
  std::string m = "SQLite database " + location + ": " + std::string(message);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
      return Unavailable(m + DescribeBusy(rc, wait));
    case SQLITE_LOCKED:
      return Unavailable(m + " (a table is in use by another statement of the same connection)");
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return Conflict(m);
      return InvalidArgument(m);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
      return Unavailable(m);
    case SQLITE_NOTADB:
      return InvalidArgument(m + " (the file is not a SQLite database)");
    default:
      return Internal(m);
  }
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string location) : db_(db), location_(std::move(location)) {}
  using SqlConnection::Run;
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Status Run(std::string_view sql, std::span<const SqlParam> params, const RowCallback& on_row) override {
    busy_ = {};
    sqlite3_stmt* stmt = nullptr;
    bool cached = false;
    if (auto it = cache_.find(std::string(sql)); it != cache_.end()) {
      stmt = it->second;
      cached = true;
    } else {
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                  cache_.size() < kMaxCachedStatements ? SQLITE_PREPARE_PERSISTENT : 0, &stmt,
                                  nullptr);
      if (rc != SQLITE_OK) return Error(rc);
      if (cache_.size() < kMaxCachedStatements) {
        cache_.emplace(std::string(sql), stmt);
        cached = true;
      }
    }
    Status st = Execute(stmt, params, on_row);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (!cached) sqlite3_finalize(stmt);
    return st;
  }

  Status Script(std::string_view sql) override {
    busy_ = {};
    int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : Error(sqlite3_extended_errcode(db_));
  }

  Result<int64_t> RunCountingChanges(std::string_view sql, std::span<const SqlParam> params) override {
    CONTINUUM_RETURN_IF_ERROR(Run(sql, params, {}));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status BeginWrite(const RowCallback& on_head) override {
    CONTINUUM_RETURN_IF_ERROR(Script("BEGIN IMMEDIATE"));
    return Run(kReadChainHead, {}, on_head);
  }
  // WAL: the snapshot is fixed at the transaction's first read.
  Status BeginSnapshot() override { return Script("BEGIN DEFERRED"); }
  Status BeginMigration() override { return Script("BEGIN IMMEDIATE"); }
  Status BeginUpdate() override { return Script("BEGIN IMMEDIATE"); }
  void RollbackQuietly() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  Result<bool> TableExists(std::string_view table) override {
    bool found = false;
    Status st = Run("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", {SqlParam::Text(table)},
                    [&](const SqlRow&) {
                      found = true;
                      return Status::Ok();
                    });
    if (!st.ok()) return st;
    return found;
  }

  Result<std::vector<std::string>> ListTables() override {
    std::vector<std::string> names;
    Status st =
        Run("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name",
            {}, [&](const SqlRow& row) {
              names.emplace_back(row.Text(0));
              return Status::Ok();
            });
    if (!st.ok()) return st;
    return names;
  }

  bool Usable() override { return true; }
  Status Reconnect() override { return Status::Ok(); }

  // Per-connection settings; journal_mode=WAL is also recorded in the file.
  // The busy handler comes first, so that every later step waits for a lock
  // another process holds (while it creates, migrates or recovers the file).
  Status Configure() {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_handler(db_, &SqliteConnection::OnBusy, this);
    // A first read makes SQLite look at the file, so that a database already
    // in WAL mode is known to be and the switch below takes no lock.
    CONTINUUM_RETURN_IF_ERROR(Run("SELECT count(*) FROM sqlite_schema"));
    CONTINUUM_RETURN_IF_ERROR(SwitchToWal());
    CONTINUUM_RETURN_IF_ERROR(Script("PRAGMA synchronous = FULL"));
    CONTINUUM_RETURN_IF_ERROR(Script("PRAGMA foreign_keys = ON"));
    // Reads: a chronology touches pages scattered through the file, and a
    // connection's page cache is dropped whenever another connection commits.
    // Mapping the file lets such pages come from the OS page cache without a
    // pread() copy each. Writes still go through write() and fsync().
    CONTINUUM_RETURN_IF_ERROR(Script("PRAGMA mmap_size = " + std::to_string(kSqliteMmapBytes)));
    CONTINUUM_RETURN_IF_ERROR(Script("PRAGMA cache_size = -16384"));  // KiB: 16 MiB per connection
    return Status::Ok();
  }

 private:
  // Switching a new file to WAL needs the database to itself for a moment,
  // and SQLite answers SQLITE_BUSY at once, without calling the busy
  // handler, while another process holds it (e.g. switching it too). So the
  // switch is tried again, as the busy handler would, for up to the same
  // time.
  Status SwitchToWal() {
    const auto start = std::chrono::steady_clock::now();
    for (int tries = 0;; ++tries) {
      busy_ = {};
      sqlite3_stmt* stmt = nullptr;
      int rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode = WAL", -1, &stmt, nullptr);
      std::string mode;
      if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
          const unsigned char* text = sqlite3_column_text(stmt, 0);
          mode = text ? reinterpret_cast<const char*>(text) : "";
          rc = SQLITE_OK;
        }
      }
      const int code = rc == SQLITE_OK ? rc : sqlite3_extended_errcode(db_);
      const std::string message = sqlite3_errmsg(db_);
      sqlite3_finalize(stmt);
      if (code == SQLITE_OK) {
        if (mode == "wal") return Status::Ok();
        return Unavailable("SQLite database " + location_ +
                           ": could not switch to WAL journaling (the journal mode is " + mode +
                           "); the file system may not support shared memory");
      }
      const auto waited = std::chrono::steady_clock::now() - start;
      if ((code & 0xff) != SQLITE_BUSY || waited >= kBusyTimeout) {
        BusyWait wait = busy_;
        if (tries > 0) wait = {true, waited};
        return SqliteStatus(code, location_, "switching to WAL journaling: " + message, wait);
      }
      std::this_thread::sleep_for(BusyDelay(tries));
    }
  }

  // SQLite's busy handler: waits for another connection's lock, up to
  // kSqliteBusyTimeoutMs from the first time this call found it locked.
  static int OnBusy(void* self, int tries) {
    auto* c = static_cast<SqliteConnection*>(self);
    const auto now = std::chrono::steady_clock::now();
    if (!c->busy_.waited) {
      c->busy_.waited = true;
      c->busy_since_ = now;
    }
    c->busy_.how_long = now - c->busy_since_;
    if (c->busy_.how_long >= kBusyTimeout) return 0;
    const auto left = kBusyTimeout - c->busy_.how_long;
    const auto delay = std::min<std::chrono::steady_clock::duration>(BusyDelay(tries), left);
    std::this_thread::sleep_for(delay);
    c->busy_.how_long = std::chrono::steady_clock::now() - c->busy_since_;
    return 1;
  }

  Status Error(int rc) { return SqliteStatus(rc, location_, sqlite3_errmsg(db_), busy_); }

  Status Execute(sqlite3_stmt* stmt, std::span<const SqlParam> params, const RowCallback& on_row) {
    if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
      return Internal("statement expects " + std::to_string(sqlite3_bind_parameter_count(stmt)) +
                      " parameters, given " + std::to_string(params.size()) + ": " + sqlite3_sql(stmt));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlParam& p = params[i];
      int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      switch (p.kind) {
        case SqlParam::Kind::kNull:
          rc = sqlite3_bind_null(stmt, index);
          break;
        case SqlParam::Kind::kInt:
          rc = sqlite3_bind_int64(stmt, index, p.i);
          break;
        case SqlParam::Kind::kText:
          // A null pointer would bind NULL; empty text must stay text.
          rc = sqlite3_bind_text64(stmt, index, p.s.data() ? p.s.data() : "", p.s.size(), SQLITE_STATIC,
                                   SQLITE_UTF8);
          break;
      }
      if (rc != SQLITE_OK) return Error(rc);
    }
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return Error(rc);
      if (on_row) {
        SqliteRow row(stmt);
        CONTINUUM_RETURN_IF_ERROR(on_row(row));
      }
    }
  }

  sqlite3* db_;
  const std::string location_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  // The current call's waiting for other connections' locks.
  BusyWait busy_;
  std::chrono::steady_clock::time_point busy_since_;
};

class SqliteBackend final : public SqlBackend {
 public:
  explicit SqliteBackend(std::string path) : path_(std::move(path)) {}

  std::string_view Name() const override { return "SQLite"; }
  const std::string& Location() const override { return path_; }
  std::string_view MigrationsTableSql() const override { return kSqliteMigrationsTable; }
  const std::vector<Migration>& Migrations() const override { return kSqliteMigrations; }

  Result<std::unique_ptr<SqlConnection>> Connect() override {
    if (sqlite3_libversion_number() < 3037000) {
      return Internal(std::string("SQLite 3.37 or newer is needed (STRICT tables); this is ") +
                      sqlite3_libversion());
    }
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path_.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      sqlite3_close_v2(db);
      return SqliteStatus(rc, path_, "cannot open: " + message);
    }
    auto conn = std::make_unique<SqliteConnection>(db, path_);
    CONTINUUM_RETURN_IF_ERROR(conn->Configure());
    return std::unique_ptr<SqlConnection>(std::move(conn));
  }

 private:
  const std::string path_;
};

}  // namespace

std::unique_ptr<SqlBackend> MakeSqliteBackend(const std::string& path) {
  return std::make_unique<SqliteBackend>(path);
}

}  // namespace continuum::store::internal
