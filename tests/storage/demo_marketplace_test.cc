// The demo marketplace: deterministic for a seed, its summary matching the
// tables, and rich enough that the core, reading it through SqliteSource,
// shows every badge and every warning code with default rules.
#include "jobs/demo/demo_marketplace.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <set>

#include "jobs/source/sqlite_source.h"
#include "sellertrust/seller.h"
#include "temp_dir.h"

namespace sellertrust {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using testing::TempDir;

const Timestamp kNow = *parseUtc("2026-03-01 12:00:00");
constexpr std::uint64_t kSeed = 42;

// FNV-1a over every column of every row of `orders`, in order_id order.
std::uint64_t ordersChecksum(const std::string& path) {
  Poco::Data::Session session("SQLite", path);
  std::vector<std::string> rows;
  session << "SELECT order_id || '|' || seller_id || '|' || product_id || '|' || ordered_at || '|' "
             "|| IFNULL(ship_by_at, '-') || '|' || IFNULL(shipped_at, '-') || '|' || "
             "IFNULL(promised_at, '-') || '|' || IFNULL(delivered_at, '-') || '|' || "
             "IFNULL(cancelled_at, '-') || '|' || IFNULL(cancelled_by, '-') || '|' || "
             "IFNULL(tracking_valid, '-') || '|' || fulfilled_by || '|' || printf('%.2f', amount) "
             "|| '|' || currency || '|' || updated_at FROM orders ORDER BY order_id",
      into(rows), now;
  std::uint64_t hash = 14695981039346656037ull;
  for (const std::string& row : rows) {
    for (char c : row + "\n") {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ull;
    }
  }
  return hash;
}

std::int64_t count(const std::string& path, const std::string& table) {
  Poco::Data::Session session("SQLite", path);
  std::int64_t n = 0;
  session << "SELECT COUNT(*) FROM " + table, into(n), now;
  return n;
}

// The demo all tests share, generated on first use: generating is the slow
// part, and ctest runs each test in a process of its own.
class DemoMarketplaceTest : public ::testing::Test {
 protected:
  struct Demo {
    TempDir dir;
    std::string path = dir.file("demo.db");
    DemoSummary summary;
    std::unique_ptr<SourceData> data;  // read at kNow with default rules
  };

  static std::unique_ptr<Demo>& instance() {
    static std::unique_ptr<Demo> demo;
    return demo;
  }
  static Demo& demo() {
    std::unique_ptr<Demo>& d = instance();
    if (!d) {
      Poco::Data::SQLite::Connector::registerConnector();
      d = std::make_unique<Demo>();
      const auto started = std::chrono::steady_clock::now();
      d->summary = generateDemoMarketplace(d->path, kSeed, kNow);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      std::cout << "demo generated in " << took.count() << " s: " << d->summary.line() << "\n";
    }
    return *d;
  }
  static const std::string& path() { return demo().path; }
  static const DemoSummary& summary() { return demo().summary; }
  static const SourceData& demoData() {
    Demo& d = demo();
    if (!d.data) {
      d.data = std::make_unique<SourceData>(
          SqliteSource(d.path).read(kNow, Rules(), CancelToken(), nullptr));
    }
    return *d.data;
  }
  static void TearDownTestSuite() { instance().reset(); }
};

TEST_F(DemoMarketplaceTest, SummaryMatchesTheTables) {
  EXPECT_EQ(summary().sellers, count(path(), "sellers"));
  EXPECT_EQ(summary().orders, count(path(), "orders"));
  EXPECT_EQ(summary().tickets, count(path(), "tickets"));
  EXPECT_EQ(summary().refunds, count(path(), "refunds"));
  EXPECT_EQ(summary().returnRequests, count(path(), "return_requests"));
  EXPECT_EQ(summary().ratings, count(path(), "ratings"));
  EXPECT_EQ(summary().chargebacks, count(path(), "chargebacks"));
  std::int64_t behaviours = 0;
  for (const auto& entry : summary().sellersByBehaviour) behaviours += entry.second;
  EXPECT_EQ(summary().sellers, behaviours);
}

TEST_F(DemoMarketplaceTest, HasTheAdvertisedShape) {
  EXPECT_EQ(3000, summary().sellers);
  EXPECT_EQ(1, summary().sellersByBehaviour.at("large_seller"));
  EXPECT_GE(summary().sellersByBehaviour.at("new"), 100);
  EXPECT_GT(summary().orders, 100000);
  EXPECT_EQ(2, summary().unknownTicketStatuses);
  EXPECT_EQ(2, summary().ratingsOutOfRange);
  EXPECT_EQ(1, summary().deliveriesBeforeOrder);
  // The large seller (id 1) has about 20000 orders.
  Poco::Data::Session session("SQLite", path());
  std::int64_t large = 0;
  session << "SELECT COUNT(*) FROM orders WHERE seller_id = 1", into(large), now;
  EXPECT_GE(large, 20000);
}

TEST_F(DemoMarketplaceTest, SameSeedGivesTheSameMarketplace) {
  TempDir dir;
  const std::string again = dir.file("again.db");
  EXPECT_EQ(summary(), generateDemoMarketplace(again, kSeed, kNow));
  EXPECT_EQ(ordersChecksum(path()), ordersChecksum(again));
}

TEST(DemoMarketplaceFileTest, RegeneratingReplacesTheFile) {
  Poco::Data::SQLite::Connector::registerConnector();
  TempDir dir;
  const std::string file = dir.file("demo.db");
  { Poco::Data::Session("SQLite", file) << "CREATE TABLE leftover (x INTEGER)", now; }
  const DemoSummary generated = generateDemoMarketplace(file, kSeed + 1, kNow);
  Poco::Data::Session session("SQLite", file);
  std::int64_t leftovers = 0;
  session << "SELECT COUNT(*) FROM sqlite_master WHERE name = 'leftover'", into(leftovers), now;
  EXPECT_EQ(0, leftovers);
  EXPECT_EQ(generated.orders, count(file, "orders"));
}

TEST_F(DemoMarketplaceTest, ReaderReportsExactlyTheDeliberatelyBadRows) {
  const SourceData& data = demoData();
  std::map<std::string, std::int64_t> problems;
  for (const RowProblem& p : data.problems) ++problems[p.table + ": " + p.problem];
  const std::map<std::string, std::int64_t> expected = {
      {"tickets: unknown status 'awaiting_buyer'", summary().unknownTicketStatuses},
      {"ratings: stars is outside 1-5", summary().ratingsOutOfRange},
      {"orders: delivered_at is before ordered_at", summary().deliveriesBeforeOrder},
  };
  EXPECT_EQ(expected, problems);
}

TEST_F(DemoMarketplaceTest, ShowsEveryBadgeAndEveryWarningCode) {
  const Rules rules;
  const SourceData& data = demoData();
  std::set<std::string> badges;
  std::set<std::string> codes;
  for (const auto& [sellerId, tally] : data.tallies) {
    const SellerEvaluation e = evaluateSeller(sellerId, tally, std::nullopt, rules);
    badges.insert(toString(e.badge.badge));
    for (const Firing& f : e.firings) codes.insert(f.code);
  }
  for (const Firing& f : ladderFirings(evaluateLadder(data.authenticityClaims, kNow, rules))) {
    codes.insert(f.code);
  }

  const std::set<std::string> allBadges = {"new", "top", "good", "fair", "at_risk"};
  EXPECT_EQ(allBadges, badges);
  const std::set<std::string> allCodes = {
      "order_defect_rate_above_target",
      "account_review",
      "claim_rate_off_target",
      "late_shipment_rate_off_target",
      "late_delivery_rate_off_target",
      "seller_cancel_rate_off_target",
      "valid_tracking_rate_off_target",
      "escalation_rate_off_target",
      "spontaneous_refund_rate_off_target",
      "return_resolved_15d_rate_off_target",
      "rating_average_off_target",
      "slow_responses",
      "product_complaints",
      "product_delist",
      "product_remove",
      "authenticity_repeat",
  };
  EXPECT_EQ(allCodes, codes);
}

TEST_F(DemoMarketplaceTest, ScriptedSellersTellTheirStories) {
  const Rules rules;
  const SourceData& data = demoData();
  std::set<std::pair<std::string, std::int64_t>> ladder;
  for (const Firing& f : ladderFirings(evaluateLadder(data.authenticityClaims, kNow, rules))) {
    ladder.emplace(f.code, f.sellerId);
  }
  // Seller 2: a counterfeit product; seller 3: one recent claim; sellers 4
  // and 5 (a lapsed delist, a withdrawn claim): nothing.
  const std::set<std::pair<std::string, std::int64_t>> expected = {
      {"product_remove", 2}, {"authenticity_repeat", 2}, {"product_delist", 3}};
  EXPECT_EQ(expected, ladder);

  // Seller 1, the large seller: a defect rate above target, not critical.
  const SellerEvaluation large = evaluateSeller(1, data.tallies.at(1), std::nullopt, rules);
  std::set<std::string> codes;
  for (const Firing& f : large.firings) codes.insert(f.code);
  EXPECT_EQ(1u, codes.count("order_defect_rate_above_target"));
  EXPECT_EQ(0u, codes.count("account_review"));
}

}  // namespace
}  // namespace sellertrust
