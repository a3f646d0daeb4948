// A seller's window tallied in buckets of order time, so that a run can
// read again only the buckets that can have changed: kept for the largest
// sellers, whose whole window an incremental run cannot afford to re-read
// every minute (docs/incremental.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sellertrust/metrics.h"
#include "sellertrust/time.h"

namespace sellertrust {

// The day of an order placed at `orderedAt`: whole days since the epoch,
// truncated as the queries' integer division does. Defect rows are kept
// and stored day by day (DefectList).
inline std::int64_t dayOf(Timestamp orderedAt) { return orderedAt / kSecondsPerDay; }

// The widths a seller's buckets may have, widest first: each divides a day,
// so that every bucket lies in one day.
inline constexpr Timestamp kBucketWidths[] = {86400, 43200, 21600, 10800, 7200, 3600, 1800, 900};

// The bucket of an order placed at `orderedAt`, in buckets `width` seconds
// wide: the bucket's start, in epoch seconds, truncated as the queries'
// integer division does (so that a bucket lies in one day, dayOf).
inline Timestamp bucketStart(Timestamp orderedAt, Timestamp width) {
  return orderedAt / width * width;
}

// The widest of kBucketWidths whose buckets hold at most `ordersPerBucket`
// orders on average, for a seller with `windowOrders` in a window of
// `windowSeconds` (the narrowest if none does): the larger the seller, the
// narrower its buckets, so that a changed row costs a run about that many
// orders to read again whoever's it is.
Timestamp bucketWidth(std::int64_t windowOrders, Timestamp windowSeconds,
                      std::int64_t ordersPerBucket);

// The sellers tallied in buckets: seller -> the width of its buckets.
using BucketWidths = std::map<std::int64_t, Timestamp>;

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
  Timestamp width = kSecondsPerDay;          // one of kBucketWidths
  std::map<Timestamp, TallyBucket> buckets;  // bucketStart -> its tally
  // When the seller is next due for what lies in no bucket (its rows with
  // times in the future, which the problem queries time); nullopt: never.
  std::optional<Timestamp> otherDue;
  bool operator==(const SellerBuckets& other) const {
    return width == other.width && buckets == other.buckets && otherDue == other.otherDue;
  }
};

// What a run decides from a seller's packed buckets without unpacking
// their tallies: which to read again, and how many orders they hold.
struct BucketOutline {
  struct Bucket {
    Timestamp start = 0;
    std::optional<Timestamp> due;
    std::int64_t orders = 0;
  };
  Timestamp width = kSecondsPerDay;
  std::optional<Timestamp> otherDue;
  // The buckets to read again (PackedBuckets::outline), ascending in start.
  std::vector<Bucket> buckets;
  // The bucket that starts at `start`, or nullptr.
  const Bucket* find(Timestamp start) const;
};

struct SplicedBuckets;
struct BucketDelta;

// Buffers that the splices of a run share (PackedBuckets::splice): each
// grows once, to what the largest seller needs, rather than once for each
// seller (a large buffer is a fresh mapping, a page fault per page).
struct SpliceBuffers {
  std::vector<Histogram::Entry> entries[2];  // of each histogram of the sum
};

// SellerBuckets as variable-length integers, a few dozen bytes a bucket:
// what the score job keeps between runs. Equal buckets pack to equal bytes.
class PackedBuckets {
 public:
  PackedBuckets() = default;
  explicit PackedBuckets(const SellerBuckets& buckets);
  SellerBuckets unpack() const;
  // The width and other due time, and the buckets to read again at `now`:
  // those whose due time passed (is at or before now), and those that hold
  // an order placed at one of `times`. Only these are kept: the largest
  // sellers have thousands of buckets, and a run reads a few.
  BucketOutline outline(Timestamp now, const std::set<Timestamp>& times) const;
  // The buckets that start at one of `starts` (those there are), unpacked.
  std::map<Timestamp, TallyBucket> select(const std::set<Timestamp>& starts) const;
  // These buckets less those that start at one of `drop`, with `put` in
  // (each in place of any at its start), due for the rest at `otherDue`:
  // what unpacking, changing and packing again gives, at the cost of
  // copying the bytes of the buckets kept and adding their tallies up.
  // `width` is theirs (that of `put` too, if there are none yet); throws
  // std::logic_error for another, or a bucket of `put` that does not start
  // at a whole width. With `buffers`, in those. Gives the delta too.
  SplicedBuckets splice(const std::set<Timestamp>& drop,
                        const std::map<Timestamp, TallyBucket>& put, Timestamp width,
                        std::optional<Timestamp> otherDue, SpliceBuffers* buffers = nullptr) const;
  // What turns these buckets into `after`, for a change record that holds
  // only what a run changed: nullopt if either has no bytes, or their
  // widths differ.
  std::optional<BucketDelta> deltaTo(const PackedBuckets& after) const;
  // These buckets changed by `delta`: after, byte for byte, if delta is
  // deltaTo(after). Throws std::logic_error if these hold buckets of
  // another width than the delta's.
  PackedBuckets apply(const BucketDelta& delta) const;
  std::size_t byteSize() const { return bytes_.size(); }
  // The packed bytes, to store as they are, and back: nullopt for bytes
  // that are not whole buckets (a damaged file).
  const std::string& bytes() const { return bytes_; }
  static std::optional<PackedBuckets> fromBytes(std::string bytes);
  bool operator==(const PackedBuckets& other) const { return bytes_ == other.bytes_; }

 private:
  std::string bytes_;
};

// The difference between two packed buckets of one seller
// (PackedBuckets::deltaTo).
struct BucketDelta {
  std::set<Timestamp> drop;  // the starts of buckets that are gone
  // The buckets that are new or differ, with the width and other due time
  // of the buckets after.
  PackedBuckets put;
  bool operator==(const BucketDelta& other) const { return drop == other.drop && put == other.put; }
};

// A seller's buckets after a run (PackedBuckets::splice), with the sum of
// their tallies and the earliest of their due times.
struct SplicedBuckets {
  PackedBuckets packed;
  SellerTally sum;
  std::optional<Timestamp> due;  // of the buckets (not otherDue)
  bool empty = true;             // no bucket
  // What turns the buckets spliced into `packed`: deltaTo(packed), which
  // the splice knows without a scan of both.
  std::optional<BucketDelta> delta;
};

}  // namespace sellertrust
