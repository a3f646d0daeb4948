// Runs a run's generated queries and assembles SourceData.
#include "jobs/source/source_reader.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "jobs/source/queries.h"

namespace sellertrust::source {
namespace {

constexpr std::int64_t kRowsBetweenCancelChecks = 4096;
// Keys per problem query; keeps the IN list short.
constexpr std::size_t kKeysPerProblemQuery = 500;
constexpr std::size_t kMaxQuotedChars = 40;

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
         const CancelToken& cancel, const ChangeScope* changes, const ReadOptions& options)
      : session_(session),
        dialect_(dialect),
        now_(now),
        rules_(rules),
        // Built before the read starts: invalid rules or times fail first.
        queries_(buildRunQueries(dialect, now, rules)),
        cancel_(cancel),
        changes_(changes),
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
    if (changes_ != nullptr) scope = readScope();
    if (scope && changes_->cheaperToReadAll && changes_->cheaperToReadAll(*scope)) {
      scope.reset();  // one pass over every seller
    }
    readUnits(scope ? chunksOf(*scope) : sharesOfTheWindow());
    if (scope) data_.scope = std::move(scope);
    dropRepeatedClaims();
    if (data_.scope) {
      readOrphans(changes_->changedSince);
    } else if (dialect_.scansWholeTablesForOrphans()) {
      readOrphans(std::nullopt);
    } else {
      readOrphans(windowAt(now_, rules_).begin);
    }
    readProblems();
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
  };

  // An incremental read: the sellers in chunks that keep IN lists short.
  std::vector<Unit> chunksOf(const std::vector<std::int64_t>& scope) {
    const std::size_t size = std::max<std::size_t>(1, options_.settings.sellersPerQuery);
    for (std::size_t i = 0; i < scope.size(); i += size) {
      chunks_.emplace_back(
          scope.begin() + static_cast<std::ptrdiff_t>(i),
          scope.begin() + static_cast<std::ptrdiff_t>(std::min(scope.size(), i + size)));
    }
    std::vector<Unit> units;
    for (const std::vector<std::int64_t>& chunk : chunks_) units.push_back({&chunk, {}, true});
    return units;
  }

  // A full read: the window in one share per session. A table whose keys
  // may repeat is read whole, as a key may repeat across shares.
  std::vector<Unit> sharesOfTheWindow() const {
    const std::size_t shares = options_.mayRepeatKeys.empty() ? sessions_ : 1;
    std::vector<Unit> units;
    for (const WindowShare& share : splitWindow(windowAt(now_, rules_), static_cast<int>(shares))) {
      units.push_back({nullptr, share, units.empty()});
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
                                                 changes_, options_));
      helpers.back()->stopped_ = &stop_;
    }
    // Reader i reads units i, i + readers, ...
    const auto readDealt = [&](Reader& reader, std::size_t first) {
      for (std::size_t u = first; u < units.size(); u += readers) reader.readUnit(units[u]);
      reader.settleDefects();
    };
    std::vector<std::exception_ptr> failures(readers);
    std::vector<std::thread> threads;
    try {
      for (std::size_t i = 1; i < readers; ++i) {
        threads.emplace_back([&, i] {
          try {
            readDealt(*helpers[i - 1], i);
          } catch (...) {
            failures[i] = std::current_exception();
            stop_.store(true);
          }
        });
      }
    } catch (...) {  // no thread to be had: the started ones stop
      stop_.store(true);
      for (std::thread& t : threads) t.join();
      throw;
    }
    try {
      readDealt(*this, 0);
    } catch (...) {
      failures[0] = std::current_exception();
      stop_.store(true);
    }
    for (std::thread& t : threads) t.join();
    rethrowFirstFailure(failures);
    for (std::size_t i = 0; i < helpers.size(); ++i) {
      sessions[i]->endRead();
      gather(std::move(*helpers[i]));
      helpers[i].reset();  // what it held is gathered: its memory goes now
      sessions[i].reset();
    }
#ifdef __GLIBC__
    // glibc keeps what each helper thread freed in that thread's own arena,
    // where the rest of the run cannot reuse it: give it back.
    if (!helpers.empty()) malloc_trim(0);
#endif
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
    // Moves the lists of sellers new to this reader, merges the others'.
    data_.defects.merge(from.defects);
    for (auto& [seller, defects] : from.defects) {
      DefectList& mine = data_.defects[seller];
      std::vector<Defect> both = mine.decode();
      const std::vector<Defect> theirs = defects.decode();
      both.insert(both.end(), theirs.begin(), theirs.end());
      sortDefects(&both);
      mine = DefectList(both);
      defects = DefectList();
    }
    data_.authenticityClaims.insert(data_.authenticityClaims.end(), from.authenticityClaims.begin(),
                                    from.authenticityClaims.end());
    for (const auto& [table, rows] : from.rowsRead) data_.rowsRead[table] += rows;
    for (const auto& [table, bad] : other.bad_) bad_[table].merge(bad, keyLimit_);
    for (auto& [table, keys] : other.repeated_) repeated_[table].merge(keys);
    noProduct_.merge(other.noProduct_);
  }

  void checkCancelled() const {
    if (cancel_.cancelled() || stopped_->load()) throw RunCancelled();
  }

  template <typename OnRow>
  void each(const std::string& what, const std::string& sql, OnRow onRow) {
    checkCancelled();
    std::unique_ptr<SqlRows> rows = session_.query(what, sql);
    std::int64_t n = 0;
    while (rows->next()) {
      onRow(*rows);
      if (++n % kRowsBetweenCancelChecks == 0) checkCancelled();
    }
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

  // The sellers an incremental read covers, ascending: those with changed
  // rows or orders across the window's edges, and the due ones.
  std::vector<std::int64_t> readScope() {
    std::set<std::int64_t> scope(changes_->dueSellers.begin(), changes_->dueSellers.end());
    const std::string sql =
        changedSellersQuery(dialect_, changes_->changedSince,
                            windowAt(changes_->previousNow, rules_), windowAt(now_, rules_));
    each("finding the sellers with changes", sql, [&](SqlRows& row) {
      // A value that is not an id names no seller a run reads.
      if (!row.isNull(0) && row.getInt64(0) > 0) scope.insert(row.getInt64(0));
    });
    return {scope.begin(), scope.end()};
  }

  // Everything a run reads about one unit.
  void readUnit(const Unit& unit) {
    sellers_ = unit.sellers;
    share_ = unit.share;
    known_ = {};
    rebuildQueries();
    if (unit.outsideWindow) readSellerRows();
    // Orders first: once a table's bad rows are known (unless there were
    // too many to list), the later queries leave them out by key instead of
    // checking every row again. Indexes, as queries_ is rebuilt on the way.
    for (std::size_t i = 0; i < queries_.grains.size(); ++i) {
      const std::string table = queries_.grains[i].table;
      readRepeatedKeys(table);
      readGrain(queries_.grains[i]);
      if (!bad_[table].complete()) readFutureRows(table);
      learnBadRows(table);
    }
    for (const UnionQuery& u : queries_.unions) readUnion(u);
    for (const DefectQuery& d : queries_.defects) readDefects(d);
    readHistogram(
        "reading response times", queries_.responseHistogram,
        [](SellerTally & t) -> auto& { return t.responseSeconds; });
    readHistogram(
        "reading claims per product", queries_.productClaims,
        [](SellerTally & t) -> auto& { return t.productClaims; });
    if (!unit.outsideWindow) return;
    readAuthenticityClaims();
    readUntimedOrders();
  }

  void readSellerRows() {
    each("reading sellers", queries_.sellers, [&](SqlRows& row) {
      ++data_.rowsRead["sellers"];
      // name and country are descriptive only; a NULL is read as empty
      // rather than dropping a seller whose orders still count.
      const std::int64_t id = row.getInt64(0);
      data_.sellers[id] = {id, row.getString(1), row.getString(2)};
    });
  }

  void readGrain(const GrainQuery& grain) {
    each("aggregating " + grain.table, grain.sql, [&](SqlRows& row) {
      const std::int64_t rows = row.getInt64(1);
      data_.rowsRead[grain.table] += rows;
      if (row.isNull(0)) return;  // sound rows of bad orders
      const std::int64_t group = row.getInt64(0);
      if (group < 0) {
        // A repeated key is counted (and stays bad) as such.
        if (repeated_[grain.table].count(row.getInt64(2)) != 0) return;
        bad_[grain.table].add(row.getInt64(2), rows, keyLimit_);
        return;
      }
      SellerTally& t = data_.tallies[group];
      for (std::size_t i = 0; i < grain.tallies.size(); ++i) {
        t[grain.tallies[i]] += row.getInt64(static_cast<int>(3 + i));
      }
      for (std::size_t i = 0; i < grain.dueColumns; ++i) {
        const int column = static_cast<int>(3 + grain.tallies.size() + i);
        if (row.isNull(column)) continue;
        dueBy(group, row.getInt64(column));
      }
    });
  }

  void readDefects(const DefectQuery& q) {
    each("listing the defects of " + q.table, q.sql, [&](SqlRows& row) {
      const std::int64_t seller = row.getInt64(0);
      DefectList::Builder& defects = unsorted_[seller];
      for (std::size_t i = 0; i < q.metrics.size(); ++i) {
        const int reason = static_cast<int>(4 + 2 * i);
        if (row.isNull(reason)) continue;
        const Defect d{row.getInt64(1), row.getInt64(2), row.getInt64(3),
                       row.isNull(reason + 1) ? 0 : row.getInt64(reason + 1),
                       static_cast<std::uint16_t>(row.getInt64(reason))};
        defects.add(d);
      }
    });
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
      std::vector<Defect> defects;
      if (auto found = unsorted_.find(seller); found != unsorted_.end()) {
        defects = std::move(found->second).finish().decode();
        unsorted_.erase(found);  // its room goes seller by seller
        sortDefects(&defects);
      }
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
      if (!defects.empty()) data_.defects.emplace(seller, DefectList(defects));
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

  void rebuildQueries() {
    queries_ = buildRunQueries(dialect_, now_, rules_, known_, sellers_, share_);
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

  void readUnion(const UnionQuery& u) {
    each(std::string("aggregating ") + tallyName(u.tally), u.sql,
         [&](SqlRows& row) { data_.tallies[row.getInt64(0)][u.tally] += row.getInt64(1); });
  }

  template <typename Field>
  void readHistogram(const std::string& what, const std::string& sql, Field field) {
    each(what, sql, [&](SqlRows& row) {
      field(data_.tallies[row.getInt64(0)])[row.getInt64(1)] += row.getInt64(2);
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

  // After-sales rows changed since `since` (nullopt: all) whose order is
  // missing: a full read looks at every row changed since its window began
  // (a row of a window order cannot be older), or at every row where that
  // is cheaper; an incremental one at the changed rows.
  void readOrphans(std::optional<Timestamp> since) {
    for (const TableDef& table : tables()) {
      if (!table.afterSales) continue;
      each("finding " + table.name + " without an order", orphanQuery(dialect_, table, since),
           [&](SqlRows& row) {
             ++data_.rowsRead[table.name];
             bad_[table.name].add(row.getInt64(0), 1, keyLimit_);
           });
    }
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
  const std::vector<std::int64_t>* sellers_ = nullptr;  // the sellers read now; null: all
  WindowShare share_;                                   // the share of their window read now
  const std::size_t keyLimit_;
  const ReadOptions& options_;
  const std::size_t sessions_;  // how many may read side by side
  SourceData data_;
  // Each seller's defect rows as listed, until settleDefects sorts them
  // into data_.defects.
  std::map<std::int64_t, DefectList::Builder> unsorted_;
  std::map<std::string, BadRows> bad_;
  // Table -> repeated key -> the rows that hold it.
  std::map<std::string, std::map<std::int64_t, std::int64_t>> repeated_;
  KnownRows known_;
  std::set<std::int64_t> noProduct_;
  std::vector<std::vector<std::int64_t>> chunks_;  // an incremental read's units' sellers
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
                      const ReadOptions& options) {
  Reader reader(session, dialect, now, rules, cancel, changes, options);
  return reader.run();
}

}  // namespace sellertrust::source
