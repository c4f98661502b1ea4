// Private to src/store: current state held in memory, for Verify. Replaying
// the log through a projector into a MemoryState gives what the current-state
// tables should hold; rows are checked and merged by the same rules
// (schema.h) as the database writes them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/schema.h"
#include "store/store.h"

namespace continuum::store::internal {

class MemoryState : public StateReader {
 public:
  using TableRows = std::map<std::vector<std::string>, Cells>;  // key -> cells, ordered by key

  Result<std::optional<Row>> Get(const std::string& table, const std::vector<std::string>& key) override;

  // Upserts or removes a row on behalf of the event at `seq`.
  Status Apply(const RowChange& change, int64_t seq);

  const TableRows& Rows(const TableDef& table) const;

 private:
  std::map<std::string_view, TableRows> tables_;
};

}  // namespace continuum::store::internal
