#include "store/schema.h"

#include "store/event_format.h"

namespace continuum::store::internal {
namespace {

constexpr size_t kMaxTextBytes = 64 * 1024;

std::vector<TableDef> BuildTables() {
  using K = ColumnKind;
  return {
      {"children",
       {{"child_id", K::kIdentifier, true},
        {"display_name", K::kText, false},
        {"date_of_birth", K::kDate, false},
        {"nhs_number", K::kIdentifier, false},
        {"upn", K::kIdentifier, false},
        {"local_id", K::kIdentifier, false},
        {"framework_id", K::kIdentifier, false},
        {"data", K::kJson, false},
        {"updated_seq", K::kSeq, true}},
       1,
       0},
      {"entities",
       {{"child_id", K::kIdentifier, true},
        {"kind", K::kIdentifier, true},
        {"entity_id", K::kIdentifier, true},
        {"data", K::kJson, false},
        {"updated_seq", K::kSeq, true}},
       3,
       0},
      {"deadlines",
       {{"deadline_id", K::kIdentifier, true},
        {"child_id", K::kIdentifier, true},
        {"kind", K::kIdentifier, false},
        {"label", K::kText, false},
        {"due_at", K::kUtcTime, true},
        {"owner", K::kIdentifier, false},
        {"team", K::kIdentifier, false},
        {"agency", K::kIdentifier, false},
        {"status", K::kDeadlineStatus, true},
        {"source_event", K::kEventId, false},
        {"updated_seq", K::kSeq, true}},
       1,
       1},
  };
}

int ColumnIndex(const TableDef& t, std::string_view name) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status CheckValue(const TableDef& t, const ColumnDef& c, const std::string& value) {
  const std::string field = std::string(t.name) + "." + std::string(c.name);
  switch (c.kind) {
    case ColumnKind::kIdentifier:
      return CheckText(field, value, TextRule::kIdentifier, kMaxIdBytes);
    case ColumnKind::kText:
      return CheckText(field, value, TextRule::kFreeText, kMaxTextBytes);
    case ColumnKind::kJson:
      return CheckJson(field, value, /*object_only=*/false, kMaxPayloadBytes);
    case ColumnKind::kUtcTime:
      if (!IsUtcTime(value)) {
        return InvalidArgument(field + " " + Quote(value) +
                               " is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
      }
      return Status::Ok();
    case ColumnKind::kDate:
      if (!IsDate(value)) return InvalidArgument(field + " " + Quote(value) + " is not a date YYYY-MM-DD");
      return Status::Ok();
    case ColumnKind::kEventId:
      if (!IsLowerHex(value, 32)) {
        return InvalidArgument(field + " " + Quote(value) + " is not an event id (32 lowercase hex digits)");
      }
      return Status::Ok();
    case ColumnKind::kDeadlineStatus:
      if (value != "open" && value != "done" && value != "cancelled") {
        return InvalidArgument(field + " " + Quote(value) + " must be \"open\", \"done\" or \"cancelled\"");
      }
      return Status::Ok();
    case ColumnKind::kSeq:
      return InvalidArgument(field + " is maintained by the store; a projector does not set it");
  }
  return Internal("unknown column kind");
}

}  // namespace

const std::vector<TableDef>& Tables() {
  static const std::vector<TableDef> tables = BuildTables();
  return tables;
}

const TableDef* FindTable(std::string_view name) {
  for (const TableDef& t : Tables()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

namespace {

Status UnknownTable(std::string_view name) {
  return InvalidArgument("table " + Quote(name) +
                         " is not a current-state table (children, entities, deadlines)");
}

std::string KeyNames(const TableDef& t) {
  std::string out;
  for (int i = 0; i < t.key_columns; ++i) out += (i ? ", " : "") + std::string(t.columns[i].name);
  return out;
}

}  // namespace

std::string DescribeKey(const TableDef& t, const std::vector<std::string>& key) {
  std::string out = std::string(t.name) + " [";
  for (size_t i = 0; i < key.size(); ++i) out += (i ? ", " : "") + key[i];
  return out + "]";
}

Result<const TableDef*> CheckKey(std::string_view table, const std::vector<std::string>& key) {
  const TableDef* t = FindTable(table);
  if (!t) return UnknownTable(table);
  if (key.size() != static_cast<size_t>(t->key_columns)) {
    return InvalidArgument("the key of " + std::string(t->name) + " is (" + KeyNames(*t) + "): " +
                           std::to_string(t->key_columns) + " value(s), not " + std::to_string(key.size()));
  }
  for (int i = 0; i < t->key_columns; ++i) {
    CONTINUUM_RETURN_IF_ERROR(CheckValue(*t, t->columns[i], key[i]));
  }
  return t;
}

Result<RowChange> CheckRow(const Row& row) {
  const TableDef* t = FindTable(row.table);
  if (!t) return UnknownTable(row.table);
  if (row.key_columns != t->key_columns) {
    return InvalidArgument("a " + std::string(t->name) + " row has " + std::to_string(t->key_columns) +
                           " key column(s) (" + KeyNames(*t) + "), not " + std::to_string(row.key_columns));
  }
  if (row.columns.size() < static_cast<size_t>(t->key_columns)) {
    return InvalidArgument("a " + std::string(t->name) + " row must start with its key (" + KeyNames(*t) +
                           ")");
  }
  RowChange change;
  change.table = t;
  change.remove = row.remove;
  change.key.assign(t->key_columns, "");
  std::vector<bool> seen(t->columns.size(), false);
  for (size_t i = 0; i < row.columns.size(); ++i) {
    const auto& [name, value] = row.columns[i];
    int index = ColumnIndex(*t, name);
    if (index < 0) {
      return InvalidArgument(std::string(t->name) + " has no column " + Quote(name));
    }
    const ColumnDef& c = t->columns[index];
    if (seen[index])
      return InvalidArgument(std::string(t->name) + "." + std::string(c.name) + " is given twice");
    seen[index] = true;
    bool is_key = index < t->key_columns;
    if (is_key != (i < static_cast<size_t>(t->key_columns))) {
      return InvalidArgument("a " + std::string(t->name) + " row must start with its key (" + KeyNames(*t) +
                             "); " + Quote(name) + " is out of place");
    }
    if (c.kind == ColumnKind::kSeq)
      CONTINUUM_RETURN_IF_ERROR(CheckValue(*t, c, ""));  // never set by a projector
    if (!is_key && row.remove) continue;                 // a removal uses only the key
    if (!value) {
      if (c.required) {
        return InvalidArgument(std::string(t->name) + "." + std::string(c.name) +
                               " is required; it cannot be null");
      }
      change.values.emplace_back(index, std::nullopt);
      continue;
    }
    // An optional column may be left blank (""); anything else must fit it.
    if (!(value->empty() && !c.required)) CONTINUUM_RETURN_IF_ERROR(CheckValue(*t, c, *value));
    if (is_key) {
      change.key[index] = *value;
    } else {
      change.values.emplace_back(index, *value);
    }
  }
  return change;
}

Result<Cells> Merge(const RowChange& change, const std::optional<Cells>& existing, int64_t seq) {
  const TableDef& t = *change.table;
  Cells cells = existing ? *existing : Cells(t.columns.size());
  for (int i = 0; i < t.key_columns; ++i) cells[i] = change.key[i];
  for (const auto& [index, value] : change.values) cells[index] = value;
  cells[t.updated_seq_column()] = std::to_string(seq);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].required && !cells[i]) {
      return InvalidArgument(DescribeKey(t, change.key) + ": " + std::string(t.columns[i].name) +
                             " is required when the row is created");
    }
  }
  return cells;
}

Row MakeRow(const TableDef& t, const Cells& cells) {
  Row row;
  row.table = std::string(t.name);
  row.key_columns = t.key_columns;
  row.columns.reserve(t.columns.size());
  for (size_t i = 0; i < t.columns.size(); ++i)
    row.columns.emplace_back(std::string(t.columns[i].name), cells[i]);
  return row;
}

}  // namespace continuum::store::internal
