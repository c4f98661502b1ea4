// Regression test: opening a SQLite database never fails because another
// process is opening, migrating or recovering it at the same moment. Before
// the fix, the second opener could get "database is locked" at once (the
// switch to WAL and the first reads ran without waiting for the lock).
//
// Each round forks two processes that wait on one pipe and then call
// store::Open on the same path together; both must succeed. Rounds alternate
// between a fresh file (both create and migrate it) and a file left by a
// writer killed with its WAL unfinished (one opener recovers it while the
// other waits).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_test_util.h"

namespace continuum::store {
namespace {

using testing::MakeEvent;
using testing::TestProjector;

constexpr int kRounds = 40;

std::string NewDirectory() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "continuum-open-race-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return "";
  return tmpl;
}

// Forks a child that waits for `go` to close, opens the store and appends
// one event; it writes its error (if any) to `report` and exits 0 on success.
pid_t SpawnOpener(const std::string& url, int go_read, int report_write, int go_write) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  close(go_write);
  char byte;
  (void)!read(go_read, &byte, 1);  // returns 0 when the parent closes its end: everyone starts at once
  auto store = Open(url);
  std::string error;
  if (!store.ok()) {
    error = "open: " + store.status().ToString();
  } else {
    auto appended =
        (*store)->Append({MakeEvent("c-race", "note.added", "2026-01-05T09:00:00Z")}, TestProjector);
    if (!appended.ok()) error = "append: " + appended.status().ToString();
  }
  if (!error.empty()) {
    error = error.substr(0, PIPE_BUF - 1) + "\n";
    (void)!write(report_write, error.data(), error.size());
  }
  _exit(error.empty() ? 0 : 1);
}

// Leaves a database whose WAL was never checkpointed nor cleaned up: a
// writer appends and is SIGKILLed while it still holds the file open.
void LeaveCrashedDatabase(const std::string& url) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    auto store = Open(url);
    if (!store.ok()) _exit(1);
    for (int i = 0; i < 20; ++i) {
      std::vector<Event> events;
      for (int j = 0; j < 50; ++j)
        events.push_back(MakeEvent("c-" + std::to_string(j), "note.added", "2026-01-05T09:00:00Z"));
      if (!(*store)->Append(std::move(events), TestProjector).ok()) _exit(1);
    }
    (void)!write(ready[1], "x", 1);
    for (;;) pause();
  }
  close(ready[1]);
  char byte;
  ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the writer failed before it was killed";
  close(ready[0]);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

TEST(SqliteOpenRace, TwoProcessesOpeningOneDatabaseAtOnceBothSucceed) {
  const std::string dir = NewDirectory();
  ASSERT_FALSE(dir.empty());
  for (int round = 0; round < kRounds; ++round) {
    const bool crashed = round % 2 == 1;
    const std::string url = "sqlite:" + dir + "/round-" + std::to_string(round) + ".db";
    if (crashed) LeaveCrashedDatabase(url);
    int go[2], report[2];
    ASSERT_EQ(pipe(go), 0);
    ASSERT_EQ(pipe(report), 0);
    pid_t a = SpawnOpener(url, go[0], report[1], go[1]);
    pid_t b = SpawnOpener(url, go[0], report[1], go[1]);
    close(go[0]);
    close(report[1]);
    close(go[1]);  // both start
    std::string errors;
    char buf[4096];
    for (ssize_t n; (n = read(report[0], buf, sizeof buf)) > 0;) errors.append(buf, n);
    close(report[0]);
    int status_a = 0, status_b = 0;
    waitpid(a, &status_a, 0);
    waitpid(b, &status_b, 0);
    EXPECT_TRUE(WIFEXITED(status_a) && WEXITSTATUS(status_a) == 0 && WIFEXITED(status_b) &&
                WEXITSTATUS(status_b) == 0)
        << "round " << round << (crashed ? " (after a crash)" : " (fresh file)") << ": " << errors;
    if (HasFailure()) break;
  }
  std::error_code ec;
  if (!HasFailure()) std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace continuum::store
