// The SPEC §2 metric definitions, applied to one order at a time.
#include "sellertrust/metrics.h"

#include <cmath>

namespace sellertrust {

Window windowAt(Timestamp now, const Rules& rules) {
  const Timestamp end = now - static_cast<Timestamp>(rules.lagDays) * kSecondsPerDay;
  return {end - static_cast<Timestamp>(rules.windowDays) * kSecondsPerDay, end};
}

namespace {

void count(Ratio* ratio, bool inNumerator) {
  ++ratio->denominator;
  if (inNumerator) ++ratio->numerator;
}

bool hasDefect(const Order& order) {
  for (const Rating& r : order.ratings) {
    if (r.stars <= 2) return true;
  }
  for (const Ticket& t : order.tickets) {
    if (isClaim(t.kind) && claimCountsAsDefect(t.status)) return true;
  }
  for (const Chargeback& c : order.chargebacks) {
    if (c.liability == Liability::kService) return true;
  }
  return false;
}

}  // namespace

void tallyOrder(const Order& order, Timestamp now, const Rules& rules, SellerTally* tally) {
  const bool cancelled = order.cancelledAt.has_value();
  const bool sellerFulfilled = order.fulfilledBy == FulfilledBy::kSeller;
  ++tally->orders;

  count(&tally->rate(MetricId::kOrderDefectRate), hasDefect(order));
  count(&tally->rate(MetricId::kSellerCancelRate), order.cancelledBy == CancelledBy::kSeller);

  bool hasClaim = false;
  for (const Ticket& t : order.tickets) {
    if (!isClaim(t.kind)) continue;
    hasClaim = true;
    ++tally->productClaims[t.productId.value_or(order.productId)];
  }
  if (!cancelled) count(&tally->rate(MetricId::kClaimRate), hasClaim);

  if (sellerFulfilled && !cancelled && order.shipByAt) {
    const bool late = order.shippedAt ? *order.shippedAt > *order.shipByAt : now > *order.shipByAt;
    count(&tally->rate(MetricId::kLateShipmentRate), late);
  }
  if (sellerFulfilled && !cancelled && order.promisedAt) {
    const Timestamp grace = static_cast<Timestamp>(rules.lateDeliveryGraceDays) * kSecondsPerDay;
    const bool late = order.deliveredAt ? *order.deliveredAt > *order.promisedAt
                                        : now > *order.promisedAt + grace;
    count(&tally->rate(MetricId::kLateDeliveryRate), late);
  }
  if (sellerFulfilled && order.shippedAt) {
    count(&tally->rate(MetricId::kValidTrackingRate), order.trackingValid.value_or(false));
  }

  const Timestamp responseLimit = static_cast<Timestamp>(rules.responseHours) * kSecondsPerHour;
  for (const Ticket& t : order.tickets) {
    if (t.firstSellerResponseAt) {
      const Timestamp delay = *t.firstSellerResponseAt - t.openedAt;
      count(&tally->rate(MetricId::kResponseWithin48hRate), delay <= responseLimit);
      ++tally->responseSeconds[delay];
    } else if (now - t.openedAt > responseLimit) {
      count(&tally->rate(MetricId::kResponseWithin48hRate), false);
    }
    count(&tally->rate(MetricId::kEscalationRate), t.escalatedAt.has_value());
  }

  if (order.deliveredAt) {
    const Timestamp limit =
        *order.deliveredAt + static_cast<Timestamp>(rules.spontaneousRefundDays) * kSecondsPerDay;
    bool spontaneous = false;
    for (const Refund& r : order.refunds) {
      if (!r.ticketId && r.createdAt <= limit) spontaneous = true;
    }
    count(&tally->rate(MetricId::kSpontaneousRefundRate), spontaneous);
  }

  const Timestamp resolveLimit = static_cast<Timestamp>(rules.returnResolveDays) * kSecondsPerDay;
  for (const ReturnRequest& r : order.returns) {
    if (r.resolvedAt) {
      const bool good = r.resolution != ReturnResolution::kRejected &&
                        *r.resolvedAt - r.requestedAt <= resolveLimit;
      count(&tally->rate(MetricId::kReturnResolved15dRate), good);
    } else if (now - r.requestedAt > resolveLimit) {
      count(&tally->rate(MetricId::kReturnResolved15dRate), false);
    }
  }

  for (const Rating& r : order.ratings) {
    ++tally->ratingCount;
    tally->ratingStarSum += r.stars;
  }
}

Interval wilsonInterval(std::int64_t k, std::int64_t n, double z) {
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double centre = p + z2 / (2 * nn);
  const double spread = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  const double scale = 1 + z2 / nn;
  // Clamp away rounding just outside [0, 1] at p = 0 or p = 1.
  return {std::fmax(0.0, (centre - spread) / scale), std::fmin(1.0, (centre + spread) / scale)};
}

std::optional<std::int64_t> nearestRank(const std::map<std::int64_t, std::int64_t>& histogram,
                                        double p) {
  std::int64_t total = 0;
  for (const auto& entry : histogram) total += entry.second;
  if (total == 0) return std::nullopt;
  // Rank ceil(p * n), computed in integers where p is a whole percentage to
  // avoid 0.9 * 10 = 9.000000000000002 rounding up to 10.
  const auto rank = static_cast<std::int64_t>(std::ceil(p * static_cast<double>(total) - 1e-9));
  std::int64_t seen = 0;
  for (const auto& [value, n] : histogram) {
    seen += n;
    if (seen >= rank) return value;
  }
  return histogram.rbegin()->first;
}

MetricSet computeMetrics(const SellerTally& tally, const Rules& rules) {
  MetricSet set;
  set.orders = tally.orders;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    MetricValue& m = set.values[i];
    m.id = static_cast<MetricId>(i);
    if (m.id == MetricId::kRatingAverage) continue;
    const Ratio& r = tally.rates[i];
    m.numerator = r.numerator;
    m.denominator = r.denominator;
    if (r.denominator > 0) {
      m.value = static_cast<double>(r.numerator) / static_cast<double>(r.denominator);
      m.wilson = wilsonInterval(r.numerator, r.denominator, rules.wilsonZ);
    }
  }
  MetricValue& rating = set.values[static_cast<std::size_t>(MetricId::kRatingAverage)];
  rating.numerator = tally.ratingStarSum;
  rating.denominator = tally.ratingCount;
  if (tally.ratingCount > 0) {
    rating.value = (static_cast<double>(tally.ratingStarSum) +
                    rules.ratingPriorCount * rules.ratingPriorMean) /
                   (static_cast<double>(tally.ratingCount) + rules.ratingPriorCount);
  }
  ResponseTime& rt = set.responseTime;
  for (const auto& entry : tally.responseSeconds) rt.answered += entry.second;
  if (auto p50 = nearestRank(tally.responseSeconds, 0.5)) {
    rt.p50Hours = static_cast<double>(*p50) / 3600.0;
  }
  if (auto p90 = nearestRank(tally.responseSeconds, 0.9)) {
    rt.p90Hours = static_cast<double>(*p90) / 3600.0;
  }
  return set;
}

}  // namespace sellertrust
