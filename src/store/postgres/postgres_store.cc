#include "store/postgres/postgres_store.h"

#include <libpq-fe.h>

#include <cstring>
#include <unordered_map>

#include "store/url.h"

namespace continuum::store::internal {
namespace {

constexpr size_t kMaxPreparedStatements = 128;
constexpr size_t kMaxPipelined = 64;  // statements sent before reading their answers
// Serialises schema migrations across every process using the database.
constexpr std::string_view kMigrationLock = "SELECT pg_advisory_xact_lock(7306916105350422641)";

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// '?' placeholders to $1, $2, … (the statements in src/store have no '?'
// inside literals).
std::string NumberPlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  *count = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$';
      out += std::to_string(++*count);
    } else {
      out += c;
    }
  }
  return out;
}

class PgRow final : public SqlRow {
 public:
  PgRow(const PGresult* res, int row) : res_(res), row_(row) {}
  bool IsNull(int column) const override { return PQgetisnull(res_, row_, column); }
  std::string_view Text(int column) const override {
    return {PQgetvalue(res_, row_, column), static_cast<size_t>(PQgetlength(res_, row_, column))};
  }

 private:
  const PGresult* res_;
  int row_;
};

// Rows an INSERT, UPDATE or DELETE changed; 0 for other commands.
int64_t Changes(const PGresult* res) {
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(res));
  int64_t n = 0;
  for (const char* p = tuples; p && *p >= '0' && *p <= '9'; ++p) n = n * 10 + (*p - '0');
  return n;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

class PgConnection final : public SqlConnection {
 public:
  PgConnection(PGconn* conn, std::string location) : conn_(conn), location_(std::move(location)) {}
  using SqlConnection::Run;
  ~PgConnection() override { PQfinish(conn_); }

  Status Run(std::string_view sql, std::span<const SqlParam> params, const RowCallback& on_row) override {
    if (pipeline_) {
      // Sent behind whatever was deferred, answered in the same round trip.
      CONTINUUM_RETURN_IF_ERROR(Send(sql, params, /*deferred=*/false, ""));
      return Sync(on_row);
    }
    std::string name;
    if (auto it = prepared_.find(std::string(sql)); it != prepared_.end()) {
      name = it->second;
    } else if (prepared_.size() < kMaxPreparedStatements) {
      int count = 0;
      std::string text = NumberPlaceholders(sql, &count);
      name = "continuum_" + std::to_string(prepared_.size() + 1);
      PgResult res(PQprepare(conn_, name.c_str(), text.c_str(), count, nullptr));
      if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return Error(res.get());
      prepared_.emplace(std::string(sql), name);
    }
    // Text format throughout: each value as a NUL-terminated string.
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlParam& p = params[i];
      if (p.kind == SqlParam::Kind::kNull) continue;
      storage[i] = p.kind == SqlParam::Kind::kInt ? std::to_string(p.i) : std::string(p.s);
      values[i] = storage[i].c_str();
    }
    PgResult res;
    if (!name.empty()) {
      res.reset(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), values.data(), nullptr,
                               nullptr, 0));
    } else {
      int count = 0;
      std::string text = NumberPlaceholders(sql, &count);
      res.reset(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                             nullptr, nullptr, 0));
    }
    ExecStatusType status = PQresultStatus(res.get());
    if (status == PGRES_COMMAND_OK) {
      last_changes_ = Changes(res.get());
      return Status::Ok();
    }
    if (status != PGRES_TUPLES_OK) return Error(res.get());
    if (on_row) {
      const int rows = PQntuples(res.get());
      for (int r = 0; r < rows; ++r) {
        PgRow row(res.get(), r);
        CONTINUUM_RETURN_IF_ERROR(on_row(row));
      }
    }
    return Status::Ok();
  }

  Result<int64_t> RunCountingChanges(std::string_view sql, std::span<const SqlParam> params) override {
    last_changes_ = 0;
    CONTINUUM_RETURN_IF_ERROR(Run(sql, params, {}));
    return last_changes_;
  }

  Status Script(std::string_view sql) override {
    if (!pipeline_) return Script(sql, {});
    // Pipeline mode takes one statement at a time.
    for (size_t start = 0; start < sql.size();) {
      size_t end = std::min(sql.find(';', start), sql.size());
      std::string_view one = sql.substr(start, end - start);
      if (one.find_first_not_of(" \n\t") != std::string_view::npos) {
        CONTINUUM_RETURN_IF_ERROR(Send(one, {}, /*deferred=*/false, ""));
      }
      start = end + 1;
    }
    return Sync({});
  }

  Status Defer(std::string_view sql, std::span<const SqlParam> params, std::string_view context) override {
    if (!pipeline_) return SqlConnection::Defer(sql, params, context);
    CONTINUUM_RETURN_IF_ERROR(Send(sql, params, /*deferred=*/true, context));
    // Bounded, so that neither side's socket buffer can fill while the other
    // waits: results are read at least every kMaxPipelined statements.
    if (pending_.size() >= kMaxPipelined) {
      Status st = Sync({});
      if (deferred_error_.ok() && !st.ok()) deferred_error_ = st;
    }
    return Status::Ok();
  }

  Status Flush() override {
    Status st = pending_.empty() ? Status::Ok() : Sync({});
    Status first = deferred_error_.ok() ? st : deferred_error_;
    deferred_error_ = Status::Ok();
    return first;
  }

  // One round trip: BEGIN and the locking read. The row lock is held until
  // COMMIT; the next appender, in any process, waits for it here. Until the
  // transaction ends the connection pipelines: Defer() does not wait.
  Status BeginWrite(const RowCallback& on_head) override {
    CONTINUUM_RETURN_IF_ERROR(Script("BEGIN; " + std::string(kReadChainHead) + " FOR UPDATE", on_head));
    if (!PQenterPipelineMode(conn_)) {
      return Internal("PostgreSQL at " + location_ +
                      ": cannot enter pipeline mode: " + Trim(PQerrorMessage(conn_)));
    }
    pipeline_ = true;
    return Status::Ok();
  }

  Status Commit() override {
    if (!pipeline_) return Script("COMMIT");
    // Deferred statements and COMMIT in one round trip. COMMIT of a
    // transaction an earlier statement aborted answers "ROLLBACK", not an
    // error; Sync reports that statement's error first.
    Status st = Send("COMMIT", {}, /*deferred=*/false, "");
    if (st.ok()) st = Sync({});
    if (st.ok() && !deferred_error_.ok()) st = deferred_error_;
    if (st.ok() && last_tag_ != "COMMIT") {
      st =
          Internal("PostgreSQL at " + location_ + ": COMMIT answered " + last_tag_ + "; nothing was written");
    }
    deferred_error_ = Status::Ok();
    ExitPipeline();
    return st;
  }
  Status BeginSnapshot() override { return Script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  Status BeginUpdate() override { return Script("BEGIN ISOLATION LEVEL READ COMMITTED"); }
  Status BeginMigration() override {
    CONTINUUM_RETURN_IF_ERROR(Script("BEGIN"));
    return Script(kMigrationLock);
  }
  void RollbackQuietly() override {
    if (pipeline_) {
      // Drain what is in flight, then ROLLBACK in a segment of its own (in
      // the segment of a failed statement it would be skipped).
      if (!pending_.empty()) (void)Sync({});
      if (Send("ROLLBACK", {}, /*deferred=*/false, "").ok()) (void)Sync({});
      deferred_error_ = Status::Ok();
      ExitPipeline();
      return;
    }
    if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
  }

  Result<bool> TableExists(std::string_view table) override {
    bool found = false;
    Status st = Run(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
        {SqlParam::Text(table)}, [&](const SqlRow&) {
          found = true;
          return Status::Ok();
        });
    if (!st.ok()) return st;
    return found;
  }

  Result<std::vector<std::string>> ListTables() override {
    std::vector<std::string> names;
    Status st =
        Run("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "ORDER BY table_name",
            {}, [&](const SqlRow& row) {
              names.emplace_back(row.Text(0));
              return Status::Ok();
            });
    if (!st.ok()) return st;
    return names;
  }

  bool Usable() override { return PQstatus(conn_) == CONNECTION_OK; }

  // The rows of the script's last statement go to on_row.
  Status Script(std::string_view sql, const RowCallback& on_row) {
    PgResult res(PQexec(conn_, std::string(sql).c_str()));
    ExecStatusType status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(res.get());
    if (on_row) {
      for (int r = 0; r < PQntuples(res.get()); ++r) CONTINUUM_RETURN_IF_ERROR(on_row(PgRow(res.get(), r)));
    }
    return Status::Ok();
  }

  Status Reconnect() override {
    prepared_.clear();  // a new session has none
    pipeline_ = false;
    pending_.clear();
    deferred_error_ = Status::Ok();
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Unavailable("cannot reconnect to PostgreSQL at " + location_ + ": " +
                         Trim(PQerrorMessage(conn_)));
    }
    return Configure();
  }

  // Per-session settings, checked on every (re)connection.
  Status Configure() {
    // Notices ("relation … already exists, skipping") are not for our users;
    // a library does not write to stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    if (PQserverVersion(conn_) < 120000) {
      return Unavailable("PostgreSQL at " + location_ + " is version " +
                         std::to_string(PQserverVersion(conn_)) + "; Continuum needs 12 or newer");
    }
    if (PQsetClientEncoding(conn_, "UTF8") != 0) {
      return Unavailable("PostgreSQL at " + location_ + ": cannot set the client encoding to UTF8");
    }
    const char* server_encoding = PQparameterStatus(conn_, "server_encoding");
    if (!server_encoding || std::strcmp(server_encoding, "UTF8") != 0) {
      return InvalidArgument("the PostgreSQL database at " + location_ + " uses the encoding " +
                             (server_encoding ? server_encoding : "(unknown)") +
                             "; Continuum needs a UTF8 database (CREATE DATABASE … ENCODING 'UTF8')");
    }
    std::string synchronous_commit;
    CONTINUUM_RETURN_IF_ERROR(Run("SHOW synchronous_commit", {}, [&](const SqlRow& row) {
      synchronous_commit = row.Text(0);
      return Status::Ok();
    }));
    // An acknowledged append must be durable; "local", "remote_write" and
    // stronger settings are kept.
    if (synchronous_commit == "off") CONTINUUM_RETURN_IF_ERROR(Script("SET synchronous_commit TO on"));
    return Script("SET lock_timeout TO '" + std::to_string(kPostgresLockTimeoutMs) + "ms'");
  }

 private:
  Status Error(const PGresult* res) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    std::string message =
        "PostgreSQL at " + location_ + ": " + (primary ? primary : Trim(PQerrorMessage(conn_)));
    if (detail) message += " (" + std::string(detail) + ")";
    if (PQstatus(conn_) != CONNECTION_OK) return Unavailable(message + "; the connection was lost");
    std::string code = state ? state : "";
    if (code == "23505") return Conflict(message);
    if (code.rfind("23", 0) == 0) return InvalidArgument(message);
    if (code.rfind("08", 0) == 0 || code.rfind("53", 0) == 0 || code.rfind("57P", 0) == 0 ||
        code == "40001" || code == "40P01" || code == "55P03") {
      return Unavailable(message);
    }
    return Internal(message);
  }

  // Pipeline mode (inside a write transaction).
  struct Pending {
    bool deferred;             // sent by Defer
    std::string context;       // prefixes its error
    std::string prepared_sql;  // for a PQsendPrepare: the statement being prepared
  };

  Status SendFailed() {
    return Unavailable("PostgreSQL at " + location_ + ": " + Trim(PQerrorMessage(conn_)) +
                       (PQstatus(conn_) != CONNECTION_OK ? "; the connection was lost" : ""));
  }

  Status Send(std::string_view sql, std::span<const SqlParam> params, bool deferred,
              std::string_view context) {
    std::string name;
    if (auto it = prepared_.find(std::string(sql)); it != prepared_.end()) {
      name = it->second;
    } else if (prepared_.size() < kMaxPreparedStatements) {
      int count = 0;
      std::string text = NumberPlaceholders(sql, &count);
      name = "continuum_" + std::to_string(prepared_.size() + 1);
      if (!PQsendPrepare(conn_, name.c_str(), text.c_str(), count, nullptr)) return SendFailed();
      pending_.push_back({true, "preparing a statement", std::string(sql)});
      prepared_.emplace(std::string(sql), name);
    }
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlParam& p = params[i];
      if (p.kind == SqlParam::Kind::kNull) continue;
      storage[i] = p.kind == SqlParam::Kind::kInt ? std::to_string(p.i) : std::string(p.s);
      values[i] = storage[i].c_str();
    }
    int sent;
    if (!name.empty()) {
      sent = PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(params.size()), values.data(), nullptr,
                                 nullptr, 0);
    } else {
      int count = 0;
      std::string text = NumberPlaceholders(sql, &count);
      sent = PQsendQueryParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                               nullptr, nullptr, 0);
    }
    if (!sent) return SendFailed();
    pending_.push_back({deferred, std::string(context), ""});
    return Status::Ok();
  }

  // Marks a sync point and reads every answer up to it: the first error, in
  // order; rows go to on_row. A deferred statement's error is also kept for
  // Flush. Each statement's results end with a null result; the sync's
  // result ends the segment.
  Status Sync(const RowCallback& on_row) {
    if (!PQpipelineSync(conn_)) return SendFailed();
    Status first;
    size_t index = 0;
    bool previous_null = false;
    for (;;) {
      PGresult* raw = PQgetResult(conn_);
      if (!raw) {
        if (previous_null) {  // no more answers will come: the connection failed
          if (first.ok()) first = SendFailed();
          break;
        }
        previous_null = true;
        ++index;
        continue;
      }
      previous_null = false;
      PgResult res(raw);
      const ExecStatusType status = PQresultStatus(raw);
      if (status == PGRES_PIPELINE_SYNC) break;
      if (status == PGRES_TUPLES_OK) {
        if (first.ok() && on_row) {
          for (int r = 0; r < PQntuples(raw) && first.ok(); ++r) first = on_row(PgRow(raw, r));
        }
      } else if (status == PGRES_COMMAND_OK) {
        last_tag_ = PQcmdStatus(raw);
        last_changes_ = Changes(raw);
      } else if (status != PGRES_PIPELINE_ABORTED && first.ok()) {
        const Pending* p = index < pending_.size() ? &pending_[index] : nullptr;
        first = Error(raw);
        if (p && !p->context.empty()) first = Status(first.code(), p->context + ": " + first.message());
        if (p && !p->prepared_sql.empty()) prepared_.erase(p->prepared_sql);  // it was not prepared
        if (p && p->deferred && deferred_error_.ok()) deferred_error_ = first;
      }
    }
    pending_.clear();
    return first;
  }

  void ExitPipeline() {
    if (pipeline_ && PQexitPipelineMode(conn_)) {
      pipeline_ = false;
    } else if (pipeline_) {
      // Answers still unread: the connection's state is unknown; start again.
      PQreset(conn_);
      prepared_.clear();
      pending_.clear();
      pipeline_ = false;
      (void)Configure();
    }
  }

  PGconn* conn_;
  const std::string location_;
  std::unordered_map<std::string, std::string> prepared_;  // statement text -> prepared name
  bool pipeline_ = false;
  std::vector<Pending> pending_;  // sent since the last sync point, in order
  Status deferred_error_;         // the first deferred statement's error since the last Flush
  std::string last_tag_;          // command tag of the last statement answered
  int64_t last_changes_ = 0;      // rows changed by the last statement answered
};

class PostgresBackend final : public SqlBackend {
 public:
  explicit PostgresBackend(std::string url) : url_(std::move(url)), location_(RedactUrl(url_)) {}

  std::string_view Name() const override { return "PostgreSQL"; }
  const std::string& Location() const override { return location_; }
  std::string_view MigrationsTableSql() const override { return kPostgresMigrationsTable; }
  const std::vector<Migration>& Migrations() const override { return kPostgresMigrations; }

  Result<std::unique_ptr<SqlConnection>> Connect() override {
    // Defaults first; anything the URL says overrides them.
    const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {"10", "continuum", url_.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (!conn) return Unavailable("cannot connect to PostgreSQL at " + location_ + ": out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string message = Trim(PQerrorMessage(conn));
      PQfinish(conn);
      return Unavailable("cannot connect to PostgreSQL at " + location_ + ": " + message);
    }
    auto pg = std::make_unique<PgConnection>(conn, location_);
    CONTINUUM_RETURN_IF_ERROR(pg->Configure());
    return std::unique_ptr<SqlConnection>(std::move(pg));
  }

 private:
  const std::string url_;
  const std::string location_;
};

}  // namespace

Result<std::unique_ptr<SqlBackend>> MakePostgresBackend(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    std::string message = error ? Trim(error) : "out of memory";
    PQfreemem(error);
    return InvalidArgument("the PostgreSQL URL " + RedactUrl(url) + " is not valid: " + message);
  }
  PQconninfoFree(options);
  return std::unique_ptr<SqlBackend>(std::make_unique<PostgresBackend>(url));
}

}  // namespace continuum::store::internal
