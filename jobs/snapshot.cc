#include "jobs/snapshot.h"

namespace sellertrust {

std::array<std::int64_t, 5> Snapshot::badgeCounts() const {
  std::array<std::int64_t, 5> counts{};
  for (const auto& entry : sellers) ++counts[static_cast<std::size_t>(entry.second.badge)];
  return counts;
}

std::shared_ptr<const Snapshot> SnapshotHolder::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

void SnapshotHolder::publish(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(snapshot);
}

}  // namespace sellertrust
