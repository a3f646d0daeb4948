// SqliteResultStore against temporary files: schema versions, the run round
// trip, atomicity of a failing run, history upsert and pruning, and readers
// in another connection not blocked by a writing run.
#include "jobs/sqlite/sqlite_result_store.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <tuple>

#include "jobs/results_sql.h"
#include "jobs/source/definition.h"
#include "jobs/source/source.h"
#include "temp_dir.h"
#include "tests/jobs/owned_run.h"

namespace sellertrust {
namespace {

// The `i`th active warning, by ascending id.
const SharedWarning& nth(const ActiveWarnings& warnings, std::size_t i) {
  return *std::next(warnings.begin(), static_cast<std::ptrdiff_t>(i));
}

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using testing::OwnedRun;
using testing::TempDir;

const Timestamp kT0 = *parseUtc("2026-03-01 12:00:00");
const Timestamp kHour = kSecondsPerHour;
const Timestamp kDay = kSecondsPerDay;

Warning warning(std::int64_t id, const std::string& code, std::int64_t sellerId,
                std::optional<std::int64_t> productId, Timestamp raisedAt,
                std::vector<Evidence> evidence) {
  Warning w;
  w.id = id;
  w.firing.code = code;
  w.firing.severity = productId ? Severity::kCritical : Severity::kWarning;
  w.firing.sellerId = sellerId;
  w.firing.productId = productId;
  w.firing.action = productId ? "delist_product" : "warn_seller";
  w.firing.detail = code + " detail";
  w.firing.evidence = std::move(evidence);
  w.raisedAt = raisedAt;
  w.updatedAt = raisedAt;
  return w;
}

auto key(const Warning& w) {
  std::vector<std::pair<std::string, double>> evidence;
  for (const Evidence& e : w.firing.evidence) evidence.emplace_back(e.name, e.value);
  return std::make_tuple(w.id, w.firing.code, w.firing.severity, w.firing.sellerId,
                         w.firing.productId, w.firing.action, w.firing.detail, evidence, w.raisedAt,
                         w.updatedAt, w.clearedAt);
}

auto key(const BadgeChange& c) {
  return std::make_tuple(c.sellerId, c.from, c.to, c.score, c.at, c.reason);
}

auto key(const HistoryPoint& p) { return std::make_tuple(p.day, p.score, p.badge); }

template <typename T>
void expectSame(const std::vector<T>& expected, const std::vector<T>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("item " + std::to_string(i));
    EXPECT_EQ(key(expected[i]), key(actual[i]));
  }
}

template <typename T>
std::vector<T> values(const std::vector<std::shared_ptr<const T>>& shared) {
  std::vector<T> out;
  out.reserve(shared.size());
  for (const auto& item : shared) out.push_back(*item);
  return out;
}

template <typename T>
void expectSame(const std::vector<const T*>& expected,
                const std::vector<std::shared_ptr<const T>>& actual) {
  std::vector<T> pointees;
  pointees.reserve(expected.size());
  for (const T* item : expected) pointees.push_back(*item);
  expectSame(pointees, values(actual));
}

std::vector<SharedWarning> all(const ActiveWarnings& warnings) {
  return {warnings.begin(), warnings.end()};
}

SellerResult seller(std::int64_t id, Badge badge, std::optional<double> score) {
  SellerResult r;
  r.sellerId = id;
  r.name = "Seller " + std::to_string(id);
  r.country = "FR";
  r.badge = badge;
  r.score = score;
  r.badgeReason = "reason of " + std::to_string(id);
  for (std::size_t i = 0; i < kTallyCount; ++i) {
    r.counts[i] = id * 100 + static_cast<std::int64_t>(i);
  }
  r.responseTime.answered = 3;
  // Whole seconds as hours: 7213 s does not print exactly in 15 digits.
  r.responseTime.p50Hours = 7213 / 3600.0;
  r.responseTime.p90Hours = 90001 / 3600.0;
  return r;
}

Defect defect(std::int64_t orderId, std::int64_t rowId, const char* reason, std::int64_t value) {
  return {orderId, rowId, kT0 - 3 * kDay, value,
          static_cast<std::uint16_t>(*source::defectReasonIndex(reason))};
}

ProductResult product(std::int64_t id, std::int64_t sellerId) {
  ProductResult p;
  p.ladder.productId = id;
  p.ladder.sellerId = sellerId;
  p.ladder.step = LadderStep::kDelist;
  p.ladder.countedClaims = 1;
  p.ladder.firstClaimAt = kT0 - kDay;
  p.ladder.delistUntil = kT0 + 6 * kDay;
  p.ladder.delistActive = true;
  p.claimsInWindow = 4;
  return p;
}

// The first run: two sellers (one without a score), a product with its
// claim, two first badges and three raised warnings.
OwnedRun firstRun() {
  OwnedRun run;
  run.computedAt = kT0;
  run.rulesVersion = "1.0badcafe";
  SellerResult unscored = seller(8, Badge::kNew, std::nullopt);
  unscored.responseTime = ResponseTime();
  SellerResult due = seller(7, Badge::kTop, 96.5);
  due.dueAt = kT0 + 3 * kHour + 17;
  due.defects =
      DefectList({defect(1001, 1001, "shipped_late", 10800), defect(1001, 1004, "low_rating", 2),
                  defect(1002, 1002, "seller_cancelled", kT0 - kDay)});
  run.sellersChanged = {run.keep(due), run.keep(unscored)};
  run.addDefectDays(*run.sellersChanged[0], nullptr);
  run.productsChanged = {product(701, 7)};
  run.sourceWatermark = kT0 - 5;
  run.fullRunAt = kT0 - kHour;
  run.claimsChanged = {{9001, 7, 701, kT0 - kDay, TicketStatus::kUnderReview}};
  run.badgeChanges = {{7, std::nullopt, Badge::kTop, 96.5, kT0, "first badge"},
                      {8, std::nullopt, Badge::kNew, std::nullopt, kT0, "3 orders"}};
  // Evidence values chosen to catch lossy number formatting and reordering.
  run.warningsRaised = {
      run.keep(warning(1, "order_defect_rate_above_target", 7, std::nullopt, kT0,
                       {{"value", 0.1 + 0.2}, {"numerator", 3}, {"judged", 0.012345678901234567}})),
      run.keep(warning(2, "product_delist", 7, 701, kT0,
                       {{"delist_until", 1772971200}, {"counted_claims", 1}})),
      run.keep(warning(3, "slow_responses", 8, std::nullopt, kT0, {})),
  };
  run.marketplaceOdr = 0.0125;
  return run;
}

// The second run, a day later, writes only what changed: warning 2
// cleared, warning 1 updated with new evidence, warning 4 raised (3 is
// unchanged); seller 7 drops to good, seller 8 is gone; the claim is
// withdrawn.
OwnedRun secondRun() {
  OwnedRun run;
  const Timestamp t1 = kT0 + kDay;
  run.computedAt = t1;
  run.rulesVersion = "1.0badcafe";
  run.sellersChanged = {run.keep(seller(7, Badge::kGood, 84.0))};
  run.addDefectDays(*run.sellersChanged[0], &firstRun().sellersChanged[0]->defects);
  run.sellersRemoved = {8};
  run.claimsChanged = {{9001, 7, 701, kT0 - kDay, TicketStatus::kWithdrawn}};
  run.badgeChanges = {{7, Badge::kTop, Badge::kGood, 84.0, t1, "score fell below 88"}};
  const OwnedRun first = firstRun();
  Warning held = *first.warningsRaised[0];
  held.firing.evidence = {{"value", 0.05}, {"numerator", 5}};
  held.firing.detail = "new detail";
  held.updatedAt = t1;
  Warning cleared = *first.warningsRaised[1];
  cleared.clearedAt = t1;
  run.warningsRaised = {
      run.keep(warning(4, "account_review", 7, std::nullopt, t1, {{"value", 0.05}}))};
  run.warningsUpdated = {run.keep(held)};
  run.warningsCleared = {cleared};
  run.marketplaceOdr = std::nullopt;
  return run;
}

// A run at `at` that changes `s` alone, with the days of its defect rows
// that differ from `was` (nullptr: all of them).
OwnedRun runChanging(Timestamp at, const SellerResult& s, const DefectList* was) {
  OwnedRun run;
  run.computedAt = at;
  run.sellersChanged = {run.keep(s)};
  run.addDefectDays(*run.sellersChanged[0], was);
  return run;
}

class SqliteResultStoreTest : public ::testing::Test {
 protected:
  SqliteResultStoreTest() : path_(dir_.file("results.db")), store_(path_) { store_.migrate(); }

  TempDir dir_;
  std::string path_;
  SqliteResultStore store_;
};

TEST_F(SqliteResultStoreTest, MigrateCreatesTheLatestVersionAndIsIdempotent) {
  EXPECT_EQ(5, store_.schemaVersion());
  store_.migrate();
  EXPECT_EQ(5, store_.schemaVersion());
}

TEST_F(SqliteResultStoreTest, LoadSnapshotIsNullBeforeAnyRun) {
  EXPECT_EQ(nullptr, store_.loadSnapshot(0));
}

TEST_F(SqliteResultStoreTest, OnlyOneStoreOnAFileIsTheWriter) {
  EXPECT_TRUE(store_.acquireWriterLock());
  EXPECT_TRUE(store_.acquireWriterLock());  // held, not re-taken
  {
    SqliteResultStore second(path_);
    EXPECT_FALSE(second.acquireWriterLock());
  }
  auto other = std::make_unique<SqliteResultStore>(dir_.file("other.db"));
  EXPECT_TRUE(other->acquireWriterLock());  // another file, another lock
}

TEST_F(SqliteResultStoreTest, TheLockIsReleasedWithItsStore) {
  auto first = std::make_unique<SqliteResultStore>(dir_.file("shared.db"));
  SqliteResultStore second(dir_.file("shared.db"));
  ASSERT_TRUE(first->acquireWriterLock());
  EXPECT_FALSE(second.acquireWriterLock());
  first.reset();
  EXPECT_TRUE(second.acquireWriterLock());
}

TEST_F(SqliteResultStoreTest, LatestRunAtFollowsSavedRuns) {
  EXPECT_FALSE(store_.latestRunAt().has_value());
  const OwnedRun run = firstRun();
  store_.saveRun(run);
  EXPECT_EQ(store_.latestRunAt(), run.computedAt);
}

TEST_F(SqliteResultStoreTest, RoundTripsARun) {
  const OwnedRun run = firstRun();
  store_.saveRun(run);
  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(0);
  ASSERT_NE(nullptr, s);
  EXPECT_EQ(kT0, s->computedAt);
  EXPECT_EQ("1.0badcafe", s->rulesVersion);
  ASSERT_EQ(2u, s->sellers.size());
  // Every field reads back exactly, so an unchanged result compares equal.
  EXPECT_TRUE(*run.sellersChanged[0] == *s->sellers.at(7));
  EXPECT_TRUE(*run.sellersChanged[1] == *s->sellers.at(8));
  ASSERT_EQ(1u, s->products.size());
  EXPECT_TRUE(run.productsChanged[0] == s->products.at(701));
  ASSERT_EQ(1u, s->claimsByProduct.at(701).size());
  EXPECT_EQ(TicketStatus::kUnderReview, s->claimsByProduct.at(701)[0].status);
  EXPECT_EQ(kT0 - kDay, s->claimsByProduct.at(701)[0].openedAt);
  expectSame(run.warningsRaised, all(s->warnings));
  EXPECT_EQ(1u, s->warnings.ofProduct(701).size());
  EXPECT_EQ(2u, s->warnings.ofSeller(7).size());
  expectSame({run.badgeChanges[0]}, s->badgeChanges.at(7));
  expectSame({run.badgeChanges[1]}, s->badgeChanges.at(8));
  EXPECT_EQ(0.0125, s->marketplaceOdr);
  EXPECT_EQ(4, s->nextWarningId);
  EXPECT_EQ(kT0 - 5, s->sourceWatermark);
  EXPECT_EQ(kT0 - kHour, s->fullRunAt);
}

TEST_F(SqliteResultStoreTest, WritesAndRemovesManyRowsAcrossStatementBatches) {
  // Two full batches of 500 rows, one statement prepared once and run
  // again with the second batch's values, then a batch of 203: each row
  // must read back with its own values.
  OwnedRun run = firstRun();
  run.sellersChanged.clear();
  run.defectDaysChanged.clear();
  const auto scoreOf = [](std::int64_t id) { return 40.0 + static_cast<double>(id % 57); };
  for (std::int64_t id = 1; id <= 1203; ++id) {
    run.sellersChanged.push_back(run.keep(seller(id, Badge::kGood, scoreOf(id))));
  }
  store_.saveRun(run);
  const std::shared_ptr<Snapshot> saved = store_.loadSnapshot(0);
  ASSERT_EQ(1203u, saved->sellers.size());
  for (std::int64_t id = 1; id <= 1203; ++id) {
    EXPECT_TRUE(seller(id, Badge::kGood, scoreOf(id)) == *saved->sellers.at(id)) << id;
  }
  RunRecord removal;
  removal.computedAt = kT0 + kHour;
  for (std::int64_t id = 2; id <= 1203; ++id) removal.sellersRemoved.push_back(id);
  store_.saveRun(removal);
  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(0);
  ASSERT_EQ(1u, s->sellers.size());
  EXPECT_TRUE(seller(1, Badge::kGood, scoreOf(1)) == *s->sellers.at(1));
}

TEST_F(SqliteResultStoreTest, SplitsLongDefectListsAcrossStatements) {
  // Three sellers with about 0.47 MB of defect list each: the writer puts at
  // most about 1 MB of text in one statement, so two statements, and every
  // list reads back whole.
  OwnedRun run;
  run.computedAt = kT0;
  for (std::int64_t id = 1; id <= 3; ++id) {
    SellerResult r = seller(id, Badge::kAtRisk, 40.0);
    std::vector<Defect> defects;
    for (std::int64_t order = 1; order <= 10000; ++order) {
      defects.push_back(defect(id * 1000000 + order, id * 1000000 + order, "tracking_missing", 0));
    }
    r.defects = DefectList(defects);
    run.sellersChanged.push_back(run.keep(r));
    run.addDefectDays(*run.sellersChanged.back(), nullptr);
  }
  std::vector<std::size_t> rowsPerStatement;
  results_sql::writeRunRows(run, [&](const std::string&, const std::string& sql,
                                     const std::vector<results_sql::Value>& values) {
    if (sql.find("INTO seller_defects") != std::string::npos) {
      rowsPerStatement.push_back(values.size() / 3);  // seller_id, day, defects
    }
  });
  EXPECT_EQ(rowsPerStatement, (std::vector<std::size_t>{2, 1}));
  store_.saveRun(run);
  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(0);
  for (std::int64_t id = 1; id <= 3; ++id) {
    EXPECT_TRUE(*run.sellersChanged[id - 1] == *s->sellers.at(id));
  }
}

TEST_F(SqliteResultStoreTest, SecondRunReplacesResultsAndKeepsTheWarningLifecycle) {
  store_.saveRun(firstRun());
  const OwnedRun second = secondRun();
  store_.saveRun(second);
  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(0);
  ASSERT_NE(nullptr, s);
  EXPECT_EQ(kT0 + kDay, s->computedAt);
  EXPECT_EQ(Badge::kGood, s->sellers.at(7)->badge);
  EXPECT_EQ(84.0, s->sellers.at(7)->score);
  EXPECT_EQ(0u, s->sellers.count(8));
  EXPECT_EQ(1u, s->products.count(701));  // unchanged, so untouched
  EXPECT_EQ(TicketStatus::kWithdrawn, s->claimsByProduct.at(701)[0].status);
  // Active warnings by ascending id; raisedAt kept, evidence and detail new.
  expectSame({*second.warningsUpdated[0], *firstRun().warningsRaised[2], *second.warningsRaised[0]},
             values(all(s->warnings)));
  EXPECT_EQ(kT0, nth(s->warnings, 0)->raisedAt);
  // Badge changes accumulate, oldest first.
  const OwnedRun first = firstRun();
  expectSame({first.badgeChanges[0], second.badgeChanges[0]}, s->badgeChanges.at(7));
  EXPECT_FALSE(s->marketplaceOdr.has_value());
  EXPECT_EQ(5, s->nextWarningId);

  // The cleared warning keeps its row, with the time it cleared.
  Poco::Data::Session session("SQLite", path_);
  std::string clearedAt;
  session << "SELECT cleared_at FROM warnings WHERE id = 2", into(clearedAt), now;
  EXPECT_EQ(formatUtc(kT0 + kDay), clearedAt);
}

TEST_F(SqliteResultStoreTest, NextWarningIdCountsClearedWarnings) {
  store_.saveRun(firstRun());
  RunRecord run;
  run.computedAt = kT0 + kDay;
  Warning cleared = *firstRun().warningsRaised[2];  // the highest id
  cleared.clearedAt = run.computedAt;
  run.warningsCleared = {cleared};
  store_.saveRun(run);
  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(0);
  ASSERT_EQ(2u, s->warnings.size());
  EXPECT_EQ(4, s->nextWarningId);
}

TEST_F(SqliteResultStoreTest, FailingRunLeavesThePreviousResults) {
  store_.saveRun(firstRun());
  OwnedRun bad = secondRun();
  // Two raised warnings with one id violate the primary key after every
  // other table was already written in the transaction.
  bad.warningsRaised.push_back(bad.warningsRaised[0]);
  EXPECT_THROW(store_.saveRun(bad), SourceError);

  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(0);
  ASSERT_NE(nullptr, s);
  EXPECT_EQ(kT0, s->computedAt);
  EXPECT_EQ(Badge::kTop, s->sellers.at(7)->badge);
  expectSame(firstRun().warningsRaised, all(s->warnings));
  EXPECT_EQ(1u, s->sellers.count(8));
  EXPECT_EQ(1u, s->badgeChanges.at(7).size());
  EXPECT_EQ(0.0125, s->marketplaceOdr);
  EXPECT_EQ(4, s->nextWarningId);

  // And the store is still usable.
  store_.saveRun(secondRun());
  EXPECT_EQ(kT0 + kDay, store_.loadSnapshot(0)->computedAt);
}

TEST_F(SqliteResultStoreTest, SavesHistoryUpsertsTheDayAndPrunesOldPoints) {
  store_.saveRun(firstRun());
  const Timestamp d1 = startOfDay(kT0) - 2 * kDay;
  const Timestamp d2 = d1 + kDay;
  const Timestamp d3 = d2 + kDay;
  auto point = [](Timestamp day, std::optional<double> score, Badge badge) {
    return HistoryPoint{day, score, badge};
  };
  EXPECT_EQ(0, store_.saveHistory(
                   d1, {{7, point(d1, 91, Badge::kTop)}, {8, point(d1, {}, Badge::kNew)}}, 0));
  EXPECT_EQ(0, store_.saveHistory(d2, {{7, point(d2, 89, Badge::kTop)}}, d1));
  // Saving a day again replaces its points.
  EXPECT_EQ(0, store_.saveHistory(d2, {{7, point(d2, 88.5, Badge::kGood)}}, d1));
  // Keeping d2 onwards deletes the two points of d1.
  EXPECT_EQ(2, store_.saveHistory(d3, {{7, point(d3, 87, Badge::kGood)}}, d2));

  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(0);
  expectSame({point(d2, 88.5, Badge::kGood), point(d3, 87, Badge::kGood)}, s->history->at(7));
  EXPECT_EQ(0u, s->history->count(8));
  // historySince limits what the snapshot loads.
  expectSame({point(d3, 87, Badge::kGood)}, store_.loadSnapshot(d3)->history->at(7));
}

TEST_F(SqliteResultStoreTest, LoadSnapshotKeepsBadgeChangesSinceTheGivenTime) {
  store_.saveRun(firstRun());
  store_.saveRun(secondRun());
  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(kT0 + kHour);
  expectSame({secondRun().badgeChanges[0]}, s->badgeChanges.at(7));
  EXPECT_EQ(0u, s->badgeChanges.count(8));
}

TEST_F(SqliteResultStoreTest, UpgradingToDefectDaysMakesTheNextRunAFullOne) {
  store_.saveRun(firstRun());
  ASSERT_EQ(kT0 - kHour, store_.loadSnapshot(0)->fullRunAt);
  {
    // Back to version 4, as a results file of the previous release: the
    // lists in seller_results.defects.
    Poco::Data::Session session("SQLite", path_);
    session << "DROP TABLE seller_defects", now;
    session << "ALTER TABLE seller_results ADD COLUMN defects TEXT", now;
    session << "UPDATE seller_results SET defects = '1001:1001:1772150400:shipped_late:10800:' "
               "WHERE seller_id = 7",
        now;
    session << "DELETE FROM schema_version WHERE version = 5", now;
  }
  SqliteResultStore upgraded(path_);
  upgraded.migrate();
  EXPECT_EQ(5, upgraded.schemaVersion());
  const std::shared_ptr<Snapshot> s = upgraded.loadSnapshot(0);
  EXPECT_FALSE(s->fullRunAt.has_value());  // the next run lists them again
  EXPECT_TRUE(s->sellers.at(7)->defects.empty());
  EXPECT_TRUE(s->sellers.at(7)->badge == Badge::kTop);  // the rest is kept
}

TEST_F(SqliteResultStoreTest, ARunWritesOnlyTheDaysOfDefectsThatChanged) {
  // Seller 7 has defects on three days; the next run adds one on the
  // second day and loses the first day's: one day written, one deleted,
  // the third day left alone.
  const auto on = [](Timestamp day, std::int64_t order, const char* reason) {
    Defect d = defect(order, order, reason, 0);
    d.orderedAt = day + 600;
    return d;
  };
  const Timestamp d1 = kT0 - 3 * kDay - 12 * kHour;  // 2026-02-26 00:00
  SellerResult before = seller(7, Badge::kGood, 80.0);
  before.defects = DefectList({on(d1, 1, "tracking_missing"), on(d1 + kDay, 2, "tracking_missing"),
                               on(d1 + 2 * kDay, 3, "tracking_missing")});
  const OwnedRun first = runChanging(kT0, before, nullptr);
  ASSERT_EQ(3u, first.defectDaysChanged.size());
  store_.saveRun(first);

  SellerResult after = before;
  after.defects =
      DefectList({on(d1 + kDay, 2, "tracking_missing"), on(d1 + kDay, 4, "tracking_missing"),
                  on(d1 + 2 * kDay, 3, "tracking_missing")});
  const OwnedRun second = runChanging(kT0 + 60, after, &before.defects);
  const std::int64_t day1 = d1 / kDay;
  ASSERT_EQ(1u, second.defectDaysChanged.size());
  EXPECT_EQ(day1 + 1, second.defectDaysChanged[0].second);
  EXPECT_EQ((std::vector<std::pair<std::int64_t, std::int64_t>>{{7, day1}}),
            second.defectDaysRemoved);
  EXPECT_EQ(3, second.rowsWritten());  // the seller, one day written, one deleted
  store_.saveRun(second);

  const std::shared_ptr<Snapshot> s = store_.loadSnapshot(0);
  EXPECT_TRUE(s->sellers.at(7)->defects == after.defects);
  Poco::Data::Session session("SQLite", path_);
  std::vector<Poco::Int64> days;
  session << "SELECT day FROM seller_defects WHERE seller_id = 7 ORDER BY day", into(days), now;
  EXPECT_EQ((std::vector<Poco::Int64>{day1 + 1, day1 + 2}), days);
}

TEST_F(SqliteResultStoreTest, DeletesManyEmptiedDaysInStatementsOfAFewHundred) {
  // 450 days of one defect each, then a run that leaves only the last: 449
  // days deleted, in three statements (200, 200, 49 pairs).
  const Timestamp first = (kT0 / kDay - 449) * kDay;
  std::vector<Defect> rows;
  for (std::int64_t d = 0; d < 450; ++d) {
    Defect x = defect(1000 + d, 1000 + d, "tracking_missing", 0);
    x.orderedAt = first + d * kDay + 60;
    rows.push_back(x);
  }
  SellerResult before = seller(7, Badge::kGood, 80.0);
  before.defects = DefectList(rows);
  const OwnedRun full = runChanging(kT0, before, nullptr);
  ASSERT_EQ(450u, full.defectDaysChanged.size());
  store_.saveRun(full);

  SellerResult after = before;
  after.defects = DefectList({rows.back()});
  const OwnedRun emptied = runChanging(kT0 + 60, after, &before.defects);
  EXPECT_TRUE(emptied.defectDaysChanged.empty());
  ASSERT_EQ(449u, emptied.defectDaysRemoved.size());
  std::vector<std::size_t> pairsPerStatement;
  results_sql::writeRunRows(emptied, [&](const std::string&, const std::string& sql,
                                         const std::vector<results_sql::Value>& values) {
    if (sql.rfind("DELETE FROM seller_defects", 0) == 0) {
      pairsPerStatement.push_back(values.size() / 2);
    }
  });
  EXPECT_EQ(pairsPerStatement, (std::vector<std::size_t>{200, 200, 49}));
  store_.saveRun(emptied);
  Poco::Data::Session session("SQLite", path_);
  std::vector<Poco::Int64> days;
  session << "SELECT day FROM seller_defects WHERE seller_id = 7", into(days), now;
  EXPECT_EQ((std::vector<Poco::Int64>{kT0 / kDay}), days);
  EXPECT_TRUE(store_.loadSnapshot(0)->sellers.at(7)->defects == after.defects);
}

TEST_F(SqliteResultStoreTest, RefusesADayThatIsNoWholeNumber) {
  // SQLite keeps a REAL where an INTEGER was meant: 20510.5 sorts after
  // 20510 but reads back as 20510.
  store_.saveRun(firstRun());
  {
    Poco::Data::Session session("SQLite", path_);
    session << "INSERT INTO seller_defects (seller_id, day, defects) "
               "SELECT seller_id, day + 0.5, defects FROM seller_defects",
        now;
  }
  try {
    store_.loadSnapshot(0);
    FAIL() << "a day that is no whole number was loaded";
  } catch (const SourceError& e) {
    const std::string message = e.what();
    EXPECT_NE(std::string::npos, message.find("seller_defects of seller 7, day 20510: not after"))
        << message;
  }
}

TEST_F(SqliteResultStoreTest, RefusesADayThatHoldsRowsOfAnotherDay) {
  store_.saveRun(firstRun());
  {
    Poco::Data::Session session("SQLite", path_);
    session << "UPDATE seller_defects SET day = day + 1", now;
  }
  try {
    store_.loadSnapshot(0);
    FAIL() << "a day holding another day's rows was loaded";
  } catch (const SourceError& e) {
    const std::string message = e.what();
    EXPECT_NE(std::string::npos, message.find("seller_defects of seller 7, day 20511")) << message;
    EXPECT_NE(std::string::npos, message.find("rows of orders of another day")) << message;
  }
}

TEST_F(SqliteResultStoreTest, RefusesANewerSchemaNamingBothVersions) {
  {
    Poco::Data::Session session("SQLite", path_);
    session << "INSERT INTO schema_version (version) VALUES (6)", now;
  }
  SqliteResultStore newer(path_);
  try {
    newer.migrate();
    FAIL() << "migrate() accepted a newer schema";
  } catch (const SourceError& e) {
    const std::string message = e.what();
    EXPECT_NE(std::string::npos, message.find("schema version 6")) << message;
    EXPECT_NE(std::string::npos, message.find("version 5")) << message;
  }
}

TEST_F(SqliteResultStoreTest, UsesWalSoThatReadersDoNotBlockARun) {
  store_.saveRun(firstRun());
  Poco::Data::Session reader("SQLite", path_);
  std::string mode;
  reader << "PRAGMA journal_mode", into(mode), now;
  EXPECT_EQ("wal", mode);

  // A reader inside a transaction keeps its view while a run commits.
  reader << "BEGIN", now;
  std::string badge;
  reader << "SELECT badge FROM seller_results WHERE seller_id = 7", into(badge), now;
  EXPECT_EQ("top", badge);
  store_.saveRun(secondRun());
  reader << "SELECT badge FROM seller_results WHERE seller_id = 7", into(badge), now;
  EXPECT_EQ("top", badge);
  reader << "COMMIT", now;
  reader << "SELECT badge FROM seller_results WHERE seller_id = 7", into(badge), now;
  EXPECT_EQ("good", badge);
}

TEST(SqliteResultStoreMemoryTest, WorksOnAnInMemoryDatabase) {
  SqliteResultStore store(":memory:");
  store.migrate();
  store.saveRun(firstRun());
  EXPECT_EQ(kT0, store.loadSnapshot(0)->computedAt);
}

TEST(SqliteResultStoreErrorTest, UnopenablePathIsASourceError) {
  TempDir dir;
  EXPECT_THROW(SqliteResultStore(dir.file("no/such/dir/results.db")), SourceError);
}

}  // namespace
}  // namespace sellertrust
