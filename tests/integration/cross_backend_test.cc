// The same answers on both backends: the demo marketplace is generated into
// an SQLite file, copied row for row (NULLs, times and its deliberately bad
// rows included) into the MariaDB source database, and read by SqliteSource
// and MysqlSource at the same `now`. The sellers, every tally, the
// authenticity claims and the skipped rows must be identical, and so must
// everything computed from them: each seller's evaluation and report, the
// authenticity ladder, and the snapshot a ScoreJob publishes on each
// backend. The demo has an unknown ticket status ('awaiting_buyer') that the
// reference schema's ENUM refuses, so the rows go into makeSourceLax()'s
// variant: views of plain strings, as an operator may expose them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "jobs/demo/demo_marketplace.h"
#include "jobs/report.h"
#include "jobs/score_job.h"
#include "jobs/source/definition.h"
#include "jobs/source/mysql_source.h"
#include "jobs/source/sqlite_source.h"
#include "jobs/sqlite/sqlite_result_store.h"
#include "sellertrust/seller.h"
#include "tests/integration/mariadb_test.h"
#include "tests/integration/mysql_rows.h"
#include "tests/integration/sqlite_to_mysql.h"

namespace sellertrust::testing {
namespace {

const Timestamp kNow = *parseUtc("2026-11-20 12:00:00");
constexpr std::uint64_t kSeed = 42;
// Mismatches listed per check; the count is always reported in full.
constexpr std::size_t kListed = 20;

// A double as text that reads back to the same value, so that comparing
// the texts compares the values exactly.
std::string exact(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::string exact(const std::optional<double>& value) { return value ? exact(*value) : "null"; }

std::string describe(const Firing& f) {
  std::ostringstream out;
  out << f.code << " " << toString(f.severity) << " seller " << f.sellerId << " product "
      << (f.productId ? std::to_string(*f.productId) : "null") << " action " << f.action
      << " detail '" << f.detail << "' evidence";
  for (const Evidence& e : f.evidence) out << " " << e.name << "=" << exact(e.value);
  return out.str();
}

std::vector<std::string> describe(const std::vector<Firing>& firings) {
  std::vector<std::string> out;
  out.reserve(firings.size());
  for (const Firing& f : firings) out.push_back(describe(f));
  return out;
}

std::string describe(const Warning& w) {
  return "#" + std::to_string(w.id) + " " + describe(w.firing) + " raised " +
         formatUtc(w.raisedAt) + " updated " + formatUtc(w.updatedAt);
}

std::string describe(const SellerEvaluation& e) {
  std::ostringstream out;
  out << "orders " << e.metrics.orders << " score "
      << (e.score ? exact(e.score->value) : std::string("null")) << " badge "
      << toString(e.badge.badge) << " (" << e.badge.reason << ") no_score '" << e.noScoreReason
      << "'\n";
  if (e.score) {
    for (const PointsLost& p : e.score->explanation) {
      out << "  " << metricName(p.id) << " value " << exact(p.value) << " judged "
          << exact(p.judged) << " target " << exact(p.target) << " points " << exact(p.points)
          << "\n";
    }
  }
  for (const std::string& f : describe(e.firings)) out << "  " << f << "\n";
  return out.str();
}

std::string describe(const ProductLadder& l) {
  auto time = [](const std::optional<Timestamp>& t) { return t ? formatUtc(*t) : "null"; };
  return "product " + std::to_string(l.productId) + " seller " + std::to_string(l.sellerId) +
         " step " + toString(l.step) + " counted " + std::to_string(l.countedClaims) + " first " +
         time(l.firstClaimAt) + " second " + time(l.secondClaimAt) + " delist_until " +
         time(l.delistUntil) + " active " + (l.delistActive ? "yes" : "no");
}

std::string describe(const SellerInfo& s) {
  return std::to_string(s.sellerId) + " '" + s.name + "' '" + s.country + "'";
}

std::string describe(const AuthenticityClaim& c) {
  return "ticket " + std::to_string(c.ticketId) + " seller " + std::to_string(c.sellerId) +
         " product " + std::to_string(c.productId) + " opened " + formatUtc(c.openedAt) + " " +
         toString(c.status);
}

// Collects the keys on which two descriptions differ; reports how many and
// lists the first few with both sides.
class Mismatches {
 public:
  explicit Mismatches(std::string what) : what_(std::move(what)) {}

  template <typename Key>
  void compare(const Key& key, const std::string& sqlite, const std::string& mysql) {
    if (sqlite == mysql) return;
    if (count_++ < kListed) {
      out_ << "\n"
           << what_ << " " << key << ":\n  sqlite: " << excerpt(sqlite, mysql)
           << "\n  mysql:  " << excerpt(mysql, sqlite);
    }
  }

  std::size_t count() const { return count_; }
  std::string listed() const { return out_.str(); }

 private:
  // A long text (a JSON report) around its first difference from `other`.
  static std::string excerpt(const std::string& text, const std::string& other) {
    constexpr std::size_t kContext = 150;
    if (text.size() <= 2 * kContext) return text;
    const std::size_t at = static_cast<std::size_t>(
        std::mismatch(
            text.begin(),
            text.begin() + static_cast<std::ptrdiff_t>(std::min(text.size(), other.size())),
            other.begin())
            .first -
        text.begin());
    const std::size_t from = at > kContext ? at - kContext : 0;
    return "[at byte " + std::to_string(at) + "] ..." + text.substr(from, 2 * kContext) + "...";
  }

  const std::string what_;
  std::size_t count_ = 0;
  std::ostringstream out_;
};

#define EXPECT_NO_MISMATCH(m) EXPECT_EQ((m).count(), 0u) << (m).listed()

// Compares two maps by key: a key on one side only is a mismatch too.
template <typename Map, typename Describe>
void compareMaps(Mismatches* m, const Map& sqlite, const Map& mysql, Describe describe) {
  std::set<typename Map::key_type> keys;
  for (const auto& entry : sqlite) keys.insert(entry.first);
  for (const auto& entry : mysql) keys.insert(entry.first);
  for (const auto& key : keys) {
    auto a = sqlite.find(key);
    auto b = mysql.find(key);
    m->compare(key, a == sqlite.end() ? "(absent)" : describe(a->second),
               b == mysql.end() ? "(absent)" : describe(b->second));
  }
}

std::map<std::int64_t, std::string> claimsByTicket(const std::vector<AuthenticityClaim>& claims) {
  std::map<std::int64_t, std::string> out;
  for (const AuthenticityClaim& c : claims) out[c.ticketId] += describe(c) + ";";
  return out;
}

std::map<std::string, std::string> problemsByKey(const std::vector<RowProblem>& problems) {
  std::map<std::string, std::string> out;
  for (const RowProblem& p : problems) {
    out[p.table + "/" + std::to_string(p.key)] += p.problem + ";";
  }
  return out;
}

// What ScoreJob does per run, minus the store: every known seller and every
// seller with orders is evaluated with no previous badge.
std::set<std::int64_t> sellerIds(const SourceData& data) {
  std::set<std::int64_t> ids;
  for (const auto& entry : data.sellers) ids.insert(entry.first);
  for (const auto& entry : data.tallies) ids.insert(entry.first);
  return ids;
}

struct Evaluated {
  std::map<std::int64_t, SellerEvaluation> sellers;
  std::vector<ProductLadder> ladders;
  std::vector<Firing> ladderFirings;
  std::map<std::int64_t, std::string> reports;
};

Evaluated evaluate(const SourceData& data, const Rules& rules) {
  Evaluated out;
  const SellerTally empty;
  std::vector<Firing> firings;
  for (std::int64_t id : sellerIds(data)) {
    auto tally = data.tallies.find(id);
    SellerEvaluation e = evaluateSeller(id, tally == data.tallies.end() ? empty : tally->second,
                                        std::nullopt, rules);
    firings.insert(firings.end(), e.firings.begin(), e.firings.end());
    out.sellers.emplace(id, std::move(e));
  }
  out.ladders = evaluateLadder(data.authenticityClaims, kNow, rules);
  out.ladderFirings = ladderFirings(out.ladders);
  firings.insert(firings.end(), out.ladderFirings.begin(), out.ladderFirings.end());

  std::int64_t nextId = 1;
  const WarningUpdate warnings = reconcileWarnings({}, firings, kNow, &nextId);
  std::map<std::int64_t, std::vector<Warning>> bySeller;
  for (const SharedWarning& w : warnings.active) bySeller[w->firing.sellerId].push_back(*w);
  const std::string version = rulesVersion(rules);
  for (const auto& [id, e] : out.sellers) {
    auto info = data.sellers.find(id);
    const SellerInfo seller = info == data.sellers.end() ? SellerInfo{id, "", ""} : info->second;
    out.reports[id] = renderSellerReport(seller, e, bySeller[id], kNow, version, rules);
  }
  return out;
}

struct Published {
  ScoreRunSummary summary;
  std::shared_ptr<const Snapshot> snapshot;
};

Published runScoreJob(Source* source, const Rules& rules) {
  SqliteResultStore store(":memory:");
  store.migrate();
  SnapshotHolder snapshots;
  ScoreJob::Options options;
  options.keepDays = 30;
  ScoreJob job(source, &store, &snapshots, rules, options);
  CancelToken cancel;
  Published out;
  out.summary = job.run(kNow, cancel);
  out.snapshot = snapshots.current();
  return out;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class CrossBackendTest : public MariadbTest {
 protected:
  void TearDown() override {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::remove((sqlitePath_ + suffix).c_str());
    }
  }

  // Per process: other build trees may run this test at the same time.
  const std::string sqlitePath_ =
      ::testing::TempDir() + "cross_backend_demo." + std::to_string(::getpid()) + ".db";
};

TEST_F(CrossBackendTest, DemoMarketplaceGivesTheSameAnswersOnSqliteAndMysql) {
  const Rules rules;
  auto start = std::chrono::steady_clock::now();
  const DemoSummary demo = generateDemoMarketplace(sqlitePath_, kSeed, kNow);
  std::printf("[ timing ] demo generated in %.1f s: %s\n", secondsSince(start),
              demo.line().c_str());
  // Not vacuous: the deliberately bad rows are there to be skipped alike.
  ASSERT_GT(demo.unknownTicketStatuses, 0);
  ASSERT_GT(demo.ratingsOutOfRange, 0);
  ASSERT_GT(demo.deliveriesBeforeOrder, 0);

  start = std::chrono::steady_clock::now();
  makeSourceLax(root());
  const std::map<std::string, std::int64_t> copied = copySqliteSource(sqlitePath_, root());
  std::int64_t rows = 0;
  for (const auto& entry : copied) rows += entry.second;
  std::printf("[ timing ] %lld rows copied to MariaDB in %.1f s\n", static_cast<long long>(rows),
              secondsSince(start));
  EXPECT_EQ(copied.at("sellers"), demo.sellers);
  EXPECT_EQ(copied.at("orders"), demo.orders);
  EXPECT_EQ(copied.at("tickets"), demo.tickets);
  EXPECT_EQ(copied.at("refunds"), demo.refunds);
  EXPECT_EQ(copied.at("return_requests"), demo.returnRequests);
  EXPECT_EQ(copied.at("ratings"), demo.ratings);
  EXPECT_EQ(copied.at("chargebacks"), demo.chargebacks);

  SqliteSource sqliteSource(sqlitePath_);
  MysqlSource mysqlSource(env().readOnly());
  const CancelToken cancel;
  start = std::chrono::steady_clock::now();
  const SourceData lite = sqliteSource.read(kNow, rules, cancel, nullptr);
  std::printf("[ timing ] SqliteSource::read %.1f s\n", secondsSince(start));
  start = std::chrono::steady_clock::now();
  const SourceData my = mysqlSource.read(kNow, rules, cancel, nullptr);
  std::printf("[ timing ] MysqlSource::read %.1f s\n", secondsSince(start));

  // What was read.
  ASSERT_EQ(lite.sellers.size(), static_cast<std::size_t>(demo.sellers));
  Mismatches sellers("seller");
  compareMaps(&sellers, lite.sellers, my.sellers, [](const SellerInfo& s) { return describe(s); });
  EXPECT_NO_MISMATCH(sellers);

  ASSERT_GT(lite.tallies.size(), 1000u);
  Mismatches tallies("tally of seller");
  std::set<std::int64_t> tallied;
  for (const auto& entry : lite.tallies) tallied.insert(entry.first);
  for (const auto& entry : my.tallies) tallied.insert(entry.first);
  for (std::int64_t id : tallied) {
    auto a = lite.tallies.find(id);
    auto b = my.tallies.find(id);
    if (a == lite.tallies.end() || b == my.tallies.end()) {
      tallies.compare(id, a == lite.tallies.end() ? "(absent)" : "present",
                      b == my.tallies.end() ? "(absent)" : "present");
    } else {
      tallies.compare(id, "", tallyDifferences(a->second, b->second));
    }
  }
  EXPECT_NO_MISMATCH(tallies);

  // The rows behind the numbers, each with the same reason and value.
  ASSERT_GT(lite.defects.size(), 1000u);
  Mismatches defects("defects of seller");
  compareMaps(&defects, lite.defects, my.defects, source::formatDefectList);
  EXPECT_NO_MISMATCH(defects);

  ASSERT_GT(lite.authenticityClaims.size(), 0u);
  Mismatches claims("authenticity claim of ticket");
  compareMaps(&claims, claimsByTicket(lite.authenticityClaims),
              claimsByTicket(my.authenticityClaims), [](const std::string& s) { return s; });
  EXPECT_NO_MISMATCH(claims);

  // The skipped rows, with the same reason in the same words.
  ASSERT_GE(lite.problems.size(),
            static_cast<std::size_t>(demo.unknownTicketStatuses + demo.ratingsOutOfRange +
                                     demo.deliveriesBeforeOrder));
  EXPECT_EQ(problemKeys(lite.problems).size(), lite.problems.size());
  EXPECT_EQ(problemKeys(my.problems).size(), my.problems.size());
  std::printf("[ counts ] %zu sellers tallied, %zu authenticity claims, %zu rows skipped\n",
              lite.tallies.size(), lite.authenticityClaims.size(), lite.problems.size());
  Mismatches problems("problem of");
  compareMaps(&problems, problemsByKey(lite.problems), problemsByKey(my.problems),
              [](const std::string& s) { return s; });
  EXPECT_NO_MISMATCH(problems);

  // What is computed from it.
  start = std::chrono::steady_clock::now();
  const Evaluated liteEval = evaluate(lite, rules);
  const Evaluated myEval = evaluate(my, rules);
  Mismatches evaluations("evaluation of seller");
  compareMaps(&evaluations, liteEval.sellers, myEval.sellers,
              [](const SellerEvaluation& e) { return describe(e); });
  EXPECT_NO_MISMATCH(evaluations);
  std::size_t scored = 0;
  for (const auto& entry : liteEval.sellers) scored += entry.second.score ? 1 : 0;
  EXPECT_GT(scored, 1000u);

  Mismatches ladders("ladder");
  std::map<std::int64_t, std::string> liteLadders, myLadders;
  for (const ProductLadder& l : liteEval.ladders) liteLadders[l.productId] = describe(l);
  for (const ProductLadder& l : myEval.ladders) myLadders[l.productId] = describe(l);
  compareMaps(&ladders, liteLadders, myLadders, [](const std::string& s) { return s; });
  EXPECT_NO_MISMATCH(ladders);
  EXPECT_FALSE(liteEval.ladderFirings.empty());
  EXPECT_EQ(describe(liteEval.ladderFirings), describe(myEval.ladderFirings));

  Mismatches reports("report of seller");
  compareMaps(&reports, liteEval.reports, myEval.reports, [](const std::string& s) { return s; });
  EXPECT_NO_MISMATCH(reports);
  std::printf("[ timing ] %zu sellers evaluated and rendered twice in %.1f s\n",
              liteEval.sellers.size(), secondsSince(start));

  // A whole scoring run on each backend publishes the same snapshot.
  start = std::chrono::steady_clock::now();
  const Published litePub = runScoreJob(&sqliteSource, rules);
  const Published myPub = runScoreJob(&mysqlSource, rules);
  std::printf("[ timing ] ScoreJob::run on both backends %.1f s\n", secondsSince(start));
  ASSERT_TRUE(litePub.snapshot && myPub.snapshot);
  const Snapshot& a = *litePub.snapshot;
  const Snapshot& b = *myPub.snapshot;
  EXPECT_EQ(litePub.summary.sellers, myPub.summary.sellers);
  EXPECT_EQ(litePub.summary.scored, myPub.summary.scored);
  EXPECT_EQ(a.computedAt, b.computedAt);
  EXPECT_EQ(a.rulesVersion, b.rulesVersion);
  EXPECT_EQ(exact(a.marketplaceOdr), exact(b.marketplaceOdr));
  EXPECT_EQ(a.nextWarningId, b.nextWarningId);
  EXPECT_EQ(a.badgeCounts(), b.badgeCounts());

  Mismatches entries("snapshot entry of seller");
  compareMaps(&entries, std::map<std::int64_t, SharedSeller>(a.sellers.begin(), a.sellers.end()),
              std::map<std::int64_t, SharedSeller>(b.sellers.begin(), b.sellers.end()),
              [&](const SharedSeller& e) {
                return std::string(toString(e->badge)) + " " + exact(e->score) + " " +
                       renderSellerReport(*e, a);
              });
  EXPECT_NO_MISMATCH(entries);
  EXPECT_EQ(a.sellers.size(), liteEval.sellers.size());

  Mismatches warnings("snapshot warning");
  std::map<std::int64_t, std::string> liteWarnings, myWarnings;
  for (const SharedWarning& w : a.warnings) liteWarnings[w->id] = describe(*w);
  for (const SharedWarning& w : b.warnings) myWarnings[w->id] = describe(*w);
  compareMaps(&warnings, liteWarnings, myWarnings, [](const std::string& s) { return s; });
  EXPECT_NO_MISMATCH(warnings);
  std::set<std::string> codes;
  for (const SharedWarning& w : a.warnings) codes.insert(w->firing.code);
  EXPECT_GT(codes.size(), 5u) << "the demo should raise most warning codes";

  Mismatches products("snapshot product");
  compareMaps(
      &products, std::map<std::int64_t, ProductResult>(a.products.begin(), a.products.end()),
      std::map<std::int64_t, ProductResult>(b.products.begin(), b.products.end()),
      [&](const ProductResult& p) {
        return "seller " + std::to_string(p.ladder.sellerId) + " " + renderProductReport(p, a);
      });
  EXPECT_NO_MISMATCH(products);
  EXPECT_FALSE(a.products.empty());
}

}  // namespace
}  // namespace sellertrust::testing
