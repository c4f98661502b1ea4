// Event log benchmark (docs/benchmarks.md, "Event log (issue 3)").
//
//   store_benchmark [--dir DIR] [--seconds S] [--pg URL]
//
// 1. Durable appends per second: 8 threads calling Store::Append with one
//    event each (group commit), against the same disk's rate of one INSERT
//    per transaction in WAL mode with synchronous=FULL, measured by this
//    program in the same run. Target: ratio >= 1.
// 2. Reading one child's chronology of 2,000 events from a log of 20,000.
//    Target: < 5 ms.
// With --pg (or CONTINUUM_TEST_PG_URL) the same on PostgreSQL, the baseline
// there being one INSERT per transaction with synchronous_commit on.
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/store_test_util.h"

namespace {

using continuum::store::Event;
using continuum::store::Projector;
using continuum::store::Store;
using continuum::store::testing::MakeEvent;
using continuum::store::testing::TestProjector;
using Clock = std::chrono::steady_clock;

constexpr int kWriterThreads = 8;
constexpr int kChronologyEvents = 2000;
constexpr int kOtherEvents = 18000;
constexpr int kChronologyRuns = 200;

const std::string kPayload =
    R"({"source":"school","summary":"Persistent absence and a change in presentation noticed by the class )"
    R"(teacher; parents engaged and agree to an early help assessment.","indicators":["wo.edu.absence"]})";

void Die(const std::string& what) {
  std::fprintf(stderr, "store_benchmark: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// One INSERT per transaction, WAL, synchronous=FULL: the per-commit ceiling.
double SqliteBaseline(const std::string& path, double seconds) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("cannot open " + path);
  auto exec = [&](const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) Die(std::string(sql) + ": " + err);
  };
  exec("PRAGMA journal_mode = WAL");
  exec("PRAGMA synchronous = FULL");
  exec(
      "CREATE TABLE IF NOT EXISTS baseline (seq INTEGER PRIMARY KEY, child_id TEXT NOT NULL, payload TEXT "
      "NOT NULL)");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO baseline (child_id, payload) VALUES (?, ?)", -1, &insert, nullptr);
  long n = 0;
  const auto start = Clock::now();
  while (Seconds(start) < seconds) {
    sqlite3_bind_text(insert, 1, "c-1", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, kPayload.c_str(), -1, SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) Die(sqlite3_errmsg(db));
    sqlite3_reset(insert);
    ++n;
  }
  const double rate = n / Seconds(start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return rate;
}

double PostgresBaseline(const std::string& url, double seconds, bool create) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Die(std::string("PostgreSQL: ") + PQerrorMessage(conn));
  PQclear(PQexec(conn, "SET synchronous_commit TO on"));
  if (create) {
    PQclear(PQexec(
        conn,
        "CREATE TABLE baseline (seq bigserial PRIMARY KEY, child_id text NOT NULL, payload text NOT NULL)"));
  }
  long n = 0;
  const char* values[] = {"c-1", kPayload.c_str()};
  const auto start = Clock::now();
  while (Seconds(start) < seconds) {
    PGresult* r = PQexecParams(conn, "INSERT INTO baseline (child_id, payload) VALUES ($1, $2)", 2, nullptr,
                               values, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(PQresultErrorMessage(r));
    PQclear(r);
    ++n;
  }
  const double rate = n / Seconds(start);
  PQfinish(conn);
  return rate;
}

// 8 threads, one event per Append; returns events per second.
double StoreAppends(Store& store, const Projector& projector, double seconds) {
  std::atomic<long> appended{0};
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string child = "writer-" + std::to_string(t);
      while (Seconds(start) < seconds && !failed) {
        auto r = store.Append({MakeEvent(child, "note.added", "2026-01-06T09:00:00Z", kPayload)}, projector);
        if (!r.ok()) {
          std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
          failed = true;
        }
        ++appended;
      }
    });
  }
  for (auto& th : threads) th.join();
  if (failed) Die("an append failed");
  return appended / Seconds(start);
}

struct Latency {
  double median_ms, p95_ms, min_ms;
  size_t events;
};

Latency ChronologyLatency(Store& store) {
  // 2,000 events for one child among 18,000 of 90 others, appended in calls
  // of 100 as several agencies would, with occurred_at spread over years.
  std::vector<Event> batch;
  int written_child = 0, written_other = 0;
  for (int i = 0; written_child + written_other < kChronologyEvents + kOtherEvents; ++i) {
    const bool mine = i % 10 == 0 && written_child < kChronologyEvents;
    const std::string child = mine ? "bench-child" : "other-" + std::to_string(i % 90);
    char when[32];
    std::snprintf(when, sizeof when, "20%02d-%02d-%02dT%02d:%02d:00Z", 20 + (i * 7) % 7, 1 + (i * 13) % 12,
                  1 + (i * 17) % 28, (i * 5) % 24, (i * 11) % 60);
    batch.push_back(
        MakeEvent(child, "contact.recorded", when, kPayload, "agency-" + std::to_string(i % 5), i % 3));
    (mine ? written_child : written_other)++;
    if (batch.size() == 100) {
      auto r =
          store.Append(std::move(batch), [](const Event&, auto&, auto*) { return continuum::Status::Ok(); });
      if (!r.ok()) Die(r.status().ToString());
      batch.clear();
    }
  }
  if (!batch.empty()) {
    auto r =
        store.Append(std::move(batch), [](const Event&, auto&, auto*) { return continuum::Status::Ok(); });
    if (!r.ok()) Die(r.status().ToString());
  }
  std::vector<double> ms;
  size_t events = 0;
  for (int run = 0; run < kChronologyRuns; ++run) {
    const auto start = Clock::now();
    auto r = store.Chronology({.child_id = "bench-child"});
    ms.push_back(Seconds(start) * 1000);
    if (!r.ok()) Die(r.status().ToString());
    events = r->size();
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() * 95 / 100], ms[0], events};
}

struct Rates {
  double baseline_before = 0, baseline_after = 0, with_rows = 0, without_rows = 0;
};

void Report(const char* backend, const Rates& r, const Latency& lat) {
  std::printf("\n%s\n", backend);
  if (r.baseline_before > 0) {
    const double baseline = (r.baseline_before + r.baseline_after) / 2;
    std::printf("  %-58s %8.0f /s  (%.0f before, %.0f after)\n",
                "baseline: one INSERT per transaction, 1 thread", baseline, r.baseline_before,
                r.baseline_after);
    std::printf("  %-58s %8.0f /s  %.2fx baseline\n",
                "Store::Append, 8 threads, 1 event + 1 state row per call", r.with_rows,
                r.with_rows / baseline);
    std::printf("  %-58s %8.0f /s  %.2fx baseline\n",
                "Store::Append, 8 threads, 1 event per call, no state rows", r.without_rows,
                r.without_rows / baseline);
  }
  std::printf("  %-58s %6.2f ms median, %.2f ms p95, %.2f ms min (%zu events)\n",
              "Chronology of one child (2,000 of 20,000 events)", lat.median_ms, lat.p95_ms, lat.min_ms,
              lat.events);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  double seconds = 5;
  bool reads_only = false;
  std::string pg = std::getenv("CONTINUUM_TEST_PG_URL") ? std::getenv("CONTINUUM_TEST_PG_URL") : "";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (a == "--reads-only") {
      reads_only = true;
    } else if (a == "--pg" && i + 1 < argc) {
      pg = argv[++i];
      setenv("CONTINUUM_TEST_PG_URL", pg.c_str(), 1);  // where TestDatabase makes its schemas
    } else {
      Die("usage: store_benchmark [--dir DIR] [--seconds S] [--pg URL] [--reads-only]");
    }
  }
  Projector no_rows = [](const Event&, continuum::store::StateReader&, std::vector<continuum::store::Row>*) {
    return continuum::Status::Ok();
  };

  // SQLite, in a fresh directory under --dir. The baseline runs before and
  // after the Store so that a change in the disk's speed during the run shows.
  std::string work = (std::filesystem::path(dir) / "store-benchmark-XXXXXX").string();
  if (!mkdtemp(work.data())) Die("cannot create a directory under " + dir);
  std::printf("SQLite %s, files in %s, %.0f s per measurement\n", sqlite3_libversion(), work.c_str(),
              seconds);
  {
    Rates rates;
    if (!reads_only) {
      rates.baseline_before = SqliteBaseline(work + "/baseline.db", seconds / 2);
      auto store = continuum::store::Open("sqlite:" + work + "/appends.db");
      if (!store.ok()) Die(store.status().ToString());
      rates.with_rows = StoreAppends(**store, TestProjector, seconds);
      rates.without_rows = StoreAppends(**store, no_rows, seconds);
      rates.baseline_after = SqliteBaseline(work + "/baseline.db", seconds / 2);
    }
    auto reads = continuum::store::Open("sqlite:" + work + "/chronology.db");
    if (!reads.ok()) Die(reads.status().ToString());
    Report("SQLite (WAL, synchronous=FULL)", rates, ChronologyLatency(**reads));
  }
  std::filesystem::remove_all(work);

  if (!pg.empty()) {
    using continuum::store::testing::TestDatabase;
    auto base = TestDatabase::Create(continuum::store::testing::kPostgres);
    auto appends = TestDatabase::Create(continuum::store::testing::kPostgres);
    auto chronology = TestDatabase::Create(continuum::store::testing::kPostgres);
    if (!base.ok() || !appends.ok() || !chronology.ok()) Die("cannot create PostgreSQL test schemas");
    Rates rates;
    if (!reads_only) {
      rates.baseline_before = PostgresBaseline((*base)->url(), seconds / 2, /*create=*/true);
      auto store = continuum::store::Open((*appends)->url());
      if (!store.ok()) Die(store.status().ToString());
      rates.with_rows = StoreAppends(**store, TestProjector, seconds);
      rates.without_rows = StoreAppends(**store, no_rows, seconds);
      rates.baseline_after = PostgresBaseline((*base)->url(), seconds / 2, /*create=*/false);
    }
    auto reads = continuum::store::Open((*chronology)->url());
    if (!reads.ok()) Die(reads.status().ToString());
    Report("PostgreSQL (synchronous_commit on)", rates, ChronologyLatency(**reads));
  }
  return 0;
}
