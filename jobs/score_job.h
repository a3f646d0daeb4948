// The `score` job: reads the source, evaluates every seller with the core
// against the previous state (what this job last saved, or the results
// database when another daemon wrote since), writes only the results that
// changed in one transaction and publishes a new snapshot. Nothing is
// published unless the results were saved, so the API and the results
// database never disagree. Run from one thread at a time (the scheduler's).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "jobs/bucket_file.h"
#include "jobs/result_store.h"
#include "jobs/snapshot.h"
#include "jobs/source/source.h"
#include "sellertrust/rules.h"

namespace sellertrust {

// A full run reads and evaluates every seller; an incremental one only the
// sellers whose results can have changed since the previous run (changed
// source rows, orders across the window's edges, and the clock's
// thresholds), and gives the same results.
enum class RunKind { kFull, kIncremental };
const char* runKindName(RunKind kind);  // "full", "incremental"

// What a refused run lost: RunRefused::reason().
inline constexpr const char* kShrinkReasons[] = {"sellers", "window_orders"};

// What a read lost of the results a run starts from, over the sellers it
// read (every seller, for a full read). Lost sellers are sellers of those
// results that the read found in neither the sellers table nor the orders.
struct SourceShrink {
  std::int64_t sellersBefore = 0;
  std::int64_t sellersLost = 0;
  std::int64_t ordersBefore = 0;  // the window orders of those sellers
  std::int64_t ordersAfter = 0;   // the window orders the read found
  bool compareOrders = true;      // false: other rules, other windows

  // The kShrinkReasons entry of the first share above `maxShare` (sellers,
  // then window orders), or nullptr when neither is lost beyond it.
  const char* exceeds(double maxShare) const;
  // "2 of 3 sellers (66.7 %) and 20 of 43 window orders (46.5 %)".
  std::string describe() const;
};

// A run whose read lost more than ScoreJob::Options::maxShrink of the
// previous results' sellers or window orders (a source emptied by mistake,
// a broken view): nothing was saved or published, the previous results
// stay.
class RunRefused : public std::runtime_error {
 public:
  RunRefused(const char* reason, const std::string& message)
      : std::runtime_error(message), reason_(reason) {}
  // What was lost: an entry of kShrinkReasons.
  const char* reason() const { return reason_; }

 private:
  const char* reason_;
};

struct ScoreRunSummary {
  RunKind kind = RunKind::kFull;
  std::int64_t sellersRecomputed = 0;  // sellers read and evaluated
  // Seconds from the latest source change seen to the run's now.
  std::optional<Timestamp> watermarkLag;
  std::int64_t sellers = 0;
  std::int64_t scored = 0;  // sellers with a score (enough volume)
  std::int64_t warningsActive = 0;
  std::int64_t warningsRaised = 0;
  std::int64_t warningsCleared = 0;
  std::int64_t badgeChanges = 0;
  std::int64_t rowsWritten = 0;  // result rows inserted, replaced or deleted
  std::map<std::string, std::int64_t> rowsRead;
  // Where the run's wall time went.
  double readSeconds = 0;
  double evaluateSeconds = 0;
  double writeSeconds = 0;
  std::vector<RowProblem> problems;
  // Set when an incremental read was followed by a full one: why.
  std::string readInFullBecause;
  // Set when the run published a loss beyond Options::maxShrink because it
  // was told to: what was lost.
  std::string shrinkAccepted;
  // Set when the buckets could not be written to Options::bucketsFile: why
  // (the run is saved; after a restart the largest sellers are read whole
  // once).
  std::string bucketsNotSaved;

  std::int64_t totalRowsRead() const;
  // One log line, ending "(read R s, evaluate E s, write W s)".
  std::string line() const;
};

class ScoreJob {
 public:
  struct Options {
    // Days of history and badge changes the snapshot keeps.
    int keepDays = 400;
    // How far before the previous run's latest source change an incremental
    // run looks again, for rows whose transaction committed after that run
    // read.
    Timestamp changeOverlapSeconds = 120;
    // An incremental run is full instead once the last full one is this old
    // (full runs also catch deleted rows and rows moved to another order or
    // seller, which no incremental run sees).
    Timestamp fullEverySeconds = kSecondsPerDay;
    // An incremental run whose sellers hold more than 1 / fullReadShare of
    // the window's orders reads every seller instead: reading a seller's
    // window by seller costs several times reading the same rows in one
    // pass (random against sequential access). 0: never.
    std::int64_t fullReadShare = 5;
    // ... but only once the window holds this many orders: below, either
    // read takes well under a second, and reading by seller keeps the run
    // incremental (fewer rows written, the kind reported as such).
    std::int64_t onePassMinOrders = 100000;
    // A run whose read lost more than this share of the previous results'
    // sellers or window orders is refused (RunRefused). An incremental read
    // that loses more than it of the sellers it read, or whose source's
    // latest change went back (rows were deleted), cannot tell a vanishing
    // source from ordinary change: every seller is read again, and the loss
    // judged over all of them. 1: never refused.
    double maxShrink = 0.5;
    // Sellers with at least this many window orders in the previous run
    // are tallied in buckets of order time, so that an incremental run
    // reads again only the buckets that changed or are due rather than
    // their whole window. 0: none. At 10 M orders, 100 rather than 1000
    // buckets 4 % of the sellers rather than 0.4 %, and an incremental run
    // after 10 k changes reads 45 % less. 50 (8.5 %, with 80 % of the
    // window's orders) reads a quarter less again, but the full runs that
    // build its buckets peaked at 246 MiB, 2 MB above the 256 MB target.
    std::int64_t bucketMinOrders = 100;
    // A bucket is a day of order time, or narrower for a seller with more
    // than this many orders a day on average (bucketWidth): a changed row
    // of the largest sellers then costs a run a few dozen orders to read
    // again, not a day of theirs. At 10 M orders, 32 rather than a day for
    // everyone reads 5 times fewer rows after 10 k changes, in a third
    // more buckets.
    std::int64_t ordersPerBucket = 32;
    // Where the buckets are kept between runs and restarts (bucket_file.h);
    // "": in memory only.
    std::string bucketsFile;
  };

  ScoreJob(Source* source, ResultStore* store, SnapshotHolder* snapshots, const Rules& rules,
           Options options);

  // Runs one pass at `now`: incremental if asked and the previous state
  // allows it (a full run was saved with these rules, at or before now,
  // less than Options::fullEverySeconds ago), else full. With
  // `acceptShrink` (the operator's word) the run is full and published
  // whatever the source lost. Throws SourceError, RunCancelled or
  // RunRefused; then nothing was saved or published and the previous
  // results stay.
  ScoreRunSummary run(Timestamp now, const CancelToken& cancel, RunKind kind = RunKind::kFull,
                      bool acceptShrink = false);

  // Takes `persisted`, just loaded from the results store by the caller, as
  // the previous state, so the job need not load a second copy, and indexes
  // it with its buckets, so the first run starts at once. Call from
  // the job's thread (or before the jobs start).
  void resumeFrom(std::shared_ptr<const Snapshot> persisted);

  // New rules (a configuration reload), from any thread: the next run uses
  // them, and since its rules version differs from the last run's, it is a
  // full one.
  void setRules(const Rules& rules);

 private:
  std::shared_ptr<const Snapshot> previousState(Timestamp now);
  // Takes the buckets and recent rows of `results` from
  // Options::bucketsFile, if it holds them; else none.
  void loadBucketsOf(const Snapshot& results);
  // Drops buckets_ (before a full read, which builds them all again).
  void dropBuckets();

  Source* source_;
  ResultStore* store_;
  SnapshotHolder* snapshots_;
  std::shared_ptr<const Rules> rules_;  // the job thread's; see setRules
  std::string rulesVersion_;
  std::mutex pendingMutex_;
  std::shared_ptr<const Rules> pendingRules_;  // guarded by pendingMutex_
  const Options options_;
  std::shared_ptr<const Snapshot> state_;  // what the last run saved
  // The buckets of state_'s sellers tallied in buckets (the job's own
  // state, not published).
  BucketState buckets_;
  // The source rows state_'s read saw lately updated (SourceData::recent).
  RecentRows recent_;
  // Where buckets_ and recent_ are kept (Options::bucketsFile).
  BucketFile bucketFile_;
  // What a run needs of all of a snapshot's sellers: built once for results
  // loaded (or a full run's), then brought up to date by each run for the
  // sellers it read (a walk over all costs milliseconds at 100 k sellers).
  struct SellerIndex {
    // The snapshot described; weak, so that the index never keeps one
    // alive (its control block stays, so no other snapshot can pass for it).
    std::weak_ptr<const Snapshot> of;
    bool describes(const std::shared_ptr<const Snapshot>& s) const {
      return !of.owner_before(s) && !s.owner_before(of);
    }
    std::int64_t windowOrders = 0;
    std::int64_t defectOrders = 0;
    std::int64_t scored = 0;
    // (when, seller): the seller is read again once a run's now reaches
    // `when`: its own next threshold, the end of a product's delist, a
    // claim dated ahead, a badge change to confirm. An entry may outlive its
    // reason (the seller is then read once more than it needed), never the
    // other way round; a run drops the entries it acted on.
    std::set<std::pair<Timestamp, std::int64_t>> due;
    BucketWidths bucketed;  // sellers with bucketMinOrders window orders or more
  };
  SellerIndex indexSellers(const std::shared_ptr<const Snapshot>& snapshot) const;
  // Adds `seller`'s share of the totals to `index` (sign 1), with its due
  // time and bucket width unless `totalsOnly`, or takes it away (sign -1).
  void countSeller(SellerIndex* index, const SellerResult& seller, int sign, bool totalsOnly) const;
  // Brings `index` from `previous` to `next`, which differ only in the
  // sellers of `scope`: countSeller() for each.
  void reindex(SellerIndex* index, const Snapshot& previous, const Snapshot& next,
               const std::set<std::int64_t>& scope, bool totalsOnly) const;
  SellerIndex index_;  // of the last snapshot a run started from or made
};

}  // namespace sellertrust
