// A fixture with one bad row for every row check of the one definition
// that both engines can hold, and the problems a read at kNow must report
// for it, worked out by hand. Shared by the SQLite test and the cross-backend
// test, which must report exactly these, wording included.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "tests/source/builders.h"

namespace sellertrust::testing {

// Seller 7's order `id` of product 100, placed at `orderedAt`; every
// other column NULL or its default.
inline RawOrder sevenOrder(std::int64_t id, Timestamp orderedAt) {
  RawOrder o;
  o.orderId = id;
  o.sellerId = 7;
  o.productId = 100;
  o.orderedAt = orderedAt;
  return o;
}

// Seller 7 with one sound order (1) in the window, its sound after-sales
// rows, and one bad row per check.
inline RawSource badRowsFixture() {
  RawSource s;
  s.sellers = {{7, "Seven", "FR"}};
  const Timestamp at = kNow - 10 * kDay;
  auto order = [&](std::int64_t id) { return sevenOrder(id, at); };
  s.orders.push_back(order(1));
  auto badOrder = [&](std::int64_t id, auto change) {
    RawOrder o = order(id);
    change(o);
    s.orders.push_back(o);
  };
  badOrder(11, [](RawOrder& o) { o.sellerId.reset(); });
  badOrder(12, [](RawOrder& o) { o.productId.reset(); });
  badOrder(13, [](RawOrder& o) { o.sellerId = 0; });
  badOrder(14, [](RawOrder& o) { o.orderedAt.reset(); });
  badOrder(15, [](RawOrder& o) { o.orderedAt = kZeroDate; });
  badOrder(16, [](RawOrder& o) { o.orderedAt = kZeroDay; });
  badOrder(17, [](RawOrder& o) { o.shippedAt = kZeroDay; });
  badOrder(18, [](RawOrder& o) { o.cancelledBy = "Seller"; });
  badOrder(19, [](RawOrder& o) { o.trackingValid = 2; });
  badOrder(20, [](RawOrder& o) { o.fulfilledBy.reset(); });
  badOrder(21, [](RawOrder& o) { o.fulfilledBy = "warehouse"; });
  badOrder(22, [](RawOrder& o) { o.shippedAt = *o.orderedAt - 1; });
  badOrder(23, [](RawOrder& o) { o.deliveredAt = *o.orderedAt - 1; });
  badOrder(24, [](RawOrder& o) {
    o.cancelledAt = *o.orderedAt - 1;
    o.cancelledBy = "buyer";
  });
  badOrder(25, [](RawOrder& o) { o.shipByAt = *o.orderedAt - 1; });
  badOrder(26, [](RawOrder& o) { o.promisedAt = *o.orderedAt - 1; });
  badOrder(27, [](RawOrder& o) {
    o.shippedAt = *o.orderedAt + kDay;
    o.deliveredAt = *o.orderedAt + 1;
  });
  badOrder(28, [](RawOrder& o) { o.cancelledBy = "seller"; });
  badOrder(29, [](RawOrder& o) { o.cancelledAt = *o.orderedAt + 1; });
  badOrder(30, [](RawOrder& o) { o.shippedAt = kNow + kDay; });

  auto ticket = [&](std::int64_t id, auto change) {
    RawTicket t;
    t.ticketId = id;
    t.orderId = 1;
    t.kind = "damaged";
    t.status = "open";
    t.openedAt = at + kDay;
    change(t);
    s.tickets.push_back(t);
  };
  ticket(100, [](RawTicket&) {});
  ticket(101, [](RawTicket& t) { t.sellerId.reset(); });
  ticket(102, [](RawTicket& t) { t.productId = 0; });
  ticket(103, [](RawTicket& t) { t.kind.reset(); });
  ticket(104, [](RawTicket& t) { t.kind = "fraud"; });
  ticket(105, [](RawTicket& t) { t.status.reset(); });
  ticket(106, [](RawTicket& t) { t.status = "awaiting_buyer"; });
  ticket(107, [](RawTicket& t) { t.openedAt.reset(); });
  ticket(108, [](RawTicket& t) { t.openedAt = kZeroDate; });
  ticket(109, [](RawTicket& t) { t.respondedAt = kZeroDay; });
  ticket(110, [&](RawTicket& t) { t.respondedAt = at; });
  ticket(111, [&](RawTicket& t) { t.escalatedAt = at; });
  ticket(112, [&](RawTicket& t) { t.closedAt = at; });
  ticket(113, [](RawTicket& t) { t.respondedAt = *parseUtc("9999-12-31 23:59:59"); });
  ticket(114, [](RawTicket& t) { t.sellerId = 8; });

  auto refund = [&](std::int64_t id, auto change) {
    RawRefund r;
    r.refundId = id;
    r.orderId = 1;
    r.createdAt = at + kDay;
    change(r);
    s.refunds.push_back(r);
  };
  refund(200, [](RawRefund&) {});
  refund(201, [](RawRefund& r) { r.createdAt.reset(); });
  refund(202, [](RawRefund& r) { r.method = "cash"; });
  refund(203, [](RawRefund& r) { r.kind = "half"; });
  refund(204, [](RawRefund& r) { r.reason = "because"; });
  refund(205, [](RawRefund& r) { r.sellerId = 8; });

  auto request = [&](std::int64_t id, auto change) {
    RawReturn r;
    r.returnId = id;
    r.orderId = 1;
    r.requestedAt = at + kDay;
    change(r);
    s.returns.push_back(r);
  };
  request(300, [](RawReturn&) {});
  request(301, [](RawReturn& r) { r.requestedAt.reset(); });
  request(302, [](RawReturn& r) {
    r.resolvedAt = kZeroDay;
    r.resolution = "refund";
  });
  request(303, [](RawReturn& r) {
    r.resolvedAt = *r.requestedAt + kDay;
    r.resolution = "lost";
  });
  request(304, [](RawReturn& r) {
    r.resolvedAt = *r.requestedAt - 1;
    r.resolution = "refund";
  });
  request(305, [](RawReturn& r) { r.resolvedAt = *r.requestedAt + kDay; });
  request(306, [](RawReturn& r) { r.sellerId = 8; });

  auto rating = [&](std::int64_t id, std::optional<int> stars, RawTime createdAt) {
    RawRating r;
    r.ratingId = id;
    r.orderId = 1;
    r.stars = stars;
    r.createdAt = createdAt;
    s.ratings.push_back(r);
  };
  rating(400, 5, at + kDay);
  rating(401, std::nullopt, at + kDay);
  rating(402, 6, at + kDay);
  rating(403, 0, at + kDay);
  rating(404, 4, std::nullopt);
  rating(405, 1, kNow + Rules().clockSkewSeconds + 1);
  rating(406, 5, at + kDay);
  s.ratings.back().sellerId = 8;
  rating(407, 5, at + kDay);
  s.ratings.back().sellerId.reset();

  auto chargeback = [&](std::int64_t id, RawTime createdAt, RawText liability) {
    RawChargeback c;
    c.chargebackId = id;
    c.orderId = 1;
    c.createdAt = createdAt;
    c.liability = std::move(liability);
    s.chargebacks.push_back(c);
  };
  chargeback(500, at + kDay, "fraud");
  chargeback(501, std::nullopt, "fraud");
  chargeback(502, at + kDay, "merchant");
  chargeback(503, at + kDay, "service");
  s.chargebacks.back().sellerId = 8;

  // Moves an after-sales row to order `id`, still naming seller 7.
  const auto onOrder = [](std::int64_t id) {
    return [id](auto& row) {
      row.orderId = id;
      row.sellerId = 7;
    };
  };

  // Rows naming seller 7 on order 11, which has no seller: skipped with
  // their order, which alone is reported (a read in parts deals them out
  // to seller 7's part, and order 11 to part 0).
  ticket(115, onOrder(11));
  rating(408, 1, at + kDay);
  onOrder(11)(s.ratings.back());
  // A sound rating of seller 7's bad order 18: skipped with its order, in
  // whichever part seller 7 is read (both by its seller).
  rating(409, 1, at + kDay);
  onOrder(18)(s.ratings.back());

  // Orphans: after-sales rows whose order 998 does not exist.
  ticket(120, onOrder(998));
  refund(220, onOrder(998));
  request(320, onOrder(998));
  rating(420, 5, at + kDay);
  onOrder(998)(s.ratings.back());
  chargeback(520, at + kDay, "service");
  onOrder(998)(s.chargebacks.back());
  return s;
}

inline std::vector<RowProblem> badRowsExpected() {
  return {
      {"orders", 11, "seller_id is NULL"},
      {"orders", 12, "product_id is NULL"},
      {"orders", 13, "seller_id is not a positive id: '0'"},
      {"orders", 14, "ordered_at is NULL"},
      {"orders", 15, "ordered_at is not a valid time: '0000-00-00 00:00:00'"},
      {"orders", 16, "ordered_at is not a valid time: '2026-02-00 12:00:00'"},
      {"orders", 17, "shipped_at is not a valid time: '2026-02-00 12:00:00'"},
      {"orders", 18, "unknown cancelled_by 'Seller'"},
      {"orders", 19, "tracking_valid is not 0 or 1: '2'"},
      {"orders", 20, "fulfilled_by is NULL"},
      {"orders", 21, "unknown fulfilled_by 'warehouse'"},
      {"orders", 22, "shipped_at is before ordered_at"},
      {"orders", 23, "delivered_at is before ordered_at"},
      {"orders", 24, "cancelled_at is before ordered_at"},
      {"orders", 25, "ship_by_at is before ordered_at"},
      {"orders", 26, "promised_at is before ordered_at"},
      {"orders", 27, "delivered_at is before shipped_at"},
      {"orders", 28, "cancelled_by is set but cancelled_at is NULL"},
      {"orders", 29, "cancelled_at is set but cancelled_by is NULL"},
      {"orders", 30, "shipped_at is in the future: '2026-03-02 12:00:00'"},
      {"tickets", 101, "seller_id is NULL"},
      {"tickets", 102, "product_id is not a positive id: '0'"},
      {"tickets", 103, "kind is NULL"},
      {"tickets", 104, "unknown kind 'fraud'"},
      {"tickets", 105, "status is NULL"},
      {"tickets", 106, "unknown status 'awaiting_buyer'"},
      {"tickets", 107, "opened_at is NULL"},
      {"tickets", 108, "opened_at is not a valid time: '0000-00-00 00:00:00'"},
      {"tickets", 109, "first_seller_response_at is not a valid time: '2026-02-00 12:00:00'"},
      {"tickets", 110, "first_seller_response_at is before opened_at"},
      {"tickets", 111, "escalated_at is before opened_at"},
      {"tickets", 112, "closed_at is before opened_at"},
      {"tickets", 113, "first_seller_response_at is in the future: '9999-12-31 23:59:59'"},
      {"tickets", 114, "seller_id is not its order's seller"},
      {"tickets", 120, "order_id names no order: '998'"},
      {"refunds", 201, "created_at is NULL"},
      {"refunds", 202, "unknown method 'cash'"},
      {"refunds", 203, "unknown kind 'half'"},
      {"refunds", 204, "unknown reason 'because'"},
      {"refunds", 205, "seller_id is not its order's seller"},
      {"refunds", 220, "order_id names no order: '998'"},
      {"return_requests", 301, "requested_at is NULL"},
      {"return_requests", 302, "resolved_at is not a valid time: '2026-02-00 12:00:00'"},
      {"return_requests", 303, "unknown resolution 'lost'"},
      {"return_requests", 304, "resolved_at is before requested_at"},
      {"return_requests", 305, "resolved_at and resolution must be both NULL or both set"},
      {"return_requests", 306, "seller_id is not its order's seller"},
      {"return_requests", 320, "order_id names no order: '998'"},
      {"ratings", 401, "stars is NULL"},
      {"ratings", 402, "stars is outside 1-5"},
      {"ratings", 403, "stars is outside 1-5"},
      {"ratings", 404, "created_at is NULL"},
      {"ratings", 405, "created_at is in the future: '2026-03-01 12:05:01'"},
      {"ratings", 406, "seller_id is not its order's seller"},
      {"ratings", 407, "seller_id is NULL"},
      {"ratings", 420, "order_id names no order: '998'"},
      {"chargebacks", 501, "created_at is NULL"},
      {"chargebacks", 502, "unknown liability 'merchant'"},
      {"chargebacks", 503, "seller_id is not its order's seller"},
      {"chargebacks", 520, "order_id names no order: '998'"},
  };
}

// Seller 7's orders 1-4 with ratings 10 (order 1, 5 stars), 11 (order 2,
// 1 star), 12 (order 3, 4 stars) and authenticity claim 20 (order 4): sound
// rows, until repeatKeysStatements() makes views that repeat order 2,
// rating 12 and ticket 20.
inline RawSource repeatedKeysFixture() {
  RawSource s;
  s.sellers = {{7, "Seven", "FR"}};
  for (std::int64_t id = 1; id <= 4; ++id) s.orders.push_back(sevenOrder(id, kNow - 10 * kDay));
  const Timestamp at = kNow - kDay;
  s.ratings = {{10, 1, 5, at}, {11, 2, 1, at}, {12, 3, 4, at}};
  RawTicket claim;
  claim.ticketId = 20;
  claim.orderId = 4;
  claim.kind = "authenticity";
  claim.status = "open";
  claim.openedAt = at;
  s.tickets = {claim};
  return s;
}

// SQL that SQLite and MariaDB both run: each table becomes <table>_rows,
// under a view of its name that repeats one key, as a view joining to
// several rows per key would.
inline std::vector<std::string> repeatKeysStatements() {
  std::vector<std::string> out;
  for (const auto& [table, key, repeat] : std::vector<std::tuple<std::string, std::string, int>>{
           {"orders", "order_id", 2}, {"ratings", "rating_id", 12}, {"tickets", "ticket_id", 20}}) {
    out.push_back("ALTER TABLE " + table + " RENAME TO " + table + "_rows");
    out.push_back("CREATE VIEW " + table + " AS SELECT * FROM " + table +
                  "_rows UNION ALL SELECT * FROM " + table + "_rows WHERE " + key + " = " +
                  std::to_string(repeat));
  }
  return out;
}

inline std::vector<RowProblem> repeatedKeysExpected() {
  return {{"orders", 2, "order_id is not unique: 2 rows"},
          {"tickets", 20, "ticket_id is not unique: 2 rows"},
          {"ratings", 12, "rating_id is not unique: 2 rows"}};
}

// What stays of seller 7: orders 1, 3 and 4, and rating 10 (11 is order
// 2's, 12 is repeated); the claim is repeated, so no ticket counts.
inline SellerTally repeatedKeysTally() {
  SellerTally t;
  t[TallyId::kOrders] = 3;
  t[TallyId::kOpenOrders] = 3;
  t[TallyId::kRatings] = 1;
  t[TallyId::kStarSum] = 5;
  return t;
}

}  // namespace sellertrust::testing
