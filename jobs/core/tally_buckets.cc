#include "sellertrust/tally_buckets.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>

#include "sellertrust/varint.h"

namespace sellertrust {
namespace {

// 0 for none, else 1 + the zigzagged time.
void putTime(std::string* out, const std::optional<Timestamp>& t) {
  varint::put(out, t ? varint::zigzag(*t) + 1 : 0);
}
bool getTime(const std::string& in, std::size_t* at, std::optional<Timestamp>* t) {
  std::uint64_t v = 0;
  if (!varint::tryGet(in, at, &v)) return false;
  *t = v == 0 ? std::nullopt : std::optional<Timestamp>(varint::unzigzag(v - 1));
  return true;
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
bool getHistogram(const std::string& in, std::size_t* at, Histogram* h) {
  std::uint64_t n = 0;
  if (!varint::tryGet(in, at, &n)) return false;
  std::int64_t key = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::int64_t delta = 0;
    std::int64_t count = 0;
    if (!varint::tryGetSigned(in, at, &delta) || !varint::tryGetSigned(in, at, &count)) {
      return false;
    }
    key = varint::plus(key, delta);
    (*h)[key] = count;
  }
  return true;
}

// The buckets of `bytes`, checked as they are read: false if they are not
// whole.
bool decode(const std::string& bytes, SellerBuckets* out) {
  if (bytes.empty()) return true;
  std::size_t at = 0;
  std::uint64_t width = 0;
  if (!varint::tryGet(bytes, &at, &width)) return false;
  if (std::find(std::begin(kBucketWidths), std::end(kBucketWidths), width) ==
      std::end(kBucketWidths)) {
    return false;
  }
  out->width = static_cast<Timestamp>(width);
  if (!getTime(bytes, &at, &out->otherDue)) return false;
  std::int64_t b = 0;
  while (at < bytes.size()) {
    std::int64_t delta = 0;
    if (!varint::tryGetSigned(bytes, &at, &delta)) return false;
    // In widths: starts are multiples of the width.
    b = varint::plus(b, delta);
    TallyBucket& bucket = out->buckets[varint::times(b, out->width)];
    if (!getTime(bytes, &at, &bucket.due)) return false;
    for (std::int64_t& count : bucket.tally.counts) {
      if (!varint::tryGetSigned(bytes, &at, &count)) return false;
    }
    if (!getHistogram(bytes, &at, &bucket.tally.responseSeconds) ||
        !getHistogram(bytes, &at, &bucket.tally.productClaims)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Timestamp bucketWidth(std::int64_t windowOrders, Timestamp windowSeconds,
                      std::int64_t ordersPerBucket) {
  for (Timestamp width : kBucketWidths) {
    // windowOrders * width / windowSeconds <= ordersPerBucket, in doubles:
    // no product overflows.
    if (static_cast<double>(windowOrders) * static_cast<double>(width) <=
        static_cast<double>(ordersPerBucket) * static_cast<double>(windowSeconds)) {
      return width;
    }
  }
  return std::end(kBucketWidths)[-1];
}

// The width, otherDue, then per bucket: its start's delta from the bucket
// before in widths, due, every count, the two histograms.
PackedBuckets::PackedBuckets(const SellerBuckets& buckets) {
  varint::put(&bytes_, static_cast<std::uint64_t>(buckets.width));
  putTime(&bytes_, buckets.otherDue);
  std::int64_t previous = 0;
  for (const auto& [start, bucket] : buckets.buckets) {
    if (start % buckets.width != 0) {
      throw std::logic_error("a bucket that starts at " + std::to_string(start) +
                             ", not at a whole " + std::to_string(buckets.width) + " seconds");
    }
    const std::int64_t b = start / buckets.width;
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
  if (!decode(bytes_, &out)) throw std::logic_error("packed buckets that are not whole");
  return out;
}

std::optional<PackedBuckets> PackedBuckets::fromBytes(std::string bytes) {
  SellerBuckets ignored;
  if (!decode(bytes, &ignored)) return std::nullopt;
  PackedBuckets p;
  p.bytes_ = std::move(bytes);
  return p;
}

}  // namespace sellertrust
