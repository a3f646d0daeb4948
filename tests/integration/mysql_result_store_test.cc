// MysqlResultStore against the test MariaDB: the writer lock and its fencing
// at commit, and a migration that failed half-way being completed.
#include "jobs/mysql/mysql_result_store.h"

#include "tests/integration/mariadb_test.h"

namespace sellertrust::testing {
namespace {

const Timestamp kT0 = *parseUtc("2026-03-01 12:00:00");

RunRecord runAt(Timestamp at) {
  RunRecord run;
  run.computedAt = at;
  run.rulesVersion = "1.test";
  run.sellers = {{1, Badge::kGood, 80.0, "{}"}};
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
  ASSERT_TRUE(b.acquireWriterLock());
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

TEST_F(MysqlResultStoreTest, CompletesAMigrationThatFailedHalfWay) {
  MysqlResultStore store(env().readWrite(), "x");
  store.migrate();
  ASSERT_EQ(store.schemaVersion(), MysqlResultStore::latestSchemaVersion());
  // Back to version 1 with the first step of version 2 already applied, as
  // after a crash between the two DDL statements of 002_run_writer.sql.
  root().execute("use", "USE " + env().resultsDb());
  root().execute("forgetting v2", "DELETE FROM schema_version WHERE version = 2");
  root().execute("dropping v2's index", "DROP INDEX warnings_code ON warnings");
  store.migrate();
  EXPECT_EQ(store.schemaVersion(), 2);
  EXPECT_EQ(root().queryInt("counting the index",
                            "SELECT COUNT(*) FROM information_schema.statistics WHERE "
                            "table_schema = ? AND index_name = 'warnings_code'",
                            {env().resultsDb()}),
            2);  // two columns: the index is back
}

}  // namespace
}  // namespace sellertrust::testing
