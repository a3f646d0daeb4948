// One seller's evaluation: the core's pieces in their fixed order.
#include "sellertrust/seller.h"

namespace sellertrust {

std::string noScoreReason(std::int64_t orders, const Rules& rules) {
  return std::to_string(orders) + " orders in the last " + std::to_string(rules.windowDays) +
         " days; a score needs at least " + std::to_string(rules.minOrders);
}

SellerEvaluation evaluateSeller(std::int64_t sellerId, const SellerTally& tally,
                                std::optional<Badge> previousBadge, const Rules& rules,
                                const std::vector<std::string>& criticalElsewhere) {
  SellerEvaluation e;
  e.sellerId = sellerId;
  e.metrics = computeMetrics(tally, rules);
  e.previousBadge = previousBadge;
  if (tally.orders() >= rules.minOrders) {
    e.score = computeScore(e.metrics, rules);
  } else {
    e.noScoreReason = noScoreReason(tally.orders(), rules);
  }
  const std::optional<double> score =
      e.score ? std::optional<double>(e.score->value) : std::nullopt;
  e.firings = metricFirings(sellerId, e.metrics, tally, rules);
  std::vector<std::string> critical = criticalElsewhere;
  for (const Firing& f : e.firings) {
    if (f.severity == Severity::kCritical && !f.productId) critical.push_back(f.code);
  }
  e.badge =
      capBadge(decideBadge(score, tally.orders(), previousBadge, rules), score, critical, rules);
  return e;
}

}  // namespace sellertrust
