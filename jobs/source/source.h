// The read side: what a scoring run needs from the operator's source
// database (SPEC §1), behind one interface per backend so the jobs do not
// know which database runs. Implementations are used by one job thread at a
// time.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sellertrust/defect_list.h"
#include "sellertrust/metrics.h"
#include "sellertrust/records.h"
#include "sellertrust/rules.h"
#include "sellertrust/tally_buckets.h"
#include "sellertrust/warnings.h"

namespace sellertrust {

// Set by the scheduler when the daemon stops or a run times out; long reads
// check it and throw RunCancelled at a safe point.
class CancelToken {
 public:
  void cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(); }

 private:
  std::atomic<bool> cancelled_{false};
};

// The database failed or is unreachable. The message names the query or
// table and never contains a password.
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RunCancelled : public std::runtime_error {
 public:
  RunCancelled() : std::runtime_error("run cancelled") {}
};

struct SellerInfo {
  std::int64_t sellerId = 0;
  std::string name;
  std::string country;
};

// What an incremental read covers besides the sellers the clock alone
// changes, which the caller knows from the previous run.
struct ChangeScope {
  Timestamp changedSince = 0;  // rows updated at or after this time
  Timestamp previousNow = 0;   // the previous run's now: its window's edges
  std::vector<std::int64_t> dueSellers;
  // Given the sellers to read whole (ascending) and the window orders of
  // the buckets to read of the others (CarriedState), true when reading
  // every seller costs less than reading these one by one; the read is then
  // full. Unset: never.
  std::function<bool(const std::vector<std::int64_t>&, std::int64_t)> cheaperToReadAll;
};

// More rows updated within the change overlap than this, and a read keeps
// none of them (SourceData::recent): bounds its memory when a bulk change
// touches most of the source, whose next read is a full one anyway.
inline constexpr std::size_t kMaxRecentRows = 100000;

// The source rows lately updated, as one read saw them: per table, the key
// and a digest of every column of each row updated at or after the
// watermark less the change overlap. An incremental read re-reads the rows
// updated since then (ChangeScope::changedSince); those it finds as the
// previous read saw them changed nothing, and no seller is read for them.
struct RecentRows {
  // Table -> (key, digest), sorted; a key that repeats has a pair per row.
  std::map<std::string, std::vector<std::pair<std::int64_t, std::uint64_t>>> rows;
  bool saw(const std::string& table, std::int64_t key, std::uint64_t digest) const {
    auto it = rows.find(table);
    return it != rows.end() &&
           std::binary_search(it->second.begin(), it->second.end(), std::make_pair(key, digest));
  }
  bool operator==(const RecentRows& other) const { return rows == other.rows; }
};

// A seller's window orders, as a previous run counted them.
struct SellerOrders {
  std::int64_t seller = 0;
  std::int64_t orders = 0;
};

// What the score job carries from one read to the next: which sellers a
// read tallies in buckets and what the previous run left of them; the rows
// the previous read saw lately updated.
struct CarriedState {
  // The sellers a read tallies in buckets, each in buckets of the width
  // the job chose; a seller the read reads in part keeps the width of its
  // previous buckets instead.
  BucketWidths sellers;
  // (Incremental reads.) The buckets the previous run saved. A seller of
  // `sellers` found here, without an otherDue, is read only in the buckets
  // that changed rows or the window's edges touch and those that are due;
  // the rest of its window is taken from here, and its defect rows in them
  // from previousDefects. Any other seller is read whole.
  const std::map<std::int64_t, PackedBuckets>* previous = nullptr;
  std::function<const DefectList&(std::int64_t seller)> previousDefects;
  // Called when an incremental read turns full (cheaperToReadAll), before
  // it reads: `previous` is no longer read and may go (off the run's peak).
  std::function<void()> dropPrevious;
  // SourceData::recent holds the rows updated at or after the read's
  // watermark less this many seconds (the job's change overlap).
  Timestamp changeOverlap = 0;
  // (Incremental reads.) The previous read's SourceData::recent.
  const RecentRows* recent = nullptr;
  // (Full reads on several sessions.) The previous run's window orders and
  // each seller's share of them: a full read deals the sellers with the
  // most out by name (source::largestOf) so that its sessions read about
  // as many orders each (source::splitSellers). Called once per full read;
  // none, or no seller: from a sample of the window.
  std::int64_t windowOrders = 0;
  std::function<std::vector<SellerOrders>()> sellerOrders;
};

struct SourceData {
  // An incremental read: the sellers it read, ascending; every other seller
  // is as the previous run left it. nullopt: a full read of every seller.
  std::optional<std::vector<std::int64_t>> scope;
  // The latest updated_at in the source at or before the read's now (the
  // next incremental read's watermark); nullopt when no row has one.
  std::optional<Timestamp> watermark;
  std::map<std::int64_t, SellerInfo> sellers;
  // One tally per seller with at least one window order.
  std::map<std::int64_t, SellerTally> tallies;
  // When a seller's tally next changes by the clock alone (an unshipped
  // order passes its ship-by time, ...); absent: not by the clock.
  std::map<std::int64_t, Timestamp> dueAt;
  // Per seller with any, its window's defect rows (Defect), day by day:
  // exactly the rows its tallies count.
  std::map<std::int64_t, DefectList> defects;
  // The rows updated at or after the watermark less the change overlap
  // (CarriedState::changeOverlap), for the next incremental read; empty
  // when there were more than kMaxRecentRows of them (the next read then
  // takes every one it re-reads for a change).
  RecentRows recent;
  // Every bucketed seller read (CarriedState::sellers): its buckets after
  // this read. Its tally, due time and defect rows above are their sum.
  std::map<std::int64_t, PackedBuckets> buckets;
  // Of those read in part: what turns their buckets after the previous run
  // (CarriedState::previous) into these (PackedBuckets::deltaTo's).
  std::map<std::int64_t, BucketDelta> bucketDeltas;
  // Every authenticity claim (any time, any status), for the ladder.
  std::vector<AuthenticityClaim> authenticityClaims;
  // Rows skipped for unknown enums, NULLs or impossible values, sorted by
  // table (in SPEC order) and key; at most a bounded number of keys per
  // table, then one summary entry (key 0) with the count of the others.
  std::vector<RowProblem> problems;
  // SPEC table name -> rows read in this run: every window row of the
  // table (sound, bad, or of a bad order), plus the sellers, the
  // authenticity claims and the orders that lie in no window. A row that two
  // of these reads meet counts twice (a window ticket that is a claim).
  std::map<std::string, std::int64_t> rowsRead;
};

// What a source database lacks of the contract (SPEC §1 tables and columns,
// the indexes the queries need), each problem named; notes say what could
// not be checked (the indexes behind a view).
struct ContractReport {
  std::vector<std::string> problems;
  std::vector<std::string> notes;
};

class Source {
 public:
  virtual ~Source() = default;
  // Reads what a run at `now` needs: every seller, or (changes not null)
  // only the sellers whose window changed since the previous run and the
  // due ones. Throws SourceError on a database failure, RunCancelled when
  // `cancel` is set.
  // With `carried` (the previous read's state), the sellers it names are
  // tallied in buckets, and the rows lately updated kept (SourceData::recent).
  virtual SourceData read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                          const ChangeScope* changes, const CarriedState* carried) = 0;
  SourceData read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                  const ChangeScope* changes) {
    return read(now, rules, cancel, changes, nullptr);
  }
  // Connects and checks that a run's read can start: every SPEC §1 table
  // (or view) answers a query naming all its columns, reading no row.
  // Throws SourceError with the database's own reason otherwise (access
  // denied, unknown host, not a database, no such table or column, ...).
  virtual void probe() = 0;
  // True iff probe() succeeds now.
  bool ping() {
    try {
      probe();
      return true;
    } catch (const SourceError&) {
      return false;
    }
  }
  // Reads the database's catalogue and checks it against the contract,
  // naming every table, column and index missing. Throws SourceError when
  // the database cannot be read.
  virtual ContractReport checkContract() = 0;
};

}  // namespace sellertrust
