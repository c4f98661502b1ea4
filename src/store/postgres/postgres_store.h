// Private to src/store: the PostgreSQL backend (libpq). Stateless: every
// process or server may append to the same database; appends serialise on a
// row lock of the one-row chain_head table (SELECT … FOR UPDATE), schema
// migrations on a transaction-scoped advisory lock. The database must use
// UTF8; synchronous_commit is turned on if the server has it off. Tables live
// in the connection's current schema (the first on its search_path).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql.h"

namespace continuum::store::internal {

// How long a statement waits for a lock held by another session.
inline constexpr int kPostgresLockTimeoutMs = 10000;

// Checks the URL's syntax with libpq; kInvalidArgument if it is malformed.
Result<std::unique_ptr<SqlBackend>> MakePostgresBackend(const std::string& url);

// migrations.cc
extern const std::string_view kPostgresMigrationsTable;
extern const std::vector<Migration> kPostgresMigrations;

}  // namespace continuum::store::internal
