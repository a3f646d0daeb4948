// A seller's defect rows (Defect) held compactly: a marketplace holds
// about one for every four window orders, and a run holds two sets of them
// (the served snapshot's and its own). Each row is stored as variable-length
// integers, most of them the difference from the row before: a few bytes
// instead of a Defect's 40. Pure; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "sellertrust/metrics.h"

namespace sellertrust {

class DefectList {
 public:
  DefectList() = default;
  // The defects in their order.
  explicit DefectList(const std::vector<Defect>& defects);

  // The defects, in the order they were given or appended.
  std::vector<Defect> decode() const;
  bool empty() const { return bytes_.empty(); }
  // The bytes the defects take.
  std::size_t byteSize() const { return bytes_.size(); }
  // Appends `d`; `previous` is the defect appended last (Defect() before
  // the first one).
  void append(const Defect& d, const Defect& previous);
  // Gives back the room kept for appending.
  void shrinkToFit() { bytes_.shrink_to_fit(); }

  // Equal lists hold the same defects in the same order.
  bool operator==(const DefectList& other) const { return bytes_ == other.bytes_; }
  bool operator!=(const DefectList& other) const { return !(*this == other); }

 private:
  std::string bytes_;
};

}  // namespace sellertrust
