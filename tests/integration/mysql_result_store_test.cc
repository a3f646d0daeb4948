// MysqlResultStore against the test MariaDB: the writer lock and its fencing
// at commit, and a migration that failed half-way being completed.
#include "jobs/mysql/mysql_result_store.h"

#include <chrono>
#include <thread>

#include "tests/integration/mariadb_test.h"
#include "tests/jobs/owned_run.h"

namespace sellertrust::testing {
namespace {

const Timestamp kT0 = *parseUtc("2026-03-01 12:00:00");

SellerResult seller(std::int64_t id, std::optional<double> score) {
  SellerResult s;
  s.sellerId = id;
  s.name = "Seller \xc3\xa9 " + std::to_string(id);
  s.country = "DE";
  s.score = score;
  s.badge = score ? Badge::kGood : Badge::kNew;
  s.badgeReason = "why " + std::to_string(id);
  for (std::size_t i = 0; i < kTallyCount; ++i) {
    s.counts[i] = id * 1000 + static_cast<std::int64_t>(i);
  }
  if (id % 2 == 0) s.dueAt = kT0 + id;
  if (score) {
    s.responseTime.answered = 9;
    s.responseTime.p50Hours = 7213 / 3600.0;
    s.responseTime.p90Hours = 123457 / 3600.0;
  }
  return s;
}

OwnedRun runAt(Timestamp at) {
  OwnedRun run;
  run.computedAt = at;
  run.rulesVersion = "1.test";
  run.sellersChanged = {run.keep(seller(1, 80.0))};
  return run;
}

class MysqlResultStoreTest : public MariadbTest {
 protected:
  void SetUp() override {
    MariadbTest::SetUp();
    root().execute("resetting the results database",
                   "DROP DATABASE IF EXISTS " + env().resultsDb());
    root().execute("creating the results database", "CREATE DATABASE " + env().resultsDb());
  }

  std::string lockName() const { return "sellertrust.writer." + env().resultsDb(); }
};

TEST_F(MysqlResultStoreTest, OneWriterAndARunThatLostTheLockIsDiscarded) {
  MysqlResultStore a(env().readWrite(), "a");
  MysqlResultStore b(env().readWrite(), "b");
  a.migrate();
  ASSERT_TRUE(a.acquireWriterLock());
  EXPECT_TRUE(a.acquireWriterLock());  // still held
  EXPECT_FALSE(b.acquireWriterLock());
  a.saveRun(runAt(kT0));

  // A's lock connection dies (a network cut): the server frees the lock and
  // B takes it. A, unaware, must not commit its next run.
  const auto holder =
      root().queryInt("finding the lock holder", "SELECT IS_USED_LOCK(?)", {lockName()});
  ASSERT_TRUE(holder.has_value());
  root().execute("killing A's lock connection", "KILL " + std::to_string(*holder));
  // KILL returns before the killed thread has released its locks: on a busy
  // machine B's first try can still find the lock held.
  bool bIsWriter = false;
  for (int attempt = 0; attempt < 100 && !bIsWriter; ++attempt) {
    bIsWriter = b.acquireWriterLock();
    if (!bIsWriter) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(bIsWriter);
  try {
    a.saveRun(runAt(kT0 + 300));
    FAIL() << "a run without the lock was committed";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("lost the writer lock"), std::string::npos) << e.what();
  }
  EXPECT_EQ(b.latestRunAt(), kT0);
  b.saveRun(runAt(kT0 + 600));
  EXPECT_EQ(a.latestRunAt(), kT0 + 600);
  EXPECT_FALSE(a.acquireWriterLock());  // B holds it now
}

// Every field of a result reads back exactly, so an unchanged result is
// never rewritten; rows are written in multi-row batches and removed.
TEST_F(MysqlResultStoreTest, RoundTripsResultsExactly) {
  MysqlResultStore store(env().readWrite(), "x");
  store.migrate();
  OwnedRun run = runAt(kT0);
  run.sellersChanged.clear();
  for (std::int64_t id = 1; id <= 1203; ++id) {
    SellerResult r = seller(
        id, id % 3 ? std::optional<double>(static_cast<double>(id % 1000) / 10.0) : std::nullopt);
    // Every fifth seller with defects on two days: reasons with a number
    // (low_rating: stars, defect_claim: a product), one with a time
    // (unshipped: ship_by_at) and one without a value (service_chargeback).
    if (id % 5 == 0) {
      r.defects = DefectList({{id * 10, id * 10 + 1, kT0 - 3 * kSecondsPerDay, 1, 0},
                              {id * 10, id * 10 + 2, kT0 - 3 * kSecondsPerDay, 701, 1},
                              {id * 10, id * 10 + 3, kT0 - 3 * kSecondsPerDay, 0, 2},
                              {id * 10 + 5, id * 10 + 5, kT0 - kSecondsPerDay, kT0, 5}});
    }
    run.sellersChanged.push_back(run.keep(r));
    run.addDefectDays(*run.sellersChanged.back(), nullptr);
  }
  ASSERT_EQ(run.defectDaysChanged.size(), 2u * (1203 / 5));
  ProductResult p;
  p.ladder = {701,
              7,
              LadderStep::kRemove,
              2,
              kT0 - 9 * kSecondsPerDay,
              kT0 - kSecondsPerDay,
              kT0 - 2 * kSecondsPerDay,
              false};
  p.claimsInWindow = 3;
  run.productsChanged = {p};
  run.claimsChanged = {{9001, 7, 701, kT0 - 9 * kSecondsPerDay, TicketStatus::kRefunded}};
  run.sourceWatermark = kT0 - 5;
  run.fullRunAt = kT0 - 3600;
  store.saveRun(run);
  std::shared_ptr<Snapshot> s = store.loadSnapshot(0);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sourceWatermark, kT0 - 5);
  EXPECT_EQ(s->fullRunAt, kT0 - 3600);
  ASSERT_EQ(s->sellers.size(), 1203u);
  for (const SellerResult* r : run.sellersChanged) {
    EXPECT_TRUE(*r == *s->sellers.at(r->sellerId)) << "seller " << r->sellerId;
  }
  EXPECT_TRUE(p == s->products.at(701));
  EXPECT_EQ(s->claimsByProduct.at(701).at(0).status, TicketStatus::kRefunded);

  // Every seller with defects loses its first day: 240 days deleted, in
  // two statements of (seller, day) pairs.
  OwnedRun lost = runAt(kT0 + 30);
  lost.sellersChanged.clear();
  for (const SellerResult* r : run.sellersChanged) {
    if (r->defects.empty()) continue;
    SellerResult after = *r;
    after.defects =
        r->defects.without({r->defects.days().front() * kSecondsPerDay}, kSecondsPerDay, 0);
    lost.sellersChanged.push_back(lost.keep(after));
    lost.addDefectDays(*lost.sellersChanged.back(), &r->defects);
  }
  ASSERT_EQ(lost.defectDaysRemoved.size(), 1203u / 5);
  ASSERT_TRUE(lost.defectDaysChanged.empty());
  store.saveRun(lost);
  s = store.loadSnapshot(0);
  for (const SellerResult* r : lost.sellersChanged) {
    EXPECT_TRUE(*r == *s->sellers.at(r->sellerId)) << "seller " << r->sellerId;
  }
  root().execute("use", "USE " + env().resultsDb());
  EXPECT_EQ(root().queryInt("counting defect days", "SELECT COUNT(*) FROM seller_defects", {}),
            1203 / 5);

  OwnedRun removal = runAt(kT0 + 60);
  removal.sellersChanged.clear();
  for (std::int64_t id = 2; id <= 1203; ++id) removal.sellersRemoved.push_back(id);
  removal.productsRemoved = {701};
  removal.claimsRemoved = {9001};
  store.saveRun(removal);
  s = store.loadSnapshot(0);
  EXPECT_EQ(s->sellers.size(), 1u);
  EXPECT_EQ(root().queryInt("counting defect days", "SELECT COUNT(*) FROM seller_defects", {}), 0);
  EXPECT_TRUE(s->products.empty());
  EXPECT_TRUE(s->claimsByProduct.empty());
}

TEST_F(MysqlResultStoreTest, CompletesAMigrationThatFailedHalfWay) {
  MysqlResultStore store(env().readWrite(), "x");
  store.migrate();
  ASSERT_EQ(store.schemaVersion(), MysqlResultStore::latestSchemaVersion());
  // Back to version 1 with the first step of version 2 already applied, as
  // after a crash between the two DDL statements of 002_run_writer.sql; and
  // every step of version 3 applied but not recorded.
  root().execute("use", "USE " + env().resultsDb());
  root().execute("forgetting v2 and v3", "DELETE FROM schema_version WHERE version >= 2");
  root().execute("dropping v2's index", "DROP INDEX warnings_code ON warnings");
  store.migrate();
  EXPECT_EQ(store.schemaVersion(), MysqlResultStore::latestSchemaVersion());
  EXPECT_EQ(root().queryInt("counting the index",
                            "SELECT COUNT(*) FROM information_schema.statistics WHERE "
                            "table_schema = ? AND index_name = 'warnings_code'",
                            {env().resultsDb()}),
            2);  // two columns: the index is back
}

}  // namespace
}  // namespace sellertrust::testing
