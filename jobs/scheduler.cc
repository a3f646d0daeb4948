#include "jobs/scheduler.h"

#include <algorithm>
#include <exception>
#include <future>

namespace sellertrust {

Scheduler::Scheduler(Clock clock, std::function<void(const RunReport&)> onFinished,
                     std::function<void()> heartbeat, std::chrono::milliseconds heartbeatEvery)
    : clock_(std::move(clock)),
      onFinished_(std::move(onFinished)),
      heartbeat_(std::move(heartbeat)),
      heartbeatEvery_(heartbeatEvery) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add(JobSpec spec) {
  std::lock_guard<std::mutex> lock(mutex_);
  JobState state;
  state.name = spec.name;
  states_.push_back(state);
  specs_.push_back(std::move(spec));
}

void Scheduler::start() {
  const Timestamp now = clock_();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (JobState& s : states_) s.nextRunAt = now;
  }
  thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (runningToken_ != nullptr) runningToken_->cancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<JobState> Scheduler::states() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return states_;
}

RunReport Scheduler::runOnce(const JobSpec& spec, Timestamp now, const CancelToken& cancel) {
  RunReport report;
  report.task = spec.name;
  const auto started = std::chrono::steady_clock::now();
  try {
    report.outcome = spec.run(now, cancel);
    report.success = true;
  } catch (const RunCancelled& e) {
    report.cancelled = true;
    report.error = e.what();
  } catch (const std::exception& e) {
    report.error = e.what();
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

void Scheduler::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    const Timestamp now = clock_();
    std::optional<std::size_t> due;
    for (std::size_t i = 0; i < states_.size(); ++i) {
      if (states_[i].nextRunAt <= now && (!due || states_[i].nextRunAt < states_[*due].nextRunAt)) {
        due = i;
      }
    }
    if (due) {
      lock.unlock();
      runJob(*due);
      lock.lock();
      continue;
    }
    Timestamp next = now + 3600;
    for (const JobState& s : states_) next = std::min(next, s.nextRunAt);
    const auto wait = std::min<std::chrono::milliseconds>(
        std::chrono::seconds(std::max<Timestamp>(next - now, 1)), heartbeatEvery_);
    wake_.wait_for(lock, wait);
    lock.unlock();
    if (heartbeat_) heartbeat_();
    lock.lock();
  }
}

void Scheduler::runJob(std::size_t index) {
  CancelToken token;
  JobSpec spec;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    spec = specs_[index];
    states_[index].running = true;
    runningToken_ = &token;
    if (stopping_) token.cancel();  // stop() came between the loop's check and here
  }
  const Timestamp startedAt = clock_();
  // The run happens on a worker so this thread can keep the heartbeat going
  // and enforce the timeout; it is always joined before the next run.
  auto result = std::async(std::launch::async,
                           [&spec, &token, startedAt] { return runOnce(spec, startedAt, token); });
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  bool timedOut = false;
  while (result.wait_for(heartbeatEvery_) != std::future_status::ready) {
    const auto now = std::chrono::steady_clock::now();
    if (!timedOut && now >= deadline) {
      timedOut = true;
      token.cancel();
    }
    // A run that ignores its cancellation for as long again is stuck: the
    // heartbeat stops, so the systemd watchdog restarts the daemon.
    const bool stuck = timedOut && now >= deadline + spec.timeout;
    if (heartbeat_ && !stuck) heartbeat_();
  }
  RunReport report = result.get();
  report.finishedAt = clock_();
  if (timedOut && !report.success) {
    report.error = "timed out after " + std::to_string(spec.timeout.count()) + " s";
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    runningToken_ = nullptr;
    JobState& s = states_[index];
    s.running = false;
    s.lastRunAt = startedAt;
    s.lastDurationSeconds = report.seconds;
    s.lastRowsRead = report.outcome.rowsRead;
    ++s.runs;
    Timestamp wait = spec.interval.count();
    if (report.success) {
      s.lastSuccessAt = report.finishedAt;
      s.lastError.clear();
      s.consecutiveFailures = 0;
    } else {
      ++s.failures;
      ++s.consecutiveFailures;
      s.lastError = report.error;
      const int doublings = static_cast<int>(std::min<std::int64_t>(s.consecutiveFailures - 1, 20));
      wait = std::min<Timestamp>(wait, spec.retryAfter.count() << doublings);
    }
    // A run longer than half the interval is followed by a pause as long
    // as itself: a job keeps the database busy at most half the time.
    s.nextRunAt = std::max(startedAt + wait, report.finishedAt + (report.finishedAt - startedAt));
  }
  if (onFinished_) onFinished_(report);
}

}  // namespace sellertrust
