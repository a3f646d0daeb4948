// A seller's defect rows (Defect) held compactly, day by day: a marketplace
// holds about one for every four window orders, and a run holds two sets of
// them (the served snapshot's and its own). The days are those of the
// rows' orders (dayOf; each bucket of incremental runs lies in one): a
// run that re-reads some buckets of a seller replaces their rows and
// copies the other days as they are, and the results database keeps one
// row per seller and day.
//
// Each day is stored as variable-length integers, most of them the
// difference from the row before in the day: a few bytes instead of a
// Defect's 40. In a day, rows are in one order whatever order they came
// in (by order, row, reason, value), so equal lists hold the same rows.
// Pure; safe from any thread.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sellertrust/metrics.h"

namespace sellertrust {

class DefectList {
 public:
  // Collects defects one at a time, in any order, as compactly as a list
  // holds them; finish() puts them in the list's order.
  class Builder {
   public:
    void add(const Defect& d);
    DefectList finish() &&;

   private:
    std::string bytes_;
    Defect last_;
  };

  DefectList() = default;
  // The defects, in any order.
  explicit DefectList(std::vector<Defect> defects);

  // The defects, day by day, each day in the list's order.
  std::vector<Defect> decode() const;
  bool empty() const { return bytes_.empty(); }
  // The bytes the defects take.
  std::size_t byteSize() const { return bytes_.size(); }

  // The days that have rows, ascending.
  std::vector<std::int64_t> days() const;
  // The rows of one day, as a list of their own (empty for a day without).
  DefectList day(std::int64_t day) const;
  // This list without the rows of the `buckets` (bucketStart of `width`)
  // and without those ordered before `begin`. Only the day of `begin` and
  // the days the buckets lie in are decoded (none of those for buckets a
  // day wide); the others are copied.
  DefectList without(const std::set<Timestamp>& buckets, Timestamp width, Timestamp begin) const;
  // The rows of both lists (of a day in both: those of each).
  static DefectList merge(const DefectList& a, const DefectList& b);
  // The rows of lists each of whose days come after those of the list
  // before it (days read in order), their days copied as they are. Throws
  // std::invalid_argument for lists out of order.
  static DefectList joined(const std::vector<DefectList>& lists);

  // Equal lists hold the same defects.
  bool operator==(const DefectList& other) const { return bytes_ == other.bytes_; }
  bool operator!=(const DefectList& other) const { return !(*this == other); }

 private:
  class Writer;  // appends days
  class Days;    // walks the days
  // Per day, ascending: the day less the day before (the first: less 0;
  // zigzag), the size in bytes of its rows, then its rows.
  std::string bytes_;
};

}  // namespace sellertrust
