#include "store/memory_state.h"

namespace continuum::store::internal {

Result<std::optional<Row>> MemoryState::Get(const std::string& table, const std::vector<std::string>& key) {
  Result<const TableDef*> t = CheckKey(table, key);
  if (!t.ok()) return t.status();
  const TableRows& rows = Rows(**t);
  auto it = rows.find(key);
  if (it == rows.end()) return std::optional<Row>();
  return std::optional<Row>(MakeRow(**t, it->second));
}

Status MemoryState::Apply(const RowChange& change, int64_t seq) {
  TableRows& rows = tables_[change.table->name];
  auto it = rows.find(change.key);
  if (change.remove) {
    if (it != rows.end()) rows.erase(it);
    return Status::Ok();
  }
  std::optional<Cells> existing;
  if (it != rows.end()) existing = it->second;
  Result<Cells> merged = Merge(change, existing, seq);
  if (!merged.ok()) return merged.status();
  rows[change.key] = std::move(*merged);
  return Status::Ok();
}

const MemoryState::TableRows& MemoryState::Rows(const TableDef& table) const {
  static const TableRows kEmpty;
  auto it = tables_.find(table.name);
  return it == tables_.end() ? kEmpty : it->second;
}

}  // namespace continuum::store::internal
