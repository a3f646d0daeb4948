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

}  // namespace sellertrust
