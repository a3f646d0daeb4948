// In-memory Source and ResultStore for job tests, with failure injection.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <vector>

#include "jobs/result_store.h"
#include "jobs/source/source.h"
#include "tests/jobs/owned_run.h"

namespace sellertrust::testing {

class FakeSource : public Source {
 public:
  SourceData data;
  bool failing = false;
  // Called inside read(), e.g. to cancel the run half-way.
  std::function<void()> duringRead;
  int reads = 0;
  // The scope of the last read (nullopt: a full read).
  std::optional<ChangeScope> lastChanges;

  using Source::read;
  SourceData read(Timestamp, const Rules&, const CancelToken& cancel, const ChangeScope* changes,
                  const CarriedState*) override {
    ++reads;
    lastChanges = changes ? std::optional<ChangeScope>(*changes) : std::nullopt;
    if (duringRead) duringRead();
    if (failing) throw SourceError("source unreachable");
    if (cancel.cancelled()) throw RunCancelled();
    if (changes == nullptr) {  // a full read has no scope, whatever the test set
      SourceData full = data;
      full.scope.reset();
      return full;
    }
    // An incremental read, like a real source's: the sellers it returns
    // (unless the test sets another scope).
    if (data.scope) return data;
    SourceData scoped = data;
    std::set<std::int64_t> ids;
    for (const auto& entry : data.sellers) ids.insert(entry.first);
    for (const auto& entry : data.tallies) ids.insert(entry.first);
    scoped.scope = std::vector<std::int64_t>(ids.begin(), ids.end());
    if (changes->cheaperToReadAll && changes->cheaperToReadAll(*scoped.scope, 0)) return data;
    return scoped;
  }
  void probe() override {
    if (failing) throw SourceError("source unreachable");
  }
  ContractReport checkContract() override { return {}; }
};

class FakeStore : public ResultStore {
 public:
  std::vector<OwnedRun> runs;
  bool failing = false;
  std::vector<std::pair<Timestamp, std::vector<std::pair<std::int64_t, HistoryPoint>>>> history;

  void migrate() override {}
  void saveRun(const RunRecord& run) override {
    if (failing) throw SourceError("disk full");
    runs.emplace_back(run);
  }
  std::int64_t saveHistory(Timestamp day,
                           const std::vector<std::pair<std::int64_t, HistoryPoint>>& points,
                           Timestamp) override {
    if (failing) throw SourceError("disk full");
    history.emplace_back(day, points);
    return 0;
  }
  // What loadSnapshot() returns and latestRunAt() reports (another writer's
  // run); nullptr: nothing persisted by anyone else.
  std::shared_ptr<Snapshot> persisted;
  std::shared_ptr<Snapshot> loadSnapshot(Timestamp) override { return persisted; }
  std::optional<Timestamp> latestRunAt() override {
    if (persisted) return persisted->computedAt;
    if (runs.empty()) return std::nullopt;
    return runs.back().computedAt;
  }
};

}  // namespace sellertrust::testing
