// Private to src/store: group commit. Append calls from any number of threads
// are queued to one writer thread, which hands every call waiting (up to a
// bound) to the backend as one batch, committed in one transaction. A caller
// blocks until its batch has been committed or has failed, so an ok result
// is always durable.
//
// Thread-safety: Submit may be called from any thread. The batch function
// runs only on the writer thread, one batch at a time.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace continuum::store::internal {

// A directory change (directory_log.h): run on the writer thread inside the
// batch's transaction, before the request's events are chained; it writes
// its rows and adds the events that record them.
using DirectoryChange = std::function<Status(std::vector<Event>* events)>;

struct AppendRequest {
  std::vector<Event> events;
  const Projector* projector = nullptr;
  const DirectoryChange* directory_change = nullptr;
  Result<std::vector<Event>> result = Internal("the append was not run");
  bool done = false;               // guarded by the writer's mutex
  std::condition_variable waiter;  // wakes this caller only
};

class GroupCommitWriter {
 public:
  // Sets each request's result. Runs on the writer thread.
  using BatchFn = std::function<void(std::span<AppendRequest* const> batch)>;

  // A batch takes at most max_batch_requests calls and, unless one call
  // alone is bigger, max_batch_events events.
  GroupCommitWriter(BatchFn run_batch, size_t max_batch_requests, size_t max_batch_events);
  // Runs what is queued, then stops the writer thread.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues the events and waits for the batch that carries them.
  Result<std::vector<Event>> Submit(std::vector<Event> events, const Projector& projector,
                                    const DirectoryChange* directory_change = nullptr);

 private:
  void Loop();

  const BatchFn run_batch_;
  const size_t max_batch_requests_;
  const size_t max_batch_events_;
  std::mutex mu_;
  std::condition_variable work_;      // the queue is not empty, or stopping
  std::deque<AppendRequest*> queue_;  // guarded by mu_
  bool stopping_ = false;             // guarded by mu_
  std::thread thread_;                // last: starts after the rest is constructed
};

}  // namespace continuum::store::internal
