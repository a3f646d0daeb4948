// SqliteSource against a small SQLite file filled with SQL: a hand-worked
// tally, window boundaries, bad rows, authenticity claims, row counts,
// cancellation and database errors.
#include "jobs/source/sqlite_source.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/File.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "jobs/source/queries.h"
#include "tests/source/raw_rows.h"
#include "tests/storage/temp_dir.h"

namespace sellertrust {
namespace {

using Poco::Data::Keywords::now;
using testing::TempDir;

const Timestamp kNow = *parseUtc("2026-03-01 12:00:00");

// The window at kNow with default rules: [2025-12-31 12:00:00, kNow].
//
// Seller 7 (product 500 unless stated), seller-fulfilled unless stated:
//   100  1 s before the window: a claim and a 1-star rating that must not count
//   101  exactly at the window start: on time, tracked, delivered, 5 stars
//   102  product 501: shipped late, untracked, delivered late; a claim
//        (ticket without product) refused after escalation, answered after
//        73 h; a 2-star rating; a refund linked to the claim; a return never
//        resolved
//   103  cancelled by the seller
//   104  operator-fulfilled, delivered after its promise (does not count); a
//        question answered in 2 h; a spontaneous refund 7 days after delivery
//   105  still unshipped after ship_by; a service chargeback
//   106  on time; a return resolved by refund in 7 days; a fraud chargeback
//   107  1 s after the window end
// Seller 8:
//   90   long before the window: an authenticity claim on product 601, withdrawn
//   201  cancelled by the buyer; a question opened 4 days ago (unanswered:
//        late) and one opened 1 day ago (unanswered: not yet counted)
// Also an authenticity claim on order 100 without a product (-> 500).
const char* const kSoundRows[] = {
    "INSERT INTO sellers VALUES (7, 'Seven', 'FR', '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
    "INSERT INTO sellers VALUES (8, 'Eight', 'DE', '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
    // order_id, seller_id, product_id, ordered_at, ship_by_at, shipped_at, promised_at,
    // delivered_at, cancelled_at, cancelled_by, tracking_valid, fulfilled_by, amount,
    // currency, updated_at
    "INSERT INTO orders VALUES (100, 7, 500, '2025-12-31 11:59:59', '2026-01-02 11:00:00', "
    "'2026-01-01 11:00:00', '2026-01-05 11:00:00', '2026-01-04 11:00:00', NULL, NULL, 1, "
    "'seller', 10.0, 'EUR', '2026-01-04 11:00:00')",
    "INSERT INTO orders VALUES (101, 7, 500, '2025-12-31 12:00:00', '2026-01-02 12:00:00', "
    "'2026-01-01 10:00:00', '2026-01-05 12:00:00', '2026-01-04 12:00:00', NULL, NULL, 1, "
    "'seller', 10.0, 'EUR', '2026-01-04 12:00:00')",
    "INSERT INTO orders VALUES (102, 7, 501, '2026-01-10 09:00:00', '2026-01-12 09:00:00', "
    "'2026-01-13 09:00:00', '2026-01-15 09:00:00', '2026-01-16 09:00:00', NULL, NULL, 0, "
    "'seller', 20.0, 'EUR', '2026-01-16 09:00:00')",
    "INSERT INTO orders VALUES (103, 7, 500, '2026-02-01 08:00:00', '2026-02-03 08:00:00', NULL, "
    "'2026-02-06 08:00:00', NULL, '2026-02-01 10:00:00', 'seller', NULL, 'seller', 10.0, 'EUR', "
    "'2026-02-01 10:00:00')",
    "INSERT INTO orders VALUES (104, 7, 500, '2026-02-10 12:00:00', '2026-02-11 12:00:00', "
    "'2026-02-11 08:00:00', '2026-02-12 12:00:00', '2026-02-13 12:00:00', NULL, NULL, NULL, "
    "'operator', 10.0, 'EUR', '2026-02-13 12:00:00')",
    "INSERT INTO orders VALUES (105, 7, 500, '2026-02-25 12:00:00', '2026-02-27 12:00:00', NULL, "
    "'2026-03-02 12:00:00', NULL, NULL, NULL, NULL, 'seller', 10.0, 'EUR', "
    "'2026-02-25 12:00:00')",
    "INSERT INTO orders VALUES (106, 7, 500, '2026-01-20 10:00:00', '2026-01-22 10:00:00', "
    "'2026-01-21 10:00:00', '2026-01-25 10:00:00', '2026-01-23 10:00:00', NULL, NULL, 1, "
    "'seller', 10.0, 'EUR', '2026-01-23 10:00:00')",
    "INSERT INTO orders VALUES (107, 7, 500, '2026-03-01 12:00:01', NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, 'seller', 10.0, 'EUR', '2026-03-01 12:00:01')",
    "INSERT INTO orders VALUES (90, 8, 600, '2025-10-01 10:00:00', NULL, '2025-10-02 10:00:00', "
    "NULL, '2025-10-04 10:00:00', NULL, NULL, 1, 'seller', 10.0, 'EUR', '2025-10-04 10:00:00')",
    "INSERT INTO orders VALUES (201, 8, 600, '2026-02-20 10:00:00', '2026-02-22 10:00:00', NULL, "
    "NULL, NULL, '2026-02-20 11:00:00', 'buyer', NULL, 'seller', 10.0, 'EUR', "
    "'2026-02-20 11:00:00')",
    // ticket_id, order_id, seller_id, product_id, kind, status, opened_at,
    // first_seller_response_at, escalated_at, closed_at, updated_at
    "INSERT INTO tickets VALUES (1000, 100, 7, 500, 'damaged', 'resolved', '2026-01-05 10:00:00', "
    "'2026-01-05 11:00:00', NULL, '2026-01-06 10:00:00', '2026-01-06 10:00:00')",
    "INSERT INTO tickets VALUES (1001, 100, 7, NULL, 'authenticity', 'under_review', "
    "'2026-01-06 10:00:00', '2026-01-06 12:00:00', '2026-01-08 10:00:00', NULL, "
    "'2026-01-08 10:00:00')",
    "INSERT INTO tickets VALUES (1002, 102, 7, NULL, 'damaged', 'refused', '2026-01-17 09:00:00', "
    "'2026-01-20 10:00:00', '2026-01-18 09:00:00', '2026-01-24 09:00:00', "
    "'2026-01-24 09:00:00')",
    "INSERT INTO tickets VALUES (1003, 104, 7, 500, 'question', 'resolved', '2026-02-14 10:00:00', "
    "'2026-02-14 12:00:00', NULL, '2026-02-14 13:00:00', '2026-02-14 13:00:00')",
    "INSERT INTO tickets VALUES (1004, 201, 8, 600, 'question', 'open', '2026-02-25 12:00:00', "
    "NULL, NULL, NULL, '2026-02-25 12:00:00')",
    "INSERT INTO tickets VALUES (1005, 201, 8, 600, 'other', 'open', '2026-02-28 12:00:00', NULL, "
    "NULL, NULL, '2026-02-28 12:00:00')",
    "INSERT INTO tickets VALUES (1006, 90, 8, 601, 'authenticity', 'withdrawn', "
    "'2025-10-10 10:00:00', NULL, NULL, '2025-10-11 10:00:00', '2025-10-11 10:00:00')",
    // refund_id, order_id, seller_id, ticket_id, created_at, amount, method, kind, reason,
    // updated_at
    "INSERT INTO refunds VALUES (2000, 102, 7, 1002, '2026-01-25 09:00:00', 20.0, "
    "'original_payment', 'full', 'non_conforming', '2026-01-25 09:00:00')",
    "INSERT INTO refunds VALUES (2001, 104, 7, NULL, '2026-02-20 12:00:00', 2.0, 'store_credit', "
    "'partial', 'goodwill', '2026-02-20 12:00:00')",
    // return_id, order_id, seller_id, requested_at, received_at, resolved_at, resolution,
    // updated_at
    "INSERT INTO return_requests VALUES (3000, 106, 7, '2026-01-25 10:00:00', "
    "'2026-01-28 10:00:00', '2026-02-01 10:00:00', 'refund', '2026-02-01 10:00:00')",
    "INSERT INTO return_requests VALUES (3001, 102, 7, '2026-01-20 10:00:00', NULL, NULL, NULL, "
    "'2026-01-20 10:00:00')",
    // rating_id, order_id, seller_id, product_id, stars, created_at, updated_at
    "INSERT INTO ratings VALUES (4000, 100, 7, 500, 1, '2026-01-05 10:00:00', "
    "'2026-01-05 10:00:00')",
    "INSERT INTO ratings VALUES (4001, 101, 7, 500, 5, '2026-01-05 10:00:00', "
    "'2026-01-05 10:00:00')",
    "INSERT INTO ratings VALUES (4002, 102, 7, 501, 2, '2026-01-17 10:00:00', "
    "'2026-01-17 10:00:00')",
    // chargeback_id, order_id, seller_id, created_at, liability, updated_at
    "INSERT INTO chargebacks VALUES (5000, 105, 7, '2026-02-28 10:00:00', 'service', "
    "'2026-02-28 10:00:00')",
    "INSERT INTO chargebacks VALUES (5001, 106, 7, '2026-02-25 10:00:00', 'fraud', "
    "'2026-02-25 10:00:00')",
};

// Bad rows added to the sound ones, with the problem each must produce.
struct BadRow {
  const char* sql;
  RowProblem expected;
};
const BadRow kBadRows[] = {
    {"INSERT INTO orders VALUES (300, 7, 500, '2026-02-01 08:00:00', NULL, NULL, NULL, NULL, "
     "'2026-02-01 09:00:00', 'merchant', NULL, 'seller', 1.0, 'EUR', '2026-02-01 09:00:00')",
     {"orders", 300, "unknown cancelled_by 'merchant'"}},
    {"INSERT INTO tickets VALUES (1300, 300, 7, 500, 'damaged', 'open', '2026-02-02 08:00:00', "
     "NULL, NULL, NULL, '2026-02-02 08:00:00')",
     {}},  // a ticket of a skipped order goes with it, unreported
    {"INSERT INTO orders VALUES (301, 7, 500, '2026-02-01 08:00:00', NULL, NULL, NULL, NULL, "
     "NULL, NULL, NULL, NULL, 1.0, 'EUR', '2026-02-01 08:00:00')",
     {"orders", 301, "fulfilled_by is NULL"}},
    {"INSERT INTO orders VALUES (302, 7, 500, '2026-02-01 08:00:00', NULL, NULL, NULL, "
     "'2026-01-30 08:00:00', NULL, NULL, NULL, 'seller', 1.0, 'EUR', '2026-02-01 08:00:00')",
     {"orders", 302, "delivered_at is before ordered_at"}},
    {"INSERT INTO orders VALUES (303, 7, 500, 'not a date', NULL, NULL, NULL, NULL, NULL, NULL, "
     "NULL, 'seller', 1.0, 'EUR', '2026-02-01 08:00:00')",
     {"orders", 303, "ordered_at is not a valid time: 'not a date'"}},
    {"INSERT INTO orders VALUES (304, 7, 500, '2026-02-30 10:00:00', NULL, NULL, NULL, NULL, NULL, "
     "NULL, NULL, 'seller', 1.0, 'EUR', '2026-02-01 08:00:00')",
     {"orders", 304, "ordered_at is not a valid time: '2026-02-30 10:00:00'"}},
    {"INSERT INTO orders VALUES (305, NULL, 500, '2026-02-01 08:00:00', NULL, NULL, NULL, NULL, "
     "NULL, NULL, NULL, 'seller', 1.0, 'EUR', '2026-02-01 08:00:00')",
     {"orders", 305, "seller_id is NULL"}},
    {"INSERT INTO tickets VALUES (1301, 101, 7, 500, 'question', 'open', 'yesterday', NULL, NULL, "
     "NULL, '2026-01-05 10:00:00')",
     {"tickets", 1301, "opened_at is not a valid time: 'yesterday'"}},
    {"INSERT INTO tickets VALUES (1302, 101, 7, 500, 'damaged', 'pending', "
     "'2026-01-05 10:00:00', NULL, NULL, NULL, '2026-01-05 10:00:00')",
     {"tickets", 1302, "unknown status 'pending'"}},
    {"INSERT INTO tickets VALUES (1303, 101, 7, 500, 'damaged', 'open', '2026-01-05 10:00:00', "
     "'2026-01-04 10:00:00', NULL, NULL, '2026-01-05 10:00:00')",
     {"tickets", 1303, "first_seller_response_at is before opened_at"}},
    {"INSERT INTO tickets VALUES (1304, 100, 7, NULL, 'authenticity', 'lost', "
     "'2026-01-07 10:00:00', NULL, NULL, NULL, '2026-01-07 10:00:00')",
     {"tickets", 1304, "unknown status 'lost'"}},
    {"INSERT INTO refunds VALUES (2300, 101, 7, NULL, '2026-01-06 10:00:00', 1.0, 'cash', "
     "'partial', 'goodwill', '2026-01-06 10:00:00')",
     {"refunds", 2300, "unknown method 'cash'"}},
    {"INSERT INTO return_requests VALUES (3300, 101, 7, NULL, NULL, NULL, NULL, "
     "'2026-01-06 10:00:00')",
     {"return_requests", 3300, "requested_at is NULL"}},
    {"INSERT INTO ratings VALUES (4300, 101, 7, 500, 7, '2026-01-06 10:00:00', "
     "'2026-01-06 10:00:00')",
     {"ratings", 4300, "stars is outside 1-5"}},
    {"INSERT INTO ratings VALUES (4301, 101, 7, 500, NULL, '2026-01-06 10:00:00', "
     "'2026-01-06 10:00:00')",
     {"ratings", 4301, "stars is NULL"}},
    {"INSERT INTO chargebacks VALUES (5300, 101, 7, '2026-01-06 10:00:00', 'friendly', "
     "'2026-01-06 10:00:00')",
     {"chargebacks", 5300, "unknown liability 'friendly'"}},
};

class SqliteSourceTest : public ::testing::Test {
 protected:
  SqliteSourceTest() : path_(dir_.file("source.db")) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", path_);
    createSourceSchema(session);
    for (const char* sql : kSoundRows) session << sql, now;
  }

  void addBadRows() {
    Poco::Data::Session session("SQLite", path_);
    for (const BadRow& row : kBadRows) session << row.sql, now;
  }

  SourceData read() { return SqliteSource(path_).read(kNow, Rules(), CancelToken(), nullptr); }

  TempDir dir_;
  std::string path_;
};

// The tally of seller 7 worked out by hand from the fixture above.
SellerTally expectedSeller7() {
  SellerTally t;
  t[TallyId::kOrders] = 6;                            // 101-106
  t.setRate(MetricId::kOrderDefectRate, 2, 6);        // 102 (2 stars), 105 (service)
  t.setRate(MetricId::kClaimRate, 1, 5);              // 102 of 101,102,104,105,106
  t.setRate(MetricId::kLateShipmentRate, 2, 4);       // 102, 105 of 101,102,105,106
  t.setRate(MetricId::kLateDeliveryRate, 1, 4);       // 102; 105 is not due yet
  t.setRate(MetricId::kSellerCancelRate, 1, 6);       // 103
  t.setRate(MetricId::kValidTrackingRate, 2, 3);      // 101, 106 of 101,102,106
  t.setRate(MetricId::kResponseWithin48hRate, 1, 2);  // 1003 (2 h); 1002 took 73 h
  t.setRate(MetricId::kEscalationRate, 1, 2);         // 1002
  t.setRate(MetricId::kSpontaneousRefundRate, 1, 4);  // 104 of 101,102,104,106
  t.setRate(MetricId::kReturnResolved15dRate, 1, 2);  // 3000; 3001 is 40 days old
  t[TallyId::kRatings] = 2;
  t[TallyId::kStarSum] = 7;
  t.responseSeconds = {{2 * kSecondsPerHour, 1}, {73 * kSecondsPerHour, 1}};
  t.productClaims = {{501, 1}};  // the claim names no product: the order's
  return t;
}

SellerTally expectedSeller8() {
  SellerTally t;
  t[TallyId::kOrders] = 1;
  t.setRate(MetricId::kOrderDefectRate, 0, 1);
  t.setRate(MetricId::kSellerCancelRate, 0, 1);
  t.setRate(MetricId::kResponseWithin48hRate, 0, 1);  // 1004 unanswered 4 days; 1005 not due
  t.setRate(MetricId::kEscalationRate, 0, 2);
  return t;
}

void expectTally(const SellerTally& expected, const SellerTally& actual) {
  EXPECT_EQ(testing::tallyDifferences(expected, actual), "");
}

auto claimKey(const AuthenticityClaim& c) {
  return std::make_tuple(c.ticketId, c.sellerId, c.productId, c.openedAt, c.status);
}

std::vector<std::tuple<std::string, std::int64_t, std::string>> sorted(
    const std::vector<RowProblem>& problems) {
  std::vector<std::tuple<std::string, std::int64_t, std::string>> out;
  out.reserve(problems.size());
  for (const RowProblem& p : problems) out.emplace_back(p.table, p.key, p.problem);
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(SqliteSourceTest, TalliesTheWindowOrdersAsWorkedOutByHand) {
  const SourceData data = read();
  ASSERT_EQ(2u, data.tallies.size());
  {
    SCOPED_TRACE("seller 7");
    expectTally(expectedSeller7(), data.tallies.at(7));
  }
  {
    SCOPED_TRACE("seller 8");
    expectTally(expectedSeller8(), data.tallies.at(8));
  }
  EXPECT_TRUE(data.problems.empty());
}

TEST_F(SqliteSourceTest, OrderAtTheWindowStartCountsOneSecondBeforeDoesNot) {
  Poco::Data::Session session("SQLite", path_);
  session << "DELETE FROM orders WHERE order_id NOT IN (100, 101)", now;
  const SourceData data = read();
  ASSERT_EQ(1u, data.tallies.count(7));
  EXPECT_EQ(1, data.tallies.at(7).orders());            // 101 only
  EXPECT_EQ(1, data.tallies.at(7)[TallyId::kRatings]);  // 100's 1-star rating is outside
  EXPECT_EQ(5, data.tallies.at(7)[TallyId::kStarSum]);
  EXPECT_EQ(0, data.tallies.at(7)[TallyId::kDefectOrders]);
}

TEST_F(SqliteSourceTest, ReadsEverySeller) {
  const SourceData data = read();
  ASSERT_EQ(2u, data.sellers.size());
  EXPECT_EQ("Seven", data.sellers.at(7).name);
  EXPECT_EQ("FR", data.sellers.at(7).country);
  EXPECT_EQ("DE", data.sellers.at(8).country);
}

// SQLite's TEXT holds any bytes; the results (a MySQL utf8mb4 column)
// and the API take UTF-8 only. The found bug: one such name failed every
// run writing to MySQL.
TEST_F(SqliteSourceTest, ReadsANameThatIsNotUtf8WithReplacementCharacters) {
  Poco::Data::Session session("SQLite", path_);
  session << "UPDATE sellers SET name = 'S' || X'FF' || 'v' || X'C3A9', country = X'E282' "
             "WHERE seller_id = 7",
      now;
  const SourceData data = read();
  EXPECT_EQ("S\xEF\xBF\xBDv\xC3\xA9", data.sellers.at(7).name);
  EXPECT_EQ("\xEF\xBF\xBD\xEF\xBF\xBD", data.sellers.at(7).country);
}

TEST_F(SqliteSourceTest, ReadsAuthenticityClaimsOfAllTimeWithTheOrdersProductWhenTheTicketHasNone) {
  const SourceData data = read();
  ASSERT_EQ(2u, data.authenticityClaims.size());
  std::vector<AuthenticityClaim> claims = data.authenticityClaims;
  std::sort(claims.begin(), claims.end(),
            [](const auto& a, const auto& b) { return a.ticketId < b.ticketId; });
  AuthenticityClaim first{1001, 7, 500, *parseUtc("2026-01-06 10:00:00"),
                          TicketStatus::kUnderReview};
  AuthenticityClaim second{1006, 8, 601, *parseUtc("2025-10-10 10:00:00"),
                           TicketStatus::kWithdrawn};
  EXPECT_EQ(claimKey(first), claimKey(claims[0]));
  EXPECT_EQ(claimKey(second), claimKey(claims[1]));
}

TEST_F(SqliteSourceTest, CountsRowsReadPerTable) {
  const SourceData data = read();
  const std::map<std::string, std::int64_t> expected = {
      {"sellers", 2},
      // 101-106 and 201.
      {"orders", 7},
      // 1002-1005 through window orders, 1001 and 1006 as authenticity claims.
      {"tickets", 6},
      {"refunds", 2},
      {"return_requests", 2},
      {"ratings", 2},
      {"chargebacks", 2},
  };
  EXPECT_EQ(expected, data.rowsRead);
}

TEST_F(SqliteSourceTest, SkipsAndReportsBadRowsWithoutChangingTheTally) {
  addBadRows();
  const SourceData data = read();

  std::vector<RowProblem> expected;
  for (const BadRow& row : kBadRows) {
    if (!row.expected.table.empty()) expected.push_back(row.expected);
  }
  EXPECT_EQ(sorted(expected), sorted(data.problems));
  ASSERT_EQ(2u, data.tallies.size());
  expectTally(expectedSeller7(), data.tallies.at(7));
  expectTally(expectedSeller8(), data.tallies.at(8));
  EXPECT_EQ(2u, data.authenticityClaims.size());
}

TEST_F(SqliteSourceTest, ReportsATicketMetTwiceOnlyOnce) {
  // An authenticity ticket on a window order is read both as the order's
  // ticket and as a ladder claim.
  Poco::Data::Session session("SQLite", path_);
  session << "INSERT INTO tickets VALUES (1400, 101, 7, 500, 'authenticity', 'bogus', "
             "'2026-01-05 10:00:00', NULL, NULL, NULL, '2026-01-05 10:00:00')",
      now;
  const SourceData data = read();
  ASSERT_EQ(1u, data.problems.size());
  EXPECT_EQ("tickets", data.problems[0].table);
  EXPECT_EQ(1400, data.problems[0].key);
}

TEST_F(SqliteSourceTest, HonoursTheLag) {
  Rules rules;
  rules.lagDays = 30;  // window [2025-12-01 12:00:00, 2026-01-30 12:00:00]
  SqliteSource source(path_);
  const SourceData data = source.read(kNow, rules, CancelToken(), nullptr);
  // 100, 101, 102 and 106 lie in the lagged window.
  EXPECT_EQ(4, data.tallies.at(7).orders());
  EXPECT_EQ(0u, data.tallies.count(8));
}

TEST_F(SqliteSourceTest, ThrowsRunCancelledWhenCancelled) {
  CancelToken cancel;
  cancel.cancel();
  SqliteSource source(path_);
  EXPECT_THROW(source.read(kNow, Rules(), cancel, nullptr), RunCancelled);
}

TEST_F(SqliteSourceTest, PingAnswersForAnOpenableFile) { EXPECT_TRUE(SqliteSource(path_).ping()); }

// Sizes in the order of RunQueries::sizes: the window's orders, then each
// after-sales table's rows.
std::vector<std::int64_t> sizes(std::int64_t windowOrders,
                                const std::map<std::string, std::int64_t>& rows) {
  std::vector<std::int64_t> out = {windowOrders};
  for (const source::TableDef& t : source::tables()) {
    if (t.afterSales) out.push_back(rows.at(t.name));
  }
  return out;
}

TEST(JoinOrderTest, ScansFirstTheAfterSalesTablesNoLargerThanTheWindow) {
  EXPECT_EQ(source::tablesToScanFirst(sizes(1000, {{"tickets", 1000},
                                                   {"refunds", 1001},
                                                   {"return_requests", 0},
                                                   {"ratings", 50000},
                                                   {"chargebacks", 3}})),
            (std::set<std::string>{"tickets", "return_requests", "chargebacks"}));
  // An empty window: only empty tables.
  EXPECT_EQ(source::tablesToScanFirst(sizes(0, {{"tickets", 0},
                                                {"refunds", 1},
                                                {"return_requests", 1},
                                                {"ratings", 1},
                                                {"chargebacks", 1}})),
            (std::set<std::string>{"tickets"}));
}

// The steps of SQLite's plan for `sql`: EXPLAIN QUERY PLAN's detail column.
std::vector<std::string> planSteps(source::SqlSession& session, const std::string& sql) {
  std::vector<std::string> steps;
  std::unique_ptr<source::SqlRows> rows = session.query("planning", "EXPLAIN QUERY PLAN " + sql);
  while (rows->next()) steps.push_back(rows->getString(3));
  return steps;
}

// What SQLite's planner, without statistics, does with the refunds of the
// window: each window order looked up in refunds (by refunds_order_id) —
// unless refunds are to be read first, by the join that keeps that order.
TEST(JoinOrderTest, TheAfterSalesTableToScanFirstIsReadFirstOnSqlite) {
  TempDir dir;
  const std::string path = dir.file("source.db");
  testing::writeSqliteSource(path, {});
  const std::unique_ptr<source::SqlSession> session = openSqliteSession(path, nullptr);
  const auto planOf = [&](const source::KnownRows& known) {
    const source::RunQueries q =
        source::buildRunQueries(source::sqliteDialect(), kNow, Rules(), known);
    const auto refunds = std::find_if(q.defects.begin(), q.defects.end(),
                                      [](const auto& d) { return d.table == "refunds"; });
    std::string plan;
    for (const std::string& step : planSteps(*session, refunds->sql)) plan += step + "\n";
    return plan;
  };
  EXPECT_EQ(planOf({}).find("SCAN c"), std::string::npos) << planOf({});
  source::KnownRows known;
  known.scanFirst = {"refunds"};
  const std::string plan = planOf(known);
  EXPECT_EQ(plan.find("SCAN c"), 0u) << plan;
  EXPECT_NE(plan.find("SEARCH o USING INTEGER PRIMARY KEY"), std::string::npos) << plan;
}

// A read of every seller finds the orphans of an after-sales table it reads
// whole in that same pass, its orders LEFT JOINed (at 10 M orders the
// separate passes of orphanQuery took 3.1 s of a full run's read on SQLite
// and 7.4 s on MariaDB); a read of listed sellers reads their window only,
// and finds orphans among the changed rows.
TEST(JoinOrderTest, TheGrainQueryOfATableReadWholeListsItsOrphansInTheSamePass) {
  TempDir dir;
  const std::string path = dir.file("source.db");
  testing::writeSqliteSource(path, {});
  const std::unique_ptr<source::SqlSession> session = openSqliteSession(path, nullptr);
  source::KnownRows known;
  known.scanFirst = {"refunds", "orders"};
  const auto grains = [&](const std::vector<std::int64_t>* sellers) {
    return source::buildRunQueries(source::sqliteDialect(), kNow, Rules(), known, sellers).grains;
  };
  const auto grainOf = [](const std::vector<source::GrainQuery>& all, const std::string& table) {
    return *std::find_if(all.begin(), all.end(), [&](const auto& g) { return g.table == table; });
  };
  for (const source::GrainQuery& g : grains(nullptr)) {
    EXPECT_EQ(g.listsOrphans, g.table == "refunds") << g.table;
  }
  const auto refundsGrain = [&](const std::vector<std::int64_t>* sellers) {
    return grainOf(grains(sellers), "refunds");
  };
  const std::string orphans =
      source::orphanQuery(source::sqliteDialect(), source::table("refunds"), std::nullopt);
  const std::string orphan = orphans.substr(orphans.find("WHERE ") + 6);
  const std::string every = refundsGrain(nullptr).sql;
  EXPECT_NE(every.find("refunds c LEFT JOIN orders o"), std::string::npos) << every;
  EXPECT_NE(every.find(" OR " + orphan + ")"), std::string::npos) << every;
  std::string plan;
  for (const std::string& step : planSteps(*session, every)) plan += step + "\n";
  EXPECT_EQ(plan.find("SCAN c"), plan.find("SCAN")) << plan;
  EXPECT_NE(plan.find("SEARCH o USING INTEGER PRIMARY KEY"), std::string::npos) << plan;
  const std::vector<std::int64_t> sellers{3, 7};
  EXPECT_FALSE(refundsGrain(&sellers).listsOrphans);
  const std::string listed = refundsGrain(&sellers).sql;
  EXPECT_EQ(listed.find("LEFT JOIN"), std::string::npos) << listed;
  EXPECT_EQ(listed.find(orphan), std::string::npos) << listed;
}

// The orders of listed sellers that lie in no window are read as index
// ranges of orders(seller_id, ordered_at): as one OR of the three kinds of
// untimed value, SQLite walked each seller's whole range of the index: 384
// ms of an idle run at 10 M orders that read a few of the largest sellers.
TEST(UntimedOrdersTest, AreReadAsRangesOfTheSellersIndexOnSqlite) {
  TempDir dir;
  const std::string path = dir.file("source.db");
  testing::writeSqliteSource(path, {});
  const std::unique_ptr<source::SqlSession> session = openSqliteSession(path, nullptr);
  const std::vector<std::int64_t> sellers{3, 7};
  const source::RunQueries q =
      source::buildRunQueries(source::sqliteDialect(), kNow, Rules(), {}, &sellers);
  std::vector<std::string> searches;
  for (const std::string& step : planSteps(*session, q.untimedOrders)) {
    if (step.find("orders") != std::string::npos || step.find(" o ") != std::string::npos) {
      searches.push_back(step);
    }
  }
  ASSERT_EQ(searches.size(), 3u) << q.untimedOrders;
  for (const std::string& step : searches) {
    EXPECT_NE(step.find("(seller_id=? AND ordered_at"), std::string::npos) << step;
  }
}

// The authenticity claims of the sellers an incremental run reads are
// ranges of tickets(kind, seller_id); with tickets(kind) alone, every run
// walked every authenticity claim of the marketplace (20 ms of an idle
// run's read at 10 M orders, against 1 ms). A full read takes the kind's
// whole range.
TEST(AuthenticityClaimsTest, OfListedSellersAreReadAsRangesOfTheKindAndSellerIndexOnSqlite) {
  TempDir dir;
  const std::string path = dir.file("source.db");
  testing::writeSqliteSource(path, {});
  const std::unique_ptr<source::SqlSession> session = openSqliteSession(path, nullptr);
  const auto ticketsStep = [&](const std::vector<std::int64_t>* sellers) {
    const source::RunQueries q =
        source::buildRunQueries(source::sqliteDialect(), kNow, Rules(), {}, sellers);
    for (std::string& step : planSteps(*session, q.authenticityClaims)) {
      if (step.find(" c ") != std::string::npos) return step;
    }
    return std::string("no step on tickets in ") + q.authenticityClaims;
  };
  const std::vector<std::int64_t> sellers{3, 7};
  EXPECT_EQ(ticketsStep(&sellers),
            "SEARCH c USING INDEX tickets_kind_seller_id (kind=? AND seller_id=?)");
  EXPECT_EQ(ticketsStep(nullptr), "SEARCH c USING INDEX tickets_kind_seller_id (kind=?)");
}

// The bucket column names the sellers tallied in buckets among those its
// query reads, those in buckets narrower than a day first in one list, and
// leaves the last list out when the query reads only such sellers: the
// lists are parsed by every query and looked up for every row.
TEST(BucketColumnTest, ListsOnlyTheBucketedSellersItsQueryReads) {
  const BucketWidths bucketed{{2, 86400}, {5, 3600}, {7, 900}, {9, 86400}};
  const auto ordersGrain = [&](const std::vector<std::int64_t>* sellers) {
    const source::RunQueries q =
        source::buildRunQueries(source::sqliteDialect(), kNow, Rules(), {}, sellers, {}, &bucketed);
    EXPECT_EQ(q.grains.at(0).table, "orders");
    return q.grains.at(0).sql;
  };
  const std::string day = source::sqliteDialect().bucketStart("o.ordered_at", 86400);
  const std::string hour = source::sqliteDialect().bucketStart("o.ordered_at", 3600);
  const std::string quarter = source::sqliteDialect().bucketStart("o.ordered_at", 900);
  const auto has = [&](const std::vector<std::int64_t>& sellers, const std::string& column) {
    EXPECT_NE(ordersGrain(&sellers).find("\n  " + column + " AS b"), std::string::npos)
        << ordersGrain(&sellers);
  };
  has({9, 2}, day);
  has({5}, hour);
  has({9, 5}, "CASE WHEN o.seller_id IN (5) THEN " + hour + " ELSE " + day + " END");
  has({7, 5}, "CASE WHEN o.seller_id IN (7) THEN " + quarter + " ELSE " + hour + " END");
  has({9, 1, 3, 2}, "CASE WHEN o.seller_id IN (2, 9) THEN " + day + " END");
  has({1, 3}, "NULL");
  has({1, 5, 7, 9}, "CASE WHEN o.seller_id IN (5, 7) THEN CASE WHEN o.seller_id IN (7) THEN " +
                        quarter + " ELSE " + hour + " END WHEN o.seller_id IN (9) THEN " + day +
                        " END");
  EXPECT_NE(ordersGrain(nullptr).find("CASE WHEN o.seller_id IN (5, 7) THEN CASE WHEN "
                                      "o.seller_id IN (7) THEN " +
                                      quarter + " ELSE " + hour +
                                      " END WHEN o.seller_id IN (2, 9) THEN " + day + " END"),
            std::string::npos);
}

// An incremental read's buckets are index ranges of their sellers, OR-ed,
// each cut to the window (whose end is in it); a range wholly outside the
// window reads nothing.
TEST(BucketRangesTest, EachRangeIsItsSellersInItsTimesWithinTheWindow) {
  const source::Dialect& d = source::sqliteDialect();
  const Window w = windowAt(kNow, Rules());
  const auto ordersGrain = [&](const std::vector<source::SellersInRange>& ranges) {
    source::WindowShare share;
    share.ranges = ranges;
    const std::vector<std::int64_t> sellers{1, 2, 3, 4};
    return source::buildRunQueries(d, kNow, Rules(), {}, &sellers, share).grains.at(0).sql;
  };
  const std::string sql = ordersGrain({{{1, 2}, w.begin - 3600, w.begin + 3600},
                                       {{3}, w.end - 60, w.end + 3600},
                                       {{4}, w.end + 1, w.end + 3600}});
  EXPECT_NE(sql.find("((o.seller_id IN (1, 2) AND o.ordered_at >= " + d.timeLiteral(w.begin) +
                     " AND o.ordered_at < " + d.timeLiteral(w.begin + 3600) + ")\n    OR " +
                     "(o.seller_id IN (3) AND o.ordered_at >= " + d.timeLiteral(w.end - 60) +
                     " AND o.ordered_at <= " + d.timeLiteral(w.end) + "))"),
            std::string::npos)
      << sql;
  EXPECT_EQ(sql.find("IN (4)"), std::string::npos);
  EXPECT_NE(ordersGrain({{{4}, w.end + 1, w.end + 3600}}).find("WHERE 1 = 0"), std::string::npos)
      << ordersGrain({{{4}, w.end + 1, w.end + 3600}});
}

// A read on n sessions deals the sellers out by id: every window query of
// part k > 0 keeps the sellers whose id is k modulo n, of either sign (the
// remainder has the id's sign), and part 0 every id no other part keeps.
// After-sales rows go by their own seller_id (a row whose seller_id is not
// its order's is bad), so that the engine drops the other parts' rows
// before it looks their orders up.
TEST(SellerPartsTest, EveryWindowQueryOfAPartKeepsItsSellers) {
  EXPECT_THROW(source::splitSellers(0), std::invalid_argument);
  const std::vector<source::WindowShare> parts = source::splitSellers(3);
  ASSERT_EQ(parts.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(parts[static_cast<std::size_t>(k)].parts, 3);
    EXPECT_EQ(parts[static_cast<std::size_t>(k)].part, k);
    EXPECT_FALSE(parts[static_cast<std::size_t>(k)].from ||
                 parts[static_cast<std::size_t>(k)].until);
  }
  const source::RunQueries q =
      source::buildRunQueries(source::sqliteDialect(), kNow, Rules(), {}, nullptr, parts[2]);
  const std::string ofOrders = "COALESCE(o.seller_id % 3, 0) IN (2, -2)";
  const std::string ofAfterSales = "COALESCE(c.seller_id % 3, 0) IN (2, -2)";
  // The query of `table` keeps the part by the seller_id of its own rows.
  const auto expectKept = [&](const std::string& table, const std::string& sql) {
    const bool afterSales = table != "orders";
    EXPECT_NE(sql.find(afterSales ? ofAfterSales : ofOrders), std::string::npos)
        << table << ": " << sql;
    EXPECT_EQ(sql.find(afterSales ? ofOrders : ofAfterSales), std::string::npos)
        << table << ": " << sql;
  };
  ASSERT_EQ(q.grains.size(), 6u);
  for (const auto& g : q.grains) expectKept(g.table, g.sql);
  // Orders with a defect of any table: counted from the defect rows of
  // the order defect rate, which these queries list.
  ASSERT_EQ(q.fromDefects.size(), 1u);
  EXPECT_EQ(q.fromDefects[0].tally, TallyId::kDefectOrders);
  EXPECT_EQ(q.fromDefects[0].metric, MetricId::kOrderDefectRate);
  for (const auto& d : q.defects) {
    if (!d.sql.empty()) expectKept(d.table, d.sql);
  }
  for (const auto& [table, sql] : q.futureRows) expectKept(table, sql);
  expectKept("tickets", q.responseHistogram);
  expectKept("tickets", q.productClaims);
  // Part 0: whatever the other parts leave, a remainder of 1.5 included.
  const source::RunQueries zero =
      source::buildRunQueries(source::sqliteDialect(), kNow, Rules(), {}, nullptr, parts[0]);
  EXPECT_NE(zero.grains.at(0).sql.find("COALESCE(o.seller_id % 3, 0) NOT IN (1, -1, 2, -2)"),
            std::string::npos);
  // One part: no condition at all.
  const source::RunQueries whole = source::buildRunQueries(source::sqliteDialect(), kNow, Rules(),
                                                           {}, nullptr, source::splitSellers(1)[0]);
  EXPECT_EQ(whole.grains.at(0).sql.find(" % "), std::string::npos);
}

// A read of listed sellers lists the defect rows of a table whose tallies
// count rows and whose key cannot be NULL in its grain query, in one pass;
// the other tables, and a read of every seller (which keeps the defect rows
// first), in queries of their own.
TEST(DefectRowsTest, AReadOfListedSellersListsThemInTheGrainsThatCountRows) {
  source::KnownRows known;
  known.keyNeverNull = {"orders", "tickets", "refunds", "return_requests", "chargebacks"};
  const auto listing = [&](const std::vector<std::int64_t>* sellers) {
    const source::RunQueries q =
        source::buildRunQueries(source::sqliteDialect(), kNow, Rules(), known, sellers);
    std::string grains;
    std::string own;
    for (const auto& g : q.grains) grains += g.defectMetrics.empty() ? "" : g.table + " ";
    for (const auto& d : q.defects) own += d.table + " ";
    return grains + "| " + own;
  };
  const std::vector<std::int64_t> sellers{7};
  // Not ratings, whose key may be NULL.
  EXPECT_EQ(listing(&sellers), "orders return_requests chargebacks | tickets refunds ratings ");
  EXPECT_EQ(listing(nullptr), "| orders tickets refunds return_requests ratings chargebacks ");
  const source::RunQueries mysql =
      source::buildRunQueries(source::mysqlDialect(), kNow, Rules(), known, &sellers);
  EXPECT_EQ(mysql.defects.size(), 6u);
}

// Under skew the remainder can leave one session most of the window: the
// largest sellers of the previous run are placed by name, largest first,
// each in the part with the fewest orders so far.
TEST(SellerPartsTest, TheLargestSellersArePlacedWhereTheFewestOrdersAre) {
  // 250 orders of other sellers, 125 a part; then 4 (400) to part 0, 6
  // (200) to part 1 (125 < 525), 8 (100) to part 1 (325 < 525), 3 (50) to
  // part 1 (425 < 525): 525 and 475.
  const std::vector<source::WindowShare> parts =
      source::splitSellers(2, 1000, {{6, 200}, {4, 400}, {3, 50}, {8, 100}});
  ASSERT_EQ(parts.size(), 2u);
  const std::map<std::int64_t, int> placed{{3, 1}, {4, 0}, {6, 1}, {8, 1}};
  EXPECT_EQ(parts[0].placed, placed);
  EXPECT_EQ(parts[1].placed, placed);
  // The part of a row's own seller: by name if placed, else its remainder.
  const std::string part =
      "CASE WHEN c.seller_id IN (4) THEN 0 WHEN c.seller_id IN (3, 6, 8) THEN 1 ELSE "
      "COALESCE(c.seller_id % 2, 0) END";
  for (int k = 0; k < 2; ++k) {
    const source::RunQueries q = source::buildRunQueries(
        source::sqliteDialect(), kNow, Rules(), {}, nullptr, parts[static_cast<std::size_t>(k)]);
    const auto grain = std::find_if(q.grains.begin(), q.grains.end(),
                                    [](const auto& g) { return g.table == "ratings"; });
    ASSERT_NE(grain, q.grains.end());
    const std::string& ratings = grain->sql;
    EXPECT_NE(ratings.find(part + (k == 0 ? " NOT IN (1, -1)" : " IN (1, -1)")), std::string::npos)
        << ratings;
  }
  // One share: nothing to place; more sellers than orders: none counted.
  EXPECT_TRUE(source::splitSellers(1, 1000, {{4, 400}})[0].placed.empty());
  EXPECT_EQ(source::splitSellers(2, 10, {{4, 400}, {5, 300}})[0].placed,
            (std::map<std::int64_t, int>{{4, 0}, {5, 1}}));
}

// With no previous run to tell the largest sellers (the first run), a
// sample of the window does: the first orders at or after times spread
// evenly over it, read through orders(ordered_at).
TEST(SellerPartsTest, WithNoPreviousRunASampleOfTheWindowTellsTheLargest) {
  TempDir dir;
  const std::string path = dir.file("sample.db");
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session session("SQLite", path);
  session << "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, seller_id INTEGER, "
             "ordered_at TEXT)",
      now;
  session << "CREATE INDEX orders_ordered_at ON orders (ordered_at)", now;
  const source::Dialect& d = source::sqliteDialect();
  const Window w = windowAt(kNow, Rules());
  // Two probes: at a quarter and at three quarters of the window.
  const Timestamp first = w.begin + (w.end - w.begin) / 4;
  const Timestamp second = w.begin + (w.end - w.begin) * 3 / 4;
  const std::vector<std::pair<std::int64_t, Timestamp>> orders = {
      {5, first - 1},   // before the first probe
      {7, first},       // the first probe's three
      {7, first + 10},  //
      {7, first + 20},  //
      {9, first + 30},  // its fourth: not sampled
      {9, second},      // the second probe's, up to the window's end
      {7, second + 5},  //
      {8, w.end + 1}};  // after the window
  for (const auto& [seller, at] : orders) {
    session << "INSERT INTO orders (seller_id, ordered_at) VALUES (" + std::to_string(seller) +
                   ", " + d.timeLiteral(at) + ")",
        now;
  }
  const std::string sql = source::windowSampleQuery(d, kNow, Rules(), 2, 3);
  EXPECT_NE(sql.find("ORDER BY o.ordered_at LIMIT 3"), std::string::npos) << sql;
  std::vector<Poco::Int64> sample;
  session << sql, Poco::Data::Keywords::into(sample), now;
  std::sort(sample.begin(), sample.end());
  EXPECT_EQ(sample, (std::vector<Poco::Int64>{7, 7, 7, 7, 9}));
  EXPECT_THROW(source::windowSampleQuery(d, kNow, Rules(), 0, 3), std::invalid_argument);

  // Most often found first; among equals, the smaller id; at most `most`.
  const auto largest = [](const std::vector<std::int64_t>& ids, std::size_t most) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const SellerOrders& s : source::largestInSample(ids, most)) {
      out.emplace_back(s.seller, s.orders);
    }
    return out;
  };
  using Found = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(largest({7, 7, 7, 9, 7}, 64), (Found{{7, 4}, {9, 1}}));
  EXPECT_EQ(largest({3, 1, 3, 2, 1, 3}, 2), (Found{{3, 3}, {1, 2}}));
  EXPECT_EQ(largest({5, 4}, 1), (Found{{4, 1}}));
  EXPECT_TRUE(largest({}, 64).empty());
  // The same ranking for a previous run's sellers and their window orders.
  std::vector<std::pair<std::int64_t, std::int64_t>> previous;
  for (const SellerOrders& s : source::largestOf({{3, 5}, {1, 9}, {2, 5}, {4, 0}}, 3)) {
    previous.emplace_back(s.seller, s.orders);
  }
  EXPECT_EQ(previous, (Found{{1, 9}, {2, 5}, {3, 5}}));
}

TEST(SqliteSourceErrorTest, MissingFileFailsPingAndReadAndIsNotCreated) {
  TempDir dir;
  const std::string path = dir.file("missing.db");
  SqliteSource source(path);
  EXPECT_FALSE(source.ping());
  EXPECT_THROW(source.read(kNow, Rules(), CancelToken(), nullptr), SourceError);
  EXPECT_FALSE(Poco::File(path).exists());
}

TEST(SqliteSourceErrorTest, MissingTableIsASourceErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.file("empty.db");
  Poco::Data::SQLite::Connector::registerConnector();
  { Poco::Data::Session("SQLite", path) << "CREATE TABLE unrelated (x INTEGER)", now; }
  try {
    SqliteSource(path).read(kNow, Rules(), CancelToken(), nullptr);
    FAIL() << "read() did not throw";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string::npos, std::string(e.what()).find("sellers")) << e.what();
  }
}

TEST(SqliteSourceErrorTest, OpensTheSourceReadOnly) {
  TempDir dir;
  const std::string path = dir.file("source.db");
  Poco::Data::SQLite::Connector::registerConnector();
  {
    Poco::Data::Session session("SQLite", path);
    createSourceSchema(session);
  }
  Poco::File(path).setReadOnly(true);
  // Reading needs no write access to the operator's file.
  EXPECT_NO_THROW(SqliteSource(path).read(kNow, Rules(), CancelToken(), nullptr));
  Poco::File(path).setReadOnly(false);
}

// The contract check (source/contract.h) on SQLite, as --check-config runs
// it: a schema made from the one definition meets it; each thing missing is
// named.
class SqliteContractTest : public ::testing::Test {
 protected:
  SqliteContractTest() : path_(dir_.file("source.db")) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", path_);
    createSourceSchema(session);
  }
  void execute(const std::string& sql) { Poco::Data::Session("SQLite", path_) << sql, now; }

  TempDir dir_;
  std::string path_;
};

TEST_F(SqliteContractTest, TheSchemaOfTheOneDefinitionMeetsIt) {
  const ContractReport report = SqliteSource(path_).checkContract();
  EXPECT_EQ(report.problems, std::vector<std::string>{});
  EXPECT_EQ(report.notes, std::vector<std::string>{});
}

TEST_F(SqliteContractTest, NamesAMissingTableColumnAndIndexes) {
  execute("DROP TABLE chargebacks");
  execute("ALTER TABLE orders DROP COLUMN promised_at");
  execute("DROP INDEX orders_ordered_at");
  // An index whose leading column is another does not serve.
  execute("DROP INDEX ratings_order_id");
  execute("CREATE INDEX ratings_seller_order ON ratings (seller_id, order_id)");
  EXPECT_EQ(SqliteSource(path_).checkContract().problems,
            (std::vector<std::string>{
                "table orders: missing column promised_at", "table chargebacks: missing",
                "table orders: missing index on (ordered_at), needed by the window range",
                "table ratings: missing index on (order_id), needed by the joins to window "
                "orders"}));
}

TEST_F(SqliteContractTest, ATableWithoutAnIntegerPrimaryKeyNeedsAnIndexOnIt) {
  execute("DROP TABLE orders");
  execute(
      "CREATE TABLE orders (order_id TEXT, seller_id INTEGER, product_id INTEGER, ordered_at TEXT, "
      "ship_by_at TEXT, shipped_at TEXT, promised_at TEXT, delivered_at TEXT, cancelled_at TEXT, "
      "cancelled_by TEXT, tracking_valid INTEGER, fulfilled_by TEXT, amount REAL, currency TEXT, "
      "updated_at TEXT)");
  execute("CREATE INDEX orders_ordered_at ON orders(ordered_at)");
  execute("CREATE INDEX orders_seller_id_ordered_at ON orders(seller_id, ordered_at)");
  execute("CREATE INDEX orders_updated_at ON orders(updated_at)");
  EXPECT_EQ(SqliteSource(path_).checkContract().problems,
            (std::vector<std::string>{"table orders: missing index on (order_id), needed by the "
                                      "joins of after-sales rows to their order"}));
}

TEST_F(SqliteContractTest, AViewIsCheckedForColumnsAndItsIndexesAreNoted) {
  execute("ALTER TABLE refunds RENAME TO refund_rows");
  execute("CREATE VIEW refunds AS SELECT * FROM refund_rows");
  const ContractReport report = SqliteSource(path_).checkContract();
  EXPECT_EQ(report.problems, std::vector<std::string>{});
  EXPECT_EQ(report.notes,
            (std::vector<std::string>{
                "table refunds: refund_id is not declared unique (a view, or no primary key): "
                "every run looks for keys that appear twice",
                "table refunds is a view: its base table needs an index on (order_id), for the "
                "joins to window orders (not checked)",
                "table refunds is a view: its base table needs an index on (updated_at), for "
                "incremental runs (not checked)"}));
}

TEST(SqliteProbeTest, NamesAMissingFileAndAFileThatIsNotADatabase) {
  TempDir dir;
  const std::string missing = dir.file("missing.db");
  try {
    SqliteSource(missing).probe();
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_EQ(std::string(e.what()),
              "SQLite source " + missing +
                  ": no such file (it must hold the SPEC §1 tables; --demo writes a demo "
                  "marketplace there)");
  }
  EXPECT_FALSE(Poco::File(missing).exists());

  const std::string text = dir.file("notes.txt");
  std::ofstream(text) << "this is not a database, but it is long enough to look like a header\n";
  try {
    SqliteSource(text).probe();
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("file is not a database"), std::string::npos) << e.what();
  }
}

// An empty file, or a database without the tables, opens fine: the probe
// is a read that names what a run's read would fail on.
TEST_F(SqliteContractTest, AProbeFailsWhereARunsReadWould) {
  EXPECT_NO_THROW(SqliteSource(path_).probe());
  const std::string empty = dir_.file("empty.db");
  std::ofstream(empty).close();
  EXPECT_FALSE(SqliteSource(empty).ping());
  execute("ALTER TABLE ratings DROP COLUMN stars");
  try {
    SqliteSource(path_).probe();
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_EQ(std::string("SQLite source, reading table ratings: no such column: stars"), e.what());
  }
  execute("DROP TABLE sellers");
  try {
    SqliteSource(path_).probe();
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_EQ(std::string("SQLite source, reading table sellers: no such table: sellers"),
              e.what());
  }
}

}  // namespace
}  // namespace sellertrust
