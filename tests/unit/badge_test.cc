#include "sellertrust/badge.h"

#include <gtest/gtest.h>

namespace sellertrust {
namespace {

Badge decide(double score, std::optional<Badge> previous) {
  return decideBadge(score, 100, previous, Rules()).badge;
}

TEST(BadgeTest, BelowMinimumVolumeIsNewWithReason) {
  const BadgeDecision d = decideBadge(std::nullopt, 3, Badge::kTop, Rules());
  EXPECT_EQ(d.badge, Badge::kNew);
  EXPECT_EQ(d.reason, "3 orders in the window, below the minimum of 10");
}

TEST(BadgeTest, FirstScoreTakesItsBand) {
  EXPECT_EQ(decide(90.0, std::nullopt), Badge::kTop);
  EXPECT_EQ(decide(89.9, std::nullopt), Badge::kGood);
  EXPECT_EQ(decide(75.0, std::nullopt), Badge::kGood);
  EXPECT_EQ(decide(74.9, Badge::kNew), Badge::kFair);
  EXPECT_EQ(decide(60.0, std::nullopt), Badge::kFair);
  EXPECT_EQ(decide(59.9, std::nullopt), Badge::kAtRisk);
  EXPECT_EQ(decideBadge(88.0, 50, std::nullopt, Rules()).reason,
            "first score 88.0 is in the good band");
}

TEST(BadgeTest, KeepsPreviousBadgeWithinHysteresis) {
  EXPECT_EQ(decide(73.0, Badge::kGood), Badge::kGood);  // 75 - 2 is still good
  EXPECT_EQ(decide(72.9, Badge::kGood), Badge::kFair);
  EXPECT_EQ(decide(76.9, Badge::kFair), Badge::kFair);  // below 75 + 2
  EXPECT_EQ(decide(77.0, Badge::kFair), Badge::kGood);
  EXPECT_EQ(decide(88.0, Badge::kTop), Badge::kTop);
  EXPECT_EQ(decide(87.9, Badge::kTop), Badge::kGood);
  EXPECT_EQ(decide(61.9, Badge::kAtRisk), Badge::kAtRisk);
  EXPECT_EQ(decide(62.0, Badge::kAtRisk), Badge::kFair);
  EXPECT_EQ(decide(91.9, Badge::kGood), Badge::kGood);
  EXPECT_EQ(decide(92.0, Badge::kGood), Badge::kTop);
}

TEST(BadgeTest, BigMovesSkipBands) {
  EXPECT_EQ(decide(40.0, Badge::kTop), Badge::kAtRisk);
  EXPECT_EQ(decide(99.0, Badge::kAtRisk), Badge::kTop);
}

TEST(BadgeTest, ReasonsSayWhatMoved) {
  EXPECT_EQ(decideBadge(72.9, 100, Badge::kGood, Rules()).reason,
            "score 72.9 fell below 73.0, the good band's lower bound with 2.0 points of "
            "hysteresis");
  EXPECT_EQ(decideBadge(77.0, 100, Badge::kFair, Rules()).reason,
            "score 77.0 reached 77.0, the fair band's upper bound with 2.0 points of hysteresis");
  EXPECT_EQ(decideBadge(74.0, 100, Badge::kGood, Rules()).reason,
            "score 74.0 is within the good band with 2.0 points of hysteresis: badge kept");
}

TEST(BadgeTest, ScoreWobblingAroundAThresholdDoesNotFlap) {
  std::optional<Badge> badge = Badge::kGood;
  int changes = 0;
  for (double score : {74.5, 75.5, 73.4, 76.2, 74.1, 75.9, 73.1, 76.8}) {
    const Badge next = decide(score, badge);
    if (next != *badge) ++changes;
    badge = next;
  }
  EXPECT_EQ(changes, 0);
  EXPECT_EQ(*badge, Badge::kGood);
}

TEST(BadgeTest, WithoutHysteresisTheSameWobbleFlaps) {
  Rules rules;
  rules.hysteresis = 0;
  Badge badge = Badge::kGood;
  int changes = 0;
  for (double score : {74.5, 75.5, 73.4, 76.2}) {
    const Badge next = decideBadge(score, 100, badge, rules).badge;
    if (next != badge) ++changes;
    badge = next;
  }
  EXPECT_EQ(changes, 4);
}

// The defaults: account_review caps at at_risk, authenticity_repeat at fair.
TEST(BadgeCapTest, ACriticalWarningCapsTheBadgeAndSaysWhich) {
  const Rules r;
  const BadgeDecision top = decideBadge(95.0, 100, Badge::kTop, r);
  const BadgeDecision capped = capBadge(top, 95.0, {"authenticity_repeat"}, r);
  EXPECT_EQ(capped.badge, Badge::kFair);
  EXPECT_EQ(capped.reason,
            "capped at fair while the critical warning authenticity_repeat is active; score "
            "95.0 is in the top band");
  // The worst cap wins and is the one named.
  const BadgeDecision both = capBadge(top, 95.0, {"authenticity_repeat", "account_review"}, r);
  EXPECT_EQ(both.badge, Badge::kAtRisk);
  EXPECT_NE(both.reason.find("account_review"), std::string::npos);
  // A badge already at or below the cap, a code without a cap, and `new`
  // are left as they are.
  const BadgeDecision fair = decideBadge(65.0, 100, std::nullopt, r);
  EXPECT_EQ(capBadge(fair, 65.0, {"authenticity_repeat"}, r).reason, fair.reason);
  EXPECT_EQ(capBadge(top, 95.0, {"product_remove", "slow_responses"}, r).badge, Badge::kTop);
  const BadgeDecision fresh = decideBadge(std::nullopt, 3, std::nullopt, r);
  EXPECT_EQ(capBadge(fresh, std::nullopt, {"account_review"}, r).badge, Badge::kNew);
  Rules uncapped;
  uncapped.badgeCaps.clear();
  EXPECT_EQ(capBadge(top, 95.0, {"account_review"}, uncapped).badge, Badge::kTop);
}

// The capped badge is the next run's previous one: once the warning
// clears, the badge leaves the cap through the usual hysteresis.
TEST(BadgeCapTest, TheCapLiftsWithTheHysteresis) {
  const Rules r;
  // Capped at fair with a score of 76 (good band): cleared, 76 stays within
  // fair's band widened to 77.
  EXPECT_EQ(decideBadge(76.0, 100, Badge::kFair, r).badge, Badge::kFair);
  EXPECT_EQ(decideBadge(77.0, 100, Badge::kFair, r).badge, Badge::kGood);
  // Capped at at_risk with 95: cleared, straight back to top.
  const BadgeDecision lifted = decideBadge(95.0, 100, Badge::kAtRisk, r);
  EXPECT_EQ(lifted.badge, Badge::kTop);
  EXPECT_EQ(lifted.reason,
            "score 95.0 reached 62.0, the at_risk band's upper bound with 2.0 points of "
            "hysteresis");
}

TEST(BadgeTest, BandOfIgnoresHistory) {
  EXPECT_EQ(bandOf(100, Rules()), Badge::kTop);
  EXPECT_EQ(bandOf(0, Rules()), Badge::kAtRisk);
}

}  // namespace
}  // namespace sellertrust
