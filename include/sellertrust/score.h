// The trust score 0-100 and its explanation (docs/score.md explains the
// formula). Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <vector>

#include "sellertrust/metrics.h"
#include "sellertrust/rules.h"

namespace sellertrust {

// One line of the explanation: how a metric was judged and what it cost.
struct PointsLost {
  MetricId id = MetricId::kOrderDefectRate;
  std::optional<double> value;   // the metric's raw value
  std::optional<double> judged;  // what was compared with the target
  double target = 0;
  double points = 0;  // 0 <= points <= the metric's weight
};

struct Score {
  double value = 100;  // 0..100, rounded to one decimal
  // Every metric, largest loss first (ties in MetricId order).
  std::vector<PointsLost> explanation;
};

// The value a metric is judged by: a rate's Wilson bound on the seller's
// side (lower bound when lower is better, upper when higher is better), the
// rating average itself. nullopt iff the metric has no value.
std::optional<double> judgedValue(const MetricValue& metric);

// Returns the points lost on one metric: weight x clamp((judged - target) /
// (fullLossAt - target), 0, 1), with the signs flipped for higher-is-better.
double pointsLost(MetricId id, std::optional<double> judged, const Rules& rules);

Score computeScore(const MetricSet& metrics, const Rules& rules);

// What would make a metric that loses points lose none (meet its target as
// judged): with the same total, `fewer` of the rows it holds against the
// seller (defect orders, late shipments, tickets answered late, ...); or,
// with those kept, `more` rows that count for it (orders without a defect,
// tickets answered in time, ...; for rating_average, 5-star ratings). Each
// is the smallest such number, nullopt when none would do (no total that
// size meets the target). nullopt when the metric loses no points.
struct ToTarget {
  std::optional<std::int64_t> fewer;
  std::optional<std::int64_t> more;
  double pointsLost = 0;  // what meeting the target wins back
};
std::optional<ToTarget> toTarget(const MetricValue& metric, const Rules& rules);

}  // namespace sellertrust
