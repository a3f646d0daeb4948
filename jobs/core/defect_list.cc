#include "sellertrust/defect_list.h"

#include <cstdint>
#include <utility>

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

}  // namespace

DefectList::DefectList(const std::vector<Defect>& defects) {
  Builder builder;
  for (const Defect& d : defects) builder.add(d);
  *this = std::move(builder).finish();
}

void DefectList::Builder::add(const Defect& d) {
  // A quarter more room at a time, not twice as much: every seller's list
  // grows at once while a run reads them, so their slack adds up.
  if (bytes_.capacity() - bytes_.size() < kMaxEntryBytes) {
    bytes_.reserve(bytes_.capacity() + bytes_.capacity() / 4 + kMaxEntryBytes);
  }
  put(&bytes_, d.reason);
  putSigned(&bytes_, minus(d.orderId, last_.orderId));
  putSigned(&bytes_, minus(d.rowId, d.orderId));
  putSigned(&bytes_, minus(d.orderedAt, last_.orderedAt));
  putSigned(&bytes_, minus(d.value, last_.value));
  last_ = d;
}

DefectList DefectList::Builder::finish() && {
  DefectList list;
  list.bytes_ = std::move(bytes_);
  list.bytes_.shrink_to_fit();
  return list;
}

std::vector<Defect> DefectList::decode() const {
  // Every defect is five integers, and every integer ends in one byte
  // below 0x80.
  std::size_t ends = 0;
  for (char c : bytes_) ends += static_cast<std::uint8_t>(c) < 0x80 ? 1 : 0;
  std::vector<Defect> out;
  out.reserve(ends / 5);
  Defect previous;
  std::size_t at = 0;
  while (at < bytes_.size()) {
    const auto reason = static_cast<std::uint16_t>(get(bytes_, &at));
    const std::int64_t orderId = plus(previous.orderId, getSigned(bytes_, &at));
    const std::int64_t rowId = plus(orderId, getSigned(bytes_, &at));
    const Timestamp orderedAt = plus(previous.orderedAt, getSigned(bytes_, &at));
    const std::int64_t value = plus(previous.value, getSigned(bytes_, &at));
    previous = Defect{orderId, rowId, orderedAt, value, reason};
    out.push_back(previous);
  }
  return out;
}

}  // namespace sellertrust
