#include "sellertrust/score.h"

#include <gtest/gtest.h>

#include <random>

#include "sellertrust/badge.h"
#include "sellertrust/seller.h"

namespace sellertrust {
namespace {

// A seller with n orders and every rate perfect: no defects, all tracking
// valid, all tickets answered in time.
SellerTally perfectSeller(std::int64_t n) {
  SellerTally t;
  t.orders = n;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    if (id == MetricId::kRatingAverage) continue;
    t.rates[i] = {higherIsBetter(id) ? n : 0, n};
  }
  return t;
}

double scoreOf(const SellerTally& t, const Rules& rules = Rules()) {
  return computeScore(computeMetrics(t, rules), rules).value;
}

TEST(ScoreTest, PerfectSellerScores100WithEveryMetricExplained) {
  const Score s = computeScore(computeMetrics(perfectSeller(500), Rules()), Rules());
  EXPECT_EQ(s.value, 100.0);
  ASSERT_EQ(s.explanation.size(), kMetricCount);
  for (const PointsLost& line : s.explanation) EXPECT_EQ(line.points, 0.0);
}

TEST(ScoreTest, WorkedExampleFromTheDocs) {
  // docs/score.md: 1000 orders, 20 with a defect, 30 with a claim.
  SellerTally t = perfectSeller(1000);
  t.rate(MetricId::kOrderDefectRate) = {20, 1000};
  t.rate(MetricId::kClaimRate) = {30, 1000};
  const Score s = computeScore(computeMetrics(t, Rules()), Rules());
  // ODR judged at its Wilson lower bound 0.0129837: 40 x (0.0129837 - 0.01) / 0.01.
  EXPECT_EQ(s.explanation[0].id, MetricId::kOrderDefectRate);
  EXPECT_NEAR(*s.explanation[0].judged, 0.0129836829, 1e-9);
  EXPECT_NEAR(s.explanation[0].points, 11.934731600, 1e-6);
  EXPECT_EQ(s.explanation[0].target, 0.01);
  // Claim rate: 10 x (0.0210937 - 0.02) / 0.06 = 0.1822.
  EXPECT_EQ(s.explanation[1].id, MetricId::kClaimRate);
  EXPECT_NEAR(s.explanation[1].points, 0.1822898048, 1e-9);
  // 100 - 11.9347 - 0.1823 = 87.883, reported to one decimal.
  EXPECT_EQ(s.value, 87.9);
}

TEST(ScoreTest, ExplanationIsSortedByPointsLostLargestFirst) {
  SellerTally t = perfectSeller(200);
  t.rate(MetricId::kLateShipmentRate) = {100, 200};   // 8 points, capped
  t.rate(MetricId::kValidTrackingRate) = {100, 200};  // 4 points, capped
  t.rate(MetricId::kSellerCancelRate) = {12, 200};    // judged 3.465 %: partial
  const Score s = computeScore(computeMetrics(t, Rules()), Rules());
  EXPECT_EQ(s.explanation[0].id, MetricId::kLateShipmentRate);
  EXPECT_EQ(s.explanation[0].points, 8.0);
  EXPECT_EQ(s.explanation[1].id, MetricId::kValidTrackingRate);
  EXPECT_EQ(s.explanation[1].points, 4.0);
  EXPECT_EQ(s.explanation[2].id, MetricId::kSellerCancelRate);
  // 8 x (0.0346521943 - 0.025) / 0.075.
  EXPECT_NEAR(s.explanation[2].points, 1.0295674, 1e-6);
  for (std::size_t i = 1; i < s.explanation.size(); ++i) {
    EXPECT_GE(s.explanation[i - 1].points, s.explanation[i].points);
  }
}

TEST(ScoreTest, JudgesRatesByTheBoundOnTheSellersSide) {
  MetricValue lowerBetter;
  lowerBetter.id = MetricId::kClaimRate;
  lowerBetter.value = 0.5;
  lowerBetter.wilson = Interval{0.2, 0.8};
  EXPECT_EQ(judgedValue(lowerBetter), 0.2);
  MetricValue higherBetter = lowerBetter;
  higherBetter.id = MetricId::kValidTrackingRate;
  EXPECT_EQ(judgedValue(higherBetter), 0.8);
  MetricValue noData;
  noData.id = MetricId::kClaimRate;
  EXPECT_FALSE(judgedValue(noData).has_value());
}

TEST(ScoreTest, SmallSampleIsJudgedMoreGentlyThanTheSameRatioAtScale) {
  // 1 defect in 3 orders could be bad luck; 1000 in 3000 is not.
  SellerTally small = perfectSeller(3);
  small.rate(MetricId::kOrderDefectRate) = {1, 3};
  SellerTally large = perfectSeller(3000);
  large.rate(MetricId::kOrderDefectRate) = {1000, 3000};
  const Rules rules;
  // Lower bounds 0.0615 and 0.3167: both past full loss (2 %) for ODR, so
  // compare on the claim rate, whose full loss is 8 %.
  EXPECT_NEAR(pointsLost(MetricId::kClaimRate, 0.0614919447, rules),
              10 * (0.0614919447 - 0.02) / 0.06, 1e-9);
  EXPECT_EQ(pointsLost(MetricId::kClaimRate, 0.3166872330, rules), 10.0);
  small.rate(MetricId::kOrderDefectRate) = {0, 3};
  large.rate(MetricId::kOrderDefectRate) = {0, 3000};
  small.rate(MetricId::kClaimRate) = {1, 3};
  large.rate(MetricId::kClaimRate) = {1000, 3000};
  EXPECT_GT(scoreOf(small), scoreOf(large));
  EXPECT_EQ(scoreOf(large), 90.0);
  EXPECT_NEAR(scoreOf(small), 100 - 10 * (0.0614919447 - 0.02) / 0.06, 0.05);
}

TEST(ScoreTest, SellerUnderAccountReviewIsAtBestFair) {
  // Judged ODR 2.109 % > 2 %: account_review fires and all 40 ODR points go.
  SellerTally t = perfectSeller(1000);
  t.rate(MetricId::kOrderDefectRate) = {30, 1000};
  EXPECT_EQ(scoreOf(t), 60.0);
  EXPECT_EQ(bandOf(scoreOf(t), Rules()), Badge::kFair);
}

TEST(ScoreTest, MetricsWithoutDataCostNothing) {
  SellerTally t;
  t.orders = 12;
  t.rate(MetricId::kOrderDefectRate) = {0, 12};
  EXPECT_EQ(scoreOf(t), 100.0);
}

TEST(ScoreTest, RatingAverageLosesPointsLinearlyBelowTarget) {
  const Rules rules;
  EXPECT_EQ(pointsLost(MetricId::kRatingAverage, 4.5, rules), 0.0);
  EXPECT_DOUBLE_EQ(pointsLost(MetricId::kRatingAverage, 4.0, rules), 1.5);
  EXPECT_EQ(pointsLost(MetricId::kRatingAverage, 3.0, rules), 3.0);
}

TEST(ScoreTest, NeverLeavesZeroToHundred) {
  SellerTally t;
  t.orders = 100;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    if (id != MetricId::kRatingAverage) t.rates[i] = {higherIsBetter(id) ? 0 : 100, 100};
  }
  t.ratingCount = 100;
  t.ratingStarSum = 100;
  EXPECT_EQ(scoreOf(t), 0.0);
}

// Property: worsening any single metric never raises the score. Each random
// seller is worsened one metric at a time in two ways: one more bad case at
// the same volume, and one more order that is a bad case.
TEST(ScorePropertyTest, WorseningAnySingleMetricNeverRaisesTheScore) {
  std::mt19937 rng(20261122);
  const Rules rules;
  int comparisons = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    SellerTally t;
    t.orders = std::uniform_int_distribution<std::int64_t>(10, 400)(rng);
    for (std::size_t i = 0; i < kMetricCount; ++i) {
      const std::int64_t n = std::uniform_int_distribution<std::int64_t>(0, 400)(rng);
      t.rates[i] = {std::uniform_int_distribution<std::int64_t>(0, n)(rng), n};
    }
    t.ratingCount = std::uniform_int_distribution<std::int64_t>(0, 300)(rng);
    t.ratingStarSum =
        std::uniform_int_distribution<std::int64_t>(t.ratingCount, 5 * t.ratingCount)(rng);
    const double before = scoreOf(t, rules);
    for (std::size_t i = 0; i < kMetricCount; ++i) {
      const auto id = static_cast<MetricId>(i);
      SellerTally sameVolume = t;
      SellerTally moreVolume = t;
      if (id == MetricId::kRatingAverage) {
        if (t.ratingStarSum > t.ratingCount) --sameVolume.ratingStarSum;
        ++moreVolume.ratingCount;
        ++moreVolume.ratingStarSum;  // a one-star rating
      } else {
        Ratio& same = sameVolume.rates[i];
        Ratio& more = moreVolume.rates[i];
        if (higherIsBetter(id)) {
          if (same.numerator > 0) --same.numerator;
          ++more.denominator;
        } else {
          if (same.numerator < same.denominator) ++same.numerator;
          ++more.numerator;
          ++more.denominator;
        }
      }
      EXPECT_LE(scoreOf(sameVolume, rules), before) << metricName(id) << " trial " << trial;
      EXPECT_LE(scoreOf(moreVolume, rules), before) << metricName(id) << " trial " << trial;
      comparisons += 2;
    }
  }
  EXPECT_EQ(comparisons, 2000 * 2 * static_cast<int>(kMetricCount));
}

TEST(EvaluateSellerTest, BelowMinimumVolumeHasNoScoreAndBadgeNew) {
  SellerTally t = perfectSeller(3);
  const SellerEvaluation e = evaluateSeller(9, t, std::nullopt, Rules());
  EXPECT_FALSE(e.score.has_value());
  EXPECT_EQ(e.badge.badge, Badge::kNew);
  EXPECT_EQ(e.noScoreReason, "3 orders in the last 60 days; a score needs at least 10");
  EXPECT_TRUE(e.badgeChanged());
}

TEST(EvaluateSellerTest, AtMinimumVolumeIsScored) {
  const SellerEvaluation e = evaluateSeller(9, perfectSeller(10), Badge::kNew, Rules());
  ASSERT_TRUE(e.score.has_value());
  EXPECT_EQ(e.score->value, 100.0);
  EXPECT_EQ(e.badge.badge, Badge::kTop);
  EXPECT_TRUE(e.badgeChanged());
  const SellerEvaluation again = evaluateSeller(9, perfectSeller(10), Badge::kTop, Rules());
  EXPECT_FALSE(again.badgeChanged());
}

}  // namespace
}  // namespace sellertrust
