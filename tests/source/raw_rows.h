// Source rows as a database may hold them (NULLs, unknown enum strings,
// dates MariaDB stores but no calendar has), for the tests: the same rows
// become INSERT statements that SQLite and MariaDB both run, so one fixture
// feeds both backends. Plain data and pure functions, except
// writeSqliteSource.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "jobs/source/source.h"

namespace sellertrust {

// Readable RowProblems in GoogleTest's failure messages.
inline void PrintTo(const RowProblem& p, std::ostream* os) {
  *os << p.table << "/" << p.key << ": " << p.problem;
}

}  // namespace sellertrust

namespace sellertrust::testing {

// A time column: nullopt is NULL; the two sentinels are values MariaDB
// accepts under its default sql_mode but parseUtc rejects.
using RawTime = std::optional<Timestamp>;
inline constexpr Timestamp kZeroDate = std::numeric_limits<Timestamp>::min();  // 0000-00-00
inline constexpr Timestamp kZeroDay = kZeroDate + 1;  // 2026-02-00 12:00:00
using RawText = std::optional<std::string>;
using RawId = std::optional<std::int64_t>;
// An after-sales row's seller_id that is its order's (the usual case).
inline constexpr std::int64_t kFromOrder = std::numeric_limits<std::int64_t>::min();

struct RawOrder {
  std::int64_t orderId = 0;
  RawId sellerId;
  RawId productId;
  RawTime orderedAt, shipByAt, shippedAt, promisedAt, deliveredAt, cancelledAt;
  RawText cancelledBy;
  std::optional<int> trackingValid;
  RawText fulfilledBy = "seller";
};

struct RawTicket {
  std::int64_t ticketId = 0;
  std::int64_t orderId = 0;
  RawId sellerId = kFromOrder;
  RawId productId;
  RawText kind, status;
  RawTime openedAt, respondedAt, escalatedAt, closedAt;
};

struct RawRefund {
  std::int64_t refundId = 0;
  std::int64_t orderId = 0;
  RawId ticketId;
  RawTime createdAt;
  RawText method = "original_payment", kind = "full", reason = "goodwill";
  RawId sellerId = kFromOrder;  // last: the tests list the others in order
};

struct RawReturn {
  std::int64_t returnId = 0;
  std::int64_t orderId = 0;
  RawTime requestedAt, resolvedAt;
  RawText resolution;
  RawId sellerId = kFromOrder;  // last: the tests list the others in order
};

struct RawRating {
  std::int64_t ratingId = 0;
  std::int64_t orderId = 0;
  std::optional<int> stars;
  RawTime createdAt;
  RawId sellerId = kFromOrder;  // last: the tests list the others in order
};

struct RawChargeback {
  std::int64_t chargebackId = 0;
  std::int64_t orderId = 0;
  RawTime createdAt;
  RawText liability;
  RawId sellerId = kFromOrder;  // last: the tests list the others in order
};

struct RawSource {
  std::vector<SellerInfo> sellers;
  std::vector<RawOrder> orders;
  std::vector<RawTicket> tickets;
  std::vector<RawRefund> refunds;
  std::vector<RawReturn> returns;
  std::vector<RawRating> ratings;
  std::vector<RawChargeback> chargebacks;
};

// The multi-row INSERT statements that fill the source tables with `source`,
// valid SQL for SQLite and MySQL alike. Child rows take their seller (unless
// they name one) and a rating its product from their order, or 0 for an
// order not in `source`.
std::vector<std::string> insertStatements(const RawSource& source);

// Creates a SQLite source file at `path` (the schema of createSourceSchema)
// holding `source`.
void writeSqliteSource(const std::string& path, const RawSource& source);

// Human-readable differences between two tallies, one line each ("" if
// equal), field by field.
std::string tallyDifferences(const SellerTally& expected, const SellerTally& actual);

// The (table, key) pairs of `problems`.
std::set<std::pair<std::string, std::int64_t>> problemKeys(const std::vector<RowProblem>& problems);

}  // namespace sellertrust::testing
