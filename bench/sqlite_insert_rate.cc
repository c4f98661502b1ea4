// The per-commit ceiling of SQLite on this disk, as a baseline for the API's
// durable writes (docs/benchmarks.md, "HTTP API").
//
//   sqlite_insert_rate [--dir DIR] [--seconds S] [--row-bytes N]
//
// One connection, WAL, synchronous=FULL, one INSERT of a row of N bytes per
// transaction, for S seconds, into a new file DIR/sqlite_insert_rate.db
// (removed afterwards). Prints one JSON line:
//   {"inserts":…,"seconds":…,"per_second":…,"row_bytes":…}
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "sqlite_insert_rate: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  double seconds = 10;
  long row_bytes = 600;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) Die("usage: sqlite_insert_rate [--dir DIR] [--seconds S] [--row-bytes N]");
    if (a == "--dir") {
      dir = argv[++i];
    } else if (a == "--seconds") {
      seconds = std::atof(argv[++i]);
    } else if (a == "--row-bytes") {
      row_bytes = std::atol(argv[++i]);
    } else {
      Die("unknown option " + a);
    }
  }
  if (seconds <= 0 || row_bytes < 16 || row_bytes > (1 << 20)) Die("--seconds > 0 and --row-bytes 16..1048576");

  const std::string path = (std::filesystem::path(dir) / "sqlite_insert_rate.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("cannot open " + path);
  auto exec = [&](const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) Die(std::string(sql) + ": " + err);
  };
  exec("PRAGMA journal_mode = WAL");
  exec("PRAGMA synchronous = FULL");
  exec("CREATE TABLE baseline (seq INTEGER PRIMARY KEY, child_id TEXT NOT NULL, payload TEXT NOT NULL)");

  // A row of row_bytes: a 14-byte child id and the rest as a JSON-like payload.
  const std::string child = "c-0123456789ab";
  std::string payload = R"({"fields":{"text":")";
  const long body = row_bytes - static_cast<long>(child.size()) - static_cast<long>(payload.size()) - 3;
  for (long i = 0; i < body; ++i) payload.push_back("abcdefghijklmnopqrstuvwxyz "[i % 27]);
  payload += R"("}})";

  sqlite3_stmt* insert = nullptr;
  if (sqlite3_prepare_v2(db, "INSERT INTO baseline (child_id, payload) VALUES (?, ?)", -1, &insert, nullptr) !=
      SQLITE_OK)
    Die(sqlite3_errmsg(db));
  long n = 0;
  const auto start = Clock::now();
  while (Seconds(start) < seconds) {
    sqlite3_bind_text(insert, 1, child.c_str(), static_cast<int>(child.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, payload.c_str(), static_cast<int>(payload.size()), SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) Die(sqlite3_errmsg(db));
    sqlite3_reset(insert);
    ++n;
  }
  const double elapsed = Seconds(start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::printf("{\"inserts\":%ld,\"seconds\":%.3f,\"per_second\":%.1f,\"row_bytes\":%zu}\n", n, elapsed, n / elapsed,
              child.size() + payload.size());
  return 0;
}
