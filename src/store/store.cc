// store::Open: picks the backend a URL names.
#include "store/store.h"

#include "store/postgres/postgres_store.h"
#include "store/sql_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/url.h"

namespace continuum::store {

Result<std::unique_ptr<Store>> Open(const std::string& url, const OpenOptions& options) {
  Result<internal::StoreUrl> parsed = internal::ParseStoreUrl(url);
  if (!parsed.ok()) return parsed.status();
  if (parsed->backend == internal::StoreUrl::Backend::kSqlite) {
    return internal::SqlStore::Open(internal::MakeSqliteBackend(parsed->target), options);
  }
  Result<std::unique_ptr<internal::SqlBackend>> backend = internal::MakePostgresBackend(parsed->target);
  if (!backend.ok()) return backend.status();
  return internal::SqlStore::Open(std::move(*backend), options);
}

}  // namespace continuum::store
