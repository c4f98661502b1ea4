#include "store/store_test_util.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

namespace continuum::store::testing {
namespace {

std::string RandomSuffix() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) out += kHex[gen() % 16];
  return out;
}

std::string NumberPlaceholders(const std::string& sql) {
  std::string out;
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string PostgresTestUrl() {
  const char* url = std::getenv("CONTINUUM_TEST_PG_URL");
  return url ? url : "";
}

struct TestDatabase::Raw {
  sqlite3* sqlite = nullptr;
  PGconn* pg = nullptr;
  ~Raw() {
    if (sqlite) sqlite3_close_v2(sqlite);
    if (pg) PQfinish(pg);
  }
};

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create(const std::string& backend) {
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  db->backend_ = backend;
  if (backend == kSqlite) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "continuum-store-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return Internal("mkdtemp failed");
    db->dir_ = tmpl;
    db->path_ = tmpl + "/continuum.db";
    db->url_ = "sqlite:" + db->path_;
  } else if (backend == kPostgres) {
    db->base_url_ = PostgresTestUrl();
    if (db->base_url_.empty()) return Unavailable("CONTINUUM_TEST_PG_URL is not set");
    db->schema_ = "test_" + RandomSuffix();
    db->url_ = db->base_url_ + (db->base_url_.find('?') == std::string::npos ? "?" : "&") +
               "options=-csearch_path%3D" + db->schema_;
  } else {
    return InvalidArgument("unknown test backend " + backend);
  }
  CONTINUUM_RETURN_IF_ERROR(db->Connect());
  if (backend == kPostgres) CONTINUUM_RETURN_IF_ERROR(db->Exec("CREATE SCHEMA " + db->schema_));
  return db;
}

Status TestDatabase::Connect() {
  raw_ = std::make_unique<Raw>();
  if (backend_ == kSqlite) {
    if (sqlite3_open_v2(path_.c_str(), &raw_->sqlite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      return Unavailable(std::string("raw sqlite open: ") + sqlite3_errmsg(raw_->sqlite));
    }
    sqlite3_busy_timeout(raw_->sqlite, 10000);
    return Status::Ok();
  }
  raw_->pg = PQconnectdb(base_url_.c_str());
  if (PQstatus(raw_->pg) != CONNECTION_OK)
    return Unavailable(std::string("raw pg: ") + PQerrorMessage(raw_->pg));
  PQclear(PQexec(raw_->pg, "SET client_min_messages TO warning"));
  PQclear(PQexec(raw_->pg, ("SET search_path TO " + schema_).c_str()));
  return Status::Ok();
}

TestDatabase::~TestDatabase() {
  if (backend_ == kPostgres && raw_ && raw_->pg) {
    PQclear(PQexec(raw_->pg, ("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE").c_str()));
  }
  raw_.reset();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

Result<std::vector<RawRow>> TestDatabase::Query(const std::string& sql, const RawRow& params) {
  std::vector<RawRow> rows;
  if (raw_->sqlite) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = sql.c_str();
    // Several statements are allowed when there are no parameters.
    while (tail && *tail) {
      if (sqlite3_prepare_v2(raw_->sqlite, tail, -1, &stmt, &tail) != SQLITE_OK) {
        return Internal(std::string("raw sqlite: ") + sqlite3_errmsg(raw_->sqlite) + " in: " + sql);
      }
      if (!stmt) break;  // trailing whitespace
      for (size_t i = 0; i < params.size(); ++i) {
        if (params[i]) {
          sqlite3_bind_text(stmt, static_cast<int>(i) + 1, params[i]->c_str(),
                            static_cast<int>(params[i]->size()), SQLITE_TRANSIENT);
        } else {
          sqlite3_bind_null(stmt, static_cast<int>(i) + 1);
        }
      }
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        RawRow row;
        for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
          if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
            row.push_back(std::nullopt);
          } else {
            row.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                                      sqlite3_column_bytes(stmt, c)));
          }
        }
        rows.push_back(std::move(row));
      }
      std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(raw_->sqlite);
      sqlite3_finalize(stmt);
      if (!error.empty()) return Internal("raw sqlite: " + error + " in: " + sql);
    }
    return rows;
  }
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* res = params.empty() ? PQexec(raw_->pg, sql.c_str())
                                 : PQexecParams(raw_->pg, NumberPlaceholders(sql).c_str(),
                                                static_cast<int>(params.size()), nullptr, values.data(),
                                                nullptr, nullptr, 0);
  ExecStatusType status = PQresultStatus(res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string error = PQresultErrorMessage(res);
    PQclear(res);
    return Internal("raw pg: " + error + " in: " + sql);
  }
  for (int r = 0; r < PQntuples(res); ++r) {
    RawRow row;
    for (int c = 0; c < PQnfields(res); ++c) {
      row.push_back(PQgetisnull(res, r, c) ? std::nullopt
                                           : std::optional<std::string>(
                                                 std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c))));
    }
    rows.push_back(std::move(row));
  }
  PQclear(res);
  return rows;
}

Status TestDatabase::Exec(const std::string& sql, const RawRow& params) {
  Result<std::vector<RawRow>> r = Query(sql, params);
  return r.ok() ? Status::Ok() : r.status();
}

Result<int64_t> TestDatabase::Count(const std::string& table) {
  Result<std::vector<RawRow>> r = Query("SELECT count(*) FROM " + table);
  if (!r.ok()) return r.status();
  return std::stoll(*(*r)[0][0]);
}

Status TestDatabase::AllowTampering() {
  if (backend_ == kSqlite) {
    return Exec("DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;");
  }
  // As a superuser: no triggers, so no append-only guard and no foreign keys.
  return Exec("SET session_replication_role TO replica");
}

namespace {

Result<nlohmann::json> Payload(const Event& e) {
  try {
    return nlohmann::json::parse(e.payload);
  } catch (const std::exception& ex) {
    return InvalidArgument(std::string("payload: ") + ex.what());
  }
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<int64_t> Counter(StateReader& state, const std::string& table, const std::vector<std::string>& key,
                        const char* field) {
  Result<std::optional<Row>> row = state.Get(table, key);
  if (!row.ok()) return row.status();
  if (!*row) return int64_t{0};
  for (const auto& [name, value] : (*row)->columns) {
    if (name == "data" && value) return nlohmann::json::parse(*value).value(field, int64_t{0});
  }
  return int64_t{0};
}

}  // namespace

Status TestProjector(const Event& e, StateReader& state, std::vector<Row>* rows) {
  Result<nlohmann::json> p = Payload(e);
  if (!p.ok()) return p.status();
  const nlohmann::json& j = *p;
  if (e.type == "child.registered") {
    Row r{.table = "children", .columns = {{"child_id", e.child_id}, {"display_name", Str(j, "name")}}};
    if (!Str(j, "dob").empty()) r.columns.emplace_back("date_of_birth", Str(j, "dob"));
    r.columns.emplace_back("data", e.payload);
    rows->push_back(std::move(r));
  } else if (e.type == "child.renamed") {
    rows->push_back(
        {.table = "children", .columns = {{"child_id", e.child_id}, {"display_name", Str(j, "name")}}});
  } else if (e.type == "note.added" || e.type == "batch.step") {
    const bool note = e.type == "note.added";
    std::vector<std::string> key = {e.child_id, note ? "note-count" : "batch",
                                    note ? "all" : Str(j, "batch")};
    const char* field = note ? "count" : "events";
    Result<int64_t> n = Counter(state, "entities", key, field);
    if (!n.ok()) return n.status();
    rows->push_back({.table = "entities",
                     .columns = {{"child_id", key[0]},
                                 {"kind", key[1]},
                                 {"entity_id", key[2]},
                                 {"data", nlohmann::json{{field, *n + 1}}.dump()}},
                     .key_columns = 3});
  } else if (e.type == "entity.added" || e.type == "entity.removed") {
    Row r{.table = "entities",
          .columns = {{"child_id", e.child_id}, {"kind", Str(j, "kind")}, {"entity_id", Str(j, "entity_id")}},
          .key_columns = 3,
          .remove = e.type == "entity.removed"};
    if (!r.remove) r.columns.emplace_back("data", e.payload);
    rows->push_back(std::move(r));
  } else if (e.type == "deadline.set") {
    Row r{.table = "deadlines",
          .columns = {{"deadline_id", Str(j, "deadline_id")},
                      {"child_id", e.child_id},
                      {"kind", "review"},
                      {"due_at", Str(j, "due_at")},
                      {"agency", e.agency},
                      {"status", "open"},
                      {"source_event", e.id}}};
    for (const char* field : {"owner", "team", "label"}) {
      if (!Str(j, field).empty()) r.columns.emplace_back(field, Str(j, field));
    }
    rows->push_back(std::move(r));
  } else if (e.type == "deadline.met") {
    rows->push_back(
        {.table = "deadlines", .columns = {{"deadline_id", Str(j, "deadline_id")}, {"status", "done"}}});
  } else if (e.type == "test.rejected") {
    return InvalidArgument("the test projector rejects test.rejected events");
  } else if (e.type == "test.bad-row") {
    rows->push_back(
        {.table = "children", .columns = {{"child_id", e.child_id}, {"favourite_colour", "blue"}}});
  }
  return Status::Ok();
}

Event MakeEvent(const std::string& child_id, const std::string& type, const std::string& occurred_at,
                const std::string& payload, const std::string& agency, int significance) {
  return Event{.child_id = child_id,
               .type = type,
               .occurred_at = occurred_at,
               .author = "u-7",
               .agency = agency,
               .significance = significance,
               .payload = payload};
}

}  // namespace continuum::store::testing
