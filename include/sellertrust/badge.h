// Badge assignment with hysteresis. Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sellertrust/rules.h"
#include "sellertrust/time.h"

namespace sellertrust {

struct BadgeDecision {
  Badge badge = Badge::kNew;
  std::string reason;  // one sentence an operator or seller can read
};

// The badge for `score` (nullopt: below the minimum volume, `orders` says how
// many orders there were) given the seller's previous badge (nullopt: none
// yet). A previous scored badge is kept while the score stays within its band
// widened by rules.hysteresis on both sides.
BadgeDecision decideBadge(std::optional<double> score, std::int64_t orders,
                          std::optional<Badge> previous, const Rules& rules);

// `decided` capped by the seller's active critical warnings (their codes):
// at most the worst of their rules.badgeCaps, whose reason then names the
// warning and the band the score itself is in. `new` (no score) is never
// capped. A cap lifts through decideBadge's hysteresis, as the capped badge
// is the next run's previous one.
BadgeDecision capBadge(const BadgeDecision& decided, std::optional<double> score,
                       const std::vector<std::string>& activeCriticalCodes, const Rules& rules);

// The band's own badge for a score, without hysteresis.
Badge bandOf(double score, const Rules& rules);

}  // namespace sellertrust
