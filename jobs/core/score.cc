// The score formula of docs/score.md.
#include "sellertrust/score.h"

#include <algorithm>
#include <cmath>

namespace sellertrust {

std::optional<double> judgedValue(const MetricValue& metric) {
  if (!metric.value) return std::nullopt;
  if (!metric.wilson) return metric.value;  // rating_average: already shrunk by its prior
  return higherIsBetter(metric.id) ? metric.wilson->upper : metric.wilson->lower;
}

double pointsLost(MetricId id, std::optional<double> judged, const Rules& rules) {
  if (!judged) return 0;
  const MetricRule& rule = rules.rule(id);
  const double shortfall = (*judged - rule.target) / (rule.fullLossAt - rule.target);
  return rule.weight * std::clamp(shortfall, 0.0, 1.0);
}

Score computeScore(const MetricSet& metrics, const Rules& rules) {
  Score score;
  double lost = 0;
  for (const MetricValue& m : metrics.values) {
    PointsLost line;
    line.id = m.id;
    line.value = m.value;
    line.judged = judgedValue(m);
    line.target = rules.rule(m.id).target;
    line.points = pointsLost(m.id, line.judged, rules);
    lost += line.points;
    score.explanation.push_back(line);
  }
  std::stable_sort(score.explanation.begin(), score.explanation.end(),
                   [](const PointsLost& a, const PointsLost& b) { return a.points > b.points; });
  score.value = std::round(std::clamp(100.0 - lost, 0.0, 100.0) * 10) / 10;
  return score;
}

namespace {

// The smallest x in [1, most] for which meets(x) holds, given that it holds
// for every x above one that does; nullopt if meets(most) does not.
template <typename Meets>
std::optional<std::int64_t> smallest(std::int64_t most, Meets meets) {
  if (most < 1 || !meets(most)) return std::nullopt;
  std::int64_t low = 0;  // fails (or is 0)
  std::int64_t high = most;
  while (high - low > 1) {
    const std::int64_t mid = low + (high - low) / 2;
    (meets(mid) ? high : low) = mid;
  }
  return high;
}

// More rows than any marketplace has: beyond it "more" is never.
constexpr std::int64_t kMostMore = 1000000000;

}  // namespace

std::optional<ToTarget> toTarget(const MetricValue& metric, const Rules& rules) {
  const double lost = pointsLost(metric.id, judgedValue(metric), rules);
  if (lost <= 0) return std::nullopt;
  const std::int64_t k = metric.numerator;
  const std::int64_t n = metric.denominator;
  const auto meets = [&](std::int64_t numerator, std::int64_t denominator) {
    return pointsLost(metric.id, judgedValue(metricValue(metric.id, numerator, denominator, rules)),
                      rules) <= 0;
  };
  ToTarget out;
  out.pointsLost = lost;
  if (metric.id == MetricId::kRatingAverage) {
    out.more = smallest(kMostMore, [&](std::int64_t y) { return meets(k + 5 * y, n + y); });
  } else if (higherIsBetter(metric.id)) {
    out.fewer = smallest(n - k, [&](std::int64_t x) { return meets(k + x, n); });
    out.more = smallest(kMostMore, [&](std::int64_t y) { return meets(k + y, n + y); });
  } else {
    out.fewer = smallest(k, [&](std::int64_t x) { return meets(k - x, n); });
    out.more = smallest(kMostMore, [&](std::int64_t y) { return meets(k, n + y); });
  }
  return out;
}

}  // namespace sellertrust
