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

// 0 for none, else 1 + the zigzagged time.
void putTime(std::string* out, const std::optional<Timestamp>& t) {
  put(out, t ? varint::zigzag(*t) + 1 : 0);
}
std::optional<Timestamp> getTime(const std::string& in, std::size_t* at) {
  const std::uint64_t v = get(in, at);
  if (v == 0) return std::nullopt;
  return varint::unzigzag(v - 1);
}

// The number of entries, then each key as a delta from the one before and
// its count.
void putHistogram(std::string* out, const Histogram& h) {
  put(out, h.size());
  std::int64_t previous = 0;
  for (const auto& [key, count] : h) {
    putSigned(out, minus(key, previous));
    putSigned(out, count);
    previous = key;
  }
}
void getHistogram(const std::string& in, std::size_t* at, Histogram* h) {
  const std::uint64_t n = get(in, at);
  std::int64_t key = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    key = plus(key, getSigned(in, at));
    (*h)[key] = getSigned(in, at);
  }
}

}  // namespace

// otherDue, then per bucket: its delta from the bucket before, due, every
// count, the two histograms.
PackedBuckets::PackedBuckets(const SellerBuckets& buckets) {
  putTime(&bytes_, buckets.otherDue);
  std::int64_t previous = 0;
  for (const auto& [b, bucket] : buckets.buckets) {
    putSigned(&bytes_, minus(b, previous));
    previous = b;
    putTime(&bytes_, bucket.due);
    for (std::int64_t count : bucket.tally.counts) putSigned(&bytes_, count);
    putHistogram(&bytes_, bucket.tally.responseSeconds);
    putHistogram(&bytes_, bucket.tally.productClaims);
  }
  bytes_.shrink_to_fit();
}

SellerBuckets PackedBuckets::unpack() const {
  SellerBuckets out;
  if (bytes_.empty()) return out;
  std::size_t at = 0;
  out.otherDue = getTime(bytes_, &at);
  std::int64_t b = 0;
  while (at < bytes_.size()) {
    b = plus(b, getSigned(bytes_, &at));
    TallyBucket& bucket = out.buckets[b];
    bucket.due = getTime(bytes_, &at);
    for (std::int64_t& count : bucket.tally.counts) count = getSigned(bytes_, &at);
    getHistogram(bytes_, &at, &bucket.tally.responseSeconds);
    getHistogram(bytes_, &at, &bucket.tally.productClaims);
  }
  return out;
}

}  // namespace sellertrust
