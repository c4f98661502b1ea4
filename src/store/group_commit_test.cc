#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace continuum::store::internal {
namespace {

Event Numbered(int n) {
  Event e;
  e.seq = n;
  return e;
}

TEST(GroupCommitWriter, BatchesWaitingCallersAndAnswersEachOnItsOwn) {
  std::atomic<int> batches{0}, largest{0};
  GroupCommitWriter writer(
      [&](std::span<AppendRequest* const> batch) {
        ++batches;
        largest = std::max<int>(largest, static_cast<int>(batch.size()));
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow commit lets callers queue up
        for (AppendRequest* r : batch) {
          if (r->events[0].seq % 2) {
            r->result = r->events;
          } else {
            r->result = InvalidArgument("even " + std::to_string(r->events[0].seq));
          }
        }
      },
      /*max_batch_requests=*/64, /*max_batch_events=*/1000);
  Projector none = [](const Event&, StateReader&, std::vector<Row>*) { return Status::Ok(); };
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int n = t * kEach + i;
        auto r = writer.Submit({Numbered(n)}, none);
        bool expect_ok = n % 2;
        if (r.ok() != expect_ok || (r.ok() && (*r)[0].seq != n) ||
            (!r.ok() && r.status().message() != "even " + std::to_string(n))) {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LT(batches.load(), kThreads * kEach);  // some callers shared a batch
  EXPECT_GT(largest.load(), 1);
}

TEST(GroupCommitWriter, RespectsTheBatchBoundsButNeverStarvesABigCall) {
  std::vector<size_t> sizes, callers;
  std::mutex mu;
  GroupCommitWriter writer(
      [&](std::span<AppendRequest* const> batch) {
        size_t events = 0;
        for (AppendRequest* r : batch) {
          events += r->events.size();
          r->result = r->events;
        }
        std::lock_guard<std::mutex> lock(mu);
        sizes.push_back(events);
        callers.push_back(batch.size());
      },
      /*max_batch_requests=*/3, /*max_batch_events=*/10);
  Projector none = [](const Event&, StateReader&, std::vector<Row>*) { return Status::Ok(); };
  auto big = writer.Submit(std::vector<Event>(25), none);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->size(), 25u);
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer.Submit(std::vector<Event>(1), none).ok());
    });
  }
  for (auto& t : threads) t.join();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(sizes[0], 25u);
  for (size_t i = 1; i < sizes.size(); ++i) {
    EXPECT_LE(sizes[i], 10u);
    EXPECT_LE(callers[i], 3u);
  }
}

}  // namespace
}  // namespace continuum::store::internal
