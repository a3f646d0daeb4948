#include "sellertrust/tally_buckets.h"

#include "sellertrust/varint.h"

namespace sellertrust {
namespace {

// 0 for none, else 1 + the zigzagged time.
void putTime(std::string* out, const std::optional<Timestamp>& t) {
  varint::put(out, t ? varint::zigzag(*t) + 1 : 0);
}
std::optional<Timestamp> getTime(const std::string& in, std::size_t* at) {
  const std::uint64_t v = varint::get(in, at);
  if (v == 0) return std::nullopt;
  return varint::unzigzag(v - 1);
}

// The number of entries, then each key as a delta from the one before and
// its count.
void putHistogram(std::string* out, const Histogram& h) {
  varint::put(out, h.size());
  std::int64_t previous = 0;
  for (const auto& [key, count] : h) {
    varint::putSigned(out, varint::minus(key, previous));
    varint::putSigned(out, count);
    previous = key;
  }
}
void getHistogram(const std::string& in, std::size_t* at, Histogram* h) {
  const std::uint64_t n = varint::get(in, at);
  std::int64_t key = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    key = varint::plus(key, varint::getSigned(in, at));
    (*h)[key] = varint::getSigned(in, at);
  }
}

}  // namespace

// otherDue, then per bucket: its delta from the bucket before, due, every
// count, the two histograms.
PackedBuckets::PackedBuckets(const SellerBuckets& buckets) {
  putTime(&bytes_, buckets.otherDue);
  std::int64_t previous = 0;
  for (const auto& [b, bucket] : buckets.buckets) {
    varint::putSigned(&bytes_, varint::minus(b, previous));
    previous = b;
    putTime(&bytes_, bucket.due);
    for (std::int64_t count : bucket.tally.counts) varint::putSigned(&bytes_, count);
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
    b = varint::plus(b, varint::getSigned(bytes_, &at));
    TallyBucket& bucket = out.buckets[b];
    bucket.due = getTime(bytes_, &at);
    for (std::int64_t& count : bucket.tally.counts) count = varint::getSigned(bytes_, &at);
    getHistogram(bytes_, &at, &bucket.tally.responseSeconds);
    getHistogram(bytes_, &at, &bucket.tally.productClaims);
  }
  return out;
}

}  // namespace sellertrust
