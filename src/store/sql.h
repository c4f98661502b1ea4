// Private to src/store: the little a backend must provide so that one
// implementation of Store (sql_store.h) runs on both SQLite and PostgreSQL.
//
// Statements use '?' placeholders (the PostgreSQL backend numbers them) and
// every value is bound as a parameter; statement text comes only from
// constants in src/store and names from schema.h.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace continuum::store::internal {

// A bound value: null, an integer or text. Text is not copied; it must
// outlive the call it is passed to.
struct SqlParam {
  enum class Kind { kNull, kInt, kText };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  std::string_view s;

  static SqlParam Null() { return {}; }
  static SqlParam Int(int64_t v) { return {Kind::kInt, v, {}}; }
  static SqlParam Text(std::string_view v) { return {Kind::kText, 0, v}; }
};

// One result row, valid only during the callback that receives it.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual bool IsNull(int column) const = 0;
  virtual std::string_view Text(int column) const = 0;  // "" for null
  virtual int64_t Int(int column) const;                // 0 for null or not a number
  std::optional<std::string> Optional(int column) const {
    return IsNull(column) ? std::nullopt : std::optional<std::string>(std::string(Text(column)));
  }
};

using RowCallback = std::function<Status(const SqlRow&)>;

// One database connection, used by one thread at a time.
class SqlConnection {
 public:
  static constexpr std::string_view kReadChainHead = "SELECT seq, hash FROM chain_head WHERE id = 1";

  virtual ~SqlConnection() = default;

  // One statement with '?' placeholders; on_row (if given) sees each result
  // row and may stop the query by returning an error.
  virtual Status Run(std::string_view sql, std::span<const SqlParam> params, const RowCallback& on_row) = 0;
  Status Run(std::string_view sql, std::initializer_list<SqlParam> params = {},
             const RowCallback& on_row = {}) {
    return Run(sql, std::span<const SqlParam>(params.begin(), params.size()), on_row);
  }
  // Statements without parameters, separated by ';' (migrations,
  // transaction control), in one round trip.
  virtual Status Script(std::string_view sql) = 0;
  // One INSERT, UPDATE or DELETE (without RETURNING): how many rows it
  // changed. An upsert counts the row it inserted or updated.
  virtual Result<int64_t> RunCountingChanges(std::string_view sql, std::span<const SqlParam> params) = 0;
  Result<int64_t> RunCountingChanges(std::string_view sql, std::initializer_list<SqlParam> params) {
    return RunCountingChanges(sql, std::span<const SqlParam>(params.begin(), params.size()));
  }

  // A statement whose outcome is not needed at once. A backend may send it
  // without waiting (PostgreSQL pipelines it inside a write transaction); its
  // error then comes from the next Run, Flush or Commit, and Flush reports it
  // even if a Run's caller ignored it. `context` prefixes its error message.
  // The default runs it at once.
  virtual Status Defer(std::string_view sql, std::span<const SqlParam> params, std::string_view context);
  Status Defer(std::string_view sql, std::initializer_list<SqlParam> params, std::string_view context) {
    return Defer(sql, std::span<const SqlParam>(params.begin(), params.size()), context);
  }
  // Waits for every deferred statement; the first error among them.
  virtual Status Flush() { return Status::Ok(); }

  // A write transaction that holds the log's chain head, so that no other
  // connection, in any process, appends until it ends; on_head receives the
  // chain_head row (seq, hash).
  virtual Status BeginWrite(const RowCallback& on_head) = 0;
  // A read-only transaction over one consistent snapshot.
  virtual Status BeginSnapshot() = 0;
  // A transaction holding the lock that serialises schema migrations.
  virtual Status BeginMigration() = 0;
  // A short read-write transaction over the mutable tables (the directory)
  // that does not lock the chain head. SQLite takes its one write lock at
  // once (waiting up to the busy timeout), so that a read followed by a
  // write cannot fail on a stale snapshot; PostgreSQL runs at READ COMMITTED.
  virtual Status BeginUpdate() = 0;
  virtual Status Commit() { return Script("COMMIT"); }
  // Ends any open transaction, ignoring errors (after a failure).
  virtual void RollbackQuietly() = 0;

  // Whether a table of this name exists where the store keeps its tables,
  // and the names of all tables there.
  virtual Result<bool> TableExists(std::string_view table) = 0;
  virtual Result<std::vector<std::string>> ListTables() = 0;

  // False if the connection was lost; Reconnect() then tries once.
  virtual bool Usable() = 0;
  virtual Status Reconnect() = 0;
};

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // a Script; may be empty
  // Work that SQL cannot do (hashing, for one), run after `sql` in the same
  // transaction; or null.
  Status (*after)(SqlConnection&) = nullptr;
};

// One kind of database at one address.
class SqlBackend {
 public:
  virtual ~SqlBackend() = default;
  virtual std::string_view Name() const = 0;        // "SQLite", "PostgreSQL"
  virtual const std::string& Location() const = 0;  // the path or redacted URL, for messages
  virtual Result<std::unique_ptr<SqlConnection>> Connect() = 0;
  // CREATE TABLE IF NOT EXISTS schema_migrations …
  virtual std::string_view MigrationsTableSql() const = 0;
  // In version order, from 1, without gaps.
  virtual const std::vector<Migration>& Migrations() const = 0;
};

// Connections for readers and the directory: taken by one thread, returned
// after use. At most `max_open` exist at once, idle or in use; Acquire waits
// for one to be returned when all are in use, up to `wait`, then fails with
// kUnavailable. (The store's writer has a connection of its own besides.)
// Connections are kept open once made, up to `max_open`; one found broken is
// reconnected or replaced. Nothing holds two leases at once, so waiting for
// a lease cannot deadlock.
class ConnectionPool {
 public:
  // `limit_note` ends the message of a timeout (which setting sets the size).
  ConnectionPool(SqlBackend* backend, size_t max_open, std::chrono::milliseconds wait, std::string limit_note)
      : backend_(backend), max_open_(max_open), wait_(wait), limit_note_(std::move(limit_note)) {}

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<SqlConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (conn_) pool_->Return(std::move(conn_));
    }
    SqlConnection* operator->() { return conn_.get(); }
    SqlConnection& operator*() { return *conn_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<SqlConnection> conn_;
  };

  // An idle connection (reconnected if it was lost), or a new one if fewer
  // than max_open exist, or the first one returned within `wait`.
  Result<Lease> Acquire();

  struct Stats {
    size_t open = 0;         // idle or in use, now
    size_t most_open = 0;    // the most open at once so far
    uint64_t waited = 0;     // Acquire calls that found every connection in use
    uint64_t timed_out = 0;  // of those, the ones that gave up
  };
  Stats GetStats() const;

 private:
  void Return(std::unique_ptr<SqlConnection> conn);
  // Gives back a slot whose connection is gone (or was never made).
  void Release();

  SqlBackend* backend_;
  const size_t max_open_;
  const std::chrono::milliseconds wait_;
  const std::string limit_note_;
  mutable std::mutex mu_;
  std::condition_variable freed_;                     // a connection was returned or a slot freed
  std::vector<std::unique_ptr<SqlConnection>> idle_;  // guarded by mu_
  Stats stats_;                                       // guarded by mu_; open counts connecting slots too
};

}  // namespace continuum::store::internal
