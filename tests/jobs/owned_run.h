// A RunRecord that owns what it points to: RunRecord points into the
// snapshot a run publishes, but tests build runs by hand, or keep them after
// that snapshot is gone. Copies are deep.
#pragma once

#include <deque>
#include <map>
#include <utility>

#include "jobs/result_store.h"

namespace sellertrust::testing {

class OwnedRun : public RunRecord {
 public:
  OwnedRun() = default;
  explicit OwnedRun(const RunRecord& run) : RunRecord(run) { ownPointees(); }
  OwnedRun(const OwnedRun& other) : RunRecord(other) { ownPointees(); }
  OwnedRun& operator=(const OwnedRun& other) {
    if (this == &other) return *this;
    RunRecord::operator=(other);
    sellers_.clear();
    warnings_.clear();
    ownPointees();
    return *this;
  }
  ~OwnedRun() = default;

  // A pointer to a copy this run keeps.
  const SellerResult* keep(SellerResult s) { return &sellers_.emplace_back(std::move(s)); }
  const Warning* keep(Warning w) { return &warnings_.emplace_back(std::move(w)); }

 private:
  void ownPointees() {
    std::map<const SellerResult*, const SellerResult*> kept;
    for (const SellerResult*& s : sellersChanged) s = kept[s] = keep(*s);
    for (auto& [s, day] : defectDaysChanged) {
      const auto found = kept.find(s);
      s = found != kept.end() ? found->second : keep(*s);
    }
    for (const Warning*& w : warningsRaised) w = keep(*w);
    for (const Warning*& w : warningsUpdated) w = keep(*w);
  }

  std::deque<SellerResult> sellers_;  // a deque never moves its elements
  std::deque<Warning> warnings_;
};

}  // namespace sellertrust::testing
