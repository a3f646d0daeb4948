// Every row check of the one definition, run by SQLite on a fixture with
// one bad row per check: the exact problems (wording included), the tally
// of what stays sound, the engine-specific type checks, and the key limit.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/source/bad_rows.h"

namespace sellertrust {
namespace {

using testing::kNow;

// Reads that list at most `keys` bad rows per table.
source::ReadSettings listing(std::int64_t keys) {
  source::ReadSettings settings;
  settings.problemKeysPerTable = keys;
  return settings;
}

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
  // Every row is read once: 19 orders by the window's scan, the NULL and
  // zero-date ordered_at (14, 15) by the scan of orders in no window.
  EXPECT_EQ(data.rowsRead.at("orders"), 21);
  // And the orphans (120, 420) in the pass that reads their table whole
  // (or a scan of their own), and 409 with its bad order 18.
  EXPECT_EQ(data.rowsRead.at("tickets"), 17);
  EXPECT_EQ(data.rowsRead.at("ratings"), 11);
  // Rating 405 is sound once the clock reaches its time less the skew.
  EXPECT_EQ(data.dueAt.at(7), kNow + 1);
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

// A time of something that happened may be ahead of the run's clock by
// the skew at most; a deadline may lie anywhere ahead. A row in the future
// counts from the moment the clock reaches it, and its seller is due then.
TEST(RowChecksTest, TimesOfEventsAheadOfTheClockAreSkippedUntilItReachesThem) {
  testing::RawSource s;
  s.sellers = {{7, "Seven", "FR"}};
  testing::RawOrder o = testing::sevenOrder(1, kNow - 10 * testing::kDay);
  o.shipByAt = kNow + 2 * testing::kDay;
  o.promisedAt = kNow + 400 * testing::kDay;
  s.orders.push_back(o);
  const Timestamp skew = Rules().clockSkewSeconds;
  ASSERT_EQ(skew, 300);
  s.ratings.push_back({10, 1, 1, kNow + skew});                  // at the limit: sound
  s.ratings.push_back({11, 1, 2, kNow + testing::kHour});        // ahead: not yet
  s.chargebacks.push_back({20, 1, kNow + skew + 1, "service"});  // one second too far

  const SourceData now = testing::readRaw(s);
  const std::vector<RowProblem> expected = {
      {"ratings", 11, "created_at is in the future: '2026-03-01 13:00:00'"},
      {"chargebacks", 20, "created_at is in the future: '2026-03-01 12:05:01'"}};
  EXPECT_EQ(now.problems, expected);
  const SellerTally& t = now.tallies.at(7);
  EXPECT_EQ(t[TallyId::kRatings], 1);
  EXPECT_EQ(t[TallyId::kStarSum], 1);
  EXPECT_EQ(t[TallyId::kDefectOrders], 1);  // the 1-star rating
  EXPECT_EQ(t[TallyId::kShipByOrders], 1);
  EXPECT_EQ(t[TallyId::kPromisedOrders], 1);
  EXPECT_EQ(t[TallyId::kLateShipments], 0);
  // The chargeback may be sound one second after now, the rating at 12:55.
  EXPECT_EQ(now.dueAt.at(7), kNow + 1);

  const SourceData later = testing::readRaw(s, Rules(), kNow + testing::kHour - skew);
  EXPECT_TRUE(later.problems.empty());
  EXPECT_EQ(later.tallies.at(7)[TallyId::kRatings], 2);
  EXPECT_EQ(later.tallies.at(7)[TallyId::kStarSum], 3);
  // The next change by the clock: the ship-by time passes unshipped.
  EXPECT_EQ(later.dueAt.at(7), kNow + 2 * testing::kDay + 1);

  Rules exact;
  exact.clockSkewSeconds = 0;
  const SourceData noSkew = testing::readRaw(s, exact);
  EXPECT_EQ(testing::problemKeys(noSkew.problems),
            (std::set<std::pair<std::string, std::int64_t>>{
                {"ratings", 10}, {"ratings", 11}, {"chargebacks", 20}}));
}

// A view over the operator's schema can repeat a key (a join to several
// rows). Every copy of a repeated key is skipped and reported, and so are
// an order's after-sales rows; a claim met twice does not climb the ladder.
TEST(RowChecksTest, KeysThatAViewRepeatsAreSkippedEveryCopy) {
  Poco::TemporaryFile file;
  testing::writeSqliteSource(file.path(), testing::repeatedKeysFixture());
  {
    Poco::Data::Session session("SQLite", file.path());
    using Poco::Data::Keywords::now;
    for (const std::string& sql : testing::repeatKeysStatements()) session << sql, now;
  }
  SqliteSource source(file.path());
  const SourceData data = source.read(kNow, Rules(), CancelToken(), nullptr);
  EXPECT_EQ(data.problems, testing::repeatedKeysExpected());
  EXPECT_EQ(data.problems[0].reason, "order_id is not unique");
  EXPECT_EQ(testing::tallyDifferences(testing::repeatedKeysTally(), data.tallies.at(7)), "");
  EXPECT_TRUE(data.authenticityClaims.empty());

  const std::vector<std::string> notes = source.checkContract().notes;
  EXPECT_EQ(std::count(notes.begin(), notes.end(),
                       "table orders: order_id is not declared unique (a view, or no primary "
                       "key): every run looks for keys that appear twice"),
            1);
}

// A view that repeats most keys is broken, not a source of a few bad rows:
// the read fails, naming it, rather than publish a marketplace of nothing.
TEST(RowChecksTest, AViewThatRepeatsEveryKeyFailsTheRead) {
  Poco::TemporaryFile file;
  testing::writeSqliteSource(file.path(), testing::RawSource());
  {
    Poco::Data::Session session("SQLite", file.path());
    using Poco::Data::Keywords::now;
    session << "BEGIN", now;
    for (std::size_t id = 1; id <= source::kMaxRepeatedKeys + 1; ++id) {
      session << "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, fulfilled_by) "
                 "VALUES (" +
                     std::to_string(id) + ", 7, 100, '2026-02-20 00:00:00', 'seller')",
          now;
    }
    session << "COMMIT", now;
    session << "ALTER TABLE orders RENAME TO order_rows", now;
    session << "CREATE VIEW orders AS SELECT * FROM order_rows UNION ALL SELECT * FROM order_rows",
        now;
  }
  try {
    SqliteSource(file.path()).read(kNow, Rules(), CancelToken(), nullptr);
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("table orders: more than 10000 keys appear in more than "
                                         "one window row"),
              std::string::npos)
        << e.what();
  }
}

// Beyond the keys listed, the seller is still due when its first row in
// the future may count.
TEST(RowChecksTest, RowsInTheFutureBeyondTheListedKeysMakeTheirSellerDue) {
  testing::RawSource s;
  s.sellers = {{7, "Seven", "FR"}};
  s.orders.push_back(testing::sevenOrder(1, kNow - testing::kDay));
  s.ratings.push_back({11, 1, 5, kNow + 2 * testing::kHour});
  s.ratings.push_back({12, 1, 5, kNow + testing::kHour});  // not listed, due first
  Poco::TemporaryFile file;
  testing::writeSqliteSource(file.path(), s);
  const SourceData data =
      SqliteSource(file.path(), listing(1)).read(kNow, Rules(), CancelToken(), nullptr);
  ASSERT_EQ(data.problems.size(), 2u);
  EXPECT_EQ(data.problems[0].key, 11);
  EXPECT_EQ(data.problems[1].key, 0);  // "1 more rows with problems"
  EXPECT_EQ(data.dueAt.at(7), kNow + testing::kHour - Rules().clockSkewSeconds);
}

TEST(RowChecksTest, ListsAtMostTheConfiguredNumberOfKeysPerTable) {
  Poco::TemporaryFile file;
  testing::writeSqliteSource(file.path(), testing::badRowsFixture());
  const SourceData data =
      SqliteSource(file.path(), listing(2)).read(kNow, Rules(), CancelToken(), nullptr);
  std::vector<RowProblem> orders;
  for (const RowProblem& p : data.problems) {
    if (p.table == "orders") orders.push_back(p);
  }
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(orders[0].key, 11);
  EXPECT_EQ(orders[1].key, 12);
  EXPECT_EQ(orders[2].key, 0);
  EXPECT_EQ(orders[2].problem, "18 more rows with problems (only the first 2 keys are listed)");
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

// An authenticity claim counts for the ladder through its own seller and
// product, but it must still belong to an order that gives it a product
// when it names none.
TEST(RowChecksTest, AClaimWithoutItsOrderOrAProductIsReportedAndSkipped) {
  testing::RawSource s;
  s.sellers = {{7, "Seven", "FR"}};
  testing::RawOrder o;
  o.orderId = 1;
  o.sellerId = 7;
  o.orderedAt = kNow - testing::kDay;  // product_id NULL: a bad order
  s.orders.push_back(o);
  testing::RawTicket t;
  t.ticketId = 900;
  t.orderId = 999;  // no such order
  t.sellerId = 7;
  t.productId = 100;
  t.kind = "authenticity";
  t.status = "open";
  t.openedAt = kNow - testing::kDay;
  s.tickets.push_back(t);
  t.ticketId = 901;
  t.orderId = 1;
  t.productId.reset();
  s.tickets.push_back(t);
  const SourceData data = testing::readRaw(s);
  const std::vector<RowProblem> expected = {
      {"orders", 1, "product_id is NULL"},
      {"tickets", 900, "order_id names no order: '999'"},
      {"tickets", 901, "product_id (of the ticket or its order) is NULL"}};
  EXPECT_EQ(data.problems, expected);
  EXPECT_TRUE(data.authenticityClaims.empty());
}

}  // namespace
}  // namespace sellertrust
