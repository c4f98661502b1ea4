// Private to src/store: which backend a database URL names (store::Open).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace continuum::store::internal {

struct StoreUrl {
  enum class Backend { kSqlite, kPostgres };
  Backend backend = Backend::kSqlite;
  // SQLite: the file path. PostgreSQL: the URL as given, for libpq.
  std::string target;
};

// "sqlite:PATH", "sqlite://PATH" (so "sqlite:///abs/path"), a plain path,
// "postgresql://…" or "postgres://…". Anything else with a scheme, an empty
// path and ":memory:" (which cannot be shared between connections) are
// refused with kInvalidArgument.
Result<StoreUrl> ParseStoreUrl(std::string_view url);

// The URL with any password replaced by "***", for messages and logs.
std::string RedactUrl(std::string_view url);

}  // namespace continuum::store::internal
