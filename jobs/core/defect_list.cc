#include "sellertrust/defect_list.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "sellertrust/tally_buckets.h"
#include "sellertrust/varint.h"

namespace sellertrust {

namespace {

using varint::get;
using varint::getSigned;
using varint::minus;
using varint::plus;
using varint::put;
using varint::putSigned;

// The most bytes one defect takes: five integers of up to ten bytes each.
constexpr std::size_t kMaxEntryBytes = 50;

// The order of the rows in a day.
bool inListOrder(const Defect& a, const Defect& b) {
  return std::tie(a.orderId, a.rowId, a.reason, a.value, a.orderedAt) <
         std::tie(b.orderId, b.rowId, b.reason, b.value, b.orderedAt);
}

// One row after `last` (the row before it in the same stream).
void putRow(std::string* out, const Defect& d, const Defect& last) {
  put(out, d.reason);
  putSigned(out, minus(d.orderId, last.orderId));
  putSigned(out, minus(d.rowId, d.orderId));
  putSigned(out, minus(d.orderedAt, last.orderedAt));
  putSigned(out, minus(d.value, last.value));
}

Defect getRow(const std::string& in, std::size_t* at, const Defect& last) {
  const auto reason = static_cast<std::uint16_t>(get(in, at));
  const std::int64_t orderId = plus(last.orderId, getSigned(in, at));
  const std::int64_t rowId = plus(orderId, getSigned(in, at));
  const Timestamp orderedAt = plus(last.orderedAt, getSigned(in, at));
  const std::int64_t value = plus(last.value, getSigned(in, at));
  return Defect{orderId, rowId, orderedAt, value, reason};
}

// The row a day's first row is stored as the difference from: the day's
// start keeps its time small.
Defect dayStart(std::int64_t day) {
  Defect d;
  // Wrapping, as varint's arithmetic: a day read from damaged bytes may be
  // any number.
  d.orderedAt = static_cast<Timestamp>(static_cast<std::uint64_t>(day) *
                                       static_cast<std::uint64_t>(kSecondsPerDay));
  return d;
}

// Appends to `out` the rows of in[at, end), each stored after the one
// before it, the first after `last`.
void appendRows(const std::string& in, std::size_t at, std::size_t end, Defect last,
                std::vector<Defect>* out) {
  while (at < end) {
    last = getRow(in, &at, last);
    out->push_back(last);
  }
}

}  // namespace

// Appends days in ascending order.
class DefectList::Writer {
 public:
  Writer() = default;
  // A writer that expects about `bytes` bytes: the list grows without
  // copying itself.
  explicit Writer(std::size_t bytes) { bytes_.reserve(bytes); }
  // `rows` of `day`, in the list's order.
  void add(std::int64_t day, const Defect* first, const Defect* last) {
    if (first == last) return;
    std::string rows;
    Defect before = dayStart(day);
    for (const Defect* d = first; d != last; ++d) {
      putRow(&rows, *d, before);
      before = *d;
    }
    add(day, rows, 0, rows.size());
  }
  // The `size` bytes of a day's rows at `at` of `from`, as they are.
  void add(std::int64_t day, const std::string& from, std::size_t at, std::size_t size) {
    putSigned(&bytes_, minus(day, lastDay_));
    put(&bytes_, size);
    bytes_.append(from, at, size);
    lastDay_ = day;
  }
  // Every row of `rows` (any order).
  void addAll(std::vector<Defect> rows) {
    std::sort(rows.begin(), rows.end(), [](const Defect& a, const Defect& b) {
      const std::int64_t da = dayOf(a.orderedAt);
      const std::int64_t db = dayOf(b.orderedAt);
      return da != db ? da < db : inListOrder(a, b);
    });
    for (std::size_t i = 0; i < rows.size();) {
      const std::int64_t day = dayOf(rows[i].orderedAt);
      std::size_t end = i;
      while (end < rows.size() && dayOf(rows[end].orderedAt) == day) ++end;
      add(day, rows.data() + i, rows.data() + end);
      i = end;
    }
  }
  DefectList finish() && {
    DefectList list;
    list.bytes_ = std::move(bytes_);
    // Lists are held by the hundred thousand, but a copy of a large one
    // costs more than the little room it spares.
    if (list.bytes_.capacity() - list.bytes_.size() > list.bytes_.size() / 8) {
      list.bytes_.shrink_to_fit();
    }
    return list;
  }

 private:
  std::string bytes_;
  std::int64_t lastDay_ = 0;
};

// Walks the days of a list.
class DefectList::Days {
 public:
  explicit Days(const DefectList& list) : bytes_(list.bytes_) { step(); }
  bool done() const { return done_; }
  std::int64_t day() const { return day_; }
  std::size_t at() const { return at_; }
  std::size_t size() const { return size_; }
  // Appends the day's rows to `out`.
  void rows(std::vector<Defect>* out) const {
    appendRows(bytes_, at_, at_ + size_, dayStart(day_), out);
  }
  void next() {
    next_ = at_ + size_;
    step();
  }

 private:
  void step() {
    if (next_ >= bytes_.size()) {
      done_ = true;
      return;
    }
    std::size_t at = next_;
    day_ = plus(day_, getSigned(bytes_, &at));
    size_ = get(bytes_, &at);
    at_ = at;
  }

  const std::string& bytes_;
  std::size_t next_ = 0;
  std::size_t at_ = 0;
  std::size_t size_ = 0;
  std::int64_t day_ = 0;
  bool done_ = false;
};

void DefectList::Builder::add(const Defect& d) {
  // A quarter more room at a time, not twice as much: every seller's list
  // grows at once while a run reads them, so their slack adds up.
  if (bytes_.capacity() - bytes_.size() < kMaxEntryBytes) {
    bytes_.reserve(bytes_.capacity() + bytes_.capacity() / 4 + kMaxEntryBytes);
  }
  putRow(&bytes_, d, last_);
  last_ = d;
}

DefectList DefectList::Builder::finish() && {
  std::vector<Defect> rows;
  appendRows(bytes_, 0, bytes_.size(), Defect(), &rows);
  bytes_ = std::string();  // its room goes before the list takes its own
  return DefectList(std::move(rows));
}

DefectList::DefectList(std::vector<Defect> defects) {
  Writer writer;
  writer.addAll(std::move(defects));
  *this = std::move(writer).finish();
}

std::vector<Defect> DefectList::decode() const {
  // Every defect is five integers, and every integer ends in one byte
  // below 0x80 (a day's two numbers count for a little less than one row).
  std::size_t ends = 0;
  for (char c : bytes_) ends += static_cast<std::uint8_t>(c) < 0x80 ? 1 : 0;
  std::vector<Defect> out;
  out.reserve(ends / 5);
  for (Days d(*this); !d.done(); d.next()) d.rows(&out);
  return out;
}

std::vector<std::int64_t> DefectList::days() const {
  std::vector<std::int64_t> out;
  for (Days d(*this); !d.done(); d.next()) out.push_back(d.day());
  return out;
}

DefectList DefectList::day(std::int64_t day) const {
  Writer writer;
  for (Days d(*this); !d.done() && d.day() <= day; d.next()) {
    if (d.day() == day) writer.add(day, bytes_, d.at(), d.size());
  }
  return std::move(writer).finish();
}

DefectList DefectList::without(const std::set<Timestamp>& buckets, Timestamp width,
                               Timestamp begin) const {
  const std::int64_t first = dayOf(begin);
  std::set<std::int64_t> daysOfBuckets;
  for (Timestamp b : buckets) daysOfBuckets.insert(dayOf(b));
  Writer writer(bytes_.size());
  for (Days d(*this); !d.done(); d.next()) {
    if (d.day() < first) continue;
    const bool inBuckets = daysOfBuckets.count(d.day()) != 0;
    if (inBuckets && width == kSecondsPerDay) continue;  // the day is one bucket
    if (d.day() > first && !inBuckets) {
      writer.add(d.day(), bytes_, d.at(), d.size());
      continue;
    }
    std::vector<Defect> rows;
    d.rows(&rows);
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&](const Defect& r) {
                                return r.orderedAt < begin ||
                                       buckets.count(bucketStart(r.orderedAt, width)) != 0;
                              }),
               rows.end());
    writer.add(d.day(), rows.data(), rows.data() + rows.size());
  }
  return std::move(writer).finish();
}

DefectList DefectList::merge(const DefectList& a, const DefectList& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  Writer writer(a.bytes_.size() + b.bytes_.size());
  Days x(a);
  Days y(b);
  while (!x.done() || !y.done()) {
    if (y.done() || (!x.done() && x.day() < y.day())) {
      writer.add(x.day(), a.bytes_, x.at(), x.size());
      x.next();
    } else if (x.done() || y.day() < x.day()) {
      writer.add(y.day(), b.bytes_, y.at(), y.size());
      y.next();
    } else {
      std::vector<Defect> rows;
      x.rows(&rows);
      y.rows(&rows);
      std::sort(rows.begin(), rows.end(), inListOrder);
      writer.add(x.day(), rows.data(), rows.data() + rows.size());
      x.next();
      y.next();
    }
  }
  return std::move(writer).finish();
}

DefectList DefectList::joined(const std::vector<DefectList>& lists) {
  Writer writer;
  std::optional<std::int64_t> last;
  for (const DefectList& list : lists) {
    for (Days d(list); !d.done(); d.next()) {
      if (last && d.day() <= *last) {
        throw std::invalid_argument("day " + std::to_string(d.day()) + " comes after day " +
                                    std::to_string(*last));
      }
      writer.add(d.day(), list.bytes_, d.at(), d.size());
      last = d.day();
    }
  }
  return std::move(writer).finish();
}

}  // namespace sellertrust
