// Every row check of the one definition, run by SQLite on a fixture with
// one bad row per check: the exact problems (wording included), the tally
// of what stays sound, the engine-specific type checks, and the key limit.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>

#include "tests/source/bad_rows.h"

namespace sellertrust {
namespace {

using testing::kNow;

TEST(RowChecksTest, ReportsEveryBadRowWithItsFirstProblem) {
  const SourceData data = testing::readRaw(testing::badRowsFixture());
  EXPECT_EQ(data.problems, testing::badRowsExpected());
}

TEST(RowChecksTest, CountsOnlyTheSoundRows) {
  const SourceData data = testing::readRaw(testing::badRowsFixture());
  const SellerTally& t = data.tallies.at(7);
  SellerTally expected;
  expected[TallyId::kOrders] = 1;
  expected[TallyId::kOpenOrders] = 1;
  expected[TallyId::kTickets] = 1;             // 100, opened 9 days ago, unanswered
  expected[TallyId::kResponseDueTickets] = 1;  // ... so more than 48 h ago
  expected[TallyId::kClaimedOrders] = 1;       // damaged: a claim
  expected[TallyId::kDefectOrders] = 1;        // ... and a defect (open)
  expected[TallyId::kRatings] = 1;             // 400
  expected[TallyId::kStarSum] = 5;
  expected.productClaims = {{100, 1}};
  EXPECT_EQ(testing::tallyDifferences(expected, t), "");
  // Every row is read once: 18 orders by the window's scan, the NULL and
  // zero-date ordered_at (14, 15) by the scan of orders in no window.
  EXPECT_EQ(data.rowsRead.at("orders"), 20);
  EXPECT_EQ(data.rowsRead.at("tickets"), 13);
  EXPECT_EQ(data.rowsRead.at("ratings"), 5);
}

// Text and decimals in integer columns, which SQLite's typeless columns can
// hold and MySQL's typed ones cannot: reported, never coerced.
TEST(RowChecksTest, SqliteValuesOfTheWrongTypeAreReportedNotCoerced) {
  Poco::TemporaryFile file;
  testing::writeSqliteSource(file.path(), testing::badRowsFixture());
  {
    Poco::Data::Session session("SQLite", file.path());
    using Poco::Data::Keywords::now;
    session << "UPDATE orders SET seller_id = '7abc' WHERE order_id = 11", now;
    session << "UPDATE orders SET ordered_at = '2026-02-10T10:00:00' WHERE order_id = 12", now;
    session << "UPDATE orders SET tracking_valid = 'abc' WHERE order_id = 19", now;
    session << "UPDATE orders SET ordered_at = '2026-02-30 10:00:00' WHERE order_id = 20", now;
    session << "UPDATE ratings SET stars = '1x' WHERE rating_id = 401", now;
    session << "UPDATE ratings SET stars = 4.5 WHERE rating_id = 402", now;
  }
  const SourceData data = SqliteSource(file.path()).read(kNow, Rules(), CancelToken(), nullptr);
  auto problemOf = [&](const std::string& table, std::int64_t key) {
    for (const RowProblem& p : data.problems) {
      if (p.table == table && p.key == key) return p.problem;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(problemOf("orders", 11), "seller_id is not an integer: '7abc'");
  EXPECT_EQ(problemOf("orders", 12), "product_id is NULL");
  EXPECT_EQ(problemOf("orders", 19), "tracking_valid is not 0 or 1: 'abc'");
  EXPECT_EQ(problemOf("orders", 20), "ordered_at is not a valid time: '2026-02-30 10:00:00'");
  EXPECT_EQ(problemOf("ratings", 401), "stars is not an integer: '1x'");
  EXPECT_EQ(problemOf("ratings", 402), "stars is not an integer: '4.5'");
  EXPECT_EQ(data.tallies.at(7)[TallyId::kRatings], 1);
}

TEST(RowChecksTest, ListsAtMostTheConfiguredNumberOfKeysPerTable) {
  Poco::TemporaryFile file;
  testing::writeSqliteSource(file.path(), testing::badRowsFixture());
  const SourceData data = SqliteSource(file.path(), 2).read(kNow, Rules(), CancelToken(), nullptr);
  std::vector<RowProblem> orders;
  for (const RowProblem& p : data.problems) {
    if (p.table == "orders") orders.push_back(p);
  }
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(orders[0].key, 11);
  EXPECT_EQ(orders[1].key, 12);
  EXPECT_EQ(orders[2].key, 0);
  EXPECT_EQ(orders[2].problem, "17 more rows with problems (only the first 2 keys are listed)");
}

TEST(RowChecksTest, AnAuthenticityClaimMetTwiceIsReportedOnce) {
  testing::RawSource s = testing::badRowsFixture();
  for (testing::RawTicket& t : s.tickets) {
    if (t.ticketId == 105) t.kind = "authenticity";  // and status NULL
  }
  const SourceData data = testing::readRaw(s);
  int reports = 0;
  for (const RowProblem& p : data.problems) reports += p.table == "tickets" && p.key == 105;
  EXPECT_EQ(reports, 1);
  EXPECT_TRUE(data.authenticityClaims.empty());
}

TEST(RowChecksTest, AClaimWhoseOrderGivesNoProductIsReported) {
  testing::RawSource s;
  s.sellers = {{7, "Seven", "FR"}};
  testing::RawTicket t;
  t.ticketId = 900;
  t.orderId = 999;  // no such order
  t.sellerId = 7;
  t.kind = "authenticity";
  t.status = "open";
  t.openedAt = kNow - testing::kDay;
  s.tickets.push_back(t);
  const SourceData data = testing::readRaw(s);
  const std::vector<RowProblem> expected = {
      {"tickets", 900, "product_id (of the ticket or its order) is NULL"}};
  EXPECT_EQ(data.problems, expected);
}

}  // namespace
}  // namespace sellertrust
