#include "store/sql.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

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
    std::unique_lock<std::mutex> lock(mu_);
    if (idle_.empty() && stats_.open >= max_open_) {
      ++stats_.waited;
      const auto start = std::chrono::steady_clock::now();
      if (!freed_.wait_for(lock, wait_, [&] { return !idle_.empty() || stats_.open < max_open_; })) {
        ++stats_.timed_out;
        const auto waited =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", waited.count() / 1000.0);
        return Unavailable(std::string(backend_->Name()) + " database " + backend_->Location() + ": all " +
                           std::to_string(max_open_) + " connections for reading were in use for the " +
                           seconds + " s this call waited for one" + limit_note_);
      }
    }
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++stats_.open;  // this slot is ours while we connect
      stats_.most_open = std::max(stats_.most_open, stats_.open);
    }
  }
  if (conn && !conn->Usable() && !conn->Reconnect().ok()) conn.reset();  // replaced below, in its slot
  if (!conn) {
    Result<std::unique_ptr<SqlConnection>> fresh = backend_->Connect();
    if (!fresh.ok()) {
      Release();
      return fresh.status();
    }
    conn = std::move(*fresh);
  }
  return Lease(this, std::move(conn));
}

void ConnectionPool::Return(std::unique_ptr<SqlConnection> conn) {
  if (!conn->Usable()) {
    conn.reset();  // dropped; its slot goes to the next Acquire
    return Release();
  }
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(conn));
  freed_.notify_one();
}

void ConnectionPool::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  --stats_.open;
  freed_.notify_one();
}

ConnectionPool::Stats ConnectionPool::GetStats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace continuum::store::internal
