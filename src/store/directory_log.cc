#include "store/directory_log.h"

#include <sodium.h>

#include <array>
#include <exception>
#include <iterator>

#include "store/event_format.h"

namespace continuum::store::internal {
namespace {

enum class ColumnKind { kText, kInt, kDigest };

struct Column {
  std::string_view name;  // in the table; a digest's field in the record is name + "_blake2b"
  ColumnKind kind;
};

// One directory table as the log records it. The key is the first column.
struct Table {
  DirectoryKind kind;
  std::string_view name;     // the table
  std::string_view noun;     // in event types
  std::string_view created;  // the change word for a new row
  std::string_view updated;  // and for a changed one
  std::vector<Column> columns;
};

const std::array<Table, 5>& Tables() {
  using K = ColumnKind;
  static const std::array<Table, 5> tables = {{
      {DirectoryKind::kAgency,
       "agencies",
       "agency",
       "created",
       "updated",
       {{"id", K::kText}, {"name", K::kText}, {"kind", K::kText}}},
      {DirectoryKind::kTeam,
       "teams",
       "team",
       "created",
       "updated",
       {{"id", K::kText}, {"agency_id", K::kText}, {"name", K::kText}, {"front_door", K::kInt}, {"duty", K::kText}}},
      // totp_last_step is left out: it moves at every login with a code.
      {DirectoryKind::kUser,
       "users",
       "user",
       "created",
       "updated",
       {{"id", K::kText},
        {"username", K::kText},
        {"display_name", K::kText},
        {"role", K::kText},
        {"agency_id", K::kText},
        {"team_id", K::kText},
        {"password_hash", K::kDigest},
        {"totp_secret", K::kDigest},
        {"disabled", K::kInt},
        {"must_change_password", K::kInt},
        {"created_at", K::kText},
        {"updated_at", K::kText}}},
      {DirectoryKind::kBreakGlass,
       "break_glass",
       "break_glass",
       "granted",
       "updated",
       {{"id", K::kText},
        {"user_id", K::kText},
        {"child_id", K::kText},
        {"reason", K::kText},
        {"granted_at", K::kText},
        {"expires_at", K::kText}}},
      {DirectoryKind::kAlert,
       "alerts",
       "alert",
       "raised",
       "acknowledged",
       {{"id", K::kInt},
        {"kind", K::kText},
        {"child_id", K::kText},
        {"user_id", K::kText},
        {"agency_id", K::kText},
        {"detail", K::kText},
        {"created_at", K::kText},
        {"acknowledged_by", K::kText},
        {"acknowledged_at", K::kText}}},
  }};
  return tables;
}

const Table& TableFor(DirectoryKind kind) {
  for (const Table& t : Tables())
    if (t.kind == kind) return t;
  return Tables()[0];  // unreachable: every kind has a table
}

std::string FieldName(const Column& c) {
  return c.kind == ColumnKind::kDigest ? std::string(c.name) + "_blake2b" : std::string(c.name);
}

std::string SelectColumns(const Table& t) {
  std::string out = "SELECT ";
  for (size_t i = 0; i < t.columns.size(); ++i) out += (i ? ", " : "") + std::string(t.columns[i].name);
  return out + " FROM " + std::string(t.name);
}

// BLAKE2b-256 of a secret as stored, in hex; "" for none.
std::string Digest(std::string_view secret) {
  if (secret.empty()) return "";
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, 64);
}

DirectoryRecord ReadRecord(const Table& t, const SqlRow& row) {
  DirectoryRecord r = DirectoryRecord::object();
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& c = t.columns[i];
    const int col = static_cast<int>(i);
    if (c.kind == ColumnKind::kDigest) {
      r[FieldName(c)] = Digest(row.Text(col));
    } else if (row.IsNull(col)) {
      r[FieldName(c)] = nullptr;
    } else if (c.kind == ColumnKind::kInt) {
      r[FieldName(c)] = row.Int(col);
    } else {
      r[FieldName(c)] = std::string(row.Text(col));
    }
  }
  return r;
}

// The key of a record as text: the id, decimal for an alert.
std::string KeyOf(const Table& t, const DirectoryRecord& r) {
  const DirectoryRecord& k = r[FieldName(t.columns[0])];
  return k.is_string() ? k.get<std::string>() : k.dump();
}

std::string Describe(const Table& t, const std::string& key) {
  return std::string(t.name) + " [" + key + "]";
}

std::string Show(const DirectoryRecord& v) {
  if (v.is_string()) return Quote(v.get<std::string>());
  return v.dump();
}

// A record's text value as an event identifier, or "-" if it cannot be one.
std::string IdOrDash(const DirectoryRecord& r, std::string_view field) {
  auto it = r.find(std::string(field));
  if (it == r.end() || !it->is_string()) return "-";
  const std::string v = it->get<std::string>();
  return CheckText("id", v, TextRule::kIdentifier, kMaxIdBytes).ok() ? v : "-";
}

Event MakeDirectoryEvent(const Table& t, std::string_view change, const DirectoryRecord& record,
                         const std::vector<std::string>* changed) {
  Event e;
  e.type = std::string(kDirectoryPrefix) + std::string(t.noun) + "." + std::string(change);
  e.occurred_at = UtcNow();
  e.child_id = "-";
  e.author = "-";
  e.agency = "-";
  if (t.kind == DirectoryKind::kBreakGlass) {
    e.child_id = IdOrDash(record, "child_id");
    e.author = IdOrDash(record, "user_id");
  } else if (t.kind == DirectoryKind::kAlert) {
    e.child_id = IdOrDash(record, "child_id");
    e.author = IdOrDash(record, change == t.updated ? "acknowledged_by" : "user_id");
    e.agency = IdOrDash(record, "agency_id");
  }
  DirectoryRecord payload = DirectoryRecord::object();
  payload["record"] = record;
  if (changed) payload["changed"] = *changed;
  e.payload = payload.dump();
  return e;
}

// Every row of the table, by key.
Result<std::vector<std::pair<std::string, DirectoryRecord>>> ReadTable(SqlConnection& c, const Table& t) {
  std::vector<std::pair<std::string, DirectoryRecord>> out;
  Status st =
      c.Run(SelectColumns(t) + " ORDER BY " + std::string(t.columns[0].name), {}, [&](const SqlRow& row) {
        DirectoryRecord r = ReadRecord(t, row);
        std::string key = KeyOf(t, r);
        out.emplace_back(std::move(key), std::move(r));
        return Status::Ok();
      });
  if (!st.ok()) return st;
  return out;
}

}  // namespace

Result<std::optional<DirectoryRecord>> ReadDirectoryRecord(SqlConnection& c, DirectoryKind kind,
                                                           const std::string& key) {
  const Table& t = TableFor(kind);
  const std::string sql = SelectColumns(t) + " WHERE " + std::string(t.columns[0].name) + " = ?";
  int64_t number = 0;
  if (t.columns[0].kind == ColumnKind::kInt) {
    try {
      size_t used = 0;
      number = std::stoll(key, &used);
      if (used != key.size()) return InvalidArgument(Describe(t, key) + ": not a number");
    } catch (const std::exception&) {
      return InvalidArgument(Describe(t, key) + ": not a number");
    }
  }
  std::optional<DirectoryRecord> out;
  Status st =
      c.Run(sql, {t.columns[0].kind == ColumnKind::kInt ? SqlParam::Int(number) : SqlParam::Text(key)},
            [&](const SqlRow& row) {
              out = ReadRecord(t, row);
              return Status::Ok();
            });
  if (!st.ok()) return st;
  return out;
}

Status RecordDirectoryChange(SqlConnection& c, DirectoryKind kind, const std::string& key,
                             const std::optional<DirectoryRecord>& before, std::vector<Event>* events) {
  const Table& t = TableFor(kind);
  Result<std::optional<DirectoryRecord>> after = ReadDirectoryRecord(c, kind, key);
  if (!after.ok()) return after.status();
  if (!*after) return Internal(Describe(t, key) + ": the row just written cannot be read back");
  if (!before) {
    events->push_back(MakeDirectoryEvent(t, t.created, **after, nullptr));
    return Status::Ok();
  }
  std::vector<std::string> changed;
  for (const auto& [field, value] : (*after)->items()) {
    if (!before->contains(field) || (*before)[field] != value) changed.push_back(field);
  }
  if (!changed.empty()) events->push_back(MakeDirectoryEvent(t, t.updated, **after, &changed));
  return Status::Ok();
}

bool DirectoryReplay::IsDirectoryEvent(const Event& e) {
  return e.type.compare(0, kDirectoryPrefix.size(), kDirectoryPrefix) == 0;
}

Status DirectoryReplay::Apply(const Event& e) {
  std::string_view rest = std::string_view(e.type).substr(kDirectoryPrefix.size());
  const std::string_view noun = rest.substr(0, rest.find('.'));
  const Table* table = nullptr;
  for (const Table& t : Tables())
    if (t.noun == noun) table = &t;
  if (!table || noun.size() == rest.size()) {
    return InvalidArgument("the type " + Quote(e.type) + " is not a directory change Continuum writes");
  }
  const nlohmann::json payload = nlohmann::json::parse(e.payload, nullptr, false);
  if (!payload.is_object() || !payload.contains("record") || !payload["record"].is_object()) {
    return InvalidArgument("its payload has no \"record\" object");
  }
  DirectoryRecord record = DirectoryRecord::object();
  for (const Column& c : table->columns) {
    const std::string field = FieldName(c);
    auto it = payload["record"].find(field);
    if (it == payload["record"].end()) return InvalidArgument("its record has no field " + Quote(field));
    const bool fits = it->is_null()
                          ? c.kind != ColumnKind::kDigest
                          : (c.kind == ColumnKind::kInt ? it->is_number_integer() : it->is_string());
    if (!fits) return InvalidArgument("its record's field " + Quote(field) + " has the wrong type");
    record[field] = *it;
  }
  if (payload["record"].size() != table->columns.size()) {
    return InvalidArgument("its record has fields the " + std::string(table->name) + " table does not");
  }
  if (record[FieldName(table->columns[0])].is_null()) return InvalidArgument("its record has no id");
  std::string key = KeyOf(*table, record);
  records_[table->kind][std::move(key)] = std::move(record);
  return Status::Ok();
}

Status DirectoryReplay::Compare(SqlConnection& c, const std::function<void(std::string)>& difference) const {
  static const std::map<std::string, DirectoryRecord> kNone;
  for (const Table& t : Tables()) {
    Result<std::vector<std::pair<std::string, DirectoryRecord>>> rows = ReadTable(c, t);
    if (!rows.ok()) return rows.status();
    std::map<std::string, DirectoryRecord> stored(std::make_move_iterator(rows->begin()),
                                                  std::make_move_iterator(rows->end()));
    auto found = records_.find(t.kind);
    const std::map<std::string, DirectoryRecord>& replayed = found == records_.end() ? kNone : found->second;
    for (const auto& [key, record] : replayed) {
      auto it = stored.find(key);
      if (it == stored.end()) {
        difference(Describe(t, key) + ": missing from the table (the log has it)");
        continue;
      }
      for (const auto& [field, value] : record.items()) {
        const DirectoryRecord& in_table = it->second[field];
        if (in_table != value) {
          difference(Describe(t, key) + ": " + field + " is " + Show(in_table) + " in the table but " +
                     Show(value) + " on replay");
        }
      }
    }
    for (const auto& [key, record] : stored) {
      if (!replayed.count(key))
        difference(Describe(t, key) + ": in the table but not produced by the log (extra row)");
    }
  }
  return Status::Ok();
}

Status AdoptDirectory(SqlConnection& c, std::string_view read_chain_head) {
  int64_t seq = -1;
  std::string hash;
  CONTINUUM_RETURN_IF_ERROR(c.Run(read_chain_head, {}, [&](const SqlRow& row) {
    seq = row.Int(0);
    hash = row.Text(1);
    return Status::Ok();
  }));
  if (seq < 0) return Internal("the chain_head table is empty; the database was altered outside Continuum");
  const int64_t start = seq;
  const std::string recorded_at = UtcNow();
  for (const Table& t : Tables()) {
    Result<std::vector<std::pair<std::string, DirectoryRecord>>> rows = ReadTable(c, t);
    if (!rows.ok()) return rows.status();
    for (const auto& [key, record] : *rows) {
      Event e = MakeDirectoryEvent(t, "adopted", record, nullptr);
      e.id = NewEventId();
      e.seq = ++seq;
      e.recorded_at = recorded_at;
      e.prev_hash = hash;
      e.hash = EventHash(e);
      CONTINUUM_RETURN_IF_ERROR(InsertEvent(c, e, "adopting " + Describe(t, key)));
      hash = e.hash;
    }
  }
  if (seq == start) return Status::Ok();
  return c.Run("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1",
               {SqlParam::Int(seq), SqlParam::Text(hash)});
}

}  // namespace continuum::store::internal
