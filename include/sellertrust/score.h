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

}  // namespace sellertrust
