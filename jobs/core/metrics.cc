// The SPEC §2 metric definitions, applied to one order at a time.
#include "sellertrust/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>

namespace sellertrust {

Window windowAt(Timestamp now, const Rules& rules) {
  const Timestamp end = now - static_cast<Timestamp>(rules.lagDays) * kSecondsPerDay;
  return {end - static_cast<Timestamp>(rules.windowDays) * kSecondsPerDay, end};
}

namespace {

// The columns of SellerTally, in TallyId order.
constexpr const char* kTallyNames[kTallyCount] = {
    "orders",
    "defect_orders",
    "seller_cancelled_orders",
    "open_orders",
    "claimed_orders",
    "ship_by_orders",
    "late_shipments",
    "promised_orders",
    "late_deliveries",
    "seller_shipped_orders",
    "valid_tracking_orders",
    "tickets",
    "response_due_tickets",
    "responded_in_time_tickets",
    "escalated_tickets",
    "delivered_orders",
    "spontaneous_refund_orders",
    "returns_due",
    "returns_resolved_in_time",
    "ratings",
    "star_sum",
};

// Numerator and denominator of each metric, in MetricId order.
constexpr MetricTallies kMetricTallies[kMetricCount] = {
    {TallyId::kDefectOrders, TallyId::kOrders},
    {TallyId::kClaimedOrders, TallyId::kOpenOrders},
    {TallyId::kLateShipments, TallyId::kShipByOrders},
    {TallyId::kLateDeliveries, TallyId::kPromisedOrders},
    {TallyId::kSellerCancelledOrders, TallyId::kOrders},
    {TallyId::kValidTrackingOrders, TallyId::kSellerShippedOrders},
    {TallyId::kRespondedInTimeTickets, TallyId::kResponseDueTickets},
    {TallyId::kEscalatedTickets, TallyId::kTickets},
    {TallyId::kSpontaneousRefundOrders, TallyId::kDeliveredOrders},
    {TallyId::kReturnsResolvedInTime, TallyId::kReturnsDue},
    {TallyId::kStarSum, TallyId::kRatings},
};

// Sorts `entries` by key. The sum of a large seller's buckets has tens of
// thousands of entries, which a comparison sort took milliseconds to
// order: they go in radix passes over the keys less the least, as many
// as their range needs (two for response times of up to 48 days), with
// the vector's second half as the passes' buffer (a caller's buffer keeps
// it for the next sum). Few entries are sorted as usual.
void sortByKey(std::vector<Histogram::Entry>* entries) {
  using Entry = Histogram::Entry;
  const auto byKey = [](const Entry& a, const Entry& b) { return a.first < b.first; };
  const std::size_t n = entries->size();
  constexpr std::size_t kFewEntries = 256;
  if (n < kFewEntries) {
    std::sort(entries->begin(), entries->end(), byKey);
    return;
  }
  const auto [lo, hi] = std::minmax_element(entries->begin(), entries->end(), byKey);
  // In unsigned arithmetic, which wraps: key - least is the key's rank
  // above the least, whatever their signs.
  const auto least = static_cast<std::uint64_t>(lo->first);
  const std::uint64_t range = static_cast<std::uint64_t>(hi->first) - least;
  constexpr int kDigitBits = 11;
  constexpr std::size_t kDigits = std::size_t{1} << kDigitBits;
  entries->resize(2 * n);
  Entry* from = entries->data();
  Entry* to = from + n;
  for (int shift = 0; shift < 64 && (range >> shift) != 0; shift += kDigitBits) {
    const auto digit = [&](const Entry& e) {
      return ((static_cast<std::uint64_t>(e.first) - least) >> shift) & (kDigits - 1);
    };
    std::array<std::size_t, kDigits> at{};
    for (std::size_t i = 0; i < n; ++i) ++at[digit(from[i])];
    std::size_t start = 0;
    for (std::size_t& a : at) start += std::exchange(a, start);
    for (std::size_t i = 0; i < n; ++i) to[at[digit(from[i])]++] = from[i];
    std::swap(from, to);
  }
  if (from != entries->data()) std::copy(from, from + n, entries->data());
  entries->resize(n);
}

}  // namespace

const char* tallyName(TallyId id) { return kTallyNames[static_cast<std::size_t>(id)]; }

MetricTallies metricTallies(MetricId id) { return kMetricTallies[static_cast<std::size_t>(id)]; }

Ratio SellerTally::rate(MetricId id) const {
  const MetricTallies t = metricTallies(id);
  return {(*this)[t.numerator], (*this)[t.denominator]};
}

void SellerTally::setRate(MetricId id, std::int64_t numerator, std::int64_t denominator) {
  const MetricTallies t = metricTallies(id);
  (*this)[t.numerator] = numerator;
  (*this)[t.denominator] = denominator;
}

void SellerTally::setNumerator(MetricId id, std::int64_t numerator) {
  (*this)[metricTallies(id).numerator] = numerator;
}

Histogram::Histogram(std::initializer_list<Entry> entries) {
  for (const Entry& e : entries) (*this)[e.first] += e.second;
}

std::int64_t& Histogram::operator[](std::int64_t key) {
  if (entries_.empty() || entries_.back().first < key) return entries_.emplace_back(key, 0).second;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const Entry& e, std::int64_t k) { return e.first < k; });
  if (it == entries_.end() || it->first != key) it = entries_.insert(it, {key, 0});
  return it->second;
}

std::int64_t Histogram::at(std::int64_t key) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const Entry& e, std::int64_t k) { return e.first < k; });
  if (it == entries_.end() || it->first != key) {
    throw std::out_of_range("no count for " + std::to_string(key));
  }
  return it->second;
}

void Histogram::add(const Histogram& other) {
  std::vector<Entry> both;
  both.reserve(entries_.size() + other.entries_.size());
  auto a = entries_.begin();
  auto b = other.entries_.begin();
  while (a != entries_.end() || b != other.entries_.end()) {
    if (b == other.entries_.end() || (a != entries_.end() && a->first < b->first)) {
      both.push_back(*a++);
    } else if (a == entries_.end() || b->first < a->first) {
      both.push_back(*b++);
    } else {
      both.emplace_back(a->first, a->second + b->second);
      ++a;
      ++b;
    }
  }
  both.shrink_to_fit();
  entries_ = std::move(both);
}

void Histogram::subtract(const Histogram& other) {
  Histogram negated;
  negated.entries_.reserve(other.entries_.size());
  for (const auto& [key, count] : other.entries_) negated.entries_.emplace_back(key, -count);
  add(negated);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [](const Entry& e) { return e.second == 0; }),
                 entries_.end());
}

Histogram Histogram::sumOf(std::vector<Entry>* entries) {
  sortByKey(entries);
  // Sized once: no copy as it grows, nor to shrink it.
  std::size_t keys = 0;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    if (i == 0 || (*entries)[i].first != (*entries)[i - 1].first) ++keys;
  }
  Histogram sum;
  sum.entries_.reserve(keys);
  for (const auto& [key, count] : *entries) {
    if (sum.entries_.empty() || sum.entries_.back().first != key) {
      sum.entries_.emplace_back(key, count);
    } else {
      sum.entries_.back().second += count;
    }
  }
  return sum;
}

SellerTally SellerTally::sumOf(const std::vector<const SellerTally*>& tallies) {
  SellerTally sum;
  std::vector<Histogram::Entry> response;
  std::vector<Histogram::Entry> claims;
  for (const SellerTally* t : tallies) {
    for (std::size_t i = 0; i < sum.counts.size(); ++i) sum.counts[i] += t->counts[i];
    response.insert(response.end(), t->responseSeconds.begin(), t->responseSeconds.end());
    claims.insert(claims.end(), t->productClaims.begin(), t->productClaims.end());
  }
  sum.responseSeconds = Histogram::sumOf(&response);
  sum.productClaims = Histogram::sumOf(&claims);
  return sum;
}

void SellerTally::subtract(const SellerTally& other) {
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] -= other.counts[i];
  responseSeconds.subtract(other.responseSeconds);
  productClaims.subtract(other.productClaims);
}

void SellerTally::add(const SellerTally& other) {
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  responseSeconds.add(other.responseSeconds);
  productClaims.add(other.productClaims);
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

std::optional<std::int64_t> nearestRank(const Histogram& histogram, double p) {
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
  return std::prev(histogram.end())->first;
}

MetricValue metricValue(MetricId id, std::int64_t numerator, std::int64_t denominator,
                        const Rules& rules) {
  MetricValue m;
  m.id = id;
  m.numerator = numerator;
  m.denominator = denominator;
  if (denominator <= 0) return m;
  const auto k = static_cast<double>(numerator);
  const auto n = static_cast<double>(denominator);
  if (id == MetricId::kRatingAverage) {
    m.value = (k + rules.ratingPriorCount * rules.ratingPriorMean) / (n + rules.ratingPriorCount);
  } else {
    m.value = k / n;
    m.wilson = wilsonInterval(numerator, denominator, rules.wilsonZ);
  }
  return m;
}

MetricSet computeMetrics(const std::array<std::int64_t, kTallyCount>& counts,
                         const ResponseTime& responseTime, const Rules& rules) {
  SellerTally tally;
  tally.counts = counts;
  MetricSet set;
  set.orders = tally.orders();
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    const Ratio r = tally.rate(id);
    set.values[i] = metricValue(id, r.numerator, r.denominator, rules);
  }
  set.responseTime = responseTime;
  return set;
}

MetricSet computeMetrics(const SellerTally& tally, const Rules& rules) {
  ResponseTime rt;
  for (const auto& entry : tally.responseSeconds) rt.answered += entry.second;
  if (auto p50 = nearestRank(tally.responseSeconds, 0.5)) {
    rt.p50Hours = static_cast<double>(*p50) / 3600.0;
  }
  if (auto p90 = nearestRank(tally.responseSeconds, 0.9)) {
    rt.p90Hours = static_cast<double>(*p90) / 3600.0;
  }
  return computeMetrics(tally.counts, rt, rules);
}

}  // namespace sellertrust
