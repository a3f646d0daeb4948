// Every number the trust model uses: windows, metric targets and weights,
// badge thresholds, warning and ladder parameters. Defaults are SPEC §2–3;
// the daemon overrides them from its configuration file. A Rules value is
// immutable once built and safe to share between threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sellertrust {

// The metrics that carry a target and can cost points, in SPEC §2 order.
enum class MetricId : std::size_t {
  kOrderDefectRate,
  kClaimRate,
  kLateShipmentRate,
  kLateDeliveryRate,
  kSellerCancelRate,
  kValidTrackingRate,
  kResponseWithin48hRate,
  kEscalationRate,
  kSpontaneousRefundRate,
  kReturnResolved15dRate,
  kRatingAverage,
};
inline constexpr std::size_t kMetricCount = 11;

// The SPEC name of the metric, e.g. "order_defect_rate".
const char* metricName(MetricId id);
// True for rates where a higher value is better (tracking, response,
// returns) and for the rating average.
bool higherIsBetter(MetricId id);

struct MetricRule {
  double target = 0;      // meeting it costs nothing
  double fullLossAt = 0;  // at or beyond it the whole weight is lost
  double weight = 0;      // points at stake, out of 100
};

enum class Badge { kNew, kTop, kGood, kFair, kAtRisk };
const char* toString(Badge badge);
bool parseBadge(const std::string& name, Badge* out);

struct Rules {
  // Orders count when ordered_at lies in [now - lag - windowDays, now - lag].
  int windowDays = 60;
  int lagDays = 0;
  // A source time of something that happened (an order placed, a rating
  // given, a ticket answered) later than the run's now plus this is
  // impossible: the row is reported and skipped until the clock reaches it.
  // Leaves room for the source database's clock running ahead of ours.
  int clockSkewSeconds = 300;
  // Below this many window orders a seller has no score and badge `new`.
  int minOrders = 10;

  // Definition parameters of SPEC §2.
  int responseHours = 48;
  int lateDeliveryGraceDays = 3;
  int spontaneousRefundDays = 14;
  int returnResolveDays = 15;
  double ratingPriorCount = 7;
  double ratingPriorMean = 3.5;
  double wilsonZ = 1.959963984540054;  // 95 % two-sided

  std::array<MetricRule, kMetricCount> metrics = {{
      // The ODR loses its whole weight at the account_review threshold, so a
      // seller under review can be `fair` at best, never `good` or `top`.
      {0.01, 0.02, 40},  // order_defect_rate
      {0.02, 0.08, 10},  // claim_rate
      {0.04, 0.15, 8},   // late_shipment_rate
      {0.05, 0.20, 8},   // late_delivery_rate
      {0.025, 0.10, 8},  // seller_cancel_rate
      {0.95, 0.80, 4},   // valid_tracking_rate
      {0.95, 0.70, 8},   // response_within_48h_rate
      {0.10, 0.30, 4},   // escalation_rate
      {0.03, 0.12, 4},   // spontaneous_refund_rate
      {0.95, 0.70, 3},   // return_resolved_15d_rate
      {4.5, 3.5, 3},     // rating_average
  }};

  // Badge bands: top >= topMin, good >= goodMin, fair >= fairMin, else
  // at_risk. A seller keeps its previous badge while its score stays within
  // that badge's band widened by `hysteresis` points on each side.
  double topMin = 90;
  double goodMin = 75;
  double fairMin = 60;
  double hysteresis = 2;

  // account_review (critical) when the ODR's judged bound exceeds this.
  double accountReviewOdr = 0.02;
  // Authenticity ladder.
  int delistDays = 7;
  int repeatWindowDays = 180;
  // product_complaints when a product has at least this many claims on the
  // seller's window orders.
  int productComplaintClaims = 3;
  // rating_average_off_target waits for this many window ratings: with the
  // prior of 7 x 3.5, a seller rated 4.9 on average needs 18 ratings to
  // reach the 4.5 target, so fewer would warn it on noise.
  int ratingWarningMinRatings = 20;

  // While a seller has an active warning of one of these critical codes
  // (account_review, authenticity_repeat), its badge is at most the level
  // given (never `new`); the badge's reason names the warning.
  std::map<std::string, Badge> badgeCaps = {{"account_review", Badge::kAtRisk},
                                            {"authenticity_repeat", Badge::kFair}};

  const MetricRule& rule(MetricId id) const { return metrics[static_cast<std::size_t>(id)]; }
};

// The critical seller warning codes that can cap a badge (Rules::badgeCaps).
const std::vector<std::string>& cappingWarningCodes();

// Returns one message per invalid parameter, naming it; empty iff valid.
std::vector<std::string> validateRules(const Rules& rules);

// The version of the score formula; bumped when the formula changes.
inline constexpr const char* kFormulaVersion = "1";

// Returns "<formula>.<8 hex digits>": the formula version and a hash of every
// parameter, so two results carry the same version iff they were computed by
// the same formula with the same numbers.
std::string rulesVersion(const Rules& rules);

}  // namespace sellertrust
