// Badge bands and hysteresis.
#include "sellertrust/badge.h"

#include <cstdio>
#include <limits>

namespace sellertrust {
namespace {

struct Band {
  double lower;  // inclusive
  double upper;  // exclusive
};

Band bandFor(Badge badge, const Rules& r) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (badge) {
    case Badge::kTop:
      return {r.topMin, kInf};
    case Badge::kGood:
      return {r.goodMin, r.topMin};
    case Badge::kFair:
      return {r.fairMin, r.goodMin};
    default:
      return {-kInf, r.fairMin};
  }
}

// One decimal, as scores are reported.
std::string oneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

Badge bandOf(double score, const Rules& r) {
  if (score >= r.topMin) return Badge::kTop;
  if (score >= r.goodMin) return Badge::kGood;
  if (score >= r.fairMin) return Badge::kFair;
  return Badge::kAtRisk;
}

BadgeDecision decideBadge(std::optional<double> score, std::int64_t orders,
                          std::optional<Badge> previous, const Rules& r) {
  if (!score) {
    return {Badge::kNew, std::to_string(orders) + " orders in the window, below the minimum of " +
                             std::to_string(r.minOrders)};
  }
  const Badge band = bandOf(*score, r);
  const std::string s = "score " + oneDecimal(*score);
  if (!previous || *previous == Badge::kNew) {
    return {band, "first " + s + " is in the " + toString(band) + " band"};
  }
  if (band == *previous) return {band, s + " is in the " + toString(band) + " band"};
  const Band kept = bandFor(*previous, r);
  const std::string margin = " with " + oneDecimal(r.hysteresis) + " points of hysteresis";
  if (*score >= kept.lower - r.hysteresis && *score < kept.upper + r.hysteresis) {
    return {*previous,
            s + " is within the " + toString(*previous) + " band" + margin + ": badge kept"};
  }
  if (*score < kept.lower) {
    return {band, s + " fell below " + oneDecimal(kept.lower - r.hysteresis) + ", the " +
                      toString(*previous) + " band's lower bound" + margin};
  }
  return {band, s + " reached " + oneDecimal(kept.upper + r.hysteresis) + ", the " +
                    toString(*previous) + " band's upper bound" + margin};
}

BadgeDecision capBadge(const BadgeDecision& decided, std::optional<double> score,
                       const std::vector<std::string>& activeCriticalCodes, const Rules& rules) {
  if (decided.badge == Badge::kNew || !score) return decided;
  // Later in the enum is worse: top, good, fair, at_risk.
  const std::string* by = nullptr;
  Badge cap = decided.badge;
  for (const std::string& code : activeCriticalCodes) {
    auto it = rules.badgeCaps.find(code);
    if (it != rules.badgeCaps.end() && it->second > cap) {
      cap = it->second;
      by = &it->first;
    }
  }
  if (by == nullptr) return decided;
  return {cap, std::string("capped at ") + toString(cap) + " while the critical warning " + *by +
                   " is active; score " + oneDecimal(*score) + " is in the " +
                   toString(bandOf(*score, rules)) + " band"};
}

}  // namespace sellertrust
