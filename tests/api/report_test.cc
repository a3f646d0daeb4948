// The JSON renderings of jobs/report.h: exact bodies for small evaluations
// worked out by hand, string escaping, and number round-trips.
#include "jobs/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "jobs/source/definition.h"

namespace sellertrust {
namespace {

const Timestamp kComputedAt = *parseUtc("2026-03-01 12:00:00");
constexpr Timestamp kDay = kSecondsPerDay;

// Four orders, one with a defect; nothing else counted. Values are set by
// hand (not computed) so that every number in the body is known exactly.
SellerEvaluation smallEvaluation() {
  SellerEvaluation e;
  e.sellerId = 7;
  e.metrics.orders = 4;
  for (std::size_t i = 0; i < kMetricCount; ++i) e.metrics.values[i].id = static_cast<MetricId>(i);
  MetricValue& odr = e.metrics.values[0];
  odr.value = 0.25;
  odr.numerator = 1;
  odr.denominator = 4;
  odr.wilson = Interval{0.125, 0.5};
  MetricValue& rating = e.metrics.values[static_cast<std::size_t>(MetricId::kRatingAverage)];
  rating.value = 4.5;
  rating.numerator = 9;
  rating.denominator = 2;
  e.metrics.responseTime = {2, 1.5, 30};
  e.noScoreReason = "4 orders in the last 60 days; a score needs at least 10";
  e.badge = {Badge::kNew, "4 orders in the window, below the minimum of 10"};
  return e;
}

Warning odrWarning() {
  Warning w;
  w.id = 3;
  w.firing.code = "order_defect_rate_above_target";
  w.firing.severity = Severity::kWarning;
  w.firing.sellerId = 7;
  w.firing.action = "warn_seller";
  w.firing.detail = "order_defect_rate above its threshold";
  w.firing.evidence = {{"value", 0.25}, {"judged", 0.125}};
  w.raisedAt = kComputedAt - kDay;
  w.updatedAt = kComputedAt;
  return w;
}

const char* const kOdrWarningJson =
    R"({"id":3,"code":"order_defect_rate_above_target","severity":"warning","seller_id":7,)"
    R"("product_id":null,"action":"warn_seller","detail":"order_defect_rate above its threshold",)"
    R"("evidence":{"value":0.25,"judged":0.125},"raised_at":"2026-02-28T12:00:00Z",)"
    R"("updated_at":"2026-03-01T12:00:00Z"})";

std::string emptyRate(const char* name, const char* target) {
  return std::string("\"") + name + R"(":{"value":null,"numerator":0,"denominator":0,)" +
         R"("wilson":null,"target":)" + target + R"(,"judged":null,"recommendation":null})";
}

std::string expectedMetrics() {
  return R"("metrics":{"order_defect_rate":{"value":0.25,"numerator":1,"denominator":4,)"
         R"("wilson":{"lower":0.125,"upper":0.5},"target":0.01,"judged":0.125,)"
         // Hand-worked: 0 of 4 has a lower bound of 0; 1 of 17 has 0.010459
         // and 1 of 18 has 0.009872, so 14 more orders.
         R"("recommendation":{"fewer":1,"more":14,"points_lost":40,)"
         R"("oldest_leaves_window_at":null,"text":"1 fewer order with a defect, or 14 more )"
         R"(orders without one, would meet the target and win back 40.0 points."}},)" +
         emptyRate("claim_rate", "0.02") + "," + emptyRate("late_shipment_rate", "0.04") + "," +
         emptyRate("late_delivery_rate", "0.05") + "," + emptyRate("seller_cancel_rate", "0.025") +
         "," + emptyRate("valid_tracking_rate", "0.95") + "," +
         emptyRate("response_within_48h_rate", "0.95") + "," + emptyRate("escalation_rate", "0.1") +
         "," + emptyRate("spontaneous_refund_rate", "0.03") + "," +
         emptyRate("return_resolved_15d_rate", "0.95") + "," +
         R"("rating_average":{"value":4.5,"numerator":9,"denominator":2,"target":4.5,"judged":4.5,)"
         R"("recommendation":null},)"
         R"("response_time_hours":{"answered":2,"p50":1.5,"p90":30}})";
}

TEST(ReportTest, UnscoredSellerReportIsExact) {
  SellerInfo info{7, "Zo\xc3\xab \"Q\" Shop\n", "FR"};
  const std::string body =
      renderSellerReport(info, smallEvaluation(), {odrWarning()}, kComputedAt, "1.test", Rules());
  const std::string expected =
      R"({"seller_id":7,"name":"Zo)"
      "\xc3\xab"
      R"( \"Q\" Shop\n","country":"FR","computed_at":"2026-03-01T12:00:00Z",)"
      R"("rules_version":"1.test","window":{"from":"2025-12-31T12:00:00Z",)"
      R"("to":"2026-03-01T12:00:00Z","days":60},"orders":4,"score":null,"badge":"new",)"
      R"("badge_reason":"4 orders in the window, below the minimum of 10",)"
      R"("no_score_reason":"4 orders in the last 60 days; a score needs at least 10",)" +
      expectedMetrics() + R"(,"explanation":[],"warnings":[)" + kOdrWarningJson + "]}";
  EXPECT_EQ(body, expected);
}

TEST(ReportTest, TheOldestDefectDatesWhenItLeavesTheWindow) {
  // The oldest of two defect orders was placed 20 days before the run: it
  // counts until 60 days after that, and leaves a second later.
  const auto lowRating = static_cast<std::uint16_t>(*source::defectReasonIndex("low_rating"));
  const std::vector<Defect> defects = {{1, 11, kComputedAt - 20 * kSecondsPerDay, 1, lowRating},
                                       {2, 12, kComputedAt - 5 * kSecondsPerDay, 2, lowRating}};
  const std::string body = renderSellerReport({7, "S", "DE"}, smallEvaluation(), {}, kComputedAt,
                                              "1.test", Rules(), defects);
  EXPECT_NE(
      body.find(R"("oldest_leaves_window_at":"2026-04-10T12:00:01Z","text":"1 fewer )"
                R"(order with a defect, or 14 more orders without one, would meet the target )"
                R"(and win back 40.0 points; the oldest counted leaves the window at )"
                R"(2026-04-10T12:00:01Z."})"),
      std::string::npos)
      << body;
}

TEST(ReportTest, ScoredSellerReportHasScoreExplanationAndNoReason) {
  SellerEvaluation e = smallEvaluation();
  e.noScoreReason.clear();
  Score score;
  score.value = 87.3;
  score.explanation = {{MetricId::kOrderDefectRate, 0.25, 0.125, 0.01, 25},
                       {MetricId::kClaimRate, std::nullopt, std::nullopt, 0.02, 0}};
  e.score = score;
  e.badge = {Badge::kGood, "first score 87.3 is in the good band"};
  const std::string body =
      renderSellerReport({7, "S", "DE"}, e, {}, kComputedAt, "1.test", Rules());
  EXPECT_NE(body.find(R"("orders":4,"score":87.3,"badge":"good",)"
                      R"("badge_reason":"first score 87.3 is in the good band","metrics":)"),
            std::string::npos)
      << body;
  EXPECT_EQ(body.find("no_score_reason"), std::string::npos);
  const std::string tail =
      R"("explanation":[{"metric":"order_defect_rate","value":0.25,"judged":0.125,"target":0.01,)"
      R"("points_lost":25},{"metric":"claim_rate","value":null,"judged":null,"target":0.02,)"
      R"("points_lost":0}],"warnings":[]})";
  ASSERT_GE(body.size(), tail.size());
  EXPECT_EQ(body.substr(body.size() - tail.size()), tail);
}

TEST(ReportTest, ComputedReportRoundTripsEveryNumber) {
  SellerTally t;
  t[TallyId::kOrders] = 137;
  for (std::size_t i = 0; i + 1 < kMetricCount; ++i) {
    t.setRate(static_cast<MetricId>(i), static_cast<std::int64_t>(i + 1), 137);
  }
  t[TallyId::kRatings] = 41;
  t[TallyId::kStarSum] = 173;
  t.responseSeconds = {{3600, 5}, {7 * 3600 + 13, 3}};
  const Rules rules;
  const SellerEvaluation e = evaluateSeller(7, t, Badge::kGood, rules);
  ASSERT_TRUE(e.score.has_value());
  const std::string body = renderSellerReport({7, "S", "DE"}, e, {}, kComputedAt, "1.x", rules);

  Poco::JSON::Parser parser;
  const auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
  const auto metrics = root->getObject("metrics");
  for (const MetricValue& m : e.metrics.values) {
    SCOPED_TRACE(metricName(m.id));
    const auto json = metrics->getObject(metricName(m.id));
    ASSERT_TRUE(json);
    EXPECT_EQ(json->getValue<double>("value"), *m.value);
    EXPECT_EQ(json->getValue<double>("judged"), *judgedValue(m));
    EXPECT_EQ(json->getValue<double>("target"), rules.rule(m.id).target);
    if (m.wilson) {
      EXPECT_EQ(json->getObject("wilson")->getValue<double>("lower"), m.wilson->lower);
      EXPECT_EQ(json->getObject("wilson")->getValue<double>("upper"), m.wilson->upper);
    } else {
      EXPECT_FALSE(json->has("wilson"));
    }
  }
  const auto explanation = root->getArray("explanation");
  ASSERT_EQ(explanation->size(), kMetricCount);
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto line = explanation->getObject(static_cast<unsigned>(i));
    EXPECT_EQ(line->getValue<std::string>("metric"), metricName(e.score->explanation[i].id));
    EXPECT_EQ(line->getValue<double>("points_lost"), e.score->explanation[i].points);
  }
  EXPECT_EQ(root->getValue<double>("score"), e.score->value);
  const auto rt = metrics->getObject("response_time_hours");
  EXPECT_EQ(rt->getValue<int>("answered"), 8);
  EXPECT_EQ(rt->getValue<double>("p50"), 1.0);
  EXPECT_EQ(rt->getValue<double>("p90"), (7 * 3600 + 13) / 3600.0);
}

TEST(ReportTest, WarningWithProductIsExact) {
  Warning w;
  w.id = 12;
  w.firing.code = "product_delist";
  w.firing.severity = Severity::kCritical;
  w.firing.sellerId = 7;
  w.firing.productId = 100;
  w.firing.action = "delist_product";
  w.firing.detail = "an \"authenticity\" claim\\";
  w.firing.evidence = {{"counted_claims", 1}, {"delist_until", 1772971200}};
  w.raisedAt = kComputedAt;
  w.updatedAt = kComputedAt;
  EXPECT_EQ(renderWarning(w),
            R"({"id":12,"code":"product_delist","severity":"critical","seller_id":7,)"
            R"("product_id":100,"action":"delist_product","detail":"an \"authenticity\" claim\\",)"
            R"("evidence":{"counted_claims":1,"delist_until":1772971200},)"
            R"("raised_at":"2026-03-01T12:00:00Z","updated_at":"2026-03-01T12:00:00Z"})");
}

TEST(ReportTest, ProductReportIsExact) {
  ProductLadder ladder;
  ladder.productId = 100;
  ladder.sellerId = 7;
  ladder.step = LadderStep::kDelist;
  ladder.countedClaims = 1;
  ladder.firstClaimAt = kComputedAt - 2 * kDay;
  ladder.delistUntil = kComputedAt + 5 * kDay;
  ladder.delistActive = true;
  const std::vector<AuthenticityClaim> claims = {
      {52, 7, 100, kComputedAt - kDay, TicketStatus::kWithdrawn},
      {51, 7, 100, kComputedAt - 2 * kDay, TicketStatus::kOpen},
      {99, 7, 555, kComputedAt - kDay, TicketStatus::kOpen},  // another product: left out
  };
  const std::string body = renderProductReport(ladder, claims, 2, {}, kComputedAt, "1.abc");
  EXPECT_EQ(
      body,
      R"({"product_id":100,"seller_id":7,"computed_at":"2026-03-01T12:00:00Z",)"
      R"("rules_version":"1.abc","claims_in_window":2,"ladder":{"step":"delist","counted_claims":1,)"
      R"("first_claim_at":"2026-02-27T12:00:00Z","second_claim_at":null,)"
      R"("delist_until":"2026-03-06T12:00:00Z","delist_active":true},)"
      R"("recommended_action":"delist_product","authenticity_claims":[)"
      R"({"ticket_id":51,"opened_at":"2026-02-27T12:00:00Z","status":"open","counted":true},)"
      R"({"ticket_id":52,"opened_at":"2026-02-28T12:00:00Z","status":"withdrawn",)"
      R"("counted":false}],"warnings":[]})");
}

TEST(ReportTest, ProductRecommendedActionFollowsLadderThenComplaints) {
  ProductLadder ladder;
  ladder.productId = 100;
  ladder.sellerId = 7;
  EXPECT_NE(renderProductReport(ladder, {}, 0, {}, kComputedAt, "1.abc")
                .find(R"("recommended_action":"none")"),
            std::string::npos);
  Warning complaints;
  complaints.id = 4;
  complaints.firing.code = "product_complaints";
  complaints.firing.productId = 100;
  complaints.firing.action = "review_product";
  EXPECT_NE(renderProductReport(ladder, {}, 3, {complaints}, kComputedAt, "1.abc")
                .find(R"("recommended_action":"review_product")"),
            std::string::npos);
  ladder.step = LadderStep::kRemove;
  EXPECT_NE(renderProductReport(ladder, {}, 3, {complaints}, kComputedAt, "1.abc")
                .find(R"("recommended_action":"remove_product")"),
            std::string::npos);
}

TEST(ReportTest, JsonStringEscapesControlQuotesAndBackslash) {
  EXPECT_EQ(jsonString(""), R"("")");
  EXPECT_EQ(jsonString("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(jsonString("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(jsonString(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(jsonString(std::string("a\0b", 3)), R"("a\u0000b")");
}

TEST(ReportTest, JsonStringPassesUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(jsonString("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(jsonString("a\xff"), R"("a\ufffd")");
  EXPECT_EQ(jsonString("a\xc3"), R"("a\ufffd")");                    // truncated sequence
  EXPECT_EQ(jsonString("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong '/'
  EXPECT_EQ(jsonString("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // a surrogate
}

TEST(ReportTest, NumbersRoundTripAndScoresHaveOneDecimal) {
  EXPECT_EQ(jsonNumber(0.1), "0.1");
  EXPECT_EQ(jsonNumber(5), "5");
  EXPECT_EQ(jsonNumber(-0.025), "-0.025");
  const double third = 1.0 / 3;
  EXPECT_EQ(std::strtod(jsonNumber(third).c_str(), nullptr), third);
  const double tiny = 1.2345678901234567e-9;
  EXPECT_EQ(std::strtod(jsonNumber(tiny).c_str(), nullptr), tiny);
  EXPECT_EQ(jsonNumber(std::nan("")), "null");
  EXPECT_EQ(jsonNumber(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(jsonScore(87.3), "87.3");
  EXPECT_EQ(jsonScore(100), "100.0");
  EXPECT_EQ(jsonScore(0), "0.0");
  EXPECT_EQ(jsonScore(std::nullopt), "null");
}

}  // namespace
}  // namespace sellertrust
