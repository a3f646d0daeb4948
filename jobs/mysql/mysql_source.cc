// The MySQL source: the row checks of records.cc written as SQL, the grouped
// queries that apply metrics.cc's tallyOrder in the database, and the
// information_schema check of the contract.
//
// Every query is a named template whose {placeholders} are filled by
// expand() with literals this file generates itself: integers, and times
// formatted by formatUtc. No outside data is ever spliced into SQL, which is
// what lets every query run on a plain forward-only (streaming) statement.
#include "jobs/mysql/mysql_source.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

namespace sellertrust {
namespace {

// One way a row can be bad: `when` is an SQL condition, `problem` an SQL
// string expression. A table's checks run in order and the first that holds
// is the row's problem, as the C++ path reports the first one it meets.
struct Check {
  std::string when;
  std::string problem;
};

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::string nameList(std::initializer_list<const char*> names) {
  std::string out;
  for (const char* name : names) {
    if (!out.empty()) out += ", ";
    out += quoted(name);
  }
  return out;
}

// The enum names of SPEC §1, as records.cc parses them.
const std::string kCancelledBy = nameList({"seller", "buyer", "operator"});
const std::string kFulfilledBy = nameList({"seller", "operator"});
const std::string kTicketKinds =
    nameList({"not_received", "late_delivery", "damaged", "defective", "not_as_described",
              "wrong_item", "authenticity", "question", "other"});
const std::string kTicketStatuses =
    nameList({"open", "escalated", "under_review", "granted_seller_funded",
              "granted_operator_funded", "refunded", "resolved", "withdrawn", "refused"});
const std::string kRefundMethods =
    nameList({"original_payment", "bank_transfer", "store_credit", "promo_code"});
const std::string kRefundKinds = nameList({"full", "partial"});
const std::string kRefundReasons =
    nameList({"non_conforming", "defective", "late_delivery", "not_received", "price_match",
              "return", "goodwill", "other"});
const std::string kReturnResolutions = nameList({"refund", "replacement", "rejected"});
const std::string kLiabilities = nameList({"service", "fraud"});

// A DATETIME the C++ path could not parse: MariaDB stores zero dates
// ('0000-00-00'), zero days ('2024-05-00') and, under ALLOW_INVALID_DATES,
// days past the month's end, all of which parseUtc rejects.
std::string invalidTime(const std::string& column) {
  return "(MONTH(" + column + ") BETWEEN 1 AND 12 AND DAYOFMONTH(" + column +
         ") BETWEEN 1 AND DAYOFMONTH(LAST_DAY(" + column + "))) IS NOT TRUE";
}

void requiredValue(std::vector<Check>* checks, const std::string& alias, const char* column) {
  checks->push_back({alias + "." + column + " IS NULL", quoted(std::string(column) + " is NULL")});
}

void requiredTime(std::vector<Check>* checks, const std::string& alias, const char* column) {
  requiredValue(checks, alias, column);
  checks->push_back(
      {invalidTime(alias + "." + column), quoted(std::string(column) + " is not a valid time")});
}

void optionalTime(std::vector<Check>* checks, const std::string& alias, const char* column) {
  const std::string c = alias + "." + column;
  checks->push_back({c + " IS NOT NULL AND " + invalidTime(c),
                     quoted(std::string(column) + " is not a valid time")});
}

// Enum values compare as bytes: an operator's view may hold plain strings,
// and the collation would otherwise accept 'Seller' or 'seller ' for
// 'seller', which the C++ parser rejects.
void enumValue(std::vector<Check>* checks, const std::string& alias, const char* column,
               const std::string& names, bool required) {
  const std::string c = alias + "." + column;
  if (required) requiredValue(checks, alias, column);
  checks->push_back(
      {c + " IS NOT NULL AND CAST(" + c + " AS BINARY) NOT IN (" + names + ")",
       "CONCAT('unknown " + std::string(column) + " ''', LEFT(" + c + ", 40), '''')"});
}

std::string caseOf(const std::vector<Check>& checks) {
  if (checks.empty()) return "NULL";
  std::string out = "CASE";
  for (const Check& check : checks) {
    out += "\n    WHEN " + check.when + " THEN " + check.problem;
  }
  return out + "\n  END";
}

// A table's checks in two stages, as the C++ path runs them: the reader's
// column checks (NULLs, unknown enums, unparsable times) as it converts a
// row, then sanitizeOrder's impossible values. The stages matter for the
// rows of an order with impossible values: sanitizeOrder drops the order
// before looking at its rows, so their column problems are reported and
// their impossible values are not.
struct RowChecks {
  std::vector<Check> columns;
  std::vector<Check> values;

  std::string all() const {
    std::vector<Check> both = columns;
    both.insert(both.end(), values.begin(), values.end());
    return caseOf(both);
  }
};

// An orders row (alias o): the SQLite reader's RowCheck, then records.cc's
// orderProblem, each in its order.
RowChecks orderChecks() {
  RowChecks r;
  std::vector<Check>& c = r.columns;
  requiredValue(&c, "o", "seller_id");
  requiredValue(&c, "o", "product_id");
  requiredTime(&c, "o", "ordered_at");
  for (const char* column :
       {"ship_by_at", "shipped_at", "promised_at", "delivered_at", "cancelled_at"}) {
    optionalTime(&c, "o", column);
  }
  enumValue(&c, "o", "cancelled_by", kCancelledBy, false);
  c.push_back({"o.tracking_valid IS NOT NULL AND o.tracking_valid NOT IN (0, 1)",
               "'tracking_valid is not 0 or 1'"});
  enumValue(&c, "o", "fulfilled_by", kFulfilledBy, true);
  std::vector<Check>& v = r.values;
  for (const char* column :
       {"shipped_at", "delivered_at", "cancelled_at", "ship_by_at", "promised_at"}) {
    v.push_back({std::string("o.") + column + " < o.ordered_at",
                 quoted(std::string(column) + " is before ordered_at")});
  }
  v.push_back({"o.delivered_at < o.shipped_at", "'delivered_at is before shipped_at'"});
  v.push_back({"o.cancelled_by IS NOT NULL AND o.cancelled_at IS NULL",
               "'cancelled_by is set but cancelled_at is NULL'"});
  v.push_back({"o.cancelled_at IS NOT NULL AND o.cancelled_by IS NULL",
               "'cancelled_at is set but cancelled_by is NULL'"});
  return r;
}

// After-sales rows have the alias c.
RowChecks ticketChecks() {
  RowChecks r;
  enumValue(&r.columns, "c", "kind", kTicketKinds, true);
  enumValue(&r.columns, "c", "status", kTicketStatuses, true);
  requiredTime(&r.columns, "c", "opened_at");
  for (const char* column : {"first_seller_response_at", "escalated_at", "closed_at"}) {
    optionalTime(&r.columns, "c", column);
  }
  for (const char* column : {"first_seller_response_at", "escalated_at", "closed_at"}) {
    r.values.push_back({std::string("c.") + column + " < c.opened_at",
                        quoted(std::string(column) + " is before opened_at")});
  }
  return r;
}

RowChecks refundChecks() {
  RowChecks r;
  requiredTime(&r.columns, "c", "created_at");
  enumValue(&r.columns, "c", "method", kRefundMethods, true);
  enumValue(&r.columns, "c", "kind", kRefundKinds, true);
  enumValue(&r.columns, "c", "reason", kRefundReasons, true);
  return r;
}

RowChecks returnChecks() {
  RowChecks r;
  requiredTime(&r.columns, "c", "requested_at");
  optionalTime(&r.columns, "c", "resolved_at");
  enumValue(&r.columns, "c", "resolution", kReturnResolutions, false);
  r.values.push_back({"c.resolved_at < c.requested_at", "'resolved_at is before requested_at'"});
  r.values.push_back({"(c.resolved_at IS NULL) <> (c.resolution IS NULL)",
                      "'resolved_at and resolution must be both NULL or both set'"});
  return r;
}

RowChecks ratingChecks() {
  RowChecks r;
  requiredValue(&r.columns, "c", "stars");
  requiredTime(&r.columns, "c", "created_at");
  r.values.push_back({"c.stars NOT BETWEEN 1 AND 5", "'stars is outside 1-5'"});
  return r;
}

RowChecks chargebackChecks() {
  RowChecks r;
  requiredTime(&r.columns, "c", "created_at");
  enumValue(&r.columns, "c", "liability", kLiabilities, true);
  return r;
}

// The problem a child row is reported with (NULL if none): its column
// problem, else its impossible value if its order has none.
std::string childReport(const RowChecks& child) {
  return "COALESCE(" + caseOf(child.columns) + ", CASE WHEN {order_values_sound} THEN " +
         caseOf(child.values) + " END)";
}

// The grouped queries below group by `o.seller_id + 0`, an expression, not
// the bare column: given an index on orders(seller_id) the optimizer would
// walk it to spare a sort and fetch every order by primary key, five times
// slower than a scan into a temporary table of one row per seller.

// The sound window orders, alias o: in the window and passing every check.
constexpr const char* kWindowOrders =
    "o.ordered_at BETWEEN {window_begin} AND {window_end} AND {sound_order}";

// The order-level counters of tallyOrder, one row per seller.
constexpr const char* kOrderTallies = R"sql(
SELECT o.seller_id + 0 AS seller,
  COUNT(*),
  SUM(CASE WHEN o.cancelled_by = 'seller' THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.cancelled_at IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.fulfilled_by = 'seller' AND o.cancelled_at IS NULL
            AND o.ship_by_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.fulfilled_by = 'seller' AND o.cancelled_at IS NULL
            AND o.ship_by_at IS NOT NULL
            AND (o.shipped_at > o.ship_by_at
                 OR (o.shipped_at IS NULL AND o.ship_by_at < {now})) THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.fulfilled_by = 'seller' AND o.cancelled_at IS NULL
            AND o.promised_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.fulfilled_by = 'seller' AND o.cancelled_at IS NULL
            AND o.promised_at IS NOT NULL
            AND (o.delivered_at > o.promised_at
                 OR (o.delivered_at IS NULL AND o.promised_at < {promise_cutoff}))
           THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.fulfilled_by = 'seller' AND o.shipped_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.fulfilled_by = 'seller' AND o.shipped_at IS NOT NULL
            AND o.tracking_valid = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.delivered_at IS NOT NULL THEN 1 ELSE 0 END)
FROM orders o
WHERE {window_orders}
GROUP BY seller)sql";

// Per-ticket counters, and claim_rate's numerator: not-cancelled orders with
// at least one claim, counted once however many claims they have.
constexpr const char* kTicketTallies = R"sql(
SELECT o.seller_id + 0 AS seller,
  COUNT(*),
  COUNT(DISTINCT CASE WHEN o.cancelled_at IS NULL AND c.kind NOT IN ('question', 'other')
                      THEN o.order_id END),
  SUM(CASE WHEN c.first_seller_response_at IS NOT NULL OR c.opened_at < {response_cutoff}
           THEN 1 ELSE 0 END),
  SUM(CASE WHEN TIMESTAMPDIFF(SECOND, c.opened_at, c.first_seller_response_at)
                <= {response_limit} THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.escalated_at IS NOT NULL THEN 1 ELSE 0 END)
FROM orders o JOIN tickets c ON c.order_id = o.order_id
WHERE {window_orders} AND {sound_ticket}
GROUP BY seller)sql";

// Orders with at least one defect, counted once across the three tables
// that can make one; the chargeback branch also counts every sound
// chargeback (for rowsRead).
constexpr const char* kDefectTallies = R"sql(
SELECT d.seller_id,
  COUNT(DISTINCT CASE WHEN d.defect = 1 THEN d.order_id END),
  SUM(d.chargeback)
FROM (
  SELECT o.seller_id, o.order_id, 1 AS defect, 0 AS chargeback
  FROM orders o JOIN ratings c ON c.order_id = o.order_id
  WHERE {window_orders} AND {sound_rating} AND c.stars <= 2
  UNION ALL
  SELECT o.seller_id, o.order_id, 1, 0
  FROM orders o JOIN tickets c ON c.order_id = o.order_id
  WHERE {window_orders} AND {sound_ticket}
    AND c.kind NOT IN ('question', 'other')
    AND c.status NOT IN ('withdrawn', 'refused', 'granted_operator_funded')
  UNION ALL
  SELECT o.seller_id, o.order_id, CASE WHEN c.liability = 'service' THEN 1 ELSE 0 END, 1
  FROM orders o JOIN chargebacks c ON c.order_id = o.order_id
  WHERE {window_orders} AND {sound_chargeback}
) d
GROUP BY d.seller_id)sql";

// Delivered orders with a spontaneous refund (no ticket, created at most
// {refund_limit} seconds after delivery), counted once per order.
constexpr const char* kRefundTallies = R"sql(
SELECT o.seller_id + 0 AS seller,
  COUNT(*),
  COUNT(DISTINCT CASE WHEN o.delivered_at IS NOT NULL AND c.ticket_id IS NULL
                       AND TIMESTAMPDIFF(SECOND, o.delivered_at, c.created_at) <= {refund_limit}
                      THEN o.order_id END)
FROM orders o JOIN refunds c ON c.order_id = o.order_id
WHERE {window_orders} AND {sound_refund}
GROUP BY seller)sql";

constexpr const char* kReturnTallies = R"sql(
SELECT o.seller_id + 0 AS seller,
  COUNT(*),
  SUM(CASE WHEN c.resolved_at IS NOT NULL OR c.requested_at < {return_cutoff}
           THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.resolution <> 'rejected'
            AND TIMESTAMPDIFF(SECOND, c.requested_at, c.resolved_at) <= {return_limit}
           THEN 1 ELSE 0 END)
FROM orders o JOIN return_requests c ON c.order_id = o.order_id
WHERE {window_orders} AND {sound_return}
GROUP BY seller)sql";

constexpr const char* kRatingTallies = R"sql(
SELECT o.seller_id + 0 AS seller, COUNT(*), SUM(c.stars)
FROM orders o JOIN ratings c ON c.order_id = o.order_id
WHERE {window_orders} AND {sound_rating}
GROUP BY seller)sql";

// First-response delay in seconds -> answered tickets, per seller.
constexpr const char* kResponseHistogram = R"sql(
SELECT o.seller_id + 0 AS seller,
  TIMESTAMPDIFF(SECOND, c.opened_at, c.first_seller_response_at) AS delay,
  COUNT(*)
FROM orders o JOIN tickets c ON c.order_id = o.order_id
WHERE {window_orders} AND {sound_ticket}
  AND c.first_seller_response_at IS NOT NULL
GROUP BY seller, delay)sql";

// Claims on window orders per product (the ticket's, else the order's).
constexpr const char* kProductClaims = R"sql(
SELECT o.seller_id + 0 AS seller, COALESCE(c.product_id, o.product_id) AS product, COUNT(*)
FROM orders o JOIN tickets c ON c.order_id = o.order_id
WHERE {window_orders} AND {sound_ticket}
  AND c.kind NOT IN ('question', 'other')
GROUP BY seller, product)sql";

// Every authenticity claim of all time, any order. The first comparison can
// use tickets(kind); the binary one makes it exact. The row checks happen in
// C++ on the returned columns.
constexpr const char* kAuthenticityClaims = R"sql(
SELECT c.ticket_id, c.seller_id, COALESCE(c.product_id, o.product_id),
  c.opened_at IS NULL,
  {opened_at_invalid},
  TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', c.opened_at),
  c.status
FROM tickets c LEFT JOIN orders o ON o.order_id = c.order_id
WHERE c.kind = 'authenticity' AND CAST(c.kind AS BINARY) = 'authenticity')sql";

constexpr const char* kSellers = "SELECT seller_id, name, country FROM sellers";

// The bad orders a run meets: those in the window, and those with no usable
// ordered_at at all (NULL, or a zero date, which sorts before any real one).
// Two branches so that each is a range scan of orders(ordered_at).
constexpr const char* kOrderProblems = R"sql(
(SELECT o.order_id, {order_problem}, ({order_column_problem}) IS NOT NULL
 FROM orders o
 WHERE o.ordered_at BETWEEN {window_begin} AND {window_end} AND ({order_problem}) IS NOT NULL)
UNION ALL
(SELECT o.order_id, {order_problem}, 1
 FROM orders o
 WHERE (o.ordered_at IS NULL OR o.ordered_at < '0000-01-01') AND ({order_problem}) IS NOT NULL)
ORDER BY 1
LIMIT {limit})sql";

constexpr const char* kOrderProblemCount = R"sql(
SELECT
  (SELECT COUNT(*) FROM orders o
   WHERE o.ordered_at BETWEEN {window_begin} AND {window_end} AND ({order_problem}) IS NOT NULL)
  + (SELECT COUNT(*) FROM orders o
     WHERE (o.ordered_at IS NULL OR o.ordered_at < '0000-01-01')
       AND ({order_problem}) IS NOT NULL))sql";

// The bad after-sales rows of window orders whose columns are sound (see
// RowChecks; the rows of other orders are never looked at).
constexpr const char* kChildProblems = R"sql(
SELECT c.{key}, {report}
FROM orders o JOIN {table} c ON c.order_id = o.order_id
WHERE o.ordered_at BETWEEN {window_begin} AND {window_end}
  AND {order_columns_sound} AND ({report}) IS NOT NULL
ORDER BY 1
LIMIT {limit})sql";

constexpr const char* kChildProblemCount = R"sql(
SELECT COUNT(*)
FROM orders o JOIN {table} c ON c.order_id = o.order_id
WHERE o.ordered_at BETWEEN {window_begin} AND {window_end}
  AND {order_columns_sound} AND ({report}) IS NOT NULL)sql";

constexpr const char* kPing = "SELECT 1";

constexpr const char* kSourceTables[] = {"sellers",         "orders",  "tickets",    "refunds",
                                         "return_requests", "ratings", "chargebacks"};

using Params = std::map<std::string, std::string>;

// Replaces every {name} in `sql` with params[name]; values may themselves
// hold placeholders. An unknown name is a bug in this file.
std::string expand(const std::string& sql, const Params& params) {
  std::string out;
  out.reserve(sql.size());
  for (std::size_t i = 0; i < sql.size();) {
    if (sql[i] != '{') {
      out += sql[i++];
      continue;
    }
    const std::size_t close = sql.find('}', i);
    if (close == std::string::npos) throw std::logic_error("unterminated placeholder in SQL");
    const std::string name = sql.substr(i + 1, close - i - 1);
    auto it = params.find(name);
    if (it == params.end()) throw std::logic_error("no value for SQL placeholder {" + name + "}");
    out += expand(it->second, params);
    i = close + 1;
  }
  return out;
}

// The DATETIME range: a time outside it cannot be compared with the columns.
const Timestamp kMinDatetime = *parseUtc("1000-01-01 00:00:00");
const Timestamp kMaxDatetime = *parseUtc("9999-12-31 23:59:59");

std::string timeLiteral(Timestamp t, const char* what) {
  if (t < kMinDatetime || t > kMaxDatetime) {
    throw std::invalid_argument(std::string("MySQL source: ") + what +
                                " is outside the DATETIME range");
  }
  return quoted(formatUtc(t));
}

std::string intLiteral(std::int64_t value) { return std::to_string(value); }

struct ChildTable {
  const char* table;
  const char* key;
  RowChecks (*checks)();
  const char* soundParam;  // the aggregates' filter of its sound rows
};

const ChildTable kChildTables[] = {
    {"tickets", "ticket_id", ticketChecks, "sound_ticket"},
    {"refunds", "refund_id", refundChecks, "sound_refund"},
    {"return_requests", "return_id", returnChecks, "sound_return"},
    {"ratings", "rating_id", ratingChecks, "sound_rating"},
    {"chargebacks", "chargeback_id", chargebackChecks, "sound_chargeback"},
};

// One read() run over one connection and one snapshot.
class Reader {
 public:
  Reader(MysqlConnection* db, Timestamp now, const Rules& rules, const CancelToken& cancel,
         std::int64_t keyLimit)
      : db_(db), cancel_(cancel), keyLimit_(keyLimit), log_(&data_.problems) {
    const Window window = windowAt(now, rules);
    const Timestamp responseLimit = static_cast<Timestamp>(rules.responseHours) * kSecondsPerHour;
    const Timestamp graceLimit =
        static_cast<Timestamp>(rules.lateDeliveryGraceDays) * kSecondsPerDay;
    const Timestamp refundLimit =
        static_cast<Timestamp>(rules.spontaneousRefundDays) * kSecondsPerDay;
    const Timestamp returnLimit = static_cast<Timestamp>(rules.returnResolveDays) * kSecondsPerDay;
    params_ = {
        {"window_begin", timeLiteral(window.begin, "the window's start")},
        {"window_end", timeLiteral(window.end, "the window's end")},
        {"now", timeLiteral(now, "now")},
        // now > promised_at + grace  <=>  promised_at < now - grace, etc.
        {"promise_cutoff", timeLiteral(now - graceLimit, "now minus the delivery grace")},
        {"response_cutoff", timeLiteral(now - responseLimit, "now minus the response time")},
        {"return_cutoff", timeLiteral(now - returnLimit, "now minus the return time")},
        {"response_limit", intLiteral(responseLimit)},
        {"refund_limit", intLiteral(refundLimit)},
        {"return_limit", intLiteral(returnLimit)},
        {"limit", intLiteral(keyLimit)},
        {"window_orders", kWindowOrders},
        {"order_problem", orderChecks().all()},
        {"order_column_problem", caseOf(orderChecks().columns)},
        // Until the bad rows are listed, the sound ones are those passing
        // every check; see readOrderProblems().
        {"sound_order", "({order_problem}) IS NULL"},
        {"order_columns_sound", "({order_column_problem}) IS NULL"},
        {"order_values_sound", "(" + caseOf(orderChecks().values) + ") IS NULL"},
        {"opened_at_invalid", "c.opened_at IS NOT NULL AND " + invalidTime("c.opened_at")},
    };
    for (const ChildTable& child : kChildTables) {
      params_[child.soundParam] = "(" + child.checks().all() + ") IS NULL";
    }
    for (const char* table : kSourceTables) data_.rowsRead[table] = 0;
  }

  SourceData run() {
    // One snapshot for every query, so that the tallies of different tables
    // agree even while the operator writes.
    db_->execute("setting the isolation level",
                 "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    db_->execute("starting the read transaction",
                 "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    readSellers();
    // The bad rows first: the aggregates then skip them by key.
    readOrderProblems();
    for (const ChildTable& child : kChildTables) readChildProblems(child);
    readOrderTallies();
    readTicketTallies();
    readDefectTallies();
    readRefundTallies();
    readReturnTallies();
    readRatingTallies();
    readResponseHistogram();
    readProductClaims();
    readAuthenticityClaims();
    summarizeUnlisted();
    db_->execute("ending the read transaction", "COMMIT");
    return std::move(data_);
  }

 private:
  static constexpr std::int64_t kRowsBetweenCancelChecks = 4096;
  // Beyond this many bad keys a NOT IN list would bloat every query; the
  // checks themselves filter instead.
  static constexpr std::size_t kMaxFilterKeys = 10000;

  void checkCancelled() const {
    if (cancel_.cancelled()) throw RunCancelled();
  }

  // Streams the rows of `sql` (a template) into onRow, checking the cancel
  // token before the query and every few thousand rows.
  template <typename OnRow>
  void each(const std::string& what, const std::string& sql, OnRow onRow) {
    checkCancelled();
    MysqlRows rows = db_->stream(what, expand(sql, params_));
    std::int64_t n = 0;
    while (rows.next()) {
      onRow(rows);
      if (++n % kRowsBetweenCancelChecks == 0) checkCancelled();
    }
  }

  // The tally of a seller that has sound window orders. Child queries only
  // meet such sellers (same snapshot), so a miss means the SQL is wrong.
  SellerTally& tallyOf(std::int64_t sellerId) {
    auto it = data_.tallies.find(sellerId);
    if (it == data_.tallies.end()) {
      throw std::logic_error("MySQL source: after-sales rows for seller " +
                             std::to_string(sellerId) + " without window orders");
    }
    return it->second;
  }

  void readSellers() {
    each("reading sellers", kSellers, [&](MysqlRows& row) {
      ++data_.rowsRead["sellers"];
      // name and country are descriptive only; a NULL is read as empty
      // rather than dropping a seller whose orders still count.
      const std::int64_t id = row.getInt64(1);
      data_.sellers[id] = {id, row.getString(2), row.getString(3)};
    });
  }

  // The keys of one table's bad rows, as far as listed.
  struct BadRows {
    std::int64_t count = 0;
    bool complete = true;  // every bad row is in `keys`
    std::vector<std::int64_t> keys;
    std::vector<std::int64_t> flagged;  // keys whose third column is 1
  };

  // Lists up to keyLimit_ bad rows of `table` (key, problem[, flag]), then
  // counts them all if the list is full.
  BadRows listProblems(const char* table, const std::string& listSql, const std::string& countSql,
                       bool hasFlag = false) {
    BadRows bad;
    each(std::string("listing bad rows of ") + table, listSql, [&](MysqlRows& row) {
      const std::int64_t key = row.getInt64(1);
      log_.add({table, key, row.getString(2)});
      bad.keys.push_back(key);
      if (hasFlag && row.getInt64(3) != 0) bad.flagged.push_back(key);
    });
    bad.count = static_cast<std::int64_t>(bad.keys.size());
    if (bad.count < keyLimit_) return bad;
    bad.complete = false;
    each(std::string("counting bad rows of ") + table, countSql,
         [&](MysqlRows& row) { bad.count = row.getInt64(1); });
    unlisted_[table] += bad.count - static_cast<std::int64_t>(bad.keys.size());
    return bad;
  }

  // One entry (key 0) per table whose bad rows were not all listed.
  void summarizeUnlisted() {
    for (const auto& [table, n] : unlisted_) {
      if (n == 0) continue;
      log_.add({table, 0,
                std::to_string(n) + " more rows with problems (only the first " +
                    std::to_string(keyLimit_) + " keys are listed)"});
    }
  }

  // Once every bad row of a table is known, the later queries keep the
  // sound rows by key instead of evaluating every check on every row again
  // (each join would otherwise run the order's checks once per joined row).
  static std::string notIn(const std::string& column, const std::vector<std::int64_t>& keys) {
    if (keys.empty()) return "TRUE";
    std::string list;
    for (std::int64_t key : keys) list += (list.empty() ? "" : ", ") + intLiteral(key);
    return column + " NOT IN (" + list + ")";
  }

  void readOrderProblems() {
    // The flag marks orders with a column problem, whose rows are not checked.
    const BadRows bad = listProblems("orders", kOrderProblems, kOrderProblemCount, true);
    data_.rowsRead["orders"] += bad.count;
    if (!bad.complete || bad.keys.size() > kMaxFilterKeys) return;
    std::vector<std::int64_t> valueBad;
    std::set_difference(bad.keys.begin(), bad.keys.end(), bad.flagged.begin(), bad.flagged.end(),
                        std::back_inserter(valueBad));
    params_["sound_order"] = notIn("o.order_id", bad.keys);
    params_["order_columns_sound"] = notIn("o.order_id", bad.flagged);
    params_["order_values_sound"] = notIn("o.order_id", valueBad);
  }

  void readChildProblems(const ChildTable& child) {
    Params p = params_;
    p["table"] = child.table;
    p["key"] = child.key;
    p["report"] = childReport(child.checks());
    const BadRows bad =
        listProblems(child.table, expand(kChildProblems, p), expand(kChildProblemCount, p));
    data_.rowsRead[child.table] += bad.count;
    if (bad.complete && bad.keys.size() <= kMaxFilterKeys) {
      params_[child.soundParam] = notIn(std::string("c.") + child.key, bad.keys);
    }
  }

  void readOrderTallies() {
    each("aggregating orders", kOrderTallies, [&](MysqlRows& row) {
      SellerTally& t = data_.tallies[row.getInt64(1)];
      t.orders = row.getInt64(2);
      data_.rowsRead["orders"] += t.orders;
      t.rate(MetricId::kOrderDefectRate).denominator = t.orders;
      t.rate(MetricId::kSellerCancelRate) = {row.getInt64(3), t.orders};
      t.rate(MetricId::kClaimRate).denominator = row.getInt64(4);
      t.rate(MetricId::kLateShipmentRate) = {row.getInt64(6), row.getInt64(5)};
      t.rate(MetricId::kLateDeliveryRate) = {row.getInt64(8), row.getInt64(7)};
      t.rate(MetricId::kValidTrackingRate) = {row.getInt64(10), row.getInt64(9)};
      t.rate(MetricId::kSpontaneousRefundRate).denominator = row.getInt64(11);
    });
  }

  void readTicketTallies() {
    each("aggregating tickets", kTicketTallies, [&](MysqlRows& row) {
      SellerTally& t = tallyOf(row.getInt64(1));
      const std::int64_t tickets = row.getInt64(2);
      data_.rowsRead["tickets"] += tickets;
      t.rate(MetricId::kClaimRate).numerator = row.getInt64(3);
      t.rate(MetricId::kResponseWithin48hRate) = {row.getInt64(5), row.getInt64(4)};
      t.rate(MetricId::kEscalationRate) = {row.getInt64(6), tickets};
    });
  }

  void readDefectTallies() {
    each("aggregating order defects", kDefectTallies, [&](MysqlRows& row) {
      SellerTally& t = tallyOf(row.getInt64(1));
      t.rate(MetricId::kOrderDefectRate).numerator = row.getInt64(2);
      data_.rowsRead["chargebacks"] += row.getInt64(3);
    });
  }

  void readRefundTallies() {
    each("aggregating refunds", kRefundTallies, [&](MysqlRows& row) {
      SellerTally& t = tallyOf(row.getInt64(1));
      data_.rowsRead["refunds"] += row.getInt64(2);
      t.rate(MetricId::kSpontaneousRefundRate).numerator = row.getInt64(3);
    });
  }

  void readReturnTallies() {
    each("aggregating return requests", kReturnTallies, [&](MysqlRows& row) {
      SellerTally& t = tallyOf(row.getInt64(1));
      data_.rowsRead["return_requests"] += row.getInt64(2);
      t.rate(MetricId::kReturnResolved15dRate) = {row.getInt64(4), row.getInt64(3)};
    });
  }

  void readRatingTallies() {
    each("aggregating ratings", kRatingTallies, [&](MysqlRows& row) {
      SellerTally& t = tallyOf(row.getInt64(1));
      t.ratingCount = row.getInt64(2);
      t.ratingStarSum = row.getInt64(3);
      data_.rowsRead["ratings"] += t.ratingCount;
    });
  }

  void readResponseHistogram() {
    each("reading response times", kResponseHistogram, [&](MysqlRows& row) {
      tallyOf(row.getInt64(1)).responseSeconds[row.getInt64(2)] = row.getInt64(3);
    });
  }

  void readProductClaims() {
    each("reading claims per product", kProductClaims, [&](MysqlRows& row) {
      tallyOf(row.getInt64(1)).productClaims[row.getInt64(2)] = row.getInt64(3);
    });
  }

  // The checks of the SQLite reader's claim rows, in its order. Bad claims
  // are listed up to keyLimit_ like the bad rows of each table.
  void readAuthenticityClaims() {
    std::int64_t listed = 0;
    each("reading authenticity claims", kAuthenticityClaims, [&](MysqlRows& row) {
      ++data_.rowsRead["tickets"];
      const std::int64_t ticketId = row.getInt64(1);
      std::string problem;
      std::optional<TicketStatus> status;
      if (row.isNull(2)) {
        problem = "seller_id is NULL";
      } else if (row.isNull(3)) {
        problem = "product_id (of the ticket or its order) is NULL";
      } else if (row.getInt64(4) != 0) {
        problem = "opened_at is NULL";
      } else if (row.getInt64(5) != 0) {
        problem = "opened_at is not a valid time";
      } else if (row.isNull(7)) {
        problem = "status is NULL";
      } else if (!(status = parseTicketStatus(row.getString(7)))) {
        problem = "unknown status '" + row.getString(7).substr(0, 40) + "'";
      }
      if (!problem.empty()) {
        if (listed++ < keyLimit_) {
          log_.add({"tickets", ticketId, problem});
        } else {
          ++unlisted_["tickets"];
        }
        return;
      }
      data_.authenticityClaims.push_back(
          {ticketId, row.getInt64(2), row.getInt64(3), row.getInt64(6), *status});
    });
  }

  MysqlConnection* db_;
  const CancelToken& cancel_;
  const std::int64_t keyLimit_;
  Params params_;
  SourceData data_;
  ProblemLog log_;
  std::map<std::string, std::int64_t> unlisted_;  // table -> bad rows not listed
};

// What the queries need of each table: SPEC §1's columns, those holding
// times, and indexes (leading columns) with the reason they are needed.
struct TableContract {
  const char* table;
  std::vector<const char*> columns;
  std::vector<const char*> timeColumns;
};

const std::vector<TableContract>& tableContracts() {
  static const std::vector<TableContract> kContracts = {
      {"sellers",
       {"seller_id", "name", "country", "created_at", "updated_at"},
       {"created_at", "updated_at"}},
      {"orders",
       {"order_id", "seller_id", "product_id", "ordered_at", "ship_by_at", "shipped_at",
        "promised_at", "delivered_at", "cancelled_at", "cancelled_by", "tracking_valid",
        "fulfilled_by", "amount", "currency", "updated_at"},
       {"ordered_at", "ship_by_at", "shipped_at", "promised_at", "delivered_at", "cancelled_at",
        "updated_at"}},
      {"tickets",
       {"ticket_id", "order_id", "seller_id", "product_id", "kind", "status", "opened_at",
        "first_seller_response_at", "escalated_at", "closed_at", "updated_at"},
       {"opened_at", "first_seller_response_at", "escalated_at", "closed_at", "updated_at"}},
      {"refunds",
       {"refund_id", "order_id", "seller_id", "ticket_id", "created_at", "amount", "method", "kind",
        "reason", "updated_at"},
       {"created_at", "updated_at"}},
      {"return_requests",
       {"return_id", "order_id", "seller_id", "requested_at", "received_at", "resolved_at",
        "resolution", "updated_at"},
       {"requested_at", "received_at", "resolved_at", "updated_at"}},
      {"ratings",
       {"rating_id", "order_id", "seller_id", "product_id", "stars", "created_at", "updated_at"},
       {"created_at", "updated_at"}},
      {"chargebacks",
       {"chargeback_id", "order_id", "seller_id", "created_at", "liability", "updated_at"},
       {"created_at", "updated_at"}},
  };
  return kContracts;
}

struct IndexNeed {
  const char* table;
  std::vector<std::string> columns;  // the index's leading columns, in order
  const char* why;
};

const std::vector<IndexNeed>& indexNeeds() {
  static const std::vector<IndexNeed> kNeeds = {
      {"orders", {"order_id"}, "the joins of after-sales rows to their order"},
      {"orders", {"ordered_at"}, "the window range"},
      {"tickets", {"order_id"}, "the joins to window orders"},
      {"tickets", {"kind"}, "the authenticity claims"},
      {"refunds", {"order_id"}, "the joins to window orders"},
      {"return_requests", {"order_id"}, "the joins to window orders"},
      {"ratings", {"order_id"}, "the joins to window orders"},
      {"chargebacks", {"order_id"}, "the joins to window orders"},
  };
  return kNeeds;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

constexpr const char* kSchemaTables =
    "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = DATABASE()";
constexpr const char* kSchemaColumns =
    "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
    "WHERE TABLE_SCHEMA = DATABASE()";
constexpr const char* kSchemaIndexes =
    "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS "
    "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

}  // namespace

MysqlSource::MysqlSource(MysqlOptions options, std::int64_t problemKeysPerTable)
    : options_(std::move(options)),
      problemKeysPerTable_(problemKeysPerTable > 0 ? problemKeysPerTable
                                                   : kDefaultProblemKeysPerTable) {}

SourceData MysqlSource::read(Timestamp now, const Rules& rules, const CancelToken& cancel) {
  const std::vector<std::string> invalid = validateRules(rules);
  if (!invalid.empty()) throw std::invalid_argument("MySQL source: invalid rules: " + invalid[0]);
  if (cancel.cancelled()) throw RunCancelled();
  MysqlConnection db(options_);
  Reader reader(&db, now, rules, cancel, problemKeysPerTable_);
  return reader.run();
}

bool MysqlSource::ping() {
  try {
    MysqlConnection db(options_);
    bool one = false;
    MysqlRows rows = db.stream("ping", kPing);
    while (rows.next()) one = rows.getInt64(1) == 1;
    return one;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::string> MysqlSource::checkSourceContract() {
  MysqlConnection db(options_);
  std::map<std::string, std::string> tableTypes;  // lower-case name -> TABLE_TYPE
  {
    MysqlRows rows = db.stream("listing tables", kSchemaTables);
    while (rows.next()) tableTypes[lower(rows.getString(1))] = rows.getString(2);
  }
  std::map<std::string, std::map<std::string, std::string>> columns;  // table -> column -> type
  {
    MysqlRows rows = db.stream("listing columns", kSchemaColumns);
    while (rows.next()) {
      columns[lower(rows.getString(1))][lower(rows.getString(2))] = lower(rows.getString(3));
    }
  }
  // table -> index -> columns in order
  std::map<std::string, std::map<std::string, std::vector<std::string>>> indexes;
  {
    MysqlRows rows = db.stream("listing indexes", kSchemaIndexes);
    while (rows.next()) {
      indexes[lower(rows.getString(1))][rows.getString(2)].push_back(lower(rows.getString(4)));
    }
  }

  std::vector<std::string> problems;
  for (const TableContract& contract : tableContracts()) {
    const std::string table = contract.table;
    if (tableTypes.count(table) == 0) {
      problems.push_back("table " + table + ": missing");
      continue;
    }
    const auto& have = columns[table];
    for (const char* column : contract.columns) {
      if (have.count(column) == 0) {
        problems.push_back("table " + table + ": missing column " + column);
      }
    }
    for (const char* column : contract.timeColumns) {
      auto it = have.find(column);
      if (it != have.end() && it->second != "datetime" && it->second != "timestamp") {
        problems.push_back("table " + table + ": column " + column + " is " + it->second +
                           ", not DATETIME");
      }
    }
  }
  for (const IndexNeed& need : indexNeeds()) {
    const std::string table = need.table;
    auto type = tableTypes.find(table);
    if (type == tableTypes.end() || type->second != "BASE TABLE") continue;
    bool covered = false;
    for (const auto& [name, indexColumns] : indexes[table]) {
      if (indexColumns.size() >= need.columns.size() &&
          std::equal(need.columns.begin(), need.columns.end(), indexColumns.begin())) {
        covered = true;
      }
    }
    if (!covered) {
      std::string list;
      for (const std::string& c : need.columns) list += (list.empty() ? "" : ", ") + c;
      problems.push_back("table " + table + ": missing index on (" + list + "), needed by " +
                         need.why);
    }
  }
  return problems;
}

}  // namespace sellertrust
