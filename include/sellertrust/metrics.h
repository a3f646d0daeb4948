// The per-seller metrics of SPEC §2: the tally that a backend fills (from
// order rows, or with grouped queries), and the metric values computed from
// it. Pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "sellertrust/records.h"
#include "sellertrust/rules.h"

namespace sellertrust {

// The closed interval of order times that counts for a run at `now`.
struct Window {
  Timestamp begin = 0;
  Timestamp end = 0;
  bool contains(Timestamp t) const { return t >= begin && t <= end; }
};
Window windowAt(Timestamp now, const Rules& rules);

struct Ratio {
  std::int64_t numerator = 0;
  std::int64_t denominator = 0;
};

// Everything the metrics need about one seller's window orders. Every field
// is a sum (or a histogram of sums), so a database can produce it with one
// grouped query per seller and the daemon never needs individual orders.
struct SellerTally {
  std::int64_t orders = 0;  // all window orders, cancelled included
  // Rates in MetricId order; the rating_average slot is unused (see below).
  std::array<Ratio, kMetricCount> rates{};
  std::int64_t ratingCount = 0;
  std::int64_t ratingStarSum = 0;
  // First-response delay in seconds -> number of answered tickets.
  std::map<std::int64_t, std::int64_t> responseSeconds;
  // Product id -> claims on the window's orders of this seller.
  std::map<std::int64_t, std::int64_t> productClaims;

  Ratio& rate(MetricId id) { return rates[static_cast<std::size_t>(id)]; }
  const Ratio& rate(MetricId id) const { return rates[static_cast<std::size_t>(id)]; }
};

// Adds one order (already sanitized, in the window) to `tally`, applying the
// SPEC §2 definitions as of `now`.
void tallyOrder(const Order& order, Timestamp now, const Rules& rules, SellerTally* tally);

struct Interval {
  double lower = 0;
  double upper = 0;
};
// The Wilson score interval for k successes out of n > 0 at z.
Interval wilsonInterval(std::int64_t k, std::int64_t n, double z);

// The nearest-rank percentile (0 < p <= 1) of a histogram value -> count;
// nullopt iff the histogram is empty.
std::optional<std::int64_t> nearestRank(const std::map<std::int64_t, std::int64_t>& histogram,
                                        double p);

struct MetricValue {
  MetricId id = MetricId::kOrderDefectRate;
  std::optional<double> value;     // nullopt iff the denominator is 0
  std::int64_t numerator = 0;      // rating_average: the sum of stars
  std::int64_t denominator = 0;    // rating_average: the number of ratings
  std::optional<Interval> wilson;  // rates only
};

struct ResponseTime {
  std::int64_t answered = 0;
  std::optional<double> p50Hours;
  std::optional<double> p90Hours;
};

struct MetricSet {
  std::int64_t orders = 0;
  std::array<MetricValue, kMetricCount> values{};
  ResponseTime responseTime;

  const MetricValue& at(MetricId id) const { return values[static_cast<std::size_t>(id)]; }
};

MetricSet computeMetrics(const SellerTally& tally, const Rules& rules);

}  // namespace sellertrust
