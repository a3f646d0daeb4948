// A seller's window tallied in buckets of order time, so that a run can
// read again only the buckets that can have changed: kept for the largest
// sellers, whose whole window an incremental run cannot afford to re-read
// every minute (docs/incremental.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sellertrust/metrics.h"
#include "sellertrust/time.h"

namespace sellertrust {

inline constexpr Timestamp kBucketSeconds = kSecondsPerDay;

// The bucket of an order placed at `orderedAt`: whole buckets since the
// epoch, truncated as the queries' integer division does.
inline std::int64_t bucketOf(Timestamp orderedAt) { return orderedAt / kBucketSeconds; }

struct TallyBucket {
  SellerTally tally;  // of the bucket's window orders
  // When the clock alone next changes the tally (the grain queries' due
  // columns); nullopt: never.
  std::optional<Timestamp> due;
  bool operator==(const TallyBucket& other) const {
    return tally == other.tally && due == other.due;
  }
};

struct SellerBuckets {
  std::map<std::int64_t, TallyBucket> buckets;  // bucketOf -> its tally
  // When the seller is next due for what lies in no bucket (its rows with
  // times in the future, which the problem queries time); nullopt: never.
  std::optional<Timestamp> otherDue;
  bool operator==(const SellerBuckets& other) const {
    return buckets == other.buckets && otherDue == other.otherDue;
  }
};

// SellerBuckets as variable-length integers, a few dozen bytes a bucket:
// what the score job keeps between runs. Equal buckets pack to equal bytes.
class PackedBuckets {
 public:
  PackedBuckets() = default;
  explicit PackedBuckets(const SellerBuckets& buckets);
  SellerBuckets unpack() const;
  std::size_t byteSize() const { return bytes_.size(); }
  // The packed bytes, to store as they are, and back: nullopt for bytes
  // that are not whole buckets (a damaged file).
  const std::string& bytes() const { return bytes_; }
  static std::optional<PackedBuckets> fromBytes(std::string bytes);
  bool operator==(const PackedBuckets& other) const { return bytes_ == other.bytes_; }

 private:
  std::string bytes_;
};

}  // namespace sellertrust
