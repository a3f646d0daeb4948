// The write side: the results database the daemon owns (SPEC §6), behind one
// interface per backend. Used by one job thread at a time; loadSnapshot may
// also be called at start-up before the jobs start.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "jobs/snapshot.h"
#include "sellertrust/warnings.h"

namespace sellertrust {

// What one scoring run changes in the results, written in one
// transaction: only rows whose content changed, so a run over an unchanged
// source writes no result row (run_meta records every run).
struct RunRecord {
  Timestamp computedAt = 0;
  std::string rulesVersion;
  std::optional<double> marketplaceOdr;
  std::optional<Timestamp> sourceWatermark;  // Snapshot::sourceWatermark
  std::optional<Timestamp> fullRunAt;        // Snapshot::fullRunAt
  // Pointers into the snapshot the run publishes, which outlives saveRun:
  // a first run changes every seller and warning, and copying them would
  // double the memory of a run.
  std::vector<const SellerResult*> sellersChanged;  // inserted or replaced
  std::vector<std::int64_t> sellersRemoved;         // no longer in the source
  // The days of changed sellers' defect rows (SellerResult::defects) that
  // changed: (seller, day) of a seller in sellersChanged, the day written
  // whole; and the days left without rows (not those of removed sellers).
  std::vector<std::pair<const SellerResult*, std::int64_t>> defectDaysChanged;
  std::vector<std::pair<std::int64_t, std::int64_t>> defectDaysRemoved;
  std::vector<ProductResult> productsChanged;  // inserted or replaced
  std::vector<std::int64_t> productsRemoved;
  std::vector<AuthenticityClaim> claimsChanged;  // inserted or replaced
  std::vector<std::int64_t> claimsRemoved;       // ticket ids
  std::vector<BadgeChange> badgeChanges;         // appended
  std::vector<const Warning*> warningsRaised;    // inserted
  std::vector<const Warning*> warningsUpdated;   // new detail or evidence
  std::vector<Warning> warningsCleared;          // closed at clearedAt

  // Adds the days of `now`'s defect rows that differ from the rows the
  // seller had (`was`; nullptr: a seller new to the results), and those
  // left without rows. `now` is in sellersChanged.
  void addDefectDays(const SellerResult& now, const DefectList* was);
  // The number of result rows the run writes (run_meta not included).
  std::int64_t rowsWritten() const;
};

class ResultStore {
 public:
  virtual ~ResultStore() = default;
  // Creates or upgrades the schema. Throws SourceError if the database holds
  // a newer schema than this build knows, naming both versions.
  virtual void migrate() = 0;
  // Writes the run atomically: on any failure nothing of it is visible and
  // the previous results stay. Throws SourceError.
  virtual void saveRun(const RunRecord& run) = 0;
  // Upserts each seller's point for `day` and deletes points before
  // `pruneBefore`. Returns the number of points deleted.
  virtual std::int64_t saveHistory(Timestamp day,
                                   const std::vector<std::pair<std::int64_t, HistoryPoint>>& points,
                                   Timestamp pruneBefore) = 0;
  // Rebuilds the last persisted snapshot (current results, claims, active
  // warnings, history since `historySince`, badge changes), or nullptr if no
  // run was ever saved. Its rules are the defaults: the caller sets its own.
  virtual std::shared_ptr<Snapshot> loadSnapshot(Timestamp historySince) = 0;

  // Several daemons may share one results database; one writes at a time.
  // Tries to become, or stay, the writer; true iff this process holds the
  // writer lock now. Never throws (an unreachable database means "not the
  // writer"). A store that only one process can open is always the writer.
  virtual bool acquireWriterLock() { return true; }
  // When the newest persisted run was computed, so that a reader reloads
  // only when the writer saved something new. nullopt: no run yet.
  virtual std::optional<Timestamp> latestRunAt() { return std::nullopt; }
};

}  // namespace sellertrust
