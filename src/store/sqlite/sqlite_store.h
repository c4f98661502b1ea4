// Private to src/store: the SQLite backend. One file, WAL, synchronous=FULL
// (an acknowledged write survives power loss), foreign keys on, and a
// 10-second busy timeout; appends, migrations and directory updates take the
// write lock at their start (BEGIN IMMEDIATE), so that they wait for another
// process rather than fail. A connection waits for locks from its first step
// (the busy handler is set before anything reads the file), including the
// switch of a new file to WAL, so opening a database that another process is
// creating, migrating or recovering waits for it. A busy error says how long
// this connection waited, or that SQLite did not let it wait. Needs SQLite
// 3.37 or newer (STRICT tables).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql.h"

namespace continuum::store::internal {

// How long a connection waits for another process's write lock.
inline constexpr int kSqliteBusyTimeoutMs = 10000;
// How much of the database file each connection maps for reading.
inline constexpr int64_t kSqliteMmapBytes = int64_t{1} << 30;

std::unique_ptr<SqlBackend> MakeSqliteBackend(const std::string& path);

// migrations.cc
extern const std::string_view kSqliteMigrationsTable;
extern const std::vector<Migration> kSqliteMigrations;

}  // namespace continuum::store::internal
