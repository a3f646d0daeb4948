// The SQL of one run, generated from the one definition (definition.h) for
// one engine (dialect.h) at one `now` with one set of rules. Every query
// reads the window's rows once per table: bad rows come back one group
// each (negative group key), so listing them costs no second scan. Pure;
// safe from any thread.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jobs/source/definition.h"
#include "jobs/source/dialect.h"
#include "jobs/source/source.h"
#include "sellertrust/rules.h"
#include "sellertrust/tally_buckets.h"

namespace sellertrust::source {

// Columns: g, n, k, then one per tally. g > 0: a seller, whose sound rows
// the tallies sum; g < 0: one bad row (n rows if keys collide), k its key;
// g NULL: sound rows of bad orders, counted in n only.
// After the tallies, dueColumns columns of epoch seconds (or NULL): when a
// tally of the group next changes by the clock alone (a {passed:...}
// condition comes to hold on one of its rows). Last, b: the bucket
// (bucketStart, of the seller's width) of the group's orders for a seller
// tallied in buckets, else NULL; a seller's groups are then one per bucket.
// When listsOrphans, one more column: 1 for the group of an orphan (one
// bad row), else 0. A read of every seller (no sellers listed, a share
// without ranges or times) lists there the orphans of an after-sales table
// in KnownRows::scanFirst (those a full read looks for: see orphanQuery),
// which it reads whole anyway, its orders LEFT JOINed, rather than in a
// pass of orphanQuery's.
// When defectMetrics is not empty (a read of listed sellers, on an engine
// that groups them cheaply: Dialect::groupsDefectRows, of a table whose key
// cannot be NULL: KnownRows::keyNeverNull), the query also
// lists the table's defect rows, and no DefectQuery is run for the table:
// a sound row that is a defect row of any of those metrics is a group of
// its own, and each group ends with the order_id and ordered_at (epoch
// seconds) of its row, then two columns per metric as in DefectQuery (NULL
// in the groups of other rows). A seller's groups add up, as its tallies
// on the table count rows; one pass instead of two (SQLite, a chunk of
// 1 000 sellers' orders: 258 ms against 210 + 162).
struct GrainQuery {
  std::string table;
  std::string sql;
  std::vector<TallyId> tallies;
  std::size_t dueColumns = 0;
  bool listsOrphans = false;
  std::vector<MetricId> defectMetrics;
};

// Columns: seller, the row's key, order_id, ordered_at (epoch seconds),
// then two per metric of `metrics`: the index in defectReasons() of the
// reason the row counts against it, and the reason's value (each NULL when
// the row is no defect row of that metric, the value also for a reason
// without one). One row per sound window row of `table` that is a defect
// row of any of them (definition.h).
struct DefectQuery {
  std::string table;
  std::string sql;
  std::vector<MetricId> metrics;
};

// A tally with parts on several tables (the distinct window orders with a
// qualifying row in any of them) is the numerator of a metric whose defect
// rows are exactly those rows, each listed with its order: it is counted
// from them, per seller and bucket, rather than by a query of its own that
// walked each unit's orders once more (a SQLite full read at 10 M orders:
// 4.7 of 74 s).
struct DefectCount {
  TallyId tally = TallyId::kOrders;
  MetricId metric = MetricId::kOrderDefectRate;
};

struct RunQueries {
  std::string sellers;                   // seller_id, name, country
  std::vector<GrainQuery> grains;        // orders first
  std::vector<DefectCount> fromDefects;  // tallies over several tables
  std::vector<DefectQuery> defects;      // tables with defect reasons
  std::string responseHistogram;         // g, key, n, b (as in GrainQuery)
  std::string productClaims;             // g, key, n, b
  // ticket_id, seller_id, product, opened_at (epoch seconds), status,
  // bad (1/0), in_window (1/0), sound_at (as in problemQuery): every
  // authenticity claim of all time.
  std::string authenticityClaims;
  std::string untimedOrders;  // order_id of orders in no window
  // Table -> seller, sound_at (as in problemQuery), per seller with window
  // rows that have a time of something that happened in the future: for
  // tables with more bad rows than the problem queries list.
  std::map<std::string, std::string> futureRows;
  // Table -> key, rows: the keys that appear in more than one window row
  // (after-sales rows of sound orders only), for tables that may repeat
  // keys; every table but sellers.
  std::map<std::string, std::string> repeatedKeys;
  // One row: the window's orders, then the rows of each after-sales table
  // (in tables() order), for tablesToScanFirst.
  std::string sizes;
};

// What a read has learnt of the window's rows so far, for the queries it
// has still to run. Table name -> keys.
struct KnownRows {
  // Every bad window row of the table, once its grain query has found them
  // all: the later queries (the after-sales grain queries for orders; the
  // defect lists and histograms for every table) then leave those keys out
  // instead of evaluating every check on every row again.
  std::map<std::string, std::vector<std::int64_t>> bad;
  // Keys that appear in more than one window row of the table (its
  // repeatedKeys query): such rows are bad whatever their checks say.
  std::map<std::string, std::vector<std::int64_t>> repeated;
  // After-sales tables a read of every seller reads first, finding each
  // row's order by key, instead of looking each window order up in them
  // (told so on an engine that needs the order told, Dialect::joinInOrder);
  // their grain queries also list their orphans (GrainQuery).
  std::set<std::string> scanFirst;
  // Tables whose key cannot be NULL: only their grain queries may list
  // defect rows (GrainQuery::defectMetrics), each a group told apart by
  // its key. A NULL key would join the group of the seller's other rows.
  std::set<std::string> keyNeverNull;
};

// The after-sales tables with no more rows than the window has orders:
// `sizes` is the row of RunQueries::sizes. Reading such a table first and
// finding the orders by key reads fewer rows, and sequentially; a larger
// one (a long history against the window) is read through its orders.
std::set<std::string> tablesToScanFirst(const std::vector<std::int64_t>& sizes);

// The window orders of `sellers` with from <= ordered_at < until.
struct SellersInRange {
  std::vector<std::int64_t> sellers;
  Timestamp from = 0;
  Timestamp until = 0;
};

// One share of the window for reads that run side by side on several
// sessions: the window orders with from <= ordered_at < until (a bound
// nullopt: none), of the sellers in part `part` of `parts` (the part
// `placed` names for a seller it lists, else seller_id modulo parts, of
// either sign; part 0 holds every id that is in no other part, NULL
// included), with the after-sales rows whose own seller_id is in that part
// (which is their order's, or the row is bad). Every window order is in
// exactly one share of a split, so the shares' tallies add up to the
// window's. Or, when `ranges` is not empty, the window orders in any of
// them (the buckets of an incremental read, one index range each).
struct WindowShare {
  std::optional<Timestamp> from;
  std::optional<Timestamp> until;
  int parts = 1;
  int part = 0;
  std::map<std::int64_t, int> placed;  // seller id -> its part, 0 <= part < parts
  std::vector<SellersInRange> ranges;
};

// The window dealt out in `n` shares by seller (n >= 1): each seller's
// window is read whole, in one session and one snapshot, and each session
// holds the tallies of its own sellers only (a split by time held every
// seller's once per session: 30 MiB more at 100 k sellers for 2). By
// remainder, but for the `largest` sellers (of `windowOrders` in all):
// under skew a few sellers hold much of the window, and the remainder left
// one of two shares with 61 % of the orders at 10 M. They are placed by
// name, largest first, each in the share with the fewest orders so far,
// the other sellers' orders counted evenly over the shares.
std::vector<WindowShare> splitSellers(int n, std::int64_t windowOrders = 0,
                                      const std::vector<SellerOrders>& largest = {});

// For a split with no previous run to tell the largest sellers: the
// seller_id of the first `rowsPerProbe` orders (by ordered_at) at or after
// each of `probes` times spread evenly over the window, as many rows as
// found. On orders(ordered_at) (windowIndexed, contract.h), short index
// ranges: 5 000 rows by default, where counting each seller's orders reads
// the window.
std::string windowSampleQuery(const Dialect& dialect, Timestamp now, const Rules& rules,
                              int probes = 100, int rowsPerProbe = 50);

// The `most` sellers with the most orders, most first (among equals, the
// smaller id): those splitSellers places by name. Enough that the rest,
// dealt out by remainder, are each a small part of the window.
std::vector<SellerOrders> largestOf(std::vector<SellerOrders> sellers, std::size_t most = 64);

// largestOf the sellers of a sample of the window's orders (their seller
// ids), each with its number of orders in the sample, for splitSellers
// (with the sample's size as windowOrders).
std::vector<SellerOrders> largestInSample(const std::vector<std::int64_t>& sample,
                                          std::size_t most = 64);

// Every seller's window, or (sellers not null) only that of the sellers
// listed, or only the share of it `share` bounds (with ranges, `sellers`
// lists theirs); the sellers `bucketed` lists are tallied per bucket of
// their width. Throws std::invalid_argument when the rules are invalid or a
// time is outside what the engine can hold.
RunQueries buildRunQueries(const Dialect& dialect, Timestamp now, const Rules& rules,
                           const KnownRows& known = {},
                           const std::vector<std::int64_t>* sellers = nullptr,
                           const WindowShare& share = {}, const BucketWidths* bucketed = nullptr);

// The rows of `table` updated at or after `since`. Columns: updated_at
// (epoch seconds), the row's key, then from kFirstDigestColumn what the
// row's digest covers: the seller and the ordered_at (epoch seconds) of its
// order (orders and after-sales rows; NULL for an orphan), its own seller_id
// (sellers and after-sales rows, the ladder counting a ticket's claims for
// it; NULL for orders), then every column of the table. As found: NULL or
// not an id included. Last, at changedRowsColumns(table): 1 for a row that
// orphanQuery lists, else 0, so that an incremental read finds them in the
// same pass.
std::string changedRowsQuery(const Dialect& dialect, const TableDef& table, Timestamp since);
inline constexpr int kFirstDigestColumn = 2;
inline int changedRowsColumns(const TableDef& table) {
  return 5 + static_cast<int>(table.columns.size());
}

// Columns: seller, ordered_at (epoch seconds), left (1: the order left the
// window, 0: it entered it): the orders that crossed an edge of the window since a
// run whose window was `previous`.
std::string windowEdgesQuery(const Dialect& dialect, const Window& previous, const Window& current);

// One row, one column per table (NULL for none): the latest updated_at at or
// before `now`, in epoch seconds.
std::string watermarkQuery(const Dialect& dialect, Timestamp now);

// No rows: every column of `table` from the table, so that running it shows
// whether a run's read can start (the table or view exists, has every
// column and may be read) without reading a row.
std::string probeQuery(const TableDef& table);

// One column, keys: the rows of an after-sales `table` whose order_id names
// no order (the kNoOrder check), of those updated at or after `since` (or
// with no updated_at; nullopt: every row; kNoUpdatedAt: only those with
// none, which changedRowsQuery does not read), but for authenticity claims,
// which the run's claims query reports.
inline constexpr Timestamp kNoUpdatedAt = std::numeric_limits<Timestamp>::max();
std::string orphanQuery(const Dialect& dialect, const TableDef& table,
                        std::optional<Timestamp> since);

// The `since` of the orphans a full read looks for, whether its grain
// queries list them or orphanQuery does: every row on an engine that scans
// whole tables for them more cheaply, else the rows changed since the
// window began (a row of a window order cannot be older).
std::optional<Timestamp> fullReadOrphansSince(const Dialect& dialect, Timestamp now,
                                              const Rules& rules);

// key, the index in table.checks of the row's first failing check at
// `now`, then one column per check: the checked column's value as text
// (NULL unless the check shows it); then the seller of the row's order, and
// sound_at: when a row whose times of things that happened lie in the
// future may come to be sound by the clock alone (epoch seconds of the
// first such time less the skew), NULL for none. `keys` must not be empty.
std::string problemQuery(const Dialect& dialect, const TableDef& table,
                         const std::vector<std::int64_t>& keys, Timestamp now, const Rules& rules);

}  // namespace sellertrust::source
