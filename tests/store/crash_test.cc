// Crash test for the SQLite event log: writer processes are SIGKILLed at
// random moments and restarted; afterwards every acknowledged event must be
// there, no Append may be half applied, the file must pass integrity_check
// and the log must Verify.
//
//   store_crash_test [kills]        (default 200; or CONTINUUM_CRASH_KILLS)
//   CONTINUUM_CRASH_SEED=n          repeat a run
//
// Each writer process runs several threads appending through the real Store
// (so group commit batches them). Every Append writes three "batch.step"
// events sharing a batch tag, and the test projector counts them into one
// entities row [child, batch, tag]. A writer reports "tag id id id" to the
// parent over a pipe only after Append returned ok; one write() of less
// than PIPE_BUF bytes, so a report is whole or absent.
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/store_test_util.h"

namespace {

using continuum::store::Event;
using continuum::store::testing::MakeEvent;
using continuum::store::testing::TestProjector;

constexpr int kWriters = 2;  // processes at once
constexpr int kThreadsPerWriter = 4;
constexpr int kEventsPerAppend = 3;

// ---------------------------------------------------------------------------
// A writer process. Never returns.

[[noreturn]] void RunWriter(const std::string& path, int generation, int report_fd) {
  auto store = continuum::store::Open("sqlite:" + path);
  if (!store.ok()) {
    std::string line = "E open: " + store.status().ToString() + "\n";
    (void)!write(report_fd, line.data(), std::min<size_t>(line.size(), PIPE_BUF));
    _exit(2);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreadsPerWriter; ++t) {
    threads.emplace_back([&, t] {
      for (long n = 0;; ++n) {
        const std::string tag =
            "g" + std::to_string(generation) + "-t" + std::to_string(t) + "-" + std::to_string(n);
        const std::string child = "crash-" + std::to_string((generation + t) % 5);
        std::vector<Event> events;
        for (int i = 0; i < kEventsPerAppend; ++i) {
          events.push_back(MakeEvent(child, "batch.step", "2026-01-01T00:00:00Z",
                                     R"({"batch":")" + tag + R"(","i":)" + std::to_string(i) + "}"));
        }
        auto r = (*store)->Append(std::move(events), TestProjector);
        std::string line;
        if (r.ok()) {
          line = tag;
          for (const Event& e : *r) line += " " + e.id;
        } else {
          line = "E append: " + r.status().ToString();
        }
        line = line.substr(0, PIPE_BUF - 1) + "\n";
        if (write(report_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(3);
        if (!r.ok()) _exit(4);
      }
    });
  }
  for (auto& th : threads) th.join();
  _exit(0);
}

// ---------------------------------------------------------------------------
// The parent.

struct Writer {
  pid_t pid = -1;
  int fd = -1;
  std::string partial;  // bytes after the last newline
};

struct Tally {
  std::map<std::string, std::vector<std::string>> acknowledged;  // tag -> event ids
  std::vector<std::string> errors;
};

void Consume(Writer* w, const char* data, size_t n, Tally* tally) {
  w->partial.append(data, n);
  size_t start = 0;
  for (size_t nl; (nl = w->partial.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = w->partial.substr(start, nl - start);
    if (line.rfind("E ", 0) == 0) {
      tally->errors.push_back(line.substr(2));
      continue;
    }
    std::istringstream in(line);
    std::string tag, id;
    in >> tag;
    std::vector<std::string> ids;
    while (in >> id) ids.push_back(id);
    if (ids.size() != kEventsPerAppend) {
      tally->errors.push_back("malformed report: " + line);
      continue;
    }
    tally->acknowledged[tag] = ids;
  }
  w->partial.erase(0, start);
}

// Reads whatever the writers have reported, for up to `ms`.
void Drain(std::vector<Writer>& writers, int ms, Tally* tally) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  char buf[65536];
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::vector<pollfd> fds;
    for (const Writer& w : writers) fds.push_back({w.fd, POLLIN, 0});
    int ready = poll(fds.data(), fds.size(), std::max<int>(0, static_cast<int>(left.count())));
    if (ready <= 0 && left.count() <= 0) return;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & (POLLIN | POLLHUP)) {
        ssize_t n = read(writers[i].fd, buf, sizeof buf);
        if (n > 0) Consume(&writers[i], buf, n, tally);
      }
    }
    if (left.count() <= 0) return;
  }
}

Writer Spawn(const std::string& path, int generation) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("pipe");
    std::exit(1);
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    close(fds[0]);
    RunWriter(path, generation, fds[1]);
  }
  close(fds[1]);
  return Writer{pid, fds[0], ""};
}

// SIGKILLs the writer, reaps it and reads the rest of its reports.
void Kill(Writer* w, Tally* tally) {
  kill(w->pid, SIGKILL);
  int status = 0;
  waitpid(w->pid, &status, 0);
  if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
    tally->errors.push_back("writer " + std::to_string(w->pid) + " ended on its own (status " +
                            std::to_string(status) + ")");
  }
  char buf[65536];
  for (ssize_t n; (n = read(w->fd, buf, sizeof buf)) > 0;) Consume(w, buf, n, tally);
  close(w->fd);
}

// One column of every row of a query on the file, without the Store.
std::vector<std::vector<std::string>> RawQuery(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  std::vector<std::vector<std::string>> rows;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return rows;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(std::move(row));
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  int kills_wanted = 200;
  if (const char* env = std::getenv("CONTINUUM_CRASH_KILLS")) kills_wanted = std::atoi(env);
  if (argc > 1) kills_wanted = std::atoi(argv[1]);
  uint64_t seed = std::random_device{}();
  if (const char* env = std::getenv("CONTINUUM_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  std::mt19937_64 rng(seed);
  signal(SIGPIPE, SIG_IGN);

  std::string dir = (std::filesystem::temp_directory_path() / "continuum-crash-XXXXXX").string();
  if (!mkdtemp(dir.data())) {
    perror("mkdtemp");
    return 1;
  }
  const std::string path = dir + "/continuum.db";
  std::printf("crash test: %d kills, seed %llu, %d writer processes x %d threads, %s\n", kills_wanted,
              static_cast<unsigned long long>(seed), kWriters, kThreadsPerWriter, path.c_str());
  std::fflush(stdout);

  const auto start = std::chrono::steady_clock::now();
  Tally tally;
  int generation = 0, kills = 0;
  std::vector<Writer> writers;
  for (int i = 0; i < kWriters; ++i) writers.push_back(Spawn(path, generation++));
  std::uniform_int_distribution<int> pick(0, kWriters - 1);
  std::uniform_int_distribution<int> short_delay(2, 40), long_delay(50, 150), percent(0, 99);
  while (kills < kills_wanted && tally.errors.empty()) {
    Drain(writers, percent(rng) < 10 ? long_delay(rng) : short_delay(rng), &tally);
    Writer& victim = writers[pick(rng)];
    Kill(&victim, &tally);
    ++kills;
    victim = Spawn(path, generation++);
  }
  for (Writer& w : writers) {
    Kill(&w, &tally);
    ++kills;
  }
  const double write_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // No writer is running now. Check the file.
  int failures = 0;
  auto fail = [&](const std::string& what) {
    if (++failures <= 20) std::printf("FAIL: %s\n", what.c_str());
  };
  for (const std::string& e : tally.errors) fail("writer reported: " + e);

  auto integrity = RawQuery(path, "PRAGMA integrity_check");
  if (integrity.size() != 1 || integrity[0][0] != "ok") {
    fail("PRAGMA integrity_check: " + (integrity.empty() ? std::string("no answer") : integrity[0][0]));
  }
  if (!RawQuery(path, "PRAGMA foreign_key_check").empty())
    fail("PRAGMA foreign_key_check reports violations");

  // All or nothing: every batch tag has its three events and its row.
  std::map<std::string, std::set<int>> steps;  // tag -> i values present
  std::map<std::string, std::string> event_tag;
  for (const auto& row : RawQuery(path, "SELECT id, payload FROM events")) {
    auto payload = nlohmann::json::parse(row[1], nullptr, false);
    std::string tag = payload.is_object() ? payload.value("batch", "") : "";
    if (tag.empty()) {
      fail("event " + row[0] + " has no batch tag");
      continue;
    }
    if (!steps[tag].insert(payload.value("i", -1)).second) fail("batch " + tag + " has a step twice");
    event_tag[row[0]] = tag;
  }
  std::map<std::string, std::string> batch_rows;
  for (const auto& row : RawQuery(path, "SELECT entity_id, data FROM entities WHERE kind = 'batch'")) {
    batch_rows[row[0]] = row[1];
  }
  for (const auto& [tag, present] : steps) {
    if (present != std::set<int>{0, 1, 2})
      fail("batch " + tag + " is half applied: " + std::to_string(present.size()) + " of 3 events");
    if (batch_rows[tag] != R"({"events":3})") fail("batch " + tag + " has entities row " + batch_rows[tag]);
  }
  for (const auto& [tag, data] : batch_rows) {
    if (!steps.count(tag)) fail("entities row for batch " + tag + " without its events");
  }

  // Durability: everything acknowledged is there.
  size_t acknowledged_events = 0, missing = 0;
  for (const auto& [tag, ids] : tally.acknowledged) {
    for (const std::string& id : ids) {
      ++acknowledged_events;
      auto it = event_tag.find(id);
      if (it == event_tag.end() || it->second != tag) {
        ++missing;
        fail("acknowledged event " + id + " of batch " + tag + " is missing");
      }
    }
  }
  const size_t unacknowledged_batches = steps.size() - std::min(steps.size(), tally.acknowledged.size());

  // The log itself, through the Store.
  int64_t verified = 0;
  {
    auto store = continuum::store::Open("sqlite:" + path);
    if (!store.ok()) {
      fail("reopening: " + store.status().ToString());
    } else {
      auto report = (*store)->Verify(TestProjector);
      if (!report.ok()) {
        fail("Verify: " + report.status().ToString());
      } else {
        verified = report->events;
        if (!report->ok) fail("Verify: " + report->problem);
        for (const std::string& d : report->state_differences) fail("Verify: " + d);
      }
    }
  }

  std::printf("kills:                         %d\n", kills);
  std::printf("writer processes started:      %d\n", generation);
  std::printf("acknowledged appends:          %zu (%zu events)\n", tally.acknowledged.size(),
              acknowledged_events);
  std::printf("acknowledged events missing:   %zu\n", missing);
  std::printf("events present:                %zu in %zu batches (%zu committed but unacknowledged)\n",
              event_tag.size(), steps.size(), unacknowledged_batches);
  std::printf("events verified (hash chain):  %lld\n", static_cast<long long>(verified));
  std::printf("integrity_check:               %s\n", integrity.empty() ? "?" : integrity[0][0].c_str());
  std::printf("time writing / total:          %.1f s / %.1f s\n", write_seconds,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (tally.acknowledged.empty()) fail("no Append was acknowledged: the writers made no progress");

  std::error_code ec;
  if (failures == 0) std::filesystem::remove_all(dir, ec);
  std::printf(
      "%s\n",
      failures == 0
          ? "PASS"
          : ("FAILED (" + std::to_string(failures) + " problems; the file is kept in " + dir + ")").c_str());
  return failures == 0 ? 0 : 1;
}
