// Names, validation and versioning of the rules.
#include "sellertrust/rules.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace sellertrust {
namespace {

const char* const kMetricNames[kMetricCount] = {
    "order_defect_rate",        "claim_rate",         "late_shipment_rate",
    "late_delivery_rate",       "seller_cancel_rate", "valid_tracking_rate",
    "response_within_48h_rate", "escalation_rate",    "spontaneous_refund_rate",
    "return_resolved_15d_rate", "rating_average",
};

const char* const kBadgeNames[] = {"new", "top", "good", "fair", "at_risk"};

}  // namespace

const char* metricName(MetricId id) { return kMetricNames[static_cast<std::size_t>(id)]; }

bool higherIsBetter(MetricId id) {
  return id == MetricId::kValidTrackingRate || id == MetricId::kResponseWithin48hRate ||
         id == MetricId::kReturnResolved15dRate || id == MetricId::kRatingAverage;
}

const char* toString(Badge badge) { return kBadgeNames[static_cast<int>(badge)]; }

bool parseBadge(const std::string& name, Badge* out) {
  for (int i = 0; i < 5; ++i) {
    if (name == kBadgeNames[i]) {
      *out = static_cast<Badge>(i);
      return true;
    }
  }
  return false;
}

const std::vector<std::string>& cappingWarningCodes() {
  static const std::vector<std::string> kCodes = {"account_review", "authenticity_repeat"};
  return kCodes;
}

std::vector<std::string> validateRules(const Rules& r) {
  std::vector<std::string> errors;
  auto require = [&](bool ok, const std::string& message) {
    if (!ok) errors.push_back(message);
  };
  require(r.windowDays >= 1 && r.windowDays <= 3650, "window_days must be 1-3650");
  require(r.lagDays >= 0 && r.lagDays <= 365, "lag_days must be 0-365");
  require(r.clockSkewSeconds >= 0 && r.clockSkewSeconds <= 86400,
          "clock_skew_seconds must be 0-86400");
  require(r.minOrders >= 1, "min_orders must be at least 1");
  require(r.responseHours >= 1, "response_hours must be at least 1");
  require(r.lateDeliveryGraceDays >= 0, "late_delivery_grace_days must be at least 0");
  require(r.spontaneousRefundDays >= 0, "spontaneous_refund_days must be at least 0");
  require(r.returnResolveDays >= 1, "return_resolve_days must be at least 1");
  require(r.ratingPriorCount >= 0, "rating_prior_count must be at least 0");
  require(r.ratingPriorMean >= 1 && r.ratingPriorMean <= 5, "rating_prior_mean must be 1-5");
  require(r.wilsonZ > 0 && r.wilsonZ < 10, "wilson_z must be in (0, 10)");
  double totalWeight = 0;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    const MetricRule& m = r.metrics[i];
    const std::string name = std::string("metric.") + metricName(id);
    const double lo = id == MetricId::kRatingAverage ? 1 : 0;
    const double hi = id == MetricId::kRatingAverage ? 5 : 1;
    require(m.target >= lo && m.target <= hi,
            name + ".target must be " + (lo == 0 ? "0-1" : "1-5"));
    require(m.fullLossAt >= lo && m.fullLossAt <= hi,
            name + ".full_loss_at must be " + (lo == 0 ? "0-1" : "1-5"));
    require(
        higherIsBetter(id) ? m.fullLossAt < m.target : m.fullLossAt > m.target,
        name + ".full_loss_at must be " + (higherIsBetter(id) ? "below" : "above") + " the target");
    require(m.weight >= 0, name + ".weight must be at least 0");
    totalWeight += m.weight;
  }
  require(totalWeight <= 100.0 + 1e-9, "metric.*.weight must add up to at most 100");
  require(r.fairMin < r.goodMin && r.goodMin < r.topMin && r.fairMin >= 0 && r.topMin <= 100,
          "badge.fair_min, good_min and top_min must satisfy 0 <= fair < good < top <= 100");
  require(r.hysteresis >= 0 && r.hysteresis * 2 < r.goodMin - r.fairMin &&
              r.hysteresis * 2 < r.topMin - r.goodMin,
          "badge.hysteresis must be at least 0 and under half of each band's width");
  require(r.accountReviewOdr > 0 && r.accountReviewOdr <= 1,
          "account_review_odr must be in (0, 1]");
  require(r.delistDays >= 1, "ladder.delist_days must be at least 1");
  require(r.repeatWindowDays >= 1, "ladder.repeat_window_days must be at least 1");
  require(r.productComplaintClaims >= 1, "product_complaint_claims must be at least 1");
  require(r.ratingWarningMinRatings >= 0, "rating_warning_min_ratings must be at least 0");
  for (const auto& [code, badge] : r.badgeCaps) {
    const auto& codes = cappingWarningCodes();
    require(std::find(codes.begin(), codes.end(), code) != codes.end(),
            "badge.cap." + code + ": not a critical seller warning code");
    require(badge != Badge::kNew, "badge.cap." + code + " must be a badge other than new");
  }
  return errors;
}

std::string rulesVersion(const Rules& r) {
  // FNV-1a over a fixed-precision text of every parameter: stable across
  // platforms and builds, unlike hashing the struct's bytes.
  std::string text;
  char buf[64];
  auto add = [&](double v) {
    std::snprintf(buf, sizeof buf, "%.9g;", v);
    text += buf;
  };
  for (double v : {double(r.windowDays),
                   double(r.lagDays),
                   double(r.minOrders),
                   double(r.responseHours),
                   double(r.lateDeliveryGraceDays),
                   double(r.spontaneousRefundDays),
                   double(r.returnResolveDays),
                   r.ratingPriorCount,
                   r.ratingPriorMean,
                   r.wilsonZ,
                   r.topMin,
                   r.goodMin,
                   r.fairMin,
                   r.hysteresis,
                   r.accountReviewOdr,
                   double(r.delistDays),
                   double(r.repeatWindowDays),
                   double(r.productComplaintClaims),
                   double(r.clockSkewSeconds),
                   double(r.ratingWarningMinRatings)}) {
    add(v);
  }
  for (const auto& [code, badge] : r.badgeCaps) text += code + "=" + toString(badge) + ";";
  for (const MetricRule& m : r.metrics) {
    add(m.target);
    add(m.fullLossAt);
    add(m.weight);
  }
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  std::snprintf(buf, sizeof buf, "%s.%08x", kFormulaVersion, hash);
  return buf;
}

}  // namespace sellertrust
