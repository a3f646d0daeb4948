// The score job's buckets (source.h: SellerBuckets) and recent rows
// (RecentRows) in a file of the data directory, so that a restart continues
// with them instead of reading the largest sellers' whole window, and every
// row lately updated, once more. The file belongs to one saved
// run: it is read only for the results it was written with.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "jobs/source/source.h"

namespace sellertrust {

using BucketState = std::map<std::int64_t, PackedBuckets>;

struct SavedJobState {
  BucketState buckets;
  RecentRows recent;
  bool operator==(const SavedJobState& other) const {
    return buckets == other.buckets && recent == other.recent;
  }
};

// Writes `buckets` and `recent`, the state after the run saved at `computedAt` with
// rules `rulesVersion`, to `path` in one step (a temporary file renamed
// over it). Returns "" or what failed.
std::string saveBuckets(const std::string& path, Timestamp computedAt,
                        const std::string& rulesVersion, const BucketState& buckets,
                        const RecentRows& recent);

// The state in `path` if it holds the state of the run saved at
// `computedAt` with `rulesVersion`, whole; nullopt otherwise (no file, of
// another run, cut short or unreadable: the runs then read those sellers
// whole once).
std::optional<SavedJobState> loadBuckets(const std::string& path, Timestamp computedAt,
                                         const std::string& rulesVersion);

}  // namespace sellertrust
