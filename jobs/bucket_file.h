// The score job's buckets (source.h: SellerBuckets) in a file of the data
// directory, so that a restart continues with them instead of reading the
// largest sellers' whole window once more. The file belongs to one saved
// run: it is read only for the results it was written with.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "jobs/source/source.h"

namespace sellertrust {

using BucketState = std::map<std::int64_t, PackedBuckets>;

// Writes `buckets`, the state after the run saved at `computedAt` with
// rules `rulesVersion`, to `path` in one step (a temporary file renamed
// over it). Returns "" or what failed.
std::string saveBuckets(const std::string& path, Timestamp computedAt,
                        const std::string& rulesVersion, const BucketState& buckets);

// The buckets in `path` if it holds the state of the run saved at
// `computedAt` with `rulesVersion`, whole; nullopt otherwise (no file, of
// another run, cut short or unreadable: the runs then read those sellers
// whole once).
std::optional<BucketState> loadBuckets(const std::string& path, Timestamp computedAt,
                                       const std::string& rulesVersion);

}  // namespace sellertrust
