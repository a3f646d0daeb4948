// Incremental runs, read side by side, are exact on SQLite
// (incremental_property.h).
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/TemporaryFile.h>

#include "jobs/source/sqlite_source.h"
#include "tests/jobs/incremental_property.h"

namespace sellertrust::testing::incremental {
namespace {

// A seed, and whether the incremental job tallies sellers in buckets.
class IncrementalRunTest : public ::testing::TestWithParam<std::tuple<std::uint32_t, bool>> {};

TEST_P(IncrementalRunTest, GivesWhatAFullRunGivesAfterEveryStep) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::TemporaryFile file;
  Poco::Data::Session session("SQLite", file.path());
  createSourceSchema(session);
  RandomMarketplace market(std::get<0>(GetParam()), [&](const std::string& sql) {
    session << sql, Poco::Data::Keywords::now;
  });
  SqliteSource source(file.path(), sideBySide());
  expectIncrementalRunsEqualFullOnes(market, source, std::get<1>(GetParam()),
                                     // Even seeds: every bucket the narrowest.
                                     std::get<0>(GetParam()) % 2 == 0 ? 0 : 1);
}

// One seller's orders in an SQLite source, placed on chosen days. With up
// to 6 window orders (in the 6-day window of testRules) its buckets are a
// day wide (FullAndIncremental's ordersPerBucket 1).
class BucketedRunTest : public ::testing::Test {
 protected:
  BucketedRunTest() : session_(registered(), file_.path()) {
    createSourceSchema(session_);
    exec(
        "INSERT INTO sellers (seller_id, name, country, created_at, updated_at) VALUES (1, 's', "
        "'FR', " +
        sqlTime(kStart) + ", " + sqlTime(kStart) + ")");
  }
  static std::string registered() {
    Poco::Data::SQLite::Connector::registerConnector();
    return "SQLite";
  }
  void exec(const std::string& sql) { session_ << sql, Poco::Data::Keywords::now; }
  void order(int id, Timestamp at, const std::string& shippedAt, Timestamp updated) {
    exec(
        "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, shipped_at, "
        "fulfilled_by, amount, currency, updated_at) VALUES (" +
        std::to_string(id) + ", 1, 101, " + sqlTime(at) + ", " + shippedAt +
        ", 'seller', 10, 'EUR', " + sqlTime(updated) + ")");
  }

  Poco::TemporaryFile file_;
  Poco::Data::Session session_;
};

// A seller tallied in buckets whose row in the future comes of age is read
// whole: that row's bucket is neither due (a bad row has no due column) nor
// changed (later changes moved the watermark past its update).
TEST_F(BucketedRunTest, ARowInTheFutureComesOfAgeInABucketNotChangedSince) {
  // Shipped, says the row, in an hour: beyond the 300 s of clock skew.
  order(1, kStart - 3 * kDay, sqlTime(kStart + kHour), kStart);
  order(2, kStart - kDay, "NULL", kStart);
  SqliteSource source(file_.path());
  FullAndIncremental jobs(source, /*buckets=*/true);
  jobs.run(kStart);
  ASSERT_EQ("", jobs.differences());
  // Two later orders, today: the watermark moves on past order 1's update.
  order(3, kStart + 10 * kMinute, "NULL", kStart + 10 * kMinute);
  jobs.run(kStart + 10 * kMinute);
  order(4, kStart + 20 * kMinute, "NULL", kStart + 20 * kMinute);
  jobs.run(kStart + 20 * kMinute);
  ASSERT_EQ("", jobs.differences());
  // Order 1 is sound now: it counts.
  const ScoreRunSummary s = jobs.run(kStart + 2 * kHour);
  EXPECT_EQ(s.kind, RunKind::kIncremental);
  EXPECT_EQ(s.rowsRead.at("orders"), 4);
  EXPECT_EQ("", jobs.differences());
}

// A changed order far outside the window (a bad row) names a bucket no
// query can bound on MySQL's DATETIME: it is not read, and the run goes on.
TEST_F(BucketedRunTest, AChangedOrderOutsideTheWindowIsNoBucketToRead) {
  order(1, kStart - kDay, "NULL", kStart);
  SqliteSource source(file_.path());
  FullAndIncremental jobs(source, /*buckets=*/true);
  jobs.run(kStart);
  jobs.run(kStart + kMinute);  // seller 1 in buckets from now on
  exec(
      "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, fulfilled_by, amount, "
      "currency, updated_at) VALUES (2, 1, 101, '9999-12-31 12:00:00', 'seller', 10, 'EUR', " +
      sqlTime(kStart + 2 * kMinute) + ")");
  const ScoreRunSummary s = jobs.run(kStart + 2 * kMinute);
  EXPECT_EQ(s.kind, RunKind::kIncremental);
  EXPECT_EQ("", jobs.differences());
}

// The previous read saw the rows updated within the change overlap: those
// it would find as they were are no change, and the seller is not read
// again; a row changed since, even in the same second, is.
TEST_F(BucketedRunTest, ARowInTheOverlapIsAChangeOnlyIfItChanged) {
  for (int day = 1; day <= 3; ++day) order(day, kStart - day * kDay, "NULL", kStart);
  SqliteSource source(file_.path());
  FullAndIncremental jobs(source, /*buckets=*/true);
  jobs.run(kStart);
  order(4, kStart + 10 * kMinute, "NULL", kStart + 10 * kMinute);
  EXPECT_EQ(jobs.run(kStart + 10 * kMinute).rowsRead.at("orders"), 4);  // in buckets from now
  // Nothing changed: order 4, within the overlap, is as it was.
  ScoreRunSummary s = jobs.run(kStart + 11 * kMinute);
  EXPECT_EQ(s.kind, RunKind::kIncremental);
  EXPECT_EQ(s.sellersRecomputed, 0);
  EXPECT_EQ(s.rowsRead.at("orders"), 0);
  // Order 2 ships, in a transaction that set updated_at in the second the
  // previous read saw last: only its day is read.
  exec("UPDATE orders SET shipped_at = " + sqlTime(kStart + 9 * kMinute) +
       ", tracking_valid = 1, updated_at = " + sqlTime(kStart + 10 * kMinute) +
       " WHERE order_id = 2");
  s = jobs.run(kStart + 12 * kMinute);
  EXPECT_EQ(s.sellersRecomputed, 1);
  EXPECT_EQ(s.rowsRead.at("orders"), 1);
  EXPECT_EQ("", jobs.differences());
}

// A seller with more orders has narrower buckets: a changed order costs a
// run the orders of its bucket, not those of its day.
TEST_F(BucketedRunTest, ALargerSellerReadsAgainOnlyItsNarrowerBucketThatChanged) {
  const Timestamp midnight = kStart - 2 * kDay - 12 * kHour;  // kStart is at 12:00
  for (int i = 0; i < 24; ++i) order(i + 1, midnight + i * kHour + 10 * kMinute, "NULL", kStart);
  SqliteSource source(file_.path());
  FullAndIncremental jobs(source, /*buckets=*/true);
  jobs.run(kStart);
  // In buckets from now on: 24 window orders in 6 days, at most one order
  // a day in a bucket on average (ordersPerBucket 1), gives buckets of 6
  // hours (bucketWidth).
  EXPECT_EQ(jobs.run(kStart + kMinute).rowsRead.at("orders"), 24);
  exec("UPDATE orders SET shipped_at = " + sqlTime(kStart + kMinute) +
       ", tracking_valid = 1, updated_at = " + sqlTime(kStart + 2 * kMinute) +
       " WHERE order_id = 9");  // placed at 08:10
  const ScoreRunSummary s = jobs.run(kStart + 3 * kMinute);
  EXPECT_EQ(s.kind, RunKind::kIncremental);
  EXPECT_EQ(s.rowsRead.at("orders"), 6);  // orders 7 to 12: 06:00 to 12:00
  EXPECT_EQ("", jobs.differences());
}

// An order leaving the window is taken out of its day's tallies without
// reading the day again; unless the day's due time may be that order's:
// then the day is read, or the seller would stay due for an order that no
// longer counts.
TEST_F(BucketedRunTest, AnOrderLeavingTheWindowLeavesItsDayAndItsDueTime) {
  const auto unshipped = [&](int id, Timestamp at, Timestamp shipBy, Timestamp updated) {
    exec(
        "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, ship_by_at, "
        "fulfilled_by, amount, currency, updated_at) VALUES (" +
        std::to_string(id) + ", 1, 101, " + sqlTime(at) + ", " + sqlTime(shipBy) +
        ", 'seller', 10, 'EUR', " + sqlTime(updated) + ")");
  };
  const Timestamp firstDay = kStart - 6 * kDay;  // the window's first day, at 12:00
  unshipped(1, firstDay + 30 * kMinute, kStart + 2 * kHour, kStart);
  unshipped(2, firstDay + 40 * kMinute, kStart + 5 * kHour, kStart);
  unshipped(3, firstDay + 50 * kMinute, kStart + 9 * kHour, kStart);
  order(4, kStart - 2 * kDay, "NULL", kStart);
  SqliteSource source(file_.path());
  FullAndIncremental jobs(source, /*buckets=*/true);
  jobs.run(kStart);
  jobs.run(kStart + kMinute);  // in buckets from now on
  ASSERT_EQ("", jobs.differences());
  // Order 1 left, whose ship-by was the first day's due time: the day is
  // read (orders 2 and 3) besides order 1.
  EXPECT_EQ(jobs.run(kStart + 35 * kMinute).rowsRead.at("orders"), 3);
  EXPECT_EQ("", jobs.differences());
  EXPECT_EQ(jobs.run(kStart + 45 * kMinute).rowsRead.at("orders"), 2);  // order 2 the same
  EXPECT_EQ("", jobs.differences());
  // A new order of that day is due first: order 3, leaving next, is taken
  // out of the day's tallies, and the day is not read.
  unshipped(5, firstDay + 55 * kMinute, kStart + kHour, kStart + 46 * kMinute);
  jobs.run(kStart + 47 * kMinute);
  ASSERT_EQ("", jobs.differences());
  const ScoreRunSummary s = jobs.run(kStart + 51 * kMinute);
  EXPECT_EQ(s.kind, RunKind::kIncremental);
  EXPECT_EQ(s.rowsRead.at("orders"), 1);  // order 3, as it was counted
  EXPECT_EQ("", jobs.differences());
}

// An order leaving the window with a defect (here a negative rating) takes
// it out of its day's defect orders too, the day not being read again.
TEST_F(BucketedRunTest, AnOrderLeavingTheWindowTakesItsDefectWithIt) {
  const Timestamp firstDay = kStart - 6 * kDay;  // the window's first day, at 12:00
  order(1, firstDay + 30 * kMinute, sqlTime(firstDay + kHour), kStart);
  order(2, firstDay + 40 * kMinute, sqlTime(firstDay + kHour), kStart);
  exec(
      "INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, created_at, "
      "updated_at) VALUES (700, 1, 1, 101, 1, " +
      sqlTime(firstDay + kDay) + ", " + sqlTime(kStart) + ")");
  SqliteSource source(file_.path());
  FullAndIncremental jobs(source, /*buckets=*/true);
  jobs.run(kStart);
  jobs.run(kStart + kMinute);  // in buckets from now on
  ASSERT_EQ("", jobs.differences());
  ASSERT_EQ(jobs.fullCount(1, TallyId::kDefectOrders), 1);    // order 1
  const ScoreRunSummary s = jobs.run(kStart + 35 * kMinute);  // order 1 left
  EXPECT_EQ(s.kind, RunKind::kIncremental);
  EXPECT_EQ(s.rowsRead.at("orders"), 1);  // order 1, as it was counted
  EXPECT_EQ("", jobs.differences());
  EXPECT_EQ(jobs.fullCount(1, TallyId::kDefectOrders), 0);
}

// A key that may be NULL (SQLite lets any key but the rowid be) cannot
// tell a defect row's group apart: such a table's grain query lists no
// defect rows, and its defect query lists that row, on its own order.
TEST_F(BucketedRunTest, ADefectRowWithoutAKeyCountsOnItsOwnOrder) {
  exec("DROP TABLE ratings");
  exec(
      "CREATE TABLE ratings (rating_id BIGINT PRIMARY KEY, order_id INTEGER, seller_id INTEGER, "
      "product_id INTEGER, stars INTEGER, created_at TEXT, updated_at TEXT)");
  exec("CREATE INDEX ratings_order_id ON ratings(order_id)");
  exec("CREATE INDEX ratings_updated_at ON ratings(updated_at)");
  const auto rating = [&](const std::string& id, int orderId, int stars) {
    exec(
        "INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, created_at, "
        "updated_at) VALUES (" +
        id + ", " + std::to_string(orderId) + ", 1, 101, " + std::to_string(stars) + ", " +
        sqlTime(kStart - kHour) + ", " + sqlTime(kStart) + ")");
  };
  order(1, kStart - 2 * kDay, sqlTime(kStart - 2 * kDay + kHour), kStart);
  order(2, kStart - 2 * kDay, sqlTime(kStart - 2 * kDay + kHour), kStart);
  rating("10", 1, 5);
  rating("11", 1, 1);
  rating("NULL", 2, 1);
  SqliteSource source(file_.path());
  FullAndIncremental jobs(source, /*buckets=*/false);
  jobs.run(kStart);
  order(3, kStart + 5 * kMinute, "NULL", kStart + 5 * kMinute);  // seller 1 read again
  EXPECT_EQ(jobs.run(kStart + 10 * kMinute).kind, RunKind::kIncremental);
  EXPECT_EQ(jobs.fullCount(1, TallyId::kDefectOrders), 2);  // orders 1 and 2
  EXPECT_EQ("", jobs.differences());
}

// The buckets outlive the job that built them (Options::bucketsFile): a job
// that resumes from the saved results reads only the day that changed.
TEST_F(BucketedRunTest, ARestartContinuesWithTheBucketsOfTheSavedRun) {
  for (int day = 1; day <= 3; ++day) order(day, kStart - day * kDay, "NULL", kStart);
  SqliteSource source(file_.path());
  Poco::TemporaryFile buckets;
  ScoreJob::Options options;
  options.keepDays = 30;
  options.bucketMinOrders = 1;
  options.bucketsFile = buckets.path();
  FakeStore store;
  SnapshotHolder snapshots;
  {
    ScoreJob job(&source, &store, &snapshots, testRules(), options);
    job.run(kStart, CancelToken(), RunKind::kFull);  // no results yet: no buckets
    order(4, kStart + 10 * kMinute, "NULL", kStart + 10 * kMinute);
    // In buckets from now on: its whole window is read, by day.
    EXPECT_EQ(
        job.run(kStart + 10 * kMinute, CancelToken(), RunKind::kIncremental).rowsRead.at("orders"),
        4);
  }
  ScoreJob restarted(&source, &store, &snapshots, testRules(), options);
  restarted.resumeFrom(snapshots.current());
  // Order 4 lies in the change overlap, and is as the saved run saw it.
  EXPECT_EQ(restarted.run(kStart + 11 * kMinute, CancelToken(), RunKind::kIncremental)
                .rowsRead.at("orders"),
            0);
  order(5, kStart + 20 * kMinute, "NULL", kStart + 20 * kMinute);
  const ScoreRunSummary s =
      restarted.run(kStart + 20 * kMinute, CancelToken(), RunKind::kIncremental);
  EXPECT_EQ(s.kind, RunKind::kIncremental);
  EXPECT_EQ(s.bucketsNotSaved, "");
  EXPECT_EQ(s.rowsRead.at("orders"), 2);  // today's: orders 4 and 5
  EXPECT_EQ(snapshots.current()->sellers.at(1)->counts[0], 5);
  // That run saved only today's bucket, as a change to the ones loaded:
  // a second restart has every bucket again, and reads nothing.
  ScoreJob again(&source, &store, &snapshots, testRules(), options);
  again.resumeFrom(snapshots.current());
  const ScoreRunSummary next =
      again.run(kStart + 21 * kMinute, CancelToken(), RunKind::kIncremental);
  EXPECT_EQ(next.kind, RunKind::kIncremental);
  EXPECT_EQ(next.rowsRead.at("orders"), 0);
  EXPECT_EQ(snapshots.current()->sellers.at(1)->counts[0], 5);
}

// An incremental run reports the after-sales rows without an order that
// changed since the previous run, and those without an updated_at, as a
// full run does; not the ones it read before the change overlap.
TEST_F(BucketedRunTest, AnIncrementalRunReportsTheChangedRowsWithoutAnOrder) {
  order(1, kStart - kDay, "NULL", kStart);
  const auto rating = [&](int id, int orderId, const std::string& updatedAt) {
    exec(
        "INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, created_at, "
        "updated_at) VALUES (" +
        std::to_string(id) + ", " + std::to_string(orderId) + ", 1, 101, 2, " +
        sqlTime(kStart - kHour) + ", " + updatedAt + ")");
  };
  rating(800, 997, sqlTime(kStart - kDay));  // long before the overlap
  SqliteSource source(file_.path());
  FullAndIncremental jobs(source, /*buckets=*/true);
  jobs.run(kStart);
  rating(900, 999, sqlTime(kStart + 5 * kMinute));
  rating(901, 998, "NULL");
  const ScoreRunSummary s = jobs.run(kStart + 10 * kMinute);
  EXPECT_EQ(s.kind, RunKind::kIncremental);
  std::vector<std::pair<std::int64_t, std::string>> found;
  for (const RowProblem& p : s.problems) {
    if (p.table == "ratings") found.emplace_back(p.key, p.problem);
  }
  EXPECT_EQ(found,
            (std::vector<std::pair<std::int64_t, std::string>>{
                {900, "order_id names no order: '999'"}, {901, "order_id names no order: '998'"}}));
  EXPECT_EQ(s.rowsRead.at("ratings"), 2);
  EXPECT_EQ("", jobs.differences());
}

INSTANTIATE_TEST_SUITE_P(Seeds, IncrementalRunTest,
                         ::testing::Combine(::testing::Values(1u, 2u, 3u, 4u, 5u, 6u),
                                            ::testing::Bool()));

}  // namespace
}  // namespace sellertrust::testing::incremental
