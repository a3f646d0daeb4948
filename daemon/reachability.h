// The source and the results database as the daemon uses them, each wrapped
// so that every call that reads or writes reports whether it worked:
// sellertrust_source_up, sellertrust_results_up and /v1/status's
// source_reachable mean "the last read (write) worked", not "a connection
// opened" (a file that is no database, or lacks the tables, opens fine).
// A call that is cancelled, or that fails for a reason other than the
// database (invalid rules, a refused run), reports nothing. Each wrapper is
// used from the threads its inner object is; `report` is called on the
// calling thread and must be safe from any of them.
#pragma once

#include <functional>
#include <memory>

#include "jobs/result_store.h"
#include "jobs/source/source.h"

namespace sellertrust {

// `report(up)` after read() and probe(); checkContract() reads only the
// catalogue (the tables it finds missing are its answer) and reports nothing.
class ObservedSource : public Source {
 public:
  ObservedSource(Source& inner, std::function<void(bool up)> report)
      : inner_(inner), report_(std::move(report)) {}

  using Source::read;
  SourceData read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                  const ChangeScope* changes, const CarriedState* buckets) override;
  void probe() override;
  ContractReport checkContract() override { return inner_.checkContract(); }

 private:
  Source& inner_;
  const std::function<void(bool)> report_;
};

// `report(up)` after every call but acquireWriterLock(), which never throws
// (false may also mean that another daemon writes).
class ObservedStore : public ResultStore {
 public:
  ObservedStore(ResultStore& inner, std::function<void(bool up)> report)
      : inner_(inner), report_(std::move(report)) {}

  void migrate() override;
  void saveRun(const RunRecord& run) override;
  std::int64_t saveHistory(Timestamp day,
                           const std::vector<std::pair<std::int64_t, HistoryPoint>>& points,
                           Timestamp pruneBefore) override;
  std::shared_ptr<Snapshot> loadSnapshot(Timestamp historySince) override;
  bool acquireWriterLock() override { return inner_.acquireWriterLock(); }
  std::optional<Timestamp> latestRunAt() override;

 private:
  ResultStore& inner_;
  const std::function<void(bool)> report_;
};

}  // namespace sellertrust
