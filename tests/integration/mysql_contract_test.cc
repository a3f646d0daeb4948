// MysqlSource::checkContract on the reference schema, on broken
// variants of it, and on the example views over a marketplace's own tables.
#include <gtest/gtest.h>

#include <algorithm>

#include "jobs/source/definition.h"
#include "jobs/source/mysql_source.h"
#include "tests/integration/mariadb_test.h"

namespace sellertrust::testing {
namespace {

using MysqlContractTest = MariadbTest;

bool contains(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

TEST_F(MysqlContractTest, ReferenceSchemaMeetsTheContract) {
  MysqlSource source(env().readOnly());
  const std::vector<std::string> problems = source.checkContract().problems;
  EXPECT_TRUE(problems.empty()) << joined(problems);
}

TEST_F(MysqlContractTest, NamesADroppedColumnAndAMissingIndex) {
  root().execute("dropping a column", "ALTER TABLE orders DROP COLUMN promised_at");
  root().execute("dropping an index", "ALTER TABLE tickets DROP INDEX tickets_kind_seller_id");
  MysqlSource source(env().readOnly());
  const std::vector<std::string> problems = source.checkContract().problems;
  EXPECT_TRUE(contains(problems, "table orders: missing column promised_at")) << joined(problems);
  EXPECT_TRUE(contains(problems,
                       "table tickets: missing index on (kind, seller_id), needed by the "
                       "authenticity claims of the sellers read"))
      << joined(problems);
  EXPECT_EQ(problems.size(), 2u) << joined(problems);
}

TEST_F(MysqlContractTest, AnIndexWithTheColumnNotLeadingDoesNotCount) {
  root().execute("dropping an index", "ALTER TABLE ratings DROP INDEX ratings_order_id");
  root().execute("adding an index",
                 "CREATE INDEX ratings_seller_order ON ratings (seller_id, order_id)");
  MysqlSource source(env().readOnly());
  const std::vector<std::string> problems = source.checkContract().problems;
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "table ratings: missing index on (order_id), needed by the joins to "
                          "window orders"}));
}

TEST_F(MysqlContractTest, NamesAMissingTableAndATimeColumnOfTheWrongType) {
  root().execute("dropping a table", "DROP TABLE chargebacks");
  root().execute("retyping a column", "ALTER TABLE refunds MODIFY created_at VARCHAR(20)");
  MysqlSource source(env().readOnly());
  const std::vector<std::string> problems = source.checkContract().problems;
  EXPECT_EQ(problems,
            (std::vector<std::string>{"table refunds: column created_at is varchar, not DATETIME",
                                      "table chargebacks: missing"}));
}

// Views over nullable columns (makeSourceLax): their columns are checked;
// a view has no indexes of its own, which the check notes once per index
// the queries need instead of staying silent.
TEST_F(MysqlContractTest, ViewsAreCheckedForColumnsAndTheirIndexesNoted) {
  makeSourceLax(root());
  MysqlSource source(env().readOnly());
  const ContractReport report = source.checkContract();
  EXPECT_TRUE(report.problems.empty()) << joined(report.problems);
  EXPECT_TRUE(contains(report.notes,
                       "table tickets is a view: its base table needs an index on (kind, "
                       "seller_id), for the authenticity claims of the sellers read (not "
                       "checked)"))
      << joined(report.notes);
  // And every view but sellers may repeat a key, which each run looks for.
  EXPECT_TRUE(contains(report.notes,
                       "table orders: order_id is not declared unique (a view, or no primary "
                       "key): every run looks for keys that appear twice"))
      << joined(report.notes);
  EXPECT_EQ(report.notes.size(), source::indexes().size() + source::tables().size() - 1)
      << joined(report.notes);
}

// The example views over the invented marketplace: they meet the contract
// and read as the SPEC tables would, unknown codes included.
TEST_F(MysqlContractTest, ExampleViewsMeetTheContractAndReadTheMarketplace) {
  resetSourceDb(root(), env(), /*empty=*/true);
  runSqlFile(root(), sqlFile("example_marketplace.sql"));
  runSqlFile(root(), sqlFile("example_views.sql"), {{"@MARKETPLACE_DB@", env().sourceDb()}});
  MysqlSource source(env().readOnly());
  const ContractReport report = source.checkContract();
  EXPECT_TRUE(report.problems.empty()) << joined(report.problems);
  EXPECT_TRUE(contains(report.notes,
                       "table orders is a view: its base table needs an index on (ordered_at), "
                       "for the window range (not checked)"))
      << joined(report.notes);

  const char* rows[] = {
      "INSERT INTO merchants (merchant_id, legal_name, country_code, onboarded_at) "
      "VALUES (1, 'Shop', 'FR', '2020-01-01 00:00:00')",
      // 1: merchant-shipped 1 s late, delivered before the promise, scanned.
      // 2: cancelled by the merchant. 3: shipped by the marketplace.
      "INSERT INTO shop_orders (id, merchant_id, sku_id, placed_at, dispatch_deadline, "
      "dispatched_at, delivery_eta_latest, delivered_at, cancelled_at, cancel_source, "
      "carrier_scan_ok, fulfilment_channel, total_cents, currency) VALUES "
      "(1, 1, 77, '2026-02-24 12:00:00', '2026-02-25 12:00:00', '2026-02-25 12:00:01', "
      " '2026-02-27 12:00:00', '2026-02-26 12:00:00', NULL, NULL, 1, 'MFN', 1999, 'EUR'), "
      "(2, 1, 78, '2026-02-23 12:00:00', NULL, NULL, NULL, NULL, '2026-02-23 13:00:00', "
      " 'MERCHANT', NULL, 'MFN', 500, 'EUR'), "
      "(3, 1, 79, '2026-02-22 12:00:00', NULL, '2026-02-22 18:00:00', NULL, "
      " '2026-02-23 12:00:00', NULL, NULL, NULL, 'AFN', 2500, 'EUR')",
      "INSERT INTO support_cases (case_id, order_id, merchant_id, sku_id, reason_code, state, "
      "created_at, merchant_first_reply_at) VALUES "
      "(10, 1, 1, NULL, 'COUNTERFEIT', 'OPEN', '2026-02-26 12:00:00', '2026-02-26 13:00:00'), "
      "(11, 1, 1, NULL, 'LOST_IN_TRANSIT', 'OPEN', '2026-02-26 12:00:00', NULL)",
      "INSERT INTO payments_refunds (refund_ref, order_id, merchant_id, case_id, issued_at, "
      "amount_cents, channel, scope, reason) VALUES "
      "(20, 3, 1, NULL, '2026-02-24 12:00:00', 2500, 'CARD', 'FULL', 'GOODWILL')",
      "INSERT INTO return_rmas (rma_id, order_id, merchant_id, opened_at, decided_at, outcome) "
      "VALUES (50, 3, 1, '2026-02-24 12:00:00', '2026-02-25 12:00:00', 'EXCHANGE')",
      "INSERT INTO product_reviews (review_id, order_id, merchant_id, sku_id, score, posted_at) "
      "VALUES (30, 1, 1, 77, 1, '2026-02-27 12:00:00')",
      "INSERT INTO payment_disputes (dispute_id, order_id, merchant_id, opened_at, fault) "
      "VALUES (40, 3, 1, '2026-02-27 12:00:00', 'FRAUD')",
  };
  for (const char* sql : rows) root().execute("filling the marketplace", sql);

  CancelToken cancel;
  const SourceData data = source.read(*parseUtc("2026-03-01 12:00:00"), Rules{}, cancel, nullptr);
  ASSERT_EQ(data.tallies.count(1), 1u);
  const SellerTally& t = data.tallies.at(1);
  EXPECT_EQ(t.orders(), 3);
  auto ratio = [&](MetricId id) {
    return std::make_pair(t.rate(id).numerator, t.rate(id).denominator);
  };
  using P = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(ratio(MetricId::kOrderDefectRate), P(1, 3));  // order 1: 1 star, open claim
  EXPECT_EQ(ratio(MetricId::kClaimRate), P(1, 2));
  EXPECT_EQ(ratio(MetricId::kLateShipmentRate), P(1, 1));
  EXPECT_EQ(ratio(MetricId::kLateDeliveryRate), P(0, 1));
  EXPECT_EQ(ratio(MetricId::kSellerCancelRate), P(1, 3));
  EXPECT_EQ(ratio(MetricId::kValidTrackingRate), P(1, 1));
  EXPECT_EQ(ratio(MetricId::kResponseWithin48hRate), P(1, 1));
  EXPECT_EQ(ratio(MetricId::kEscalationRate), P(0, 1));
  EXPECT_EQ(ratio(MetricId::kSpontaneousRefundRate), P(1, 2));
  EXPECT_EQ(ratio(MetricId::kReturnResolved15dRate), P(1, 1));
  EXPECT_EQ(t[TallyId::kRatings], 1);
  EXPECT_EQ(t.productClaims, (Histogram{{77, 1}}));
  ASSERT_EQ(data.problems.size(), 1u);
  EXPECT_EQ(data.problems[0].table, "tickets");
  EXPECT_EQ(data.problems[0].key, 11);
  EXPECT_EQ(data.problems[0].problem, "unknown kind 'LOST_IN_TRANSIT'");
  ASSERT_EQ(data.authenticityClaims.size(), 1u);
  EXPECT_EQ(data.authenticityClaims[0].productId, 77);
  EXPECT_EQ(data.sellers.at(1).name, "Shop");
}

}  // namespace
}  // namespace sellertrust::testing
