// Typed builders for the definition tests: an order with its after-sales
// rows and readable defaults, turned into raw rows, written to a fresh
// SQLite source and read back through the production path (the queries
// generated from the one definition). Test-only; one thread.
#pragma once

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <optional>
#include <string>
#include <vector>

#include "jobs/source/sqlite_source.h"
#include "sellertrust/metrics.h"
#include "tests/source/raw_rows.h"

namespace sellertrust::testing {

// Every test runs "now" at this instant unless it says otherwise.
inline const Timestamp kNow = *parseUtc("2026-03-01 12:00:00");
inline constexpr Timestamp kHour = kSecondsPerHour;
inline constexpr Timestamp kDay = kSecondsPerDay;

struct Ticket {
  std::string kind = "question";
  std::string status = "open";
  std::optional<std::int64_t> productId;  // NULL: the order's product
  Timestamp openedAt = kNow - 5 * kDay;
  std::optional<Timestamp> firstSellerResponseAt;
  std::optional<Timestamp> escalatedAt;
};

struct Refund {
  std::optional<std::int64_t> ticketId;  // NULL: spontaneous
  Timestamp createdAt = kNow - 2 * kDay;
};

struct ReturnRequest {
  Timestamp requestedAt = kNow - 2 * kDay;
  std::optional<Timestamp> resolvedAt;
  std::optional<std::string> resolution;
};

struct Chargeback {
  std::string liability = "fraud";
};

struct Order {
  std::int64_t productId = 100;
  Timestamp orderedAt = kNow - 10 * kDay;
  std::optional<Timestamp> shipByAt, shippedAt, promisedAt, deliveredAt, cancelledAt;
  std::optional<std::string> cancelledBy;
  std::optional<int> trackingValid;
  std::string fulfilledBy = "seller";
  std::vector<Ticket> tickets;
  std::vector<Refund> refunds;
  std::vector<ReturnRequest> returns;
  std::vector<int> ratings;  // stars
  std::vector<Chargeback> chargebacks;

  // Cancelled a day after it was placed, by `by`.
  Order& cancel(const char* by) {
    cancelledAt = orderedAt + kDay;
    cancelledBy = by;
    return *this;
  }
};

inline Ticket ticket(const char* kind, const char* status = "open") {
  Ticket t;
  t.kind = kind;
  t.status = status;
  return t;
}

// The orders of seller 7 as raw rows, every row numbered in turn.
inline RawSource rawRows(const std::vector<Order>& orders) {
  RawSource raw;
  std::int64_t next = 1;
  for (const Order& o : orders) {
    RawOrder r;
    r.orderId = next++;
    r.sellerId = 7;
    r.productId = o.productId;
    r.orderedAt = o.orderedAt;
    r.shipByAt = o.shipByAt;
    r.shippedAt = o.shippedAt;
    r.promisedAt = o.promisedAt;
    r.deliveredAt = o.deliveredAt;
    r.cancelledAt = o.cancelledAt;
    r.cancelledBy = o.cancelledBy;
    r.trackingValid = o.trackingValid;
    r.fulfilledBy = o.fulfilledBy;
    raw.orders.push_back(r);
    for (const Ticket& t : o.tickets) {
      RawTicket rt;
      rt.ticketId = next++;
      rt.orderId = r.orderId;
      rt.productId = t.productId;
      rt.kind = t.kind;
      rt.status = t.status;
      rt.openedAt = t.openedAt;
      rt.respondedAt = t.firstSellerResponseAt;
      rt.escalatedAt = t.escalatedAt;
      raw.tickets.push_back(rt);
    }
    for (const Refund& f : o.refunds) {
      RawRefund rf;
      rf.refundId = next++;
      rf.orderId = r.orderId;
      rf.ticketId = f.ticketId;
      rf.createdAt = f.createdAt;
      raw.refunds.push_back(rf);
    }
    for (const ReturnRequest& q : o.returns) {
      RawReturn rq;
      rq.returnId = next++;
      rq.orderId = r.orderId;
      rq.requestedAt = q.requestedAt;
      rq.resolvedAt = q.resolvedAt;
      rq.resolution = q.resolution;
      raw.returns.push_back(rq);
    }
    for (int stars : o.ratings) {
      RawRating rr;
      rr.ratingId = next++;
      rr.orderId = r.orderId;
      rr.stars = stars;
      rr.createdAt = o.orderedAt + kDay;
      raw.ratings.push_back(rr);
    }
    for (const Chargeback& c : o.chargebacks) {
      RawChargeback rc;
      rc.chargebackId = next++;
      rc.orderId = r.orderId;
      rc.createdAt = o.orderedAt + kDay;
      rc.liability = c.liability;
      raw.chargebacks.push_back(rc);
    }
  }
  return raw;
}

// Writes `raw` to a temporary SQLite source and reads it at `now`.
inline SourceData readRaw(const RawSource& raw, const Rules& rules = Rules(),
                          Timestamp now = kNow) {
  Poco::TemporaryFile file;
  writeSqliteSource(file.path(), raw);
  return SqliteSource(file.path()).read(now, rules, CancelToken(), nullptr);
}

// Seller 7's tally for `orders` at kNow.
inline SellerTally tallyAll(const std::vector<Order>& orders, const Rules& rules = Rules()) {
  const SourceData data = readRaw(rawRows(orders), rules);
  auto it = data.tallies.find(7);
  return it == data.tallies.end() ? SellerTally() : it->second;
}

inline Ratio rateOf(const std::vector<Order>& orders, MetricId id, const Rules& rules = Rules()) {
  return tallyAll(orders, rules).rate(id);
}

}  // namespace sellertrust::testing
