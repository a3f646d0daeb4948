// The `history` job: once a day, keeps each seller's score and badge of the
// day in the results database and the snapshot, and prunes points older than
// the retention. Run from the scheduler's thread only (the same thread as the
// score job, so the two never race on the snapshot).
#pragma once

#include <cstdint>
#include <string>

#include "jobs/result_store.h"
#include "jobs/snapshot.h"

namespace sellertrust {

struct HistoryRunSummary {
  std::int64_t points = 0;  // written for the day
  std::int64_t pruned = 0;  // deleted beyond the retention
  std::string line() const;
};

class HistoryJob {
 public:
  HistoryJob(ResultStore* store, SnapshotHolder* snapshots, int retentionDays);

  // Records the current snapshot's day. Throws SourceError on a database
  // failure, and when no snapshot was published yet (nothing to record).
  HistoryRunSummary run(Timestamp now);

 private:
  ResultStore* store_;
  SnapshotHolder* snapshots_;
  const int retentionDays_;
};

}  // namespace sellertrust
