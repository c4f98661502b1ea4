// Private to src/store: the Store, written once over SqlConnection so that
// SQLite and PostgreSQL behave alike. A backend folder supplies only a
// SqlBackend (connections, locking, migrations).
//
// Appends go through a GroupCommitWriter: the writer thread opens one write
// transaction per batch (BeginWrite holds the chain head, so processes never
// fork the chain), runs each caller inside its own SAVEPOINT, and commits.
// Reads take a connection from a pool. The directory (sql_directory.h) shares
// the pool; a change to one of its records goes through the writer like an
// append, so that the directory.* event recording it is chained in the same
// transaction (sessions and login throttling use short transactions of their
// own).
#pragma once

#include <memory>
#include <mutex>

#include "store/group_commit.h"
#include "store/sql.h"
#include "store/sql_directory.h"
#include "store/store.h"

namespace continuum::store::internal {

// Brings the schema up to the backend's latest migration; returns the
// version. Refuses a database newer than this build, one with gaps in its
// migrations, and one that holds other tables but no schema_migrations.
Result<int> Migrate(SqlBackend& backend, SqlConnection& conn);

class SqlStore final : public Store {
 public:
  // Connects, migrates, and starts the writer thread. `options` are checked.
  static Result<std::unique_ptr<Store>> Open(std::unique_ptr<SqlBackend> backend, const OpenOptions& options);
  ~SqlStore() override;

  Result<std::vector<Event>> Append(std::vector<Event> events, const Projector& projector) override;
  Result<std::vector<Event>> Chronology(const ChronologyQuery& q) override;
  Result<std::optional<Event>> GetEvent(const std::string& id) override;
  Result<std::optional<Row>> GetRow(const std::string& table, const std::vector<std::string>& key) override;
  Result<std::vector<Row>> ListRows(const std::string& table, const std::string& child_id) override;
  Result<std::vector<Row>> Deadlines(const DeadlineQuery& q) override;
  Result<std::vector<Row>> EntitiesOfKind(const std::string& kind) override;
  Result<std::vector<Event>> Audit(const AuditQuery& q) override;
  Result<std::vector<Row>> SearchChildren(const std::string& text, size_t limit) override;
  Directory& directory() override { return directory_; }
  using Store::Verify;
  Result<VerifyReport> Verify(const Projector& projector, std::span<const ChainPoint> checkpoints) override;
  Result<ChainPoint> Head() override;
  void SetCommitObserver(CommitObserver observer) override;
  int SchemaVersion() override { return schema_version_; }
  ConnectionStats Connections() override;

 private:
  struct ChainHead {
    int64_t seq = 0;
    std::string hash;
  };

  SqlStore(std::unique_ptr<SqlBackend> backend, std::unique_ptr<SqlConnection> writer, int schema_version,
           const OpenOptions& options);

  Status CheckAppend(const std::vector<Event>& events, const Projector& projector);
  // Writer thread only.
  void RunBatch(std::span<AppendRequest* const> batch);
  Status RunBatchOrFail(std::span<AppendRequest* const> batch);
  Result<std::vector<Event>> AppendOne(AppendRequest& request, ChainHead* head,
                                       const std::string& recorded_at);
  // A directory change, run by the writer (SqlDirectory::RunChained).
  Status AppendDirectoryChange(const SqlDirectory::ChainedWork& work);

  std::unique_ptr<SqlBackend> backend_;
  const int pool_size_;
  ConnectionPool pool_;     // pool_size_ - 1 connections; the writer has the other
  SqlDirectory directory_;  // uses pool_
  std::unique_ptr<SqlConnection> writer_conn_;  // used only by the writer thread
  const int schema_version_;
  std::mutex observer_mu_;
  CommitObserver observer_;                    // guarded by observer_mu_
  std::unique_ptr<GroupCommitWriter> writer_;  // declared last: stopped first
};

}  // namespace continuum::store::internal
