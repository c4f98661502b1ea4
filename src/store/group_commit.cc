#include "store/group_commit.h"

namespace continuum::store::internal {

GroupCommitWriter::GroupCommitWriter(BatchFn run_batch, size_t max_batch_requests, size_t max_batch_events)
    : run_batch_(std::move(run_batch)),
      max_batch_requests_(max_batch_requests),
      max_batch_events_(max_batch_events),
      thread_([this] { Loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_.notify_one();
  thread_.join();
}

Result<std::vector<Event>> GroupCommitWriter::Submit(std::vector<Event> events, const Projector& projector,
                                                     const DirectoryChange* directory_change) {
  AppendRequest request;
  request.events = std::move(events);
  request.projector = &projector;
  request.directory_change = directory_change;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&request);
  work_.notify_one();
  request.waiter.wait(lock, [&] { return request.done; });
  return std::move(request.result);
}

void GroupCommitWriter::Loop() {
  std::vector<AppendRequest*> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      size_t events = 0;
      batch.clear();
      while (!queue_.empty() && batch.size() < max_batch_requests_ &&
             (batch.empty() || events + queue_.front()->events.size() <= max_batch_events_)) {
        events += queue_.front()->events.size();
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    run_batch_(batch);
    // Each caller is woken alone: waking every waiter would cost a context
    // switch for each caller still waiting for a later batch. The notify is
    // under the lock because the request, with its condition variable, lives
    // on the caller's stack and is gone once the caller sees `done`.
    std::lock_guard<std::mutex> lock(mu_);
    for (AppendRequest* r : batch) {
      r->done = true;
      r->waiter.notify_one();
    }
  }
}

}  // namespace continuum::store::internal
