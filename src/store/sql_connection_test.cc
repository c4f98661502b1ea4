// The backend connections beneath the Store: deferred (pipelined)
// statements, whose errors must never be lost, on both backends.
#include <gtest/gtest.h>

#include "store/postgres/postgres_store.h"
#include "store/sql.h"
#include "store/sql_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_test_util.h"

namespace continuum::store::internal {
namespace {

class SqlConnectionTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { SetUpBackend(GetParam()); }

  void SetUpBackend(const std::string& backend) {
    if (backend == testing::kPostgres && testing::PostgresTestUrl().empty()) {
      GTEST_SKIP()
          << "CONTINUUM_TEST_PG_URL is not set; run under scripts/with-postgres.sh to test PostgreSQL";
    }
    auto db = testing::TestDatabase::Create(backend);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    if (backend == testing::kSqlite) {
      backend_ = MakeSqliteBackend(db_->sqlite_path());
    } else {
      auto b = MakePostgresBackend(db_->url());
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      backend_ = std::move(*b);
    }
    auto c = backend_->Connect();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    conn_ = std::move(*c);
    auto version = Migrate(*backend_, *conn_);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
  }

  int64_t HeadSeq() {
    int64_t seq = -1;
    Status st = conn_->Run(SqlConnection::kReadChainHead, {}, [&](const SqlRow& row) {
      seq = row.Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return seq;
  }

  Status Begin() {
    return conn_->BeginWrite([](const SqlRow&) { return Status::Ok(); });
  }

  // A statement that always fails: chain_head has one row, id 1.
  Status DeferDuplicate() {
    return conn_->Defer("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, 'x')", {}, "the duplicate");
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<SqlBackend> backend_;
  std::unique_ptr<SqlConnection> conn_;
};

TEST_P(SqlConnectionTest, ADeferredErrorComesBackWithItsContext) {
  ASSERT_TRUE(Begin().ok());
  Status deferred = DeferDuplicate();
  Status flushed = conn_->Flush();
  // SQLite runs it at once; PostgreSQL reports it at the flush. Either way once.
  Status error = deferred.ok() ? flushed : deferred;
  ASSERT_FALSE(error.ok());
  EXPECT_TRUE(deferred.ok() || flushed.ok());
  EXPECT_EQ(error.code(), StatusCode::kConflict) << error.ToString();
  EXPECT_EQ(error.message().rfind("the duplicate: ", 0), 0u) << error.message();
  conn_->RollbackQuietly();
  EXPECT_TRUE(conn_->Usable());
  EXPECT_EQ(HeadSeq(), 0);
}

TEST_P(SqlConnectionTest, ReadsSeeDeferredWritesAndAnIgnoredErrorStillReachesFlush) {
  ASSERT_TRUE(Begin().ok());
  ASSERT_TRUE(conn_->Defer("UPDATE chain_head SET seq = ? WHERE id = 1", {SqlParam::Int(5)}, "update").ok());
  EXPECT_EQ(HeadSeq(), 5);
  Status deferred = DeferDuplicate();
  Status read = conn_->Run("SELECT 1", {}, {});
  Status flushed = conn_->Flush();
  if (deferred.ok()) {
    EXPECT_FALSE(read.ok()) << "the read shares the failed segment";
    EXPECT_FALSE(flushed.ok()) << "Flush must report the deferred error even after the read did";
    EXPECT_NE(flushed.message().find("the duplicate"), std::string::npos) << flushed.message();
  }
  EXPECT_TRUE(conn_->Flush().ok()) << "reported once";
  conn_->RollbackQuietly();
  EXPECT_EQ(HeadSeq(), 0);
}

TEST_P(SqlConnectionTest, ADeferredErrorIsNeverCommittedPastUnnoticed) {
  ASSERT_TRUE(Begin().ok());
  ASSERT_TRUE(conn_->Run("UPDATE chain_head SET seq = 7 WHERE id = 1", {}, {}).ok());
  Status deferred = DeferDuplicate();
  if (!deferred.ok()) {
    // Reported at once (SQLite): only the failed statement was undone, and
    // the caller, told, may still commit the rest.
    EXPECT_NE(deferred.message().find("the duplicate"), std::string::npos) << deferred.message();
    ASSERT_TRUE(conn_->Commit().ok());
    EXPECT_EQ(HeadSeq(), 7);
    return;
  }
  // Pipelined (PostgreSQL): COMMIT must fail with it, and nothing is written.
  Status committed = conn_->Commit();
  EXPECT_FALSE(committed.ok());
  EXPECT_NE(committed.message().find("the duplicate"), std::string::npos) << committed.message();
  conn_->RollbackQuietly();
  EXPECT_EQ(HeadSeq(), 0);
}

TEST_P(SqlConnectionTest, ManyDeferredStatementsAllApply) {
  auto before = db_->Count("schema_migrations");  // one row per migration
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(Begin().ok());
  for (int v = 1000; v < 1300; ++v) {
    ASSERT_TRUE(
        conn_
            ->Defer("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    {SqlParam::Int(v), SqlParam::Text("test"), SqlParam::Text("2026-01-01T00:00:00Z")},
                    "insert")
            .ok());
  }
  ASSERT_TRUE(conn_->Flush().ok());
  int64_t n = 0;
  ASSERT_TRUE(conn_
                  ->Run("SELECT count(*) FROM schema_migrations", {},
                        [&](const SqlRow& row) {
                          n = row.Int(0);
                          return Status::Ok();
                        })
                  .ok());
  EXPECT_EQ(n, *before + 300);
  ASSERT_TRUE(conn_->Commit().ok());
  auto rows = db_->Count("schema_migrations");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, *before + 300);
}

TEST_P(SqlConnectionTest, RunCountingChangesCountsRowsWrittenInAndOutOfTransactions) {
  auto insert = [&](const char* key) {
    return conn_->RunCountingChanges(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES (?, 1, ?, '')",
        {SqlParam::Text(key), SqlParam::Text("2026-01-01T00:00:00Z")});
  };
  for (const char* key : {"a", "b", "c"}) {
    auto n = insert(key);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 1);
  }
  auto all = conn_->RunCountingChanges("UPDATE login_throttle SET failures = failures + 1", {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, 3);
  auto none = conn_->RunCountingChanges("DELETE FROM login_throttle WHERE key = ?", {SqlParam::Text("zzz")});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, 0);

  // Inside a write transaction (pipelined on PostgreSQL) and an update one.
  ASSERT_TRUE(Begin().ok());
  auto two = conn_->RunCountingChanges("DELETE FROM login_throttle WHERE key IN (?, ?)",
                                       {SqlParam::Text("a"), SqlParam::Text("b")});
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(*two, 2);
  ASSERT_TRUE(conn_->Commit().ok());
  ASSERT_TRUE(conn_->BeginUpdate().ok());
  auto one = conn_->RunCountingChanges("DELETE FROM login_throttle", {});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(*one, 1);
  ASSERT_TRUE(conn_->Commit().ok());
  auto rows = db_->Count("login_throttle");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlConnectionTest, ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });

// SQLite's locking only.
class SqliteBusyTest : public SqlConnectionTest {
 protected:
  void SetUp() override { SetUpBackend(testing::kSqlite); }
};

// A busy error says what happened: how long this connection waited for the
// other's lock, or that SQLite answered without letting it wait.
TEST_F(SqliteBusyTest, ABusyErrorSaysHowLongItWaited) {
  auto other = backend_->Connect();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)->BeginUpdate().ok());  // holds the write lock
  Status blocked = conn_->BeginUpdate();
  (*other)->RollbackQuietly();
  ASSERT_EQ(blocked.code(), StatusCode::kUnavailable) << blocked.ToString();
  EXPECT_NE(blocked.message().find("another connection held its lock for the "), std::string::npos)
      << blocked.message();
  EXPECT_NE(blocked.message().find(" s this connection waited; it waits at most 10 s"), std::string::npos)
      << blocked.message();
}

TEST_F(SqliteBusyTest, ABusyErrorWithoutWaitingSaysSo) {
  // A read transaction whose snapshot another connection's commit has made
  // stale cannot become a write transaction, however long it waits.
  ASSERT_TRUE(conn_->BeginSnapshot().ok());
  ASSERT_EQ(HeadSeq(), 0);
  auto other = backend_->Connect();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)->Run("UPDATE chain_head SET seq = 1 WHERE id = 1").ok());
  Status stale = conn_->Run("UPDATE chain_head SET seq = 2 WHERE id = 1");
  conn_->RollbackQuietly();
  ASSERT_EQ(stale.code(), StatusCode::kUnavailable) << stale.ToString();
  EXPECT_NE(stale.message().find("another connection wrote after this transaction began reading"),
            std::string::npos)
      << stale.message();
  EXPECT_EQ(stale.message().find("waited"), std::string::npos) << stale.message();
}

}  // namespace
}  // namespace continuum::store::internal
