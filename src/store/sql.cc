#include "store/sql.h"

#include <charconv>

namespace continuum::store::internal {

int64_t SqlRow::Int(int column) const {
  std::string_view text = Text(column);
  int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

Status SqlConnection::Defer(std::string_view sql, std::span<const SqlParam> params,
                            std::string_view context) {
  Status st = Run(sql, params, {});
  return st.ok() || context.empty() ? st : Status(st.code(), std::string(context) + ": " + st.message());
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_ptr<SqlConnection> conn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (conn && !conn->Usable()) {
    Status st = conn->Reconnect();
    if (!st.ok()) conn.reset();
  }
  if (!conn) {
    Result<std::unique_ptr<SqlConnection>> fresh = backend_->Connect();
    if (!fresh.ok()) return fresh.status();
    conn = std::move(*fresh);
  }
  return Lease(this, std::move(conn));
}

void ConnectionPool::Return(std::unique_ptr<SqlConnection> conn) {
  if (!conn->Usable()) return;  // dropped; the next Acquire connects afresh
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

}  // namespace continuum::store::internal
