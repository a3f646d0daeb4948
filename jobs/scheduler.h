// Runs the daemon's jobs at their intervals on one scheduler thread: one run
// at a time overall, so two runs of one job never overlap and jobs never race
// on the snapshot. Each run gets a CancelToken that is set when it exceeds its
// timeout or the scheduler stops; jobs stop at their next safe point.
// add() before start(); states() and stop() are safe from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "jobs/source/source.h"
#include "sellertrust/time.h"

namespace sellertrust {

struct JobOutcome {
  std::int64_t rowsRead = 0;
  std::string summary;  // one line for the log
};

struct JobSpec {
  std::string name;
  // From the start of one run to the next; after a run longer than half of
  // it, the next waits as long as the run took (at most half the time busy).
  std::chrono::seconds interval{300};
  std::chrono::seconds timeout{600};
  // Throws on failure (the message is logged and kept in JobState).
  std::function<JobOutcome(Timestamp now, const CancelToken& cancel)> run;
  // After a failed run the job is retried sooner than its interval: after
  // retryAfter, then twice that, and so on, capped at the interval. This is
  // the reconnect backoff when a database goes away.
  std::chrono::seconds retryAfter{5};
};

struct JobState {
  std::string name;
  std::optional<Timestamp> lastRunAt;
  std::optional<Timestamp> lastSuccessAt;
  double lastDurationSeconds = 0;
  std::int64_t lastRowsRead = 0;
  std::string lastError;  // empty after a success
  Timestamp nextRunAt = 0;
  std::int64_t runs = 0;
  std::int64_t failures = 0;
  std::int64_t consecutiveFailures = 0;
  bool running = false;
};

struct RunReport {
  std::string task;
  bool success = false;
  bool cancelled = false;
  double seconds = 0;
  Timestamp finishedAt = 0;
  JobOutcome outcome;
  std::string error;
};

class Scheduler {
 public:
  using Clock = std::function<Timestamp()>;
  // `onFinished` is called on the scheduler thread after every run;
  // `heartbeat` at least every `heartbeatEvery` while the scheduler lives,
  // also during a long run (the systemd watchdog hangs on it), but no longer
  // once a run has ignored its cancellation for a second timeout.
  Scheduler(Clock clock, std::function<void(const RunReport&)> onFinished,
            std::function<void()> heartbeat, std::chrono::milliseconds heartbeatEvery);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void add(JobSpec spec);  // first run is due at start()
  void start();
  // Cancels a running job, waits for it to stop, and joins the thread.
  void stop();
  std::vector<JobState> states() const;

  // Runs one job now on the caller's thread (for --run-once); no timeout.
  static RunReport runOnce(const JobSpec& spec, Timestamp now, const CancelToken& cancel);

 private:
  void loop();
  void runJob(std::size_t index);

  Clock clock_;
  std::function<void(const RunReport&)> onFinished_;
  std::function<void()> heartbeat_;
  std::chrono::milliseconds heartbeatEvery_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::vector<JobSpec> specs_;
  std::vector<JobState> states_;
  bool stopping_ = false;
  CancelToken* runningToken_ = nullptr;  // the run in progress, if any
  std::thread thread_;
};

}  // namespace sellertrust
