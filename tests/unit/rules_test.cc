#include "sellertrust/rules.h"

#include <gtest/gtest.h>

namespace sellertrust {
namespace {

TEST(RulesTest, DefaultsAreValidAndFollowTheSpec) {
  const Rules r;
  EXPECT_TRUE(validateRules(r).empty());
  EXPECT_EQ(r.windowDays, 60);
  EXPECT_EQ(r.minOrders, 10);
  EXPECT_EQ(r.rule(MetricId::kOrderDefectRate).target, 0.01);
  EXPECT_EQ(r.rule(MetricId::kClaimRate).target, 0.02);
  EXPECT_EQ(r.rule(MetricId::kLateShipmentRate).target, 0.04);
  EXPECT_EQ(r.rule(MetricId::kLateDeliveryRate).target, 0.05);
  EXPECT_EQ(r.rule(MetricId::kSellerCancelRate).target, 0.025);
  EXPECT_EQ(r.rule(MetricId::kValidTrackingRate).target, 0.95);
  EXPECT_EQ(r.rule(MetricId::kResponseWithin48hRate).target, 0.95);
  EXPECT_EQ(r.rule(MetricId::kEscalationRate).target, 0.10);
  EXPECT_EQ(r.rule(MetricId::kSpontaneousRefundRate).target, 0.03);
  EXPECT_EQ(r.rule(MetricId::kReturnResolved15dRate).target, 0.95);
  EXPECT_EQ(r.rule(MetricId::kRatingAverage).target, 4.5);
  double weights = 0;
  for (const MetricRule& m : r.metrics) weights += m.weight;
  EXPECT_EQ(weights, 100.0);
}

TEST(RulesTest, ValidationNamesTheBadParameter) {
  Rules r;
  r.metrics[static_cast<std::size_t>(MetricId::kClaimRate)].fullLossAt = 0.01;
  r.hysteresis = 10;
  r.windowDays = 0;
  const std::vector<std::string> errors = validateRules(r);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "window_days must be 1-3650");
  EXPECT_EQ(errors[1], "metric.claim_rate.full_loss_at must be above the target");
  EXPECT_EQ(errors[2], "badge.hysteresis must be at least 0 and under half of each band's width");
}

TEST(RulesTest, WeightsOver100AreRejected) {
  Rules r;
  r.metrics[0].weight = 41;
  EXPECT_EQ(validateRules(r),
            std::vector<std::string>{"metric.*.weight must add up to at most 100"});
}

TEST(RulesTest, VersionChangesWithAnyParameter) {
  const Rules a;
  Rules b;
  EXPECT_EQ(rulesVersion(a), rulesVersion(b));
  EXPECT_EQ(rulesVersion(a).substr(0, 2), "1.");
  EXPECT_EQ(rulesVersion(a).size(), 10u);
  b.metrics[3].weight = 9;
  EXPECT_NE(rulesVersion(a), rulesVersion(b));
  Rules c;
  c.delistDays = 8;
  EXPECT_NE(rulesVersion(a), rulesVersion(c));
}

TEST(RulesTest, NamesFollowTheSpec) {
  EXPECT_STREQ(metricName(MetricId::kResponseWithin48hRate), "response_within_48h_rate");
  EXPECT_STREQ(metricName(MetricId::kRatingAverage), "rating_average");
  EXPECT_STREQ(toString(Badge::kAtRisk), "at_risk");
  Badge b = Badge::kNew;
  EXPECT_TRUE(parseBadge("good", &b));
  EXPECT_EQ(b, Badge::kGood);
  EXPECT_FALSE(parseBadge("great", &b));
}

}  // namespace
}  // namespace sellertrust
