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
  // Makes a list one defect at a time, in their order (each is stored as
  // its difference from the one before, which the builder remembers).
  class Builder {
   public:
    void add(const Defect& d);
    // The list, without the room kept for adding.
    DefectList finish() &&;

   private:
    std::string bytes_;
    Defect last_;
  };

  DefectList() = default;
  // The defects in their order.
  explicit DefectList(const std::vector<Defect>& defects);

  // The defects, in the order they were given.
  std::vector<Defect> decode() const;
  bool empty() const { return bytes_.empty(); }
  // The bytes the defects take.
  std::size_t byteSize() const { return bytes_.size(); }

  // Equal lists hold the same defects in the same order.
  bool operator==(const DefectList& other) const { return bytes_ == other.bytes_; }
  bool operator!=(const DefectList& other) const { return !(*this == other); }

 private:
  std::string bytes_;
};

}  // namespace sellertrust
