// The per-seller metrics of SPEC §2: the tally that a source fills with
// grouped queries, and the metric values computed from it. Pure functions;
// safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "sellertrust/rules.h"
#include "sellertrust/time.h"

namespace sellertrust {

// The closed interval of order times that counts for a run at `now`.
struct Window {
  Timestamp begin = 0;
  Timestamp end = 0;
  bool contains(Timestamp t) const { return t >= begin && t <= end; }
};
Window windowAt(Timestamp now, const Rules& rules);

// The per-seller sums a source produces, one database column each (the SQL
// of each is in jobs/source/definition.cc). Every metric is a ratio of two
// of them; the window orders count is kOrders.
enum class TallyId : std::size_t {
  kOrders,                   // all window orders, cancelled included
  kDefectOrders,             // orders with at least one defect
  kSellerCancelledOrders,    // cancelled by the seller
  kOpenOrders,               // not cancelled
  kClaimedOrders,            // not cancelled, with at least one claim
  kShipByOrders,             // seller-fulfilled, not cancelled, with ship_by_at
  kLateShipments,            // ... shipped after it or still unshipped after it
  kPromisedOrders,           // seller-fulfilled, not cancelled, with promised_at
  kLateDeliveries,           // ... delivered after it or undelivered past the grace
  kSellerShippedOrders,      // seller-fulfilled and shipped
  kValidTrackingOrders,      // ... with valid tracking
  kTickets,                  // tickets of all kinds
  kResponseDueTickets,       // answered, or opened more than the limit ago
  kRespondedInTimeTickets,   // answered within the limit
  kEscalatedTickets,         // with escalated_at
  kDeliveredOrders,          // with delivered_at
  kSpontaneousRefundOrders,  // delivered, refunded without a ticket in time
  kReturnsDue,               // resolved, or requested more than the limit ago
  kReturnsResolvedInTime,    // resolved by refund or replacement in time
  kRatings,                  // ratings
  kStarSum,                  // the sum of their stars
};
inline constexpr std::size_t kTallyCount = 21;

// The tally's column name, e.g. "defect_orders".
const char* tallyName(TallyId id);

struct Ratio {
  std::int64_t numerator = 0;
  std::int64_t denominator = 0;
};

// The tallies a metric divides: rates count numerator out of denominator;
// rating_average takes kStarSum over kRatings.
struct MetricTallies {
  TallyId numerator;
  TallyId denominator;
};
MetricTallies metricTallies(MetricId id);

// Counts by key (a first-response delay in seconds, a product id), in
// ascending key order. A sorted vector rather than a std::map: a
// marketplace's tallies hold hundreds of thousands of entries, at 16 bytes
// each instead of a tree node's 64.
class Histogram {
 public:
  using Entry = std::pair<std::int64_t, std::int64_t>;  // key, count
  using const_iterator = std::vector<Entry>::const_iterator;

  Histogram() = default;
  Histogram(std::initializer_list<Entry> entries);

  // The count of `key`, added at 0 if absent. Cheap for keys given in
  // ascending order (as the source's queries return them).
  std::int64_t& operator[](std::int64_t key);
  // The count of `key`; throws std::out_of_range if absent.
  std::int64_t at(std::int64_t key) const;
  // Adds every count of `other`.
  void add(const Histogram& other);
  // Takes away every count of `other` (a part of these counts); a key whose
  // count comes to 0 goes, as if never added.
  void subtract(const Histogram& other);
  // The histogram of `entries` in any order, the counts of a key that
  // repeats added: what adding them one by one gives, in one sort rather
  // than one pass over the sum per histogram added. Sorts `entries` in
  // place (a caller's buffer, kept for the next sum).
  static Histogram sumOf(std::vector<Entry>* entries);

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  bool operator==(const Histogram& other) const { return entries_ == other.entries_; }
  bool operator!=(const Histogram& other) const { return !(*this == other); }

 private:
  std::vector<Entry> entries_;
};

// Everything the metrics need about one seller's window orders. Every field
// is a sum (or a histogram of sums), so the database produces it with
// grouped queries and the daemon never holds individual orders.
struct SellerTally {
  std::array<std::int64_t, kTallyCount> counts{};
  // First-response delay in seconds -> number of answered tickets.
  Histogram responseSeconds;
  // Product id -> claims on the window's orders of this seller.
  Histogram productClaims;

  std::int64_t& operator[](TallyId id) { return counts[static_cast<std::size_t>(id)]; }
  std::int64_t operator[](TallyId id) const { return counts[static_cast<std::size_t>(id)]; }
  std::int64_t orders() const { return (*this)[TallyId::kOrders]; }
  Ratio rate(MetricId id) const;
  // Sets the two tallies metric `id` divides (for tests and tools; a
  // denominator may be shared, e.g. kOrders).
  void setRate(MetricId id, std::int64_t numerator, std::int64_t denominator);
  void setNumerator(MetricId id, std::int64_t numerator);
  // Adds the tally of other rows of the same seller (another share of the
  // window): every field is a sum.
  void add(const SellerTally& other);
  // Takes away `other`, a part of this tally (Histogram::subtract).
  void subtract(const SellerTally& other);
  // The sum of `tallies`: what adding each to an empty tally gives
  // (Histogram::sumOf), for the many buckets of a seller.
  static SellerTally sumOf(const std::vector<const SellerTally*>& tallies);

  bool operator==(const SellerTally& other) const {
    return counts == other.counts && responseSeconds == other.responseSeconds &&
           productClaims == other.productClaims;
  }
};

// One row that counts against one of a seller's metrics, for the
// drill-down: the order it belongs to, the row itself (the order again for
// a reason on orders), and why it counts: `reason` indexes the source
// definition's defect reasons (jobs/source/definition.h), which name the
// metric and what `value` means (0 for a reason without one).
struct Defect {
  std::int64_t orderId = 0;
  std::int64_t rowId = 0;
  Timestamp orderedAt = 0;
  std::int64_t value = 0;
  std::uint16_t reason = 0;

  bool operator==(const Defect& other) const {
    return orderId == other.orderId && rowId == other.rowId && orderedAt == other.orderedAt &&
           value == other.value && reason == other.reason;
  }
};

struct Interval {
  double lower = 0;
  double upper = 0;
};
// The Wilson score interval for k successes out of n > 0 at z.
Interval wilsonInterval(std::int64_t k, std::int64_t n, double z);

// The nearest-rank percentile (0 < p <= 1) of a histogram value -> count;
// nullopt iff the histogram is empty.
std::optional<std::int64_t> nearestRank(const Histogram& histogram, double p);

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
// One metric's value from its two tallies (rating_average: the sum of
// stars and the number of ratings).
MetricValue metricValue(MetricId id, std::int64_t numerator, std::int64_t denominator,
                        const Rules& rules);
// The same from the tallies and a response time already reduced to its
// percentiles (as results store them).
MetricSet computeMetrics(const std::array<std::int64_t, kTallyCount>& counts,
                         const ResponseTime& responseTime, const Rules& rules);

}  // namespace sellertrust
