// The one definition of what a run reads and counts: the SPEC §1 source
// tables with their columns and row checks, and every SPEC §2 tally as a
// condition on one table's rows joined to their window order. It is data,
// written in a portable subset of SQL with a few dialect macros (dialect.h);
// queries.cc generates from it the SQL that SQLite and MySQL/MariaDB run, so
// every rule (for example "a claim is a ticket whose kind is neither
// question nor other") exists once in the tree. Immutable; safe from any
// thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sellertrust/defect_list.h"
#include "sellertrust/metrics.h"

namespace sellertrust::source {

enum class ColumnType {
  kKey,       // the primary key; never checked
  kId,        // a positive integer id
  kInt,       // an integer
  kBool,      // 0 or 1
  kTime,      // a UTC time when something happened: not after the run's now
              // plus rules.clock_skew_seconds
  kDeadline,  // a UTC time by which something is due: may lie ahead
  kEnum,      // one of the SPEC's names
  kText,      // descriptive text; never checked
  kAmount,    // a decimal amount; never checked
};

inline bool isTime(ColumnType type) {
  return type == ColumnType::kTime || type == ColumnType::kDeadline;
}

struct ColumnDef {
  std::string name;
  ColumnType type = ColumnType::kText;
  bool required = false;           // NULL is a problem
  std::vector<std::string> names;  // kEnum: the allowed values
  // False for columns the run never reads: they are part of the contract
  // (source/contract.h) but carry no checks.
  bool read = true;
};

// The run parameter (queries.cc) that kFuture checks compare with: the
// latest possible time of something that happened, now plus the skew.
inline constexpr const char* kLatestTime = "{latest_time}";

// What a row check tests. Every kind but kCondition is derived from a
// column's type; the dialect renders each.
enum class CheckKind {
  kNull,         // a required column is NULL
  kNotInteger,   // an integer column holds something else (typeless engines)
  kNotPositive,  // an id below 1
  kNotBool,      // a boolean other than 0 or 1
  kBadTime,      // not a valid calendar time
  kFuture,       // a time of something that happened, later than now + skew
  kUnknownName,  // an enum value that is not one of the names
  kNoOrder,      // an after-sales row whose order_id names no order (an orphan)
  kCondition,    // an impossible combination of values, in portable SQL
};

// One way a row can be bad. A table's checks run in order and the first
// that holds is the row's reported problem.
struct RowCheck {
  CheckKind kind = CheckKind::kCondition;
  std::string column;              // the column checked (kCondition: none)
  std::vector<std::string> names;  // kUnknownName
  std::string condition;           // kCondition: holds iff the row is bad
  std::string problem;             // the text reported, e.g. "stars is outside 1-5"
  bool showsValue = false;         // the problem ends with the column's value, quoted
};

struct TableDef {
  std::string name;
  std::string key;
  // After-sales rows count through their order: they are joined to it as
  // `o` and read only for window orders; their own alias is `c`.
  bool afterSales = false;
  std::vector<ColumnDef> columns;
  std::vector<RowCheck> checks;

  std::string alias() const { return afterSales ? "c" : "o"; }
};

enum class Aggregate {
  kCountRows,    // rows that satisfy `where`
  kCountOrders,  // distinct window orders with at least one such row
  kSum,          // the sum of `sumOf` over such rows
};

// One tally, or one part of it: a tally with parts on several tables counts
// the distinct orders that have a qualifying row in any of them.
struct TallyDef {
  TallyId id = TallyId::kOrders;
  std::string table;
  Aggregate aggregate = Aggregate::kCountRows;
  std::string where;  // portable SQL over o (and c); "" for every row
  std::string sumOf;  // kSum only
};

// A per-seller histogram: the sound rows of `table` satisfying `where`,
// counted per value of `key`.
struct HistogramDef {
  std::string name;
  std::string table;
  std::string key;
  std::string where;
};

// Why a row counts against a metric, for the drill-down (SPEC §4
// /defects). The rows a metric holds against a seller are its defect rows:
// the rows its numerator counts or, where a higher value is better, the
// rows of its denominator that the numerator does not count; defectCondition
// generates that from the tallies. Each defect row of `table` gets the first
// of the metric's reasons on that table whose `when` holds ("" always does).
struct DefectReasonDef {
  MetricId metric = MetricId::kOrderDefectRate;
  std::string table;
  std::string name;  // unique over every metric, e.g. "shipped_late"
  std::string when;  // portable SQL over o (and c), or ""
  // How it counts, as an integer (SQL; "" for none) named valueName: stars,
  // seconds late, or a time as epoch seconds (valueIsTime).
  std::string valueName;
  std::string value;
  bool valueIsTime = false;
};

// An index the generated queries need: its leading columns, in order.
struct IndexDef {
  std::string table;
  std::vector<std::string> columns;
  std::string why;           // the queries it serves, for the contract check's message
  std::string name() const;  // table_column[_column...]
};

// The SPEC §1 tables, sellers first, then orders, then the after-sales ones.
const std::vector<TableDef>& tables();

// Every index the queries need, in table order; a primary key serves as an
// index on its column.
const std::vector<IndexDef>& indexes();
const TableDef& table(const std::string& name);

// Every tally part, in TallyId order.
const std::vector<TallyDef>& tallies();

// First-response delay in seconds -> answered tickets.
const HistogramDef& responseHistogram();
// Product (the ticket's, else the order's) -> claims on window orders.
const HistogramDef& productClaims();

// Every defect reason, grouped by metric in MetricId order, then by table.
const std::vector<DefectReasonDef>& defectReasons();
// The index in defectReasons() of the reason named, or nullopt.
std::optional<std::size_t> defectReasonIndex(std::string_view name);
// The metrics with defect rows: every rate (rating_average is a mean).
bool hasDefects(MetricId metric);
// The condition (portable SQL over o and c) that holds iff a sound window
// row of `table` is a defect row of `metric`, from the metric's tallies.
// Throws std::logic_error if the metric has no tally part on that table.
std::string defectCondition(MetricId metric, const std::string& table);
// The metric whose numerator `tally` is and whose defect rows count orders:
// the distinct orders of its defect rows are the tally. Throws
// std::logic_error when there is none.
MetricId metricCountedByDefects(TallyId tally);
// What a metric's defect rows count: "orders" when it counts orders, else
// the after-sales table whose rows it counts (tickets, return_requests).
const std::string& defectUnit(MetricId metric);
// The metric a defect counts against, and the id of what it counts there:
// its order, or its own row.
MetricId defectMetric(const Defect& defect);
std::int64_t countedId(const Defect& defect);
// The defects of `metric` in a list that sortDefects ordered: a subrange.
using DefectRange =
    std::pair<std::vector<Defect>::const_iterator, std::vector<Defect>::const_iterator>;
DefectRange defectsOf(const std::vector<Defect>& defects, MetricId metric);
// How many distinct ids (countedId) such a range holds: what its metric
// counts against the seller.
std::int64_t countedIds(const DefectRange& range);
// Orders defects by metric, then counted id, then reason, then row.
void sortDefects(std::vector<Defect>* defects);
// The defects of a list, so ordered.
std::vector<Defect> sortedDefects(const DefectList& defects);
// Defects as text, the form the results database keeps (a row per seller
// and day): "order:row:ordered_at:reason:value:" per defect
// (ordered_at in epoch seconds, the reason by name, the value empty for a
// reason without one; the last ':' shows the entry whole), joined by ','.
std::string formatDefectList(const DefectList& defects);
// The defects of such a text, in its order. Throws std::invalid_argument
// when it is not one (empty, or cut short).
DefectList parseDefectList(const std::string& text);

// The authenticity ladder's claims: every ticket of this condition (alias
// c, any time, any status), with its product as `claimProduct`.
const std::string& authenticityClaim();
const std::string& claimProduct();

}  // namespace sellertrust::source
