// Test support for the event log: a fresh database per test on either
// backend, raw SQL that bypasses the Store (to tamper with it or look
// underneath), and a small projector. Used by the conformance suite, the
// tamper and crash tests and the benchmark; not part of the library.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace continuum::store::testing {

// "sqlite" or "postgres".
inline constexpr const char* kSqlite = "sqlite";
inline constexpr const char* kPostgres = "postgres";

// The PostgreSQL server to test against (CONTINUUM_TEST_PG_URL), or "".
std::string PostgresTestUrl();

using RawRow = std::vector<std::optional<std::string>>;

// A database nobody else uses: a file in a new temporary directory, or a new
// schema in the PostgreSQL test database (its URL sets search_path). Removed
// with everything in it when destroyed.
class TestDatabase {
 public:
  static Result<std::unique_ptr<TestDatabase>> Create(const std::string& backend);
  ~TestDatabase();

  const std::string& backend() const { return backend_; }
  const std::string& url() const { return url_; }           // for store::Open
  const std::string& sqlite_path() const { return path_; }  // SQLite only

  // Raw SQL on a connection of its own, '?' placeholders, values as text.
  // Once AllowTampering() has run, the append-only triggers (and, on
  // PostgreSQL, foreign keys) no longer stop this connection.
  Status Exec(const std::string& sql, const RawRow& params = {});
  Result<std::vector<RawRow>> Query(const std::string& sql, const RawRow& params = {});
  Result<int64_t> Count(const std::string& table);
  Status AllowTampering();

 private:
  TestDatabase() = default;
  Status Connect();

  std::string backend_, url_, path_, dir_, schema_, base_url_;
  struct Raw;
  std::unique_ptr<Raw> raw_;
};

// The projector the tests use:
//   child.registered {"name", "dob"?}        -> children row (display_name, date_of_birth, data)
//   child.renamed {"name"}                    -> children.display_name only
//   note.added                                -> entities [child, note-count, all] {"count": n+1}
//   batch.step {"batch": tag}                 -> entities [child, batch, tag] {"events": n+1}
//   entity.added / entity.removed {"kind", "entity_id"} -> entities row upserted / removed
//   deadline.set {"deadline_id", "due_at", "owner"?, "team"?, "label"?} -> deadlines row, open
//   deadline.met {"deadline_id"}              -> deadlines.status = done
//   test.rejected                             -> refused (kInvalidArgument)
//   test.bad-row                              -> a row naming a column that does not exist
//   anything else                             -> no rows
Status TestProjector(const Event& e, StateReader& state, std::vector<Row>* rows);

// An event with the given fields and the rest valid.
Event MakeEvent(const std::string& child_id, const std::string& type, const std::string& occurred_at,
                const std::string& payload = "{}", const std::string& agency = "school-1",
                int significance = 0);

}  // namespace continuum::store::testing
