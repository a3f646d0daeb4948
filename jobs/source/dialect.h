// What differs between the SQL of SQLite and of MySQL/MariaDB, for the
// queries generated from the one definition: time arithmetic and validity,
// type checks, literals. Everything else is written once in portable SQL.
// Stateless; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "jobs/source/definition.h"
#include "sellertrust/time.h"

namespace sellertrust::source {

class Dialect {
 public:
  virtual ~Dialect() = default;

  // The seconds from time a to time b (NULL if either is NULL).
  virtual std::string secondsBetween(const std::string& a, const std::string& b) const = 0;
  // The seconds since the Unix epoch of a time.
  virtual std::string epochSeconds(const std::string& time) const = 0;
  // The bucket `width` seconds wide of a time, as bucketStart()
  // (tally_buckets.h) gives it; NULL for NULL.
  virtual std::string bucketStart(const std::string& time, Timestamp width) const = 0;
  // A time literal. Throws std::invalid_argument when the engine's time
  // type cannot hold it.
  virtual std::string timeLiteral(Timestamp t) const = 0;
  // Conditions that hold for rows whose `column` can lie in no window (NULL,
  // or a value that sorts before any valid time or after): no two hold for
  // one row, and each is one range of an index on the column (or on a
  // seller and it), so a query can read them as a UNION ALL. As one OR,
  // SQLite walked the whole range of each seller listed.
  virtual std::vector<std::string> untimed(const std::string& column) const = 0;
  // A condition that holds iff `column` is exactly `name`, byte for byte
  // (on rows not yet checked, where a collation would match 'Name ').
  virtual std::string isExactly(const std::string& column, const std::string& name) const = 0;
  // A column's value as text, for problem messages.
  virtual std::string asText(const std::string& column) const = 0;
  // True when a full run should look for orphans (after-sales rows without
  // an order) in the whole table rather than in the rows changed since its
  // window began: the cheaper of the two scans on this engine.
  virtual bool scansWholeTablesForOrphans() const = 0;
  // Ends a subquery whose rows an outer query groups, so that the engine
  // groups the subquery's few values per row: SQLite would flatten it into
  // the outer query and sort the table's columns (LIMIT -1 keeps it apart);
  // MySQL merges it into the same plan either way.
  virtual std::string keepApart() const = 0;
  // The join that reads its left table first, for an engine that plans
  // without statistics (SQLite: CROSS JOIN; without statistics it looks
  // each window order up in an after-sales table, 3 s against 0.4 s for
  // reading the table's 280 k refunds first at 10 M orders); "" for one
  // whose optimizer chooses from its statistics (MySQL).
  virtual std::string joinInOrder() const = 0;
  // `condition` on an after-sales row (c) and its order (o), read orders
  // first, as one term the engine tests once it has found the row: SQLite
  // tests each AND term on o alone as soon as it reads o, and reads the
  // order's whole row for it, where the (seller_id, ordered_at) index
  // serves orders without such rows (a chunk of 1 000 sellers' refund
  // defects: 235 against 46 ms); MySQL reads the row either way.
  virtual std::string onceJoined(const std::string& condition) const = 0;
  // True when a grain query should list its table's defect rows, each a
  // group of its own (GrainQuery::defectMetrics): SQLite sorts the rows it
  // groups either way, and saves a pass.
  virtual bool groupsDefectRows() const = 0;

  // The condition that holds iff `check` finds the row of `alias` bad, or
  // "" when the engine's typed columns cannot hold such a value.
  std::string condition(const RowCheck& check, const std::string& alias) const;
  // One condition that holds iff any of the column's own checks does (NULL
  // counts as not bad): the same verdict in fewer operations, for the
  // aggregates that only need to know whether a row is bad, not why.
  virtual std::string columnBad(const ColumnDef& column, const std::string& alias) const;

 protected:
  // Each holds for a non-NULL value of the kind named; "" if impossible.
  virtual std::string badTime(const std::string& column) const = 0;
  virtual std::string notInteger(const std::string& column) const = 0;
  virtual std::string unknownName(const std::string& column,
                                  const std::string& quotedNames) const = 0;
};

// The SQLite dialect's time check calls this function, which every SQLite
// source session registers (registerSqliteFunctions, sqlite_source.h): 1
// unless its argument is NULL or a canonical time (isCanonicalUtc).
inline constexpr const char* kSqliteBadTimeFunction = "sellertrust_bad_time";

const Dialect& sqliteDialect();
const Dialect& mysqlDialect();

// 'text' as an SQL string literal.
std::string sqlString(const std::string& text);

}  // namespace sellertrust::source
