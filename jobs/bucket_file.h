// The score job's buckets (source.h: SellerBuckets) and recent rows
// (RecentRows) in a file of the data directory, so that a restart continues
// with them instead of reading the largest sellers' whole window, and every
// row lately updated, once more. The file belongs to one saved
// run: it is read only for the results it was written with.
//
// A full run writes the whole state; an incremental run appends what it
// changed (the buckets that differ, and the recent rows), so that a run
// that reads a few buckets writes a few buckets: neither the marketplace's
// 10 MB nor every bucket of its largest sellers. Once the changes weigh as
// much as the whole state, the next run writes the whole state again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
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

// What an incremental run changed in the buckets.
struct BucketChanges {
  Timestamp previousAt = 0;  // the run it follows
  // The sellers whose buckets may differ from those of that run.
  std::set<std::int64_t> sellers;
  // Their buckets after that run (of those that had any): a change record
  // holds only the buckets that differ. Of a seller in `deltas`, that
  // delta (PackedBuckets::deltaTo's) instead.
  BucketState before;
  std::map<std::int64_t, BucketDelta> deltas;
};

// One file, and what this process knows it holds. Not thread-safe: the
// score job's thread uses it.
class BucketFile {
 public:
  explicit BucketFile(std::string path) : path_(std::move(path)) {}

  // The state in the file if it holds the state of the run saved at
  // `computedAt` with `rulesVersion`, whole; nullopt otherwise (no file, of
  // another run, cut short or unreadable: the runs then read those sellers
  // whole once). Changes appended after that run's, and a last change cut
  // short, are left out (and written over by the next save).
  std::optional<SavedJobState> load(Timestamp computedAt, const std::string& rulesVersion);

  // Saves `buckets` and `recent`, the state after the run saved at
  // `computedAt` with `rulesVersion`. With `changes` (those of an
  // incremental run), appends what changed if the file holds the state of
  // the run they follow, as this object last loaded or saved it, and its
  // changes weigh less than the whole; else writes the whole state in one
  // step (a temporary file renamed over it). Returns "" or what failed;
  // after a failure the next save writes the whole state.
  std::string save(Timestamp computedAt, const std::string& rulesVersion,
                   const BucketState& buckets, const RecentRows& recent,
                   const BucketChanges* changes = nullptr);

  // The state the caller holds no longer is the one the file holds (it
  // dropped it): the next save writes the whole state.
  void forget() { held_.reset(); }

 private:
  std::string rewrite(Timestamp computedAt, const std::string& rulesVersion,
                      const BucketState& buckets, const RecentRows& recent);
  std::string append(Timestamp computedAt, const BucketState& buckets, const RecentRows& recent,
                     const BucketChanges& changes);

  std::string path_;
  // What the file holds, as this object last loaded or saved it.
  struct Held {
    Timestamp computedAt = 0;
    std::string rulesVersion;
    std::uint64_t wholeBytes = 0;  // the whole state's record
    std::uint64_t bytes = 0;       // and the changes after it that hold
  };
  std::optional<Held> held_;
};

}  // namespace sellertrust
