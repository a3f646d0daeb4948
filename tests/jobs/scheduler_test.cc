#include "jobs/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace sellertrust {
namespace {

using namespace std::chrono_literals;

Timestamp realNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Waits up to 5 s for `done`.
template <typename Predicate>
bool eventually(Predicate done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

TEST(SchedulerTest, RunsEachJobAtStartAndReportsIt) {
  std::atomic<int> reports{0};
  std::atomic<int> runs{0};
  Scheduler s(
      realNow,
      [&](const RunReport& r) {
        EXPECT_TRUE(r.success);
        EXPECT_EQ(r.outcome.rowsRead, 7);
        ++reports;
      },
      nullptr, 50ms);
  s.add({"a", 3600s, 10s, [&](Timestamp, const CancelToken&) {
           ++runs;
           return JobOutcome{7, "fine"};
         }});
  s.start();
  ASSERT_TRUE(eventually([&] { return reports == 1; }));
  s.stop();
  EXPECT_EQ(runs, 1);
  const std::vector<JobState> st = s.states();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].runs, 1);
  EXPECT_EQ(st[0].failures, 0);
  EXPECT_EQ(st[0].lastRowsRead, 7);
  EXPECT_TRUE(st[0].lastSuccessAt.has_value());
  EXPECT_EQ(st[0].nextRunAt, *st[0].lastRunAt + 3600);
}

TEST(SchedulerTest, ARunLongerThanHalfTheIntervalIsFollowedByAsLongAPause) {
  // A fake clock that the job itself moves: each run "takes" 45 s.
  std::atomic<Timestamp> now{1000};
  std::atomic<int> reports{0};
  Scheduler s([&] { return now.load(); }, [&](const RunReport&) { ++reports; }, nullptr, 10ms);
  s.add({"slow", 60s, 600s, [&](Timestamp, const CancelToken&) {
           now += 45;
           return JobOutcome{0, "slow"};
         }});
  s.start();
  ASSERT_TRUE(eventually([&] { return reports == 1; }));
  s.stop();
  // Started at 1000, finished at 1045: the next start is 1090, not 1060.
  EXPECT_EQ(s.states()[0].nextRunAt, 1090);
}

TEST(SchedulerTest, FailureIsCountedWithItsMessage) {
  std::atomic<int> reports{0};
  Scheduler s(
      realNow, [&](const RunReport&) { ++reports; }, nullptr, 50ms);
  s.add({"broken", 3600s, 10s,
         [](Timestamp, const CancelToken&) -> JobOutcome { throw SourceError("db down"); }});
  s.start();
  ASSERT_TRUE(eventually([&] { return reports == 1; }));
  s.stop();
  EXPECT_EQ(s.states()[0].failures, 1);
  EXPECT_EQ(s.states()[0].lastError, "db down");
  EXPECT_FALSE(s.states()[0].lastSuccessAt.has_value());
}

TEST(SchedulerTest, FailedRunsRetryWithBackoffCappedAtTheInterval) {
  // A fake clock that only moves when told, and a job that always fails.
  std::atomic<Timestamp> now{1000};
  std::atomic<int> reports{0};
  Scheduler s([&] { return now.load(); }, [&](const RunReport&) { ++reports; }, nullptr, 10ms);
  s.add({"flaky", 60s, 10s,
         [](Timestamp, const CancelToken&) -> JobOutcome { throw SourceError("down"); }, 5s});
  s.start();
  std::vector<Timestamp> gaps;
  for (int i = 1; i <= 6; ++i) {
    ASSERT_TRUE(eventually([&] { return reports == i; }));
    const JobState st = s.states()[0];
    gaps.push_back(st.nextRunAt - *st.lastRunAt);
    // Jump to the next attempt; not after the last, or the scheduler may
    // make a seventh before stop() (it did, under ThreadSanitizer).
    if (i < 6) now = st.nextRunAt;
  }
  s.stop();
  EXPECT_EQ(gaps, (std::vector<Timestamp>{5, 10, 20, 40, 60, 60}));
  EXPECT_EQ(s.states()[0].consecutiveFailures, 6);
}

TEST(SchedulerTest, TimeoutCancelsTheRunAtItsNextSafePoint) {
  std::atomic<bool> finished{false};
  RunReport last;
  Scheduler s(
      realNow,
      [&](const RunReport& r) {
        last = r;
        finished = true;
      },
      nullptr, 20ms);
  s.add({"slow", 3600s, 1s, [](Timestamp, const CancelToken& cancel) -> JobOutcome {
           while (!cancel.cancelled()) std::this_thread::sleep_for(5ms);
           throw RunCancelled();
         }});
  const auto started = std::chrono::steady_clock::now();
  s.start();
  ASSERT_TRUE(eventually([&] { return finished.load(); }));
  s.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_FALSE(last.success);
  EXPECT_TRUE(last.cancelled);
  EXPECT_EQ(last.error, "timed out after 1 s");
}

TEST(SchedulerTest, HeartbeatStopsWhenARunIgnoresItsCancellation) {
  using Clock = std::chrono::steady_clock;
  std::mutex mutex;
  std::vector<Clock::duration> beats;
  std::atomic<bool> finished{false};
  const auto started = Clock::now();
  Scheduler s(
      realNow, [&](const RunReport&) { finished = true; },
      [&] {
        std::lock_guard<std::mutex> lock(mutex);
        beats.push_back(Clock::now() - started);
      },
      20ms);
  // Timeout 1 s; the job ignores the cancel and ends only after 3 s.
  s.add({"stuck", 3600s, 1s, [](Timestamp, const CancelToken&) {
           std::this_thread::sleep_for(3s);
           return JobOutcome{};
         }});
  s.start();
  ASSERT_TRUE(eventually([&] { return finished.load(); }));
  s.stop();
  std::lock_guard<std::mutex> lock(mutex);
  const auto during = [&](auto from, auto to) {
    return std::count_if(beats.begin(), beats.end(), [&](auto t) { return t >= from && t < to; });
  };
  EXPECT_GT(during(0ms, 900ms), 10);     // alive while the run is young
  EXPECT_EQ(during(2200ms, 2900ms), 0);  // silent once it is stuck
}

TEST(SchedulerTest, StopCancelsARunningJobAndJoins) {
  std::atomic<bool> running{false};
  std::atomic<bool> sawCancel{false};
  Scheduler s(realNow, nullptr, nullptr, 20ms);
  s.add({"long", 3600s, 3600s, [&](Timestamp, const CancelToken& cancel) -> JobOutcome {
           running = true;
           while (!cancel.cancelled()) std::this_thread::sleep_for(5ms);
           sawCancel = true;
           throw RunCancelled();
         }});
  s.start();
  ASSERT_TRUE(eventually([&] { return running.load(); }));
  const auto stopping = std::chrono::steady_clock::now();
  s.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 1s);
  EXPECT_TRUE(sawCancel);
}

TEST(SchedulerTest, NeverRunsTwoJobsAtOnceAndKeepsTheHeartbeat) {
  std::atomic<int> concurrent{0};
  std::atomic<int> maxConcurrent{0};
  std::atomic<int> done{0};
  std::atomic<int> beats{0};
  auto body = [&](Timestamp, const CancelToken&) {
    const int now = ++concurrent;
    maxConcurrent = std::max(maxConcurrent.load(), now);
    std::this_thread::sleep_for(150ms);
    --concurrent;
    ++done;
    return JobOutcome{};
  };
  Scheduler s(
      realNow, nullptr, [&] { ++beats; }, 20ms);
  s.add({"a", 3600s, 10s, body});
  s.add({"b", 3600s, 10s, body});
  s.start();
  ASSERT_TRUE(eventually([&] { return done == 2; }));
  s.stop();
  EXPECT_EQ(maxConcurrent, 1);
  EXPECT_GE(beats, 5);  // the heartbeat went on during the 300 ms of runs
}

}  // namespace
}  // namespace sellertrust
