#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <unordered_map>

namespace continuum::store::internal {
namespace {

constexpr size_t kMaxCachedStatements = 128;

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

// One error code, in Continuum's terms.
Status SqliteStatus(int rc, const std::string& location, std::string_view message) {
  std::string m = "SQLite database " + location + ": " + std::string(message);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(m + " (another process held the database for over " +
                         std::to_string(kSqliteBusyTimeoutMs / 1000) + " s)");
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
  Status Configure() {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kSqliteBusyTimeoutMs);
    std::string mode;
    CONTINUUM_RETURN_IF_ERROR(Run("PRAGMA journal_mode = WAL", {}, [&](const SqlRow& row) {
      mode = row.Text(0);
      return Status::Ok();
    }));
    if (mode != "wal") {
      return Unavailable("SQLite database " + location_ +
                         ": could not switch to WAL journaling (the journal mode is " + mode +
                         "); the file system may not support shared memory");
    }
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
  Status Error(int rc) { return SqliteStatus(rc, location_, sqlite3_errmsg(db_)); }

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
