// Reads on several sessions side by side (source::ReadSettings::sessions)
// give exactly what one session gives: a full read with its sellers dealt
// out by id, on the demo marketplace and on a bad row of every kind; an
// incremental one with its sellers dealt out in chunks; and a session that
// fails fails the read with its own error. scripts/test.sh runs the
// BadRows suite (seconds, not the demo's minute) under ThreadSanitizer.
#include <gtest/gtest.h>

#include <Poco/Data/Session.h>
#include <Poco/TemporaryFile.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "jobs/demo/demo_marketplace.h"
#include "jobs/source/dialect.h"
#include "jobs/source/sqlite_source.h"
#include "tests/source/bad_rows.h"

namespace sellertrust {
namespace {

constexpr Timestamp kNow = 1767225600;  // 2026-01-01 00:00:00 UTC

SourceData read(const std::string& path, Timestamp now, int sessions, std::size_t sellersPerQuery,
                const ChangeScope* changes, const CarriedState* carried = nullptr) {
  source::ReadSettings settings;
  settings.sessions = sessions;
  settings.sellersPerQuery = sellersPerQuery;
  return SqliteSource(path, settings).read(now, Rules(), CancelToken(), changes, carried);
}

// A previous run whose largest sellers are `largest`, as many orders each
// as the window's others together: a full read on several sessions places
// them by name, not by remainder.
CarriedState placing(const std::vector<std::int64_t>& largest) {
  CarriedState carried;
  carried.windowOrders = 1000 * static_cast<std::int64_t>(largest.size() + 1);
  carried.sellerOrders = [largest] {
    std::vector<SellerOrders> out;
    out.reserve(largest.size());
    for (std::int64_t id : largest) out.push_back({id, 1000});
    return out;
  };
  return carried;
}

std::vector<AuthenticityClaim> sorted(std::vector<AuthenticityClaim> claims) {
  std::sort(claims.begin(), claims.end(),
            [](const auto& x, const auto& y) { return x.ticketId < y.ticketId; });
  return claims;
}

void expectSame(const SourceData& a, const SourceData& b) {
  EXPECT_EQ(a.scope, b.scope);
  EXPECT_EQ(a.watermark, b.watermark);
  EXPECT_EQ(a.sellers.size(), b.sellers.size());
  EXPECT_TRUE(a.tallies == b.tallies);
  EXPECT_EQ(a.dueAt, b.dueAt);
  EXPECT_TRUE(a.defects == b.defects);
  EXPECT_EQ(a.problems, b.problems);
  EXPECT_EQ(a.rowsRead, b.rowsRead);
  EXPECT_EQ(sorted(a.authenticityClaims), sorted(b.authenticityClaims));
}

class SideBySideTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    file_ = new Poco::TemporaryFile;
    generateDemoMarketplace(file_->path(), 7, kNow);
  }
  static void TearDownTestSuite() {
    delete file_;
    file_ = nullptr;
  }
  static SourceData read(int sessions, std::size_t sellersPerQuery, const ChangeScope* changes) {
    return sellertrust::read(file_->path(), kNow, sessions, sellersPerQuery, changes);
  }

  static Poco::TemporaryFile* file_;
};

Poco::TemporaryFile* SideBySideTest::file_ = nullptr;

TEST_F(SideBySideTest, AFullReadDealtOutInThreeGivesWhatOneSessionGives) {
  const SourceData one = read(1, 1000, nullptr);
  // Not vacuous: thousands of sellers, in every part, with bad rows,
  // defect lists, due times and claims.
  ASSERT_GT(one.tallies.size(), 2000u);
  ASSERT_FALSE(one.problems.empty());
  ASSERT_GT(one.defects.size(), 100u);
  ASSERT_FALSE(one.dueAt.empty());
  ASSERT_FALSE(one.authenticityClaims.empty());
  expectSame(read(3, 1000, nullptr), one);
  // The largest sellers of a previous run placed by name, most of them in
  // another part than their remainder's.
  const CarriedState carried = placing({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  expectSame(sellertrust::read(file_->path(), kNow, 3, 1000, nullptr, &carried), one);
}

TEST_F(SideBySideTest, AnIncrementalReadDealtOutGivesWhatOneSessionGives) {
  // Nothing changed since the previous run at the same time; 40 sellers due.
  ChangeScope changes;
  changes.changedSince = kNow + 1;
  changes.previousNow = kNow;
  for (std::int64_t id = 1; id <= 400; id += 10) changes.dueSellers.push_back(id);
  const SourceData one = read(1, 1000, &changes);
  ASSERT_EQ(one.scope, changes.dueSellers);
  ASSERT_GT(one.defects.size(), 5u);
  // Chunks of 3 sellers over three sessions.
  expectSame(read(3, 3, &changes), one);
}

// Every query of a read is reported (ReadSettings::onQuery, which the
// daemon logs at debug level) with the rows it returned, from each
// session's thread: a full read on two sessions runs each window query
// once per share, and the queries before the shares once.
TEST_F(SideBySideTest, EveryQueryIsReportedWithItsRows) {
  std::mutex mutex;
  std::map<std::string, std::int64_t> calls;
  std::map<std::string, std::int64_t> rows;
  source::ReadSettings settings;
  settings.sessions = 2;
  settings.onQuery = [&](const std::string& what, double seconds, std::int64_t n) {
    const std::lock_guard<std::mutex> lock(mutex);
    EXPECT_GE(seconds, 0.0);
    ++calls[what];
    rows[what] += n;
  };
  const SourceData data =
      SqliteSource(file_->path(), settings).read(kNow, Rules(), CancelToken(), nullptr, nullptr);
  EXPECT_EQ(calls["reading the latest change"], 1);
  EXPECT_EQ(rows["reading the latest change"], 1);
  EXPECT_EQ(calls["reading sellers"], 1);
  EXPECT_EQ(rows["reading sellers"], static_cast<std::int64_t>(data.sellers.size()));
  EXPECT_EQ(calls["aggregating orders"], 2);
  // At least one group per seller with window orders.
  EXPECT_GE(rows["aggregating orders"], static_cast<std::int64_t>(data.tallies.size()));
  // No previous run tells the largest sellers: a sample of the window
  // does, 50 orders from each of 100 times at most.
  EXPECT_EQ(calls["sampling the window's sellers"], 1);
  EXPECT_GT(rows["sampling the window's sellers"], 1000);
  EXPECT_LE(rows["sampling the window's sellers"], 5000);
  // Not when a previous run tells them, nor on one session.
  calls.clear();
  const CarriedState carried = placing({1, 2});
  SqliteSource(file_->path(), settings).read(kNow, Rules(), CancelToken(), nullptr, &carried);
  settings.sessions = 1;
  SqliteSource(file_->path(), settings).read(kNow, Rules(), CancelToken(), nullptr, nullptr);
  EXPECT_EQ(calls["aggregating orders"], 3);
  EXPECT_EQ(calls.count("sampling the window's sellers"), 0u);
}

// An incremental read that finds reading every seller cheaper reads them
// all in one pass, and lets its caller drop the previous buckets, which it
// no longer reads, before it does (off the run's peak); one that stays
// incremental keeps them.
TEST_F(SideBySideTest, AReadThatTurnsFullLetsThePreviousBucketsGo) {
  ChangeScope changes;
  changes.changedSince = kNow + 1;
  changes.previousNow = kNow;
  changes.dueSellers = {1, 11};
  const std::map<std::int64_t, PackedBuckets> previous;
  CarriedState carried;
  carried.previous = &previous;
  int dropped = 0;
  carried.dropPrevious = [&dropped] { ++dropped; };
  changes.cheaperToReadAll = [](const std::vector<std::int64_t>&, std::int64_t) { return false; };
  EXPECT_EQ(sellertrust::read(file_->path(), kNow, 2, 1000, &changes, &carried).scope,
            changes.dueSellers);
  EXPECT_EQ(dropped, 0);
  changes.cheaperToReadAll = [](const std::vector<std::int64_t>&, std::int64_t) { return true; };
  const SourceData full = sellertrust::read(file_->path(), kNow, 2, 1000, &changes, &carried);
  EXPECT_EQ(full.scope, std::nullopt);
  EXPECT_GT(full.tallies.size(), 2000u);
  EXPECT_EQ(dropped, 1);
}

// Throws on its `failAt`th query (1-based); otherwise the SQLite session's.
class FailingSession : public source::SqlSession {
 public:
  FailingSession(std::unique_ptr<source::SqlSession> session, int failAt)
      : session_(std::move(session)), failAt_(failAt) {}
  void execute(const std::string& what, const std::string& sql) override {
    session_->execute(what, sql);
  }
  std::unique_ptr<source::SqlRows> query(const std::string& what, const std::string& sql) override {
    if (++queries_ == failAt_) throw SourceError("the helper's connection broke while " + what);
    return session_->query(what, sql);
  }
  void beginRead() override { session_->beginRead(); }
  void endRead() override { session_->endRead(); }

 private:
  std::unique_ptr<source::SqlSession> session_;
  const int failAt_;
  int queries_ = 0;
};

// The bad rows fixture, its bad orders spread over the three parts of a
// read in three: a seller_id that is NULL, text, negative or of another
// seller each lands in exactly one. So do its after-sales rows that name
// a seller other than their order's, dealt out by the seller they name.
class BadRowsSideBySideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::writeSqliteSource(file_.path(), testing::badRowsFixture());
    Poco::Data::Session session("SQLite", file_.path());
    session << "UPDATE orders SET seller_id = -8 WHERE order_id = 13", Poco::Data::Keywords::now;
    session << "UPDATE orders SET seller_id = 'x' WHERE order_id = 12", Poco::Data::Keywords::now;
    session << "UPDATE orders SET seller_id = 9 WHERE order_id = 14", Poco::Data::Keywords::now;
  }
  Poco::TemporaryFile file_;
};

TEST_F(BadRowsSideBySideTest, AFullReadDealtOutInThreeGivesWhatOneSessionGives) {
  const SourceData one = read(file_.path(), testing::kNow, 1, 1000, nullptr);
  ASSERT_GT(one.problems.size(), 20u);
  const auto reported = [&](const std::string& table, std::int64_t key, const std::string& text) {
    return std::count_if(one.problems.begin(), one.problems.end(), [&](const RowProblem& p) {
             return p.table == table && p.key == key && p.problem.find(text) != std::string::npos;
           }) == 1;
  };
  ASSERT_TRUE(reported("orders", 13, "'-8'"));  // part 2 of 3: -8 % 3 is -2
  ASSERT_TRUE(reported("orders", 12, "'x'"));   // part 0
  // Of seller 7's order (part 1), naming seller 8 (part 2), and NULL (part 0).
  ASSERT_TRUE(reported("ratings", 406, "not its order's seller"));
  ASSERT_TRUE(reported("ratings", 407, "seller_id is NULL"));
  expectSame(read(file_.path(), testing::kNow, 3, 1000, nullptr), one);
  // Sellers 7 and 8 placed by name (in parts 0 and 1 of 3; their remainders'
  // are 1 and 2): 406 is still reported once, by the part of seller 8.
  const CarriedState carried = placing({7, 8});
  expectSame(read(file_.path(), testing::kNow, 3, 1000, nullptr, &carried), one);
}

// A full read finds the orphans of a table no larger than the window in
// the pass that reads it whole (ratings: 420), and those of a larger one
// in a pass of their own (refunds, 30 orphans more than the window's 19
// orders): each orphan is reported once, on one session or three, with
// sellers placed by name or not.
TEST_F(BadRowsSideBySideTest, EachOrphanIsReportedOnceWhicheverPassFindsIt) {
  {
    Poco::Data::Session session("SQLite", file_.path());
    for (int k = 1; k <= 30; ++k) {
      session
          << "INSERT INTO refunds (refund_id, order_id, seller_id, created_at, amount, method, "
             "kind, reason) SELECT refund_id + " +
                 std::to_string(k) + ", order_id, " + std::to_string(k) +
                 ", created_at, amount, method, kind, reason FROM refunds WHERE refund_id = 220",
          Poco::Data::Keywords::now;
    }
  }
  const SourceData one = read(file_.path(), testing::kNow, 1, 1000, nullptr);
  const auto reported = [&](const std::string& table, std::int64_t key) {
    return std::count_if(one.problems.begin(), one.problems.end(), [&](const RowProblem& p) {
      return p.table == table && p.key == key &&
             p.problem.find("names no order") != std::string::npos;
    });
  };
  EXPECT_EQ(reported("ratings", 420), 1);
  for (std::int64_t key = 220; key <= 250; ++key) EXPECT_EQ(reported("refunds", key), 1) << key;
  expectSame(read(file_.path(), testing::kNow, 3, 1000, nullptr), one);
  const CarriedState carried = placing({7, 8});
  expectSame(read(file_.path(), testing::kNow, 3, 1000, nullptr, &carried), one);
}

// Orders shipped in the future: each session lists all of its own, but
// together they are more than the 3 keys a table lists. The seller whose
// row is left out of the list is still due when that row may become sound,
// as on one session (where the list is incomplete from the start).
TEST(FutureRowsSideBySideTest, ARowLeftOutOfTheMergedListsStillMakesItsSellerDue) {
  testing::RawSource s;
  s.sellers = {{7, "Seven", "FR"}, {8, "Eight", "FR"}};
  const auto shippedLater = [&](std::int64_t id, std::int64_t seller, Timestamp shipped) {
    testing::RawOrder o = testing::sevenOrder(id, testing::kNow - 10 * testing::kDay);
    o.sellerId = seller;
    o.shippedAt = shipped;
    s.orders.push_back(o);
  };
  // Seller 7 (part 1 of 2): three of them; seller 8 (part 0): one, of the
  // largest key, which the merged list leaves out.
  for (std::int64_t id = 1; id <= 3; ++id) shippedLater(id, 7, testing::kNow + 2 * testing::kDay);
  shippedLater(9, 8, testing::kNow + 3 * testing::kDay);
  Poco::TemporaryFile file;
  testing::writeSqliteSource(file.path(), s);
  const auto readOn = [&](int sessions) {
    source::ReadSettings settings;
    settings.sessions = sessions;
    settings.problemKeysPerTable = 3;
    return SqliteSource(file.path(), settings).read(testing::kNow, Rules(), CancelToken(), nullptr);
  };
  const SourceData one = readOn(1);
  ASSERT_EQ(one.dueAt.count(8), 1u);
  ASSERT_EQ(one.problems.size(), 4u);  // three listed, and "1 more rows"
  expectSame(readOn(2), one);
}

TEST_F(BadRowsSideBySideTest, ASessionThatFailsFailsTheReadWithItsError) {
  CancelToken cancel;
  for (int failAt : {1, 3}) {
    const std::unique_ptr<source::SqlSession> session = openSqliteSession(file_.path(), &cancel);
    source::ReadOptions options;
    options.settings.sessions = 2;
    options.openSession = [&] {
      return std::make_unique<FailingSession>(openSqliteSession(file_.path(), &cancel), failAt);
    };
    try {
      source::readSource(*session, source::sqliteDialect(), testing::kNow, Rules(), cancel, nullptr,
                         nullptr, options);
      ADD_FAILURE() << "the read went through";
    } catch (const SourceError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("the helper's connection broke while ", 0), 0u)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace sellertrust
