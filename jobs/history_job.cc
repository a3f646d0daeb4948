#include "jobs/history_job.h"

#include <algorithm>

#include "jobs/source/source.h"

namespace sellertrust {

std::string HistoryRunSummary::line() const {
  return std::to_string(points) + " daily points written, " + std::to_string(pruned) + " pruned";
}

HistoryJob::HistoryJob(ResultStore* store, SnapshotHolder* snapshots, int retentionDays)
    : store_(store), snapshots_(snapshots), retentionDays_(retentionDays) {}

HistoryRunSummary HistoryJob::run(Timestamp now) {
  const std::shared_ptr<const Snapshot> current = snapshots_->current();
  if (!current) throw SourceError("no scoring run has completed yet; nothing to record");
  // The day is the snapshot's, not the clock's: a run at 00:00:05 still
  // records yesterday's results under yesterday if that is what they are.
  const Timestamp day = startOfDay(current->computedAt);
  const Timestamp pruneBefore =
      startOfDay(now) - static_cast<Timestamp>(retentionDays_) * kSecondsPerDay;
  std::vector<std::pair<std::int64_t, HistoryPoint>> points;
  points.reserve(current->sellers.size());
  for (const auto& [id, seller] : current->sellers) {
    points.emplace_back(id, HistoryPoint{day, seller->score, seller->badge});
  }
  HistoryRunSummary summary;
  summary.pruned = store_->saveHistory(day, points, pruneBefore);
  summary.points = static_cast<std::int64_t>(points.size());

  auto history = std::make_shared<HistoryBySeller>(*current->history);
  for (auto& [id, series] : *history) {
    series.erase(
        std::remove_if(series.begin(), series.end(),
                       [&](const HistoryPoint& p) { return p.day < pruneBefore || p.day == day; }),
        series.end());
  }
  for (const auto& [id, point] : points) (*history)[id].push_back(point);
  auto next = std::make_shared<Snapshot>(*current);
  next->history = std::move(history);
  snapshots_->publish(next);
  return summary;
}

}  // namespace sellertrust
