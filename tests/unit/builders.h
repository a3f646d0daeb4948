// Small builders for core tests: orders and tallies with readable defaults.
#pragma once

#include "sellertrust/metrics.h"
#include "sellertrust/records.h"
#include "sellertrust/time.h"

namespace sellertrust::testing {

// Every test runs "now" at this instant unless it says otherwise.
inline const Timestamp kNow = *parseUtc("2026-03-01 12:00:00");
inline constexpr Timestamp kHour = kSecondsPerHour;
inline constexpr Timestamp kDay = kSecondsPerDay;

// A seller-fulfilled order placed 10 days before kNow, nothing else set.
inline Order order(std::int64_t id = 1) {
  Order o;
  o.orderId = id;
  o.sellerId = 7;
  o.productId = 100;
  o.orderedAt = kNow - 10 * kDay;
  return o;
}

inline Ticket ticket(TicketKind kind, TicketStatus status = TicketStatus::kOpen,
                     std::int64_t id = 1) {
  Ticket t;
  t.ticketId = id;
  t.kind = kind;
  t.status = status;
  t.openedAt = kNow - 5 * kDay;
  return t;
}

inline Rating rating(int stars, std::int64_t id = 1) {
  Rating r;
  r.ratingId = id;
  r.stars = stars;
  r.createdAt = kNow - kDay;
  return r;
}

// Tallies the orders at kNow with `rules`.
inline SellerTally tallyAll(const std::vector<Order>& orders, const Rules& rules = Rules()) {
  SellerTally t;
  for (const Order& o : orders) tallyOrder(o, kNow, rules, &t);
  return t;
}

inline Ratio rateOf(const std::vector<Order>& orders, MetricId id, const Rules& rules = Rules()) {
  return tallyAll(orders, rules).rate(id);
}

}  // namespace sellertrust::testing
