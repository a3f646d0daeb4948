// The SQL of one run, generated from the one definition (definition.h) for
// one engine (dialect.h) at one `now` with one set of rules. Every query
// reads the window's rows once per table: bad rows come back one group
// each (negative group key), so listing them costs no second scan. Pure;
// safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "jobs/source/definition.h"
#include "jobs/source/dialect.h"
#include "sellertrust/rules.h"

namespace sellertrust::source {

// Columns: g, n, k, then one per tally. g > 0: a seller, whose sound rows
// the tallies sum; g < 0: one bad row (n rows if keys collide), k its key;
// g NULL: sound rows of bad orders, counted in n only.
struct GrainQuery {
  std::string table;
  std::string sql;
  std::vector<TallyId> tallies;
};

// Columns: g (a seller), then the one tally (distinct orders).
struct UnionQuery {
  TallyId tally = TallyId::kOrders;
  std::string sql;
};

struct RunQueries {
  std::string sellers;             // seller_id, name, country
  std::vector<GrainQuery> grains;  // orders first
  std::vector<UnionQuery> unions;  // tallies over several tables
  std::string responseHistogram;   // g, key, n
  std::string productClaims;       // g, key, n
  // ticket_id, seller_id, product, opened_at (epoch seconds), status,
  // bad (1/0), in_window (1/0): every authenticity claim of all time.
  std::string authenticityClaims;
  std::string untimedOrders;  // order_id of orders in no window
};

// Table name -> the keys of every bad window row of that table, once its
// grain query has found them all: the later queries (the after-sales grain
// queries for orders; the unions and histograms for every table) then leave
// those keys out instead of evaluating every check on every row again.
using KnownBadRows = std::map<std::string, std::vector<std::int64_t>>;

// Throws std::invalid_argument when the rules are invalid or a time is
// outside what the engine can hold.
RunQueries buildRunQueries(const Dialect& dialect, Timestamp now, const Rules& rules,
                           const KnownBadRows& knownBad = {});

// key, the index in table.checks of the row's first failing check, then
// one column per check: the checked column's value as text (NULL unless the
// check shows it). `keys` must not be empty.
std::string problemQuery(const Dialect& dialect, const TableDef& table,
                         const std::vector<std::int64_t>& keys);

// Replaces {name} by params' value, {secs:a,b} by the dialect's seconds
// from time a to time b, and {is:column,name} by its exact comparison. An unknown name is a bug in
// the definition: logic_error.
std::string expand(const std::string& sql, const Dialect& dialect,
                   const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace sellertrust::source
