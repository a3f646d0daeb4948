// Runs a run's generated queries and assembles SourceData.
#include "jobs/source/source_reader.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <Poco/SHA2Engine.h>

#include "jobs/source/queries.h"
#include "sellertrust/utf8.h"

namespace sellertrust::source {
namespace {

constexpr std::int64_t kRowsBetweenCancelChecks = 4096;
// Bucket ranges per query of an incremental read. Each is an index range
// the engine looks up, and every row found is checked against all of them
// (an OR): on SQLite after 10 k changes at 10 M orders, 20 read in 3.4 s
// where 200 took 5.1 s and 8 (more queries to prepare) 4.0 s.
constexpr std::size_t kRangesPerQuery = 20;
// Keys per problem query; keeps the IN list short.
constexpr std::size_t kKeysPerProblemQuery = 500;
constexpr std::size_t kMaxQuotedChars = 40;

// A digest of columns [first, end) of the row: rows alike give the same.
// SHA-256, so that no one writing rows can make a change look like none.
std::uint64_t rowDigest(const SqlRows& row, int first, int end) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  for (int c = first; c < end; ++c) {
    // Each value after its length (- for NULL): no two rows run together.
    if (row.isNull(c)) {
      sha.update("-;");
      continue;
    }
    const std::string value = row.getString(c);
    sha.update(std::to_string(value.size()) + ";");
    sha.update(value);
  }
  const Poco::DigestEngine::Digest& digest = sha.digest();
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < sizeof out; ++i) out = out << 8U | digest[i];
  return out;
}

// A source value quoted for a problem message; long values are cut, since
// the text comes from the operator's data and ends up in logs.
std::string quoted(const std::string& value) {
  return "'" +
         (value.size() <= kMaxQuotedChars ? value : value.substr(0, kMaxQuotedChars) + "...") + "'";
}

// The bad rows of one table: the smallest `limit` keys (each with the rows
// that hold it: more than one where a key repeats), and how many rows there
// are in all.
class BadRows {
 public:
  void add(std::int64_t key, std::int64_t rows, std::size_t limit) {
    if (keys_.count(key) != 0) return;
    count_ += rows;
    listed_ += rows;
    keys_.emplace(key, rows);
    if (keys_.size() > limit) {
      listed_ -= std::prev(keys_.end())->second;
      keys_.erase(std::prev(keys_.end()));
    }
  }
  // Adds the bad rows another read found (of other rows).
  void merge(const BadRows& other, std::size_t limit) {
    for (const auto& [key, rows] : other.keys_) add(key, rows, limit);
    count_ += other.unlisted();
  }
  // Listed key -> its rows.
  const std::map<std::int64_t, std::int64_t>& keys() const { return keys_; }
  std::int64_t unlisted() const { return count_ - listed_; }
  // True iff every bad row found is in keys().
  bool complete() const { return unlisted() == 0; }

 private:
  std::map<std::int64_t, std::int64_t> keys_;
  std::int64_t count_ = 0;
  std::int64_t listed_ = 0;
};

class Reader {
 public:
  Reader(SqlSession& session, const Dialect& dialect, Timestamp now, const Rules& rules,
         const CancelToken& cancel, const ChangeScope* changes, const CarriedState* buckets,
         const ReadOptions& options)
      : session_(session),
        dialect_(dialect),
        now_(now),
        rules_(rules),
        // Built before the read starts: invalid rules or times fail first.
        queries_(buildRunQueries(dialect, now, rules)),
        cancel_(cancel),
        changes_(changes),
        carried_(buckets),
        // A table that may repeat keys is read whole (see sharesOfTheWindow):
        // no buckets then.
        buckets_(options.mayRepeatKeys.empty() && buckets != nullptr && !buckets->sellers.empty()
                     ? buckets
                     : nullptr),
        keyLimit_(static_cast<std::size_t>(options.settings.problemKeysPerTable > 0
                                               ? options.settings.problemKeysPerTable
                                               : kDefaultProblemKeysPerTable)),
        options_(options),
        sessions_(options.openSession
                      ? static_cast<std::size_t>(std::max(1, options.settings.sessions))
                      : 1) {
    for (const TableDef& t : tables()) data_.rowsRead[t.name] = 0;
  }

  SourceData run() {
    checkCancelled();
    // Each session reads in one snapshot, so that the tallies of different
    // tables agree even while the operator writes: a seller's tallies come
    // from one session, or add up shares of its window that do not overlap.
    session_.beginRead();
    readWatermark();
    std::optional<std::vector<std::int64_t>> scope;
    if (changes_ != nullptr) {
      scope = readScope();
    } else if (std::optional<Timestamp> since = recentSince()) {
      readRecentRows(*since, nullptr, [](const SqlRows&) {});
    }
    if (scope && changes_->cheaperToReadAll &&
        changes_->cheaperToReadAll(whole_, ordersInBucketsToRead())) {
      scope.reset();  // one pass over every seller
      whole_.clear();
      partial_.clear();
      leaving_.clear();
      previous_.clear();
      if (carried_ != nullptr && carried_->dropPrevious) carried_->dropPrevious();
    }
    chooseWidths();
    if (scope) subtractLeaving();
    if (!scope) chooseScans();
    const std::vector<Unit> units = scope ? unitsOfTheScope() : sharesOfTheWindow();
    readUnits(units);
    if (scope) data_.scope = std::move(scope);
    dropRepeatedClaims();
    if (data_.scope) {
      // Those updated since changedSince were among the changed rows.
      for (const auto& [table, keys] : changedOrphans_) {
        for (std::int64_t key : keys) addOrphan(table, key);
      }
      readOrphans(kNoUpdatedAt, {});
    } else {
      // Those of a table whose grain queries listed them in every unit (each
      // its part of the sellers) need no pass of their own.
      std::set<std::string> listed;
      for (const auto& [table, n] : unitsListingOrphans_) {
        if (n != units.size()) continue;
        listed.insert(table);
        for (std::int64_t key : listedOrphans_[table]) bad_[table].add(key, 1, keyLimit_);
      }
      readOrphans(fullReadOrphansSince(dialect_, now_, rules_), listed);
    }
    readProblems();
    // Last: the problem texts tell when rows in the future come of age.
    combineBuckets();
    session_.endRead();
    return std::move(data_);
  }

 private:
  // What one pass of readUnit reads: the window of `sellers` (nullptr:
  // every seller), or only `share` of it; and, if `outsideWindow`, what
  // lies outside the window (the sellers' rows, their authenticity claims
  // of all time, orders without a time), which one unit of a read reads.
  struct Unit {
    const std::vector<std::int64_t>* sellers = nullptr;
    WindowShare share;
    bool outsideWindow = true;
    bool window = true;   // false: only what lies outside the window
    bool defects = true;  // false: the window's tallies; no defect rows kept
  };

  // Adds units that read `sellers` in chunks that keep IN lists short.
  void addChunks(const std::vector<std::int64_t>& sellers, const Unit& unit,
                 std::vector<Unit>* units) {
    const std::size_t size = std::max<std::size_t>(1, options_.settings.sellersPerQuery);
    for (std::size_t i = 0; i < sellers.size(); i += size) {
      chunks_.emplace_back(
          sellers.begin() + static_cast<std::ptrdiff_t>(i),
          sellers.begin() + static_cast<std::ptrdiff_t>(std::min(sellers.size(), i + size)));
      units->push_back(unit);
      units->back().sellers = &chunks_.back();
    }
  }

  // An incremental read: what lies outside the window of every seller
  // read (one query for all of them: the authenticity claims query walks every
  // claim of the marketplace); the window of the sellers read whole; of the
  // others, their buckets to read, each a range of the sellers that read
  // it, several ranges a unit.
  std::vector<Unit> unitsOfTheScope() {
    std::vector<Unit> units;
    std::vector<std::int64_t> partial;
    // (width, start) -> the sellers that read that bucket.
    std::map<std::pair<Timestamp, Timestamp>, std::vector<std::int64_t>> byBucket;
    for (const auto& [seller, buckets] : partial_) {
      partial.push_back(seller);
      const Timestamp width = widths_->at(seller);
      for (Timestamp b : buckets) byBucket[{width, b}].push_back(seller);
    }
    std::vector<std::int64_t> all;
    std::merge(whole_.begin(), whole_.end(), partial.begin(), partial.end(),
               std::back_inserter(all));
    addChunks(all, {nullptr, {}, true, false}, &units);
    addChunks(whole_, {nullptr, {}, false, true}, &units);
    // A bucket outside the window (a changed order placed in the year 9999)
    // has no window rows to read.
    const Window window = windowAt(now_, rules_);
    const std::size_t perQuery = std::max<std::size_t>(1, options_.settings.sellersPerQuery);
    Unit unit{nullptr, {}, false, true};
    std::size_t listed = 0;
    const auto flush = [&] {
      if (unit.share.ranges.empty()) return;
      std::vector<std::int64_t>& sellers = chunks_.emplace_back();
      for (const SellersInRange& r : unit.share.ranges) {
        sellers.insert(sellers.end(), r.sellers.begin(), r.sellers.end());
      }
      unit.sellers = &sellers;
      units.push_back(std::move(unit));
      unit = Unit{nullptr, {}, false, true};
      listed = 0;
    };
    for (auto& [bucket, sellers] : byBucket) {
      const auto [width, b] = bucket;
      if (b + width <= window.begin || b > window.end) continue;
      for (std::size_t i = 0; i < sellers.size(); i += perQuery) {
        const auto first = sellers.begin() + static_cast<std::ptrdiff_t>(i);
        const auto last =
            sellers.begin() + static_cast<std::ptrdiff_t>(std::min(sellers.size(), i + perQuery));
        if (listed + static_cast<std::size_t>(last - first) > perQuery ||
            unit.share.ranges.size() == kRangesPerQuery) {
          flush();
        }
        unit.share.ranges.push_back({{first, last}, b, b + width});
        listed += static_cast<std::size_t>(last - first);
      }
    }
    flush();
    return units;
  }

  // The width of each seller's buckets this read: a seller read in part
  // keeps that of the buckets it reads; any other is read whole and
  // tallied in buckets of the width the job chose.
  void chooseWidths() {
    if (buckets_ == nullptr) return;
    if (previous_.empty()) {
      widths_ = &buckets_->sellers;
      return;
    }
    ownWidths_ = buckets_->sellers;
    for (const auto& [seller, was] : previous_) ownWidths_[seller] = was.width;
    widths_ = &ownWidths_;
  }

  // The window orders of the buckets the partial sellers read, as the
  // previous run counted them.
  std::int64_t ordersInBucketsToRead() const {
    std::int64_t orders = 0;
    for (const auto& [seller, buckets] : partial_) {
      const BucketOutline& was = previous_.at(seller);
      for (Timestamp b : buckets) {
        if (const BucketOutline::Bucket* bucket = was.find(b)) orders += bucket->orders;
      }
    }
    return orders;
  }

  // A full read: the sellers dealt out, one part per session, the largest
  // of the previous run by name (with none, the first run, those of a
  // sample of the window: by remainder alone, one of two parts held 61 %
  // of the orders at 10 M). When a table's keys may repeat, one session
  // reads everything, as a key may repeat across parts.
  std::vector<Unit> sharesOfTheWindow() {
    const std::size_t shares = options_.mayRepeatKeys.empty() ? sessions_ : 1;
    std::vector<SellerOrders> largest;
    if (shares > 1 && carried_ != nullptr && carried_->sellerOrders) {
      largest = largestOf(carried_->sellerOrders());
    }
    std::int64_t windowOrders = carried_ != nullptr ? carried_->windowOrders : 0;
    if (shares > 1 && largest.empty() && options_.windowIndexed) {
      std::vector<std::int64_t> sample;
      each("sampling the window's sellers", windowSampleQuery(dialect_, now_, rules_),
           [&](SqlRows& row) {
             if (!row.isNull(0)) sample.push_back(row.getInt64(0));
           });
      largest = largestInSample(sample);
      windowOrders = static_cast<std::int64_t>(sample.size());
    }
    std::vector<Unit> units;
    for (const WindowShare& share : splitSellers(static_cast<int>(shares), windowOrders, largest)) {
      units.push_back({nullptr, share, units.empty(), true});
    }
    return units;
  }

  // Reads the units, side by side on up to options_.sessions sessions (this
  // reader's, and more that options_.openSession opens, each its own reader
  // with its own snapshot, begun after the watermark was read so that no
  // row older than the watermark is missed), and gathers what they found.
  void readUnits(const std::vector<Unit>& units) {
    const std::size_t readers = std::min(units.size(), sessions_);
    std::vector<std::unique_ptr<SqlSession>> sessions;
    std::vector<std::unique_ptr<Reader>> helpers;
    for (std::size_t i = 1; i < readers; ++i) {
      sessions.push_back(options_.openSession());
      sessions.back()->beginRead();
      helpers.push_back(std::make_unique<Reader>(*sessions.back(), dialect_, now_, rules_, cancel_,
                                                 changes_, buckets_, options_));
      helpers.back()->stopped_ = &stop_;
      helpers.back()->scanFirst_ = scanFirst_;
      helpers.back()->widths_ = widths_;
    }
    // Each reader takes the next unit not yet taken: units differ in size
    // (a large seller's buckets against many small sellers), so dealing them
    // out in turn left one session idle while the other read.
    std::atomic<std::size_t> nextUnit{0};
    const auto readDealt = [&](Reader& reader) {
      for (std::size_t u = nextUnit++; u < units.size(); u = nextUnit++) {
        reader.unitIndex_ = u;
        reader.readUnit(units[u]);
      }
      reader.settleDefects();
    };
    onThreads(
        readers, [&](std::size_t t) { readDealt(t == 0 ? *this : *helpers[t - 1]); },
        [&] { stop_.store(true); });
    for (std::size_t i = 0; i < helpers.size(); ++i) {
      sessions[i]->endRead();
      gather(std::move(*helpers[i]));
      helpers[i].reset();  // what it held is gathered: its memory goes now
      sessions[i].reset();
    }
    readSkippedFutureRows(units);
  }

  // Runs work(t) for each t below n (t = 0 alone when n is 0): 0 on this
  // thread, the others on threads of their own. A failure (or no thread to
  // be had) calls stop(), which tells the others to stop; once all are
  // done, the first failure is rethrown (rethrowFirstFailure).
  template <typename Work, typename Stop>
  static void onThreads(std::size_t n, Work work, Stop stop) {
    std::vector<std::exception_ptr> failures(std::max<std::size_t>(1, n));
    const auto run = [&](std::size_t t) {
      try {
        work(t);
      } catch (...) {
        failures[t] = std::current_exception();
        stop();
      }
    };
    std::vector<std::thread> threads;
    try {
      for (std::size_t t = 1; t < n; ++t) threads.emplace_back(run, t);
    } catch (...) {  // no thread to be had: the started ones stop
      failures[0] = std::current_exception();
      stop();
    }
    if (!failures[0]) run(0);
    for (std::thread& t : threads) t.join();
    rethrowFirstFailure(failures);
  }

  // Rethrows a reader's failure other than cancellation if there is one
  // (the others then stopped as if cancelled), else a cancellation.
  static void rethrowFirstFailure(const std::vector<std::exception_ptr>& failures) {
    std::exception_ptr cancelled;
    for (const std::exception_ptr& failure : failures) {
      if (!failure) continue;
      try {
        std::rethrow_exception(failure);
      } catch (const RunCancelled&) {
        cancelled = failure;
      } catch (...) {
        throw;
      }
    }
    if (cancelled) std::rethrow_exception(cancelled);
  }

  // Adds what another reader found (other sellers, or another share of the
  // same sellers' window) to this one's.
  void gather(Reader&& other) {
    SourceData& from = other.data_;
    data_.sellers.merge(from.sellers);
    // Moves the tallies of sellers new to this reader, adds the others'.
    data_.tallies.merge(from.tallies);
    for (const auto& [seller, tally] : from.tallies) data_.tallies[seller].add(tally);
    for (const auto& [seller, due] : from.dueAt) dueBy(seller, due);
    // A seller new to this reader keeps its packed buckets as they are; a
    // bucket may lie across two shares of a window: its halves add up.
    for (auto& [seller, theirs] : other.packed_) {
      if (!packed_.try_emplace(seller, std::move(theirs)).second) {
        addBuckets(seller, theirs.unpack().buckets);
      }
    }
    // Moves the lists of sellers new to this reader, merges the others'.
    data_.defects.merge(from.defects);
    for (auto& [seller, defects] : from.defects) addDefects(seller, std::move(defects));
    data_.authenticityClaims.insert(data_.authenticityClaims.end(), from.authenticityClaims.begin(),
                                    from.authenticityClaims.end());
    for (const auto& [table, rows] : from.rowsRead) data_.rowsRead[table] += rows;
    for (const auto& [table, bad] : other.bad_) bad_[table].merge(bad, keyLimit_);
    for (auto& [table, keys] : other.repeated_) repeated_[table].merge(keys);
    for (auto& [table, keys] : other.listedOrphans_) {
      std::vector<std::int64_t>& into = listedOrphans_[table];
      into.insert(into.end(), keys.begin(), keys.end());
    }
    for (const auto& [table, n] : other.unitsListingOrphans_) unitsListingOrphans_[table] += n;
    noProduct_.merge(other.noProduct_);
    for (auto& [table, skipped] : other.futureSkipped_) {
      std::vector<std::size_t>& into = futureSkipped_[table];
      into.insert(into.end(), skipped.begin(), skipped.end());
    }
  }

  // A unit whose bad rows were all listed when it was read left the due
  // times of its rows in the future to the problem texts. When the units'
  // lists together are too long to list whole (another unit, or another
  // session, listed more), the rows left out get theirs from the future
  // rows query after all.
  void readSkippedFutureRows(const std::vector<Unit>& units) {
    for (const auto& [table, skipped] : futureSkipped_) {
      if (bad_[table].complete()) continue;
      for (std::size_t u : skipped) {
        startUnit(units.at(u));
        readFutureRows(table);
      }
    }
    futureSkipped_.clear();
  }

  void checkCancelled() const {
    if (cancel_.cancelled() || stopped_->load()) throw RunCancelled();
  }

  template <typename OnRow>
  void each(const std::string& what, const std::string& sql, OnRow onRow) {
    checkCancelled();
    const auto started = std::chrono::steady_clock::now();
    std::unique_ptr<SqlRows> rows = session_.query(what, sql);
    std::int64_t n = 0;
    while (rows->next()) {
      onRow(*rows);
      if (++n % kRowsBetweenCancelChecks == 0) checkCancelled();
    }
    flushBuckets();
    if (options_.settings.onQuery) {
      options_.settings.onQuery(
          what, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
          n);
    }
  }

  // For a read of every seller: the after-sales tables to read whole, before
  // their orders (the engine told so if it needs the order of a join told),
  // finding their orphans in the same pass. An engine that chooses the
  // order itself sizes only base tables (counting a view's rows runs its
  // joins): with a view, its orphans have their own pass, as before.
  void chooseScans() {
    if (dialect_.joinInOrder().empty() && !options_.mayRepeatKeys.empty()) return;
    const auto columns = 1 + std::count_if(tables().begin(), tables().end(),
                                           [](const TableDef& t) { return t.afterSales; });
    std::vector<std::int64_t> sizes;
    each("sizing the tables", queries_.sizes, [&](SqlRows& row) {
      for (int i = 0; i < columns; ++i) sizes.push_back(row.getInt64(i));
    });
    scanFirst_ = tablesToScanFirst(sizes);
  }

  // The latest updated_at of any table, at most now.
  void readWatermark() {
    each("reading the latest change", watermarkQuery(dialect_, now_), [&](SqlRows& row) {
      for (std::size_t i = 0; i < tables().size(); ++i) {
        const int column = static_cast<int>(i);
        if (row.isNull(column)) continue;
        const Timestamp t = row.getInt64(column);
        if (!data_.watermark || t > *data_.watermark) data_.watermark = t;
      }
    });
  }

  // When the rows the next incremental read re-reads begin (the watermark
  // less the change overlap); nullopt: no row has an updated_at, or no
  // job carries them to the next read.
  std::optional<Timestamp> recentSince() const {
    if (carried_ == nullptr || !data_.watermark) return std::nullopt;
    return *data_.watermark - carried_->changeOverlap;
  }

  // Reads the rows of every table updated at or after `since`, keeps in
  // data_.recent those at or after recentSince(), adds to `orphans` (if not
  // null) the keys of the after-sales rows without an order, and calls
  // onChange(row) (changedRowsQuery's columns) for each row the previous
  // read did not see as it is now.
  template <typename OnChange>
  void readRecentRows(Timestamp since, std::map<std::string, std::vector<std::int64_t>>* orphans,
                      OnChange onChange) {
    const RecentRows* seen = carried_ != nullptr ? carried_->recent : nullptr;
    // Rows before `since` are not read: kept from a later time only.
    std::optional<Timestamp> keepSince = recentSince();
    if (keepSince && *keepSince < since) keepSince.reset();
    std::size_t kept = 0;
    for (const TableDef& t : tables()) {
      auto& keep = data_.recent.rows[t.name];
      const int end = changedRowsColumns(t);
      each("finding the changed rows of " + t.name, changedRowsQuery(dialect_, t, since),
           [&](SqlRows& row) {
             const std::int64_t key = row.getInt64(1);
             const std::uint64_t digest = rowDigest(row, kFirstDigestColumn, end);
             if (keepSince && row.getInt64(0) >= *keepSince && ++kept <= kMaxRecentRows) {
               keep.emplace_back(key, digest);
             }
             if (orphans != nullptr && row.getInt64(end) == 1) (*orphans)[t.name].push_back(key);
             if (seen == nullptr || !seen->saw(t.name, key, digest)) onChange(row);
           });
      std::sort(keep.begin(), keep.end());
    }
    if (kept > kMaxRecentRows) data_.recent = RecentRows();
  }

  // The sellers an incremental read covers, ascending: those with changed
  // rows or orders across the window's edges, and the due ones. Each is
  // read whole (whole_), or only in the buckets that changed or are due
  // (partial_).
  std::vector<std::int64_t> readScope() {
    std::set<std::int64_t> scope(changes_->dueSellers.begin(), changes_->dueSellers.end());
    // Seller -> the times of its orders that changed, or entered the window.
    std::map<std::int64_t, std::set<Timestamp>> changed;
    // The seller in column `seller` of the row, and the time of its order in
    // column `orderedAt` (if any). A value that is not an id names no
    // seller a run reads.
    const auto add = [&](const SqlRows& row, int seller, std::optional<int> orderedAt) {
      if (row.isNull(seller) || row.getInt64(seller) <= 0) return;
      scope.insert(row.getInt64(seller));
      if (orderedAt && !row.isNull(*orderedAt)) {
        changed[row.getInt64(seller)].insert(row.getInt64(*orderedAt));
      }
    };
    readRecentRows(changes_->changedSince, &changedOrphans_, [&](const SqlRows& row) {
      add(row, 2, 3);             // the row's order's seller, in its bucket
      add(row, 4, std::nullopt);  // its own seller (an after-sales row's)
    });
    std::map<std::int64_t, std::set<Timestamp>> leaving;
    const std::string edges =
        windowEdgesQuery(dialect_, windowAt(changes_->previousNow, rules_), windowAt(now_, rules_));
    each("finding the orders across the window's edges", edges, [&](const SqlRows& row) {
      if (row.getInt64(2) == 0) {
        add(row, 0, 1);  // entered: its bucket is read
        return;
      }
      add(row, 0, std::nullopt);  // left: its bucket may be read, or subtracted from
      if (!row.isNull(0) && !row.isNull(1)) leaving[row.getInt64(0)].insert(row.getInt64(1));
    });
    for (std::int64_t seller : scope) {
      const std::set<Timestamp>& times = changed[seller];
      const BucketOutline* was = previousBuckets(seller, times);
      if (was == nullptr) {
        whole_.push_back(seller);
        continue;
      }
      std::set<Timestamp>& read = partial_[seller];
      for (Timestamp t : times) read.insert(bucketStart(t, was->width));
      for (const BucketOutline::Bucket& bucket : was->buckets) read.insert(bucket.start);
      for (Timestamp t : leaving[seller]) {
        const Timestamp b = bucketStart(t, was->width);
        if (read.count(b) == 0) leaving_[seller].insert(b);
      }
    }
    return {scope.begin(), scope.end()};
  }

  // The buckets of the sellers read in part that only orders leaving the
  // window touch (leaving_): the previous run's tallies less those of the
  // orders that left, read as the previous run counted them (at its now:
  // no due time of the bucket passed since, or it would be read). A bucket
  // whose due time may be one of those orders' is read instead, and so is
  // one that does not add up.
  void subtractLeaving() {
    std::vector<std::int64_t> sellers;
    for (const auto& entry : leaving_) sellers.push_back(entry.first);
    if (sellers.empty()) return;
    const Timestamp then = changes_->previousNow;
    Reader left(session_, dialect_, then, rules_, cancel_, nullptr, buckets_, options_);
    left.stopped_ = stopped_;
    left.widths_ = widths_;
    WindowShare share;
    share.from = windowAt(then, rules_).begin;
    share.until = windowAt(now_, rules_).begin;
    std::vector<Unit> units;
    // Their tallies only: their defect rows go by time (Splice::keptDefects).
    addChunks(sellers, {nullptr, share, false, true, false}, &units);
    for (const Unit& unit : units) left.readUnit(unit);
    for (const auto& [table, rows] : left.data_.rowsRead) data_.rowsRead[table] += rows;
    for (auto& [seller, candidates] : leaving_) {
      const auto found = left.packed_.find(seller);
      const SellerBuckets gone =
          found == left.packed_.end() ? SellerBuckets() : found->second.unpack();
      std::map<Timestamp, TallyBucket> was = buckets_->previous->at(seller).select(candidates);
      for (Timestamp b : candidates) {
        const auto part = gone.buckets.find(b);
        if (part == gone.buckets.end()) continue;  // no sound row left: nothing counted
        const auto whole = was.find(b);
        const TallyBucket& p = part->second;
        if (whole == was.end() || (p.due && (!whole->second.due || *p.due <= *whole->second.due))) {
          partial_.at(seller).insert(b);
          continue;
        }
        whole->second.tally.subtract(p.tally);
        subtracted_[seller][b] = std::move(whole->second);
      }
    }
  }

  // The buckets the previous run left of a seller that may be read in
  // part, outlined into previous_ with those to read again now (due, or
  // holding an order placed at one of `times`); or nullptr: one tallied in
  // buckets, with nothing due outside them.
  const BucketOutline* previousBuckets(std::int64_t seller, const std::set<Timestamp>& times) {
    if (buckets_ == nullptr || buckets_->previous == nullptr ||
        buckets_->sellers.count(seller) == 0) {
      return nullptr;
    }
    auto it = buckets_->previous->find(seller);
    if (it == buckets_->previous->end()) return nullptr;
    BucketOutline was = it->second.outline(now_, times);
    if (was.otherDue) return nullptr;
    return &(previous_[seller] = std::move(was));
  }

  // Turns what was read of the sellers tallied in buckets into their
  // buckets after this run (those read replace the previous run's, the
  // rest are kept) and their tally, due time and defect rows (the sums).
  void combineBuckets() {
    if (buckets_ == nullptr) return;
    std::vector<std::int64_t> sellers;
    if (!data_.scope) {
      for (const auto& entry : buckets_->sellers) sellers.push_back(entry.first);
    } else {
      for (std::int64_t seller : whole_) {
        if (buckets_->sellers.count(seller) != 0) sellers.push_back(seller);
      }
      for (const auto& entry : partial_) sellers.push_back(entry.first);
    }
    // Each seller in turn is taken out of what was read, spliced (on its
    // own, side by side with others), and put into the data.
    std::mutex mutex;
    std::size_t next = 0;
    const auto spliceDealt = [&] {
      SpliceBuffers buffers;
      for (;;) {
        Splice s;
        {
          const std::lock_guard<std::mutex> lock(mutex);
          if (next == sellers.size()) return;
          s = takeSplice(sellers[next++]);
        }
        splice(&s, &buffers);
        const std::lock_guard<std::mutex> lock(mutex);
        putSplice(std::move(s));
      }
    };
    // An incremental read splices on as many threads as it has sessions: a
    // splice reads every bucket a seller kept, and the largest sellers have
    // thousands (in an idle run at 10 M orders, 30 of the read's 110 ms
    // were splices, after the sessions were done). A full read splices on
    // one: a second one's buffers would add to its peak, for a small part
    // of its time.
    const std::size_t threads = data_.scope ? std::min(sellers.size(), sessions_) : 1;
    onThreads(
        threads, [&](std::size_t) { spliceDealt(); },
        [&] {
          const std::lock_guard<std::mutex> lock(mutex);
          next = sellers.size();
        });
  }

  // One seller's splice (combineBuckets): what its buckets after this read
  // are made of, then what they are.
  struct Splice {
    std::int64_t seller = 0;
    const PackedBuckets* base = nullptr;              // nullptr: only what was read
    const std::set<Timestamp>* readInPart = nullptr;  // a seller read in part: its buckets read
    std::set<Timestamp> drop;
    std::map<Timestamp, TallyBucket> put;
    PackedBuckets read;  // what this read found of it
    std::optional<Timestamp> otherDue;
    SplicedBuckets next;
    // A seller read in part: its previous defect rows in the buckets it did
    // not read that are still in the window.
    DefectList keptDefects;
  };

  // What the seller's splice is made of, taken out of what was read. A
  // seller read in part: its previous buckets less those it read, those
  // orders left less these orders (subtracted_: dropped if no order is
  // left), and what it read in their place. Any other: what it read.
  Splice takeSplice(std::int64_t seller) {
    Splice s;
    s.seller = seller;
    if (const auto partial = partial_.find(seller); partial != partial_.end()) {
      s.base = &buckets_->previous->at(seller);
      s.readInPart = &partial->second;
      s.drop = partial->second;
      for (auto& [b, bucket] : subtracted_[seller]) {
        if (bucket.tally.orders() > 0) {
          s.put.emplace(b, std::move(bucket));
        } else {
          s.drop.insert(b);
        }
      }
    }
    if (auto found = packed_.find(seller); found != packed_.end()) {
      s.read = std::move(found->second);
      packed_.erase(found);
    }
    // What lies outside the buckets was read whole: a seller with any is
    // never read in part.
    if (auto due = data_.dueAt.find(seller); due != data_.dueAt.end()) s.otherDue = due->second;
    return s;
  }

  // Splices `s` (safe beside other splices: it reads only what is shared
  // and its own).
  void splice(Splice* s, SpliceBuffers* buffers) const {
    const Timestamp width = widths_->at(s->seller);
    if (s->base == nullptr) {
      s->next = s->read.splice({}, {}, width, s->otherDue, buffers);
    } else {
      for (auto& [b, bucket] : s->read.unpack().buckets) s->put[b] = std::move(bucket);
      s->next = s->base->splice(s->drop, s->put, width, s->otherDue, buffers);
    }
    s->read = PackedBuckets();  // spliced: its memory goes now
    s->put.clear();
    if (s->readInPart != nullptr) {
      s->keptDefects = buckets_->previousDefects(s->seller).without(*s->readInPart, width,
                                                                    windowAt(now_, rules_).begin);
    }
  }

  // Puts the seller's buckets, tally (the sum of the buckets, in place of
  // that of what was read), due time and defect rows into the data.
  void putSplice(Splice&& s) {
    if (s.next.due) dueBy(s.seller, *s.next.due);
    if (s.next.empty) {
      data_.tallies.erase(s.seller);
    } else {
      data_.tallies[s.seller] = std::move(s.next.sum);
    }
    if (s.readInPart != nullptr) {
      addDefects(s.seller, std::move(s.keptDefects));
      if (s.next.delta) data_.bucketDeltas.emplace(s.seller, std::move(*s.next.delta));
    }
    data_.buckets.emplace(s.seller, std::move(s.next.packed));
  }

  // Adds `rows` (other rows than it holds) to the seller's defect rows.
  void addDefects(std::int64_t seller, DefectList rows) {
    DefectList& held = data_.defects[seller];
    held = held.empty() ? std::move(rows) : DefectList::merge(held, rows);
    if (held.empty()) data_.defects.erase(seller);
  }

  // The queries of `unit`, knowing none of its bad rows yet.
  void startUnit(const Unit& unit) {
    sellers_ = unit.sellers;
    share_ = unit.share;
    known_ = {};
    if (sellers_ == nullptr) known_.scanFirst = scanFirst_;
    known_.keyNeverNull = options_.keyNeverNull;
    rebuildQueries();
  }

  // Everything a run reads about one unit.
  void readUnit(const Unit& unit) {
    startUnit(unit);
    if (unit.outsideWindow) readSellerRows();
    if (unit.window) readWindow(unit.defects);
    if (!unit.outsideWindow) return;
    readAuthenticityClaims();
    readUntimedOrders();
  }

  // The unit's window: tallies, histograms and (if `defects`) defect rows
  // (those that count a tally are read either way).
  void readWindow(bool defects) {
    // Orders first: once a table's bad rows are known (unless there were
    // too many to list), the later queries leave them out by key instead of
    // checking every row again. Indexes, as queries_ is rebuilt on the way.
    for (std::size_t i = 0; i < queries_.grains.size(); ++i) {
      const std::string table = queries_.grains[i].table;
      readRepeatedKeys(table);
      readGrain(queries_.grains[i], defects);
      if (bad_[table].complete()) {
        futureSkipped_[table].push_back(unitIndex_);
      } else {
        readFutureRows(table);
      }
      learnBadRows(table);
    }
    for (const DefectQuery& d : queries_.defects) {
      if (defects || countsTallies(d)) readDefects(d, defects);
    }
    countDefectOrders();
    readHistogram(
        "reading response times", queries_.responseHistogram,
        [](SellerTally & t) -> auto& { return t.responseSeconds; });
    readHistogram(
        "reading claims per product", queries_.productClaims,
        [](SellerTally & t) -> auto& { return t.productClaims; });
  }

  void readSellerRows() {
    each("reading sellers", queries_.sellers, [&](SqlRows& row) {
      ++data_.rowsRead["sellers"];
      // name and country are descriptive only: a NULL is read as empty
      // rather than dropping a seller whose orders still count, and a byte
      // that is not UTF-8 as U+FFFD (a utf8mb4 results column refuses it).
      const std::int64_t id = row.getInt64(0);
      data_.sellers[id] = {id, validUtf8(row.getString(1)), validUtf8(row.getString(2))};
    });
  }

  // Reads a grain query: its tallies, bad rows and (kept if `keepDefects`)
  // defect rows.
  void readGrain(const GrainQuery& grain, bool keepDefects) {
    if (grain.listsOrphans) ++unitsListingOrphans_[grain.table];
    const int bucketColumn = static_cast<int>(3 + grain.tallies.size() + grain.dueColumns);
    const int orphanColumn = bucketColumn + 1;
    const int defectColumn = orphanColumn + (grain.listsOrphans ? 1 : 0);
    each("aggregating " + grain.table, grain.sql, [&](SqlRows& row) {
      const std::int64_t rows = row.getInt64(1);
      data_.rowsRead[grain.table] += rows;
      if (row.isNull(0)) return;  // sound rows of bad orders
      const std::int64_t group = row.getInt64(0);
      // Kept apart until the units are read, as orphanQuery's would be: a
      // table's bad rows, listed whole, are then left out by key.
      if (grain.listsOrphans && row.getInt64(orphanColumn) == 1) {
        listedOrphans_[grain.table].push_back(row.getInt64(2));
        return;
      }
      if (group < 0) {
        // A repeated key is counted (and stays bad) as such.
        if (repeated_[grain.table].count(row.getInt64(2)) != 0) return;
        bad_[grain.table].add(row.getInt64(2), rows, keyLimit_);
        return;
      }
      TallyBucket* bucket = bucketOfRow(row, bucketColumn, group);
      SellerTally& t = bucket != nullptr ? bucket->tally : data_.tallies[group];
      for (std::size_t i = 0; i < grain.tallies.size(); ++i) {
        t[grain.tallies[i]] += row.getInt64(static_cast<int>(3 + i));
      }
      for (std::size_t i = 0; i < grain.dueColumns; ++i) {
        const int column = static_cast<int>(3 + grain.tallies.size() + i);
        if (row.isNull(column)) continue;
        if (bucket != nullptr) {
          dueBy(&bucket->due, row.getInt64(column));
        } else {
          dueBy(group, row.getInt64(column));
        }
      }
      if (!grain.defectMetrics.empty() && !row.isNull(defectColumn)) {
        addDefectRow(row, group, grain.defectMetrics, defectColumn, 2, keepDefects);
      }
    });
  }

  // True when the defect rows `q` lists count a tally (DefectCount).
  bool countsTallies(const DefectQuery& q) const {
    for (const DefectCount& count : queries_.fromDefects) {
      if (std::count(q.metrics.begin(), q.metrics.end(), count.metric) != 0) return true;
    }
    return false;
  }

  // Reads the defect rows `q` lists: kept (if `keep`) and counted for the
  // tallies counted from them.
  void readDefects(const DefectQuery& q, bool keep) {
    each("listing the defects of " + q.table, q.sql,
         [&](SqlRows& row) { addDefectRow(row, row.getInt64(0), q.metrics, 2, 1, keep); });
  }

  // The defect row of `seller` in `row`: its order_id and ordered_at in
  // columns `column` and the next, its key in `keyColumn`, then a reason
  // and a value per metric of `metrics` (DefectQuery). Kept (if `keep`) and
  // counted for the tallies counted from defect rows.
  void addDefectRow(SqlRows& row, std::int64_t seller, const std::vector<MetricId>& metrics,
                    int column, int keyColumn, bool keep) {
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      const int reason = column + 2 + 2 * static_cast<int>(i);
      if (row.isNull(reason)) continue;
      const Defect d{row.getInt64(column), row.getInt64(keyColumn), row.getInt64(column + 1),
                     row.isNull(reason + 1) ? 0 : row.getInt64(reason + 1),
                     static_cast<std::uint16_t>(row.getInt64(reason))};
      if (keep) unsorted_[seller].add(d);
      for (const DefectCount& count : queries_.fromDefects) {
        if (count.metric == metrics[i]) {
          defectOrders_[count.tally].push_back({seller, d.orderId, d.orderedAt});
        }
      }
    }
  }

  // Adds to the tallies counted from defect rows (DefectCount) the distinct
  // orders of the unit's, each in its bucket for a seller tallied in them.
  void countDefectOrders() {
    for (auto& [tally, orders] : defectOrders_) {
      std::sort(orders.begin(), orders.end());
      orders.erase(std::unique(orders.begin(), orders.end()), orders.end());
      for (const SellerOrder& o : orders) {
        const auto width = widths_ != nullptr ? widths_->find(o.seller) : BucketWidths::iterator();
        const bool inBuckets = widths_ != nullptr && width != widths_->end();
        ++(inBuckets ? bucketOf(o.seller, bucketStart(o.orderedAt, width->second))->tally
                     : data_.tallies[o.seller])[tally];
      }
      orders.clear();
    }
    flushBuckets();
  }

  // Adds the buckets a query gave of the seller it was reading (its rows
  // come seller by seller) to the seller's packed ones (a few dozen bytes
  // a bucket, not a few hundred), and their sum to its tally: what was read
  // of it.
  void flushBuckets() {
    if (reading_.empty()) return;
    SellerTally& tally = data_.tallies[readingSeller_];
    std::vector<const SellerTally*> tallies{&tally};
    for (const auto& [b, bucket] : reading_) tallies.push_back(&bucket.tally);
    tally = SellerTally::sumOf(tallies);
    addBuckets(readingSeller_, reading_);
    reading_.clear();
  }

  // Adds `buckets` of `seller` to packed_.
  void addBuckets(std::int64_t seller, const std::map<Timestamp, TallyBucket>& buckets) {
    auto [packed, added] = packed_.try_emplace(seller);
    SellerBuckets all;
    if (!added) all = packed->second.unpack();
    all.width = widths_->at(seller);
    for (const auto& [b, bucket] : buckets) {
      TallyBucket& into = all.buckets[b];
      into.tally.add(bucket.tally);
      if (bucket.due) dueBy(&into.due, *bucket.due);
    }
    packed->second = PackedBuckets(all);
  }

  // How many ids a metric's tallies count against the seller.
  static std::int64_t countedBy(const SellerTally& tally, MetricId metric) {
    const Ratio r = tally.rate(metric);
    return higherIsBetter(metric) ? r.denominator - r.numerator : r.numerator;
  }

  // Sorts each seller's defect rows and checks that they are the very rows
  // its tallies count: a list that disagrees with the numbers (a bug in the
  // definition) fails the read rather than being served.
  void settleDefects() {
    for (const auto& [seller, tally] : data_.tallies) {
      DefectList list;
      if (auto found = unsorted_.find(seller); found != unsorted_.end()) {
        list = std::move(found->second).finish();
        unsorted_.erase(found);  // its room goes seller by seller
      }
      const std::vector<Defect> defects = sortedDefects(list);
      for (std::size_t m = 0; m < kMetricCount; ++m) {
        const auto metric = static_cast<MetricId>(m);
        if (!hasDefects(metric)) continue;
        const std::int64_t units = countedIds(defectsOf(defects, metric));
        const std::int64_t counted = countedBy(tally, metric);
        if (units != counted) {
          throw SourceError("seller " + std::to_string(seller) + ": " + metricName(metric) +
                            " counts " + std::to_string(counted) + " but its defect list has " +
                            std::to_string(units) + " (a bug: please report it)");
        }
      }
      if (!list.empty()) data_.defects.emplace(seller, std::move(list));
    }
    if (!unsorted_.empty()) {
      throw SourceError("seller " + std::to_string(unsorted_.begin()->first) +
                        " has defect rows but no window orders (a bug: please report it)");
    }
  }

  // The problem queries say when each bad row they list may come to be
  // sound by the clock; for a table with more bad rows than they list,
  // every seller with rows in the future is due when the first may.
  void readFutureRows(const std::string& table) {
    each("finding " + table + " in the future", queries_.futureRows.at(table),
         [&](SqlRows& row) { dueWhenSound(row, 0, 1); });
  }

  // A bad row with times in the future may come to be sound by the clock
  // alone: its seller (column `seller`, as found) is due when it may.
  void dueWhenSound(SqlRows& row, int seller, int soundAt) {
    if (row.isNull(soundAt)) return;
    const std::optional<std::int64_t> id = parsePositiveId(row.getString(seller));
    if (!id) return;  // a row without a seller counts for none
    dueBy(*id, row.getInt64(soundAt));
  }

  // The seller is due at `due` at the latest.
  void dueBy(std::int64_t seller, Timestamp due) {
    auto [it, added] = data_.dueAt.emplace(seller, due);
    if (!added) it->second = std::min(it->second, due);
  }
  static void dueBy(std::optional<Timestamp>* at, Timestamp due) {
    if (!*at || due < **at) *at = due;
  }

  // The bucket a row of `seller` adds to (its column `column` not NULL: a
  // seller tallied in buckets), or nullptr: the seller's own tally.
  TallyBucket* bucketOfRow(SqlRows& row, int column, std::int64_t seller) {
    return row.isNull(column) ? nullptr : bucketOf(seller, row.getInt64(column));
  }

  // The bucket starting at `start` of `seller`, whose buckets are being read.
  TallyBucket* bucketOf(std::int64_t seller, Timestamp start) {
    if (seller != readingSeller_) {
      flushBuckets();
      readingSeller_ = seller;
    }
    return &reading_[start];
  }

  void rebuildQueries() {
    queries_ = buildRunQueries(dialect_, now_, rules_, known_, sellers_, share_, widths_);
  }

  // In a table that may repeat keys, the keys of the window that do: bad
  // rows, every copy, which the queries still to run treat as such.
  void readRepeatedKeys(const std::string& table) {
    if (options_.mayRepeatKeys.count(table) == 0) return;
    std::vector<std::int64_t> keys;
    each("looking for repeated keys in " + table, queries_.repeatedKeys.at(table),
         [&](SqlRows& row) {
           if (keys.size() == kMaxRepeatedKeys) {
             throw SourceError("table " + table + ": more than " +
                               std::to_string(kMaxRepeatedKeys) +
                               " keys appear in more than one window row, every one of which "
                               "would be skipped; is it a view that joins to several rows per "
                               "key? (docs/source-rows.md)");
           }
           const std::int64_t key = row.getInt64(0);
           keys.push_back(key);
           if (repeated_[table].emplace(key, row.getInt64(1)).second) {
             bad_[table].add(key, row.getInt64(1), keyLimit_);
           }
         });
    if (keys.empty()) return;
    known_.repeated[table] = std::move(keys);
    rebuildQueries();
  }

  // Rebuilds the queries still to run with the bad rows of `table` left out
  // by key, if its grain query listed every one of them.
  void learnBadRows(const std::string& table) {
    const BadRows& bad = bad_[table];
    if (!bad.complete()) return;
    std::vector<std::int64_t>& keys = known_.bad[table];
    keys.clear();
    for (const auto& [key, rows] : bad.keys()) keys.push_back(key);
    rebuildQueries();
  }

  template <typename Field>
  void readHistogram(const std::string& what, const std::string& sql, Field field) {
    each(what, sql, [&](SqlRows& row) {
      TallyBucket* bucket = bucketOfRow(row, 3, row.getInt64(0));
      field(bucket != nullptr ? bucket->tally : data_.tallies[row.getInt64(0)])[row.getInt64(1)] +=
          row.getInt64(2);
    });
  }

  void readAuthenticityClaims() {
    each("reading authenticity claims", queries_.authenticityClaims, [&](SqlRows& row) {
      ++data_.rowsRead["tickets"];
      const std::int64_t ticketId = row.getInt64(0);
      if (row.getInt64(5) != 0) {
        // A bad claim of a window order is already listed by the window's
        // ticket query.
        if (row.getInt64(6) == 0) bad_["tickets"].add(ticketId, 1, keyLimit_);
        dueWhenSound(row, 1, 7);  // the ladder counts it for its own seller
        return;
      }
      if (row.isNull(2)) {
        // Sound as a ticket, but its order gives no product either.
        noProduct_.insert(ticketId);
        return;
      }
      data_.authenticityClaims.push_back({ticketId, row.getInt64(1), row.getInt64(2),
                                          row.getInt64(3), *parseTicketStatus(row.getString(4))});
    });
  }

  void readUntimedOrders() {
    each("reading orders without a time", queries_.untimedOrders, [&](SqlRows& row) {
      ++data_.rowsRead["orders"];
      bad_["orders"].add(row.getInt64(0), 1, keyLimit_);
    });
  }

  // A claim met more than once (a view that repeats the ticket or its
  // order) would climb the ladder on its own: every copy is skipped.
  void dropRepeatedClaims() {
    std::vector<AuthenticityClaim>& claims = data_.authenticityClaims;
    std::map<std::int64_t, std::int64_t> copies;
    for (const AuthenticityClaim& c : claims) ++copies[c.ticketId];
    for (const auto& [ticketId, n] : copies) {
      if (n < 2 || !repeated_["tickets"].emplace(ticketId, n).second) continue;
      bad_["tickets"].add(ticketId, n, keyLimit_);
    }
    claims.erase(std::remove_if(claims.begin(), claims.end(),
                                [&](const AuthenticityClaim& c) { return copies[c.ticketId] > 1; }),
                 claims.end());
  }

  // After-sales rows changed since `since` (nullopt: all; kNoUpdatedAt:
  // none, only those without an updated_at) whose order is missing, but in
  // the tables `listed` (their grain queries listed them): a full read
  // looks at every row changed since its window began (a row of a window
  // order cannot be older), or at every row where that is cheaper; an
  // incremental one found those of the changed rows among them, and looks
  // at the rows without an updated_at.
  void readOrphans(std::optional<Timestamp> since, const std::set<std::string>& listed) {
    for (const TableDef& table : tables()) {
      if (!table.afterSales || listed.count(table.name) != 0) continue;
      each("finding " + table.name + " without an order", orphanQuery(dialect_, table, since),
           [&](SqlRows& row) { addOrphan(table.name, row.getInt64(0)); });
    }
  }

  void addOrphan(const std::string& table, std::int64_t key) {
    ++data_.rowsRead[table];
    bad_[table].add(key, 1, keyLimit_);
  }

  // The problem text of every listed bad row, then one summary line per
  // table with more bad rows than it lists.
  void readProblems() {
    for (const TableDef& table : tables()) {
      auto it = bad_.find(table.name);
      if (it == bad_.end()) continue;
      const std::map<std::int64_t, std::int64_t>& repeated = repeated_[table.name];
      std::vector<std::int64_t> keys;
      for (const auto& [key, rows] : it->second.keys()) {
        if (repeated.count(key) == 0) {
          keys.push_back(key);
          continue;
        }
        const std::string reason = table.key + " is not unique";
        data_.problems.push_back(
            {table.name, key, reason + ": " + std::to_string(rows) + " rows", reason, rows});
      }
      for (std::size_t i = 0; i < keys.size(); i += kKeysPerProblemQuery) {
        const std::vector<std::int64_t> chunk(
            keys.begin() + static_cast<std::ptrdiff_t>(i),
            keys.begin() +
                static_cast<std::ptrdiff_t>(std::min(keys.size(), i + kKeysPerProblemQuery)));
        readProblemTexts(table, chunk);
      }
    }
    for (std::int64_t ticketId : noProduct_) {
      const std::string problem = "product_id (of the ticket or its order) is NULL";
      data_.problems.push_back({"tickets", ticketId, problem, problem});
    }
    std::map<std::string, std::size_t> order;
    for (const TableDef& t : tables()) order.emplace(t.name, order.size());
    std::sort(data_.problems.begin(), data_.problems.end(),
              [&](const RowProblem& a, const RowProblem& b) {
                return std::make_pair(order[a.table], a.key) <
                       std::make_pair(order[b.table], b.key);
              });
    for (const TableDef& table : tables()) {
      auto it = bad_.find(table.name);
      if (it == bad_.end() || it->second.unlisted() <= 0) continue;
      const std::int64_t unlisted = it->second.unlisted();
      data_.problems.push_back({table.name, 0,
                                std::to_string(unlisted) +
                                    " more rows with problems (only the first " +
                                    std::to_string(keyLimit_) + " keys are listed)",
                                "unlisted", unlisted});
    }
  }

  void readProblemTexts(const TableDef& table, const std::vector<std::int64_t>& keys) {
    each("describing bad rows of " + table.name, problemQuery(dialect_, table, keys, now_, rules_),
         [&](SqlRows& row) {
           const std::int64_t key = row.getInt64(0);
           if (row.isNull(1)) return;  // changed since; no longer bad
           const auto index = static_cast<std::size_t>(row.getInt64(1));
           const RowCheck& check = table.checks.at(index);
           std::string problem = check.problem;
           if (check.showsValue) {
             problem += " " + quoted(row.getString(static_cast<int>(2 + index)));
           }
           const int seller = static_cast<int>(2 + table.checks.size());
           dueWhenSound(row, seller, seller + 1);
           data_.problems.push_back({table.name, key, problem, check.problem});
         });
  }

  SqlSession& session_;
  const Dialect& dialect_;
  const Timestamp now_;
  const Rules& rules_;
  RunQueries queries_;
  const CancelToken& cancel_;
  const ChangeScope* const changes_;
  const CarriedState* const carried_;  // null: none (no recent rows kept)
  const CarriedState* const buckets_;  // null: no seller tallied in buckets
  // An incremental read's sellers: those read whole, and those read in
  // part with the buckets they read.
  std::vector<std::int64_t> whole_;
  std::map<std::int64_t, std::set<Timestamp>> partial_;
  // Of those read in part, the buckets that only orders leaving the window
  // touch (subtractLeaving).
  std::map<std::int64_t, std::set<Timestamp>> leaving_;
  // The width of each bucketed seller's buckets (chooseWidths): the job's
  // choice, or ownWidths_; null until chosen, and when none is bucketed.
  const BucketWidths* widths_ = nullptr;
  BucketWidths ownWidths_;
  // The previous buckets of the sellers read in part, in outline; and
  // those of their buckets that orders left (subtractLeaving), less them.
  std::map<std::int64_t, BucketOutline> previous_;
  std::map<std::int64_t, std::map<Timestamp, TallyBucket>> subtracted_;
  // The buckets read of sellers tallied in buckets, packed until combined;
  // and those of the seller whose rows a query is giving.
  std::map<std::int64_t, PackedBuckets> packed_;
  // The unit being read (its index in readUnits' units), and per table the
  // units whose rows in the future were not read (readSkippedFutureRows).
  std::size_t unitIndex_ = 0;
  std::map<std::string, std::vector<std::size_t>> futureSkipped_;
  std::int64_t readingSeller_ = 0;
  std::map<Timestamp, TallyBucket> reading_;
  // Table -> the orphans its grain queries listed, and how many units' did.
  std::map<std::string, std::vector<std::int64_t>> listedOrphans_;
  std::map<std::string, std::size_t> unitsListingOrphans_;
  std::set<std::string> scanFirst_;                     // KnownRows::scanFirst of a full read
  const std::vector<std::int64_t>* sellers_ = nullptr;  // the sellers read now; null: all
  WindowShare share_;                                   // the share of their window read now
  const std::size_t keyLimit_;
  const ReadOptions& options_;
  const std::size_t sessions_;  // how many may read side by side
  SourceData data_;
  // Each seller's defect rows as listed, until settleDefects sorts them
  // into data_.defects.
  std::map<std::int64_t, DefectList::Builder> unsorted_;
  // The orders of a unit's defect rows, per tally counted from them
  // (DefectCount), until countDefectOrders counts them.
  struct SellerOrder {
    std::int64_t seller = 0;
    std::int64_t order = 0;
    Timestamp orderedAt = 0;
    auto key() const { return std::tie(seller, order, orderedAt); }
    bool operator<(const SellerOrder& other) const { return key() < other.key(); }
    bool operator==(const SellerOrder& other) const { return key() == other.key(); }
  };
  std::map<TallyId, std::vector<SellerOrder>> defectOrders_;
  std::map<std::string, BadRows> bad_;
  // Table -> repeated key -> the rows that hold it.
  std::map<std::string, std::map<std::int64_t, std::int64_t>> repeated_;
  KnownRows known_;
  std::set<std::int64_t> noProduct_;
  // An incremental read's units' sellers (a deque: units point into it).
  std::deque<std::vector<std::int64_t>> chunks_;
  // Table -> the keys of the after-sales rows without an order among the
  // changed rows an incremental read found (readScope).
  std::map<std::string, std::vector<std::int64_t>> changedOrphans_;
  // Set when one of the readers side by side fails, so that the others
  // stop: a helper's stopped_ is the reader's that started it.
  std::atomic<bool> stop_{false};
  const std::atomic<bool>* stopped_ = &stop_;
};

}  // namespace

void probeTables(SqlSession& session) {
  for (const TableDef& table : tables()) {
    std::unique_ptr<SqlRows> rows = session.query("reading table " + table.name, probeQuery(table));
    while (rows->next()) {
    }
  }
}

SourceData readSource(SqlSession& session, const Dialect& dialect, Timestamp now,
                      const Rules& rules, const CancelToken& cancel, const ChangeScope* changes,
                      const CarriedState* buckets, const ReadOptions& options) {
  Reader reader(session, dialect, now, rules, cancel, changes, buckets, options);
  return reader.run();
}

}  // namespace sellertrust::source
