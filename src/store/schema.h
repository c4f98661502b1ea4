// Private to src/store: the current-state tables as data. Both backends and
// the in-memory state used by Verify validate rows here, so a projector's
// rows are accepted or refused identically everywhere, and every table or
// column name that reaches SQL comes from these definitions, never from the
// caller.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace continuum::store::internal {

enum class ColumnKind {
  kIdentifier,      // like an event's child_id: 1..128 bytes, no control characters
  kText,            // free text, at most 64 KiB
  kJson,            // JSON text, at most 256 KiB
  kUtcTime,         // "YYYY-MM-DDTHH:MM:SSZ"
  kDate,            // "YYYY-MM-DD"
  kEventId,         // 32 lowercase hex digits naming an event
  kDeadlineStatus,  // "open" | "done" | "cancelled"
  kSeq,             // updated_seq, maintained by the store
};

struct ColumnDef {
  std::string_view name;
  ColumnKind kind;
  bool required;  // never null (key columns always are)
};

struct TableDef {
  std::string_view name;
  std::vector<ColumnDef> columns;  // schema order: key columns first, updated_seq last
  int key_columns;
  int child_id_column;
  int updated_seq_column() const { return static_cast<int>(columns.size()) - 1; }
};

// The values of one row, in schema order (including updated_seq).
using Cells = std::vector<std::optional<std::string>>;

const std::vector<TableDef>& Tables();
const TableDef* FindTable(std::string_view name);

// A Row checked against the schema.
struct RowChange {
  const TableDef* table = nullptr;
  std::vector<std::string> key;                                    // in schema key order
  std::vector<std::pair<int, std::optional<std::string>>> values;  // non-key columns named, by index
  bool remove = false;
};

// Checks a projector's row: a known table, exactly its key columns first,
// known non-key columns at most once each, values that fit their columns.
Result<RowChange> CheckRow(const Row& row);
// Checks a table name and key for a read.
Result<const TableDef*> CheckKey(std::string_view table, const std::vector<std::string>& key);
// The row after applying `change` (an upsert) to `existing`; refuses a row
// that would leave a required column null. `seq` becomes updated_seq.
Result<Cells> Merge(const RowChange& change, const std::optional<Cells>& existing, int64_t seq);
// A Row as the Store returns it: every column, schema order.
Row MakeRow(const TableDef& table, const Cells& cells);
// "children [c-1]" / "entities [c-1, note, n-2]", for messages.
std::string DescribeKey(const TableDef& table, const std::vector<std::string>& key);

}  // namespace continuum::store::internal
