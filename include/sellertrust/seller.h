// One seller's complete evaluation: metrics, score, badge, warnings. This is
// what a run computes per seller and what the API reports. Pure; safe from
// any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sellertrust/badge.h"
#include "sellertrust/metrics.h"
#include "sellertrust/score.h"
#include "sellertrust/warnings.h"

namespace sellertrust {

struct SellerEvaluation {
  std::int64_t sellerId = 0;
  MetricSet metrics;
  std::optional<Score> score;  // nullopt below the minimum volume
  std::string noScoreReason;   // set iff score is nullopt
  BadgeDecision badge;
  std::optional<Badge> previousBadge;
  std::vector<Firing> firings;  // seller-level rules that hold now

  bool badgeChanged() const { return !previousBadge || *previousBadge != badge.badge; }
};

// Why a seller with `orders` window orders has no score (below the minimum
// volume), as the API says it.
std::string noScoreReason(std::int64_t orders, const Rules& rules);

// `criticalElsewhere`: the codes of the seller's critical warnings that do
// not come from its metrics (the authenticity ladder's), which cap its
// badge as its own critical firings do (capBadge).
SellerEvaluation evaluateSeller(std::int64_t sellerId, const SellerTally& tally,
                                std::optional<Badge> previousBadge, const Rules& rules,
                                const std::vector<std::string>& criticalElsewhere = {});

}  // namespace sellertrust
