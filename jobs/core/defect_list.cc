#include "sellertrust/defect_list.h"

#include <cstdint>
#include <utility>

namespace sellertrust {

namespace {

// The most bytes one defect takes: five integers of up to ten bytes each.
constexpr std::size_t kMaxEntryBytes = 50;

// a - b and a + b, wrapping as unsigned arithmetic does: any two int64
// differ by an int64 modulo 2^64.
std::int64_t minus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t plus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

// Small magnitudes, either sign, to small unsigned numbers: 0, -1, 1, -2...
std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ (v < 0 ? ~std::uint64_t{0} : 0);
}
std::int64_t unzigzag(std::uint64_t u) {
  return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

// Seven bits a byte, low first; the high bit says another byte follows.
void putVarint(std::string* out, std::uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
std::uint64_t getVarint(const std::string& in, std::size_t* at) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<std::uint8_t>(in[(*at)++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

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
  putVarint(&bytes_, d.reason);
  putVarint(&bytes_, zigzag(minus(d.orderId, last_.orderId)));
  putVarint(&bytes_, zigzag(minus(d.rowId, d.orderId)));
  putVarint(&bytes_, zigzag(minus(d.orderedAt, last_.orderedAt)));
  putVarint(&bytes_, zigzag(minus(d.value, last_.value)));
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
    const auto reason = static_cast<std::uint16_t>(getVarint(bytes_, &at));
    const std::int64_t orderId = plus(previous.orderId, unzigzag(getVarint(bytes_, &at)));
    const std::int64_t rowId = plus(orderId, unzigzag(getVarint(bytes_, &at)));
    const Timestamp orderedAt = plus(previous.orderedAt, unzigzag(getVarint(bytes_, &at)));
    const std::int64_t value = plus(previous.value, unzigzag(getVarint(bytes_, &at)));
    previous = Defect{orderId, rowId, orderedAt, value, reason};
    out.push_back(previous);
  }
  return out;
}

}  // namespace sellertrust
