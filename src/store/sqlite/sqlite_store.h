// Private to src/store: the SQLite backend. One file, WAL, synchronous=FULL
// (an acknowledged write survives power loss), foreign keys on, and a
// 10-second busy timeout; appends serialise across processes with BEGIN
// IMMEDIATE. Needs SQLite 3.37 or newer (STRICT tables).
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
