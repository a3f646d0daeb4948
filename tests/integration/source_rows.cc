// The raw-row model: SQL literals for insertion, and the C++ reading of the
// same rows (the column checks of SPEC §1 in the order the SQLite reader
// applies them, then the core's sanitizeOrder and tallyOrder).
#include "tests/integration/source_rows.h"

#include <algorithm>
#include <sstream>

#include "sellertrust/metrics.h"

namespace sellertrust::testing {
namespace {

constexpr const char* kZeroDateText = "0000-00-00 00:00:00";
constexpr const char* kZeroDayText = "2026-02-00 12:00:00";
constexpr std::size_t kRowsPerInsert = 1000;

bool invalidTime(Timestamp t) { return t == kZeroDate || t == kZeroDay; }

std::string sqlTime(const RawTime& t) {
  if (!t) return "NULL";
  if (*t == kZeroDate) return std::string("'") + kZeroDateText + "'";
  if (*t == kZeroDay) return std::string("'") + kZeroDayText + "'";
  return "'" + formatUtc(*t) + "'";
}

std::string sqlText(const RawText& text) {
  if (!text) return "NULL";
  std::string out = "'";
  for (char c : *text) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

template <typename T>
std::string sqlNumber(const std::optional<T>& value) {
  return value ? std::to_string(*value) : "NULL";
}

// Accumulates rows of one table into INSERT statements of bounded size.
class Inserter {
 public:
  Inserter(MysqlConnection& db, std::string head) : db_(db), head_(std::move(head)) {}
  ~Inserter() noexcept(false) { flush(); }

  void add(const std::string& values) {
    sql_ += (rows_ == 0 ? head_ + " VALUES " : std::string(",")) + "(" + values + ")";
    if (++rows_ == kRowsPerInsert) flush();
  }

 private:
  void flush() {
    if (rows_ == 0) return;
    db_.execute("inserting test rows", sql_);
    sql_.clear();
    rows_ = 0;
  }

  MysqlConnection& db_;
  const std::string head_;
  std::string sql_;
  std::size_t rows_ = 0;
};

std::string join(std::initializer_list<std::string> values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

// Converts one row's columns, keeping its first problem (the SQLite reader's
// RowCheck, which is the C++ statement of SPEC §1's skipping rules).
class RowCheck {
 public:
  RowCheck(const char* table, std::int64_t key) : table_(table), key_(key) {}

  template <typename T>
  T required(const std::optional<T>& value, const char* column) {
    if (!value) fail(std::string(column) + " is NULL");
    return value.value_or(T{});
  }

  Timestamp requiredTime(const RawTime& t, const char* column) {
    if (!t) {
      fail(std::string(column) + " is NULL");
      return 0;
    }
    return optionalTime(t, column).value_or(0);
  }

  std::optional<Timestamp> optionalTime(const RawTime& t, const char* column) {
    if (t && invalidTime(*t)) {
      fail(std::string(column) + " is not a valid time");
      return std::nullopt;
    }
    return t;
  }

  template <typename E>
  std::optional<E> optionalEnum(const RawText& text, const char* column,
                                std::optional<E> (*parse)(std::string_view)) {
    if (!text) return std::nullopt;
    std::optional<E> value = parse(*text);
    if (!value) fail(std::string("unknown ") + column);
    return value;
  }

  template <typename E>
  E requiredEnum(const RawText& text, const char* column,
                 std::optional<E> (*parse)(std::string_view)) {
    if (!text) {
      fail(std::string(column) + " is NULL");
      return E{};
    }
    return optionalEnum(text, column, parse).value_or(E{});
  }

  void requiredName(const RawText& text, const char* column, bool (*valid)(std::string_view)) {
    if (!text) {
      fail(std::string(column) + " is NULL");
    } else if (!valid(*text)) {
      fail(std::string("unknown ") + column);
    }
  }

  void fail(std::string problem) {
    if (problem_.empty()) problem_ = std::move(problem);
  }

  bool accept(std::vector<RowProblem>* problems) const {
    if (problem_.empty()) return true;
    problems->push_back({table_, key_, problem_});
    return false;
  }

 private:
  const char* table_;
  std::int64_t key_;
  std::string problem_;
};

std::optional<std::int64_t> ticketSeller(const RawTicket& t,
                                         const std::map<std::int64_t, const RawOrder*>& orders) {
  if (t.sellerId != kFromOrder) return t.sellerId;
  auto it = orders.find(t.orderId);
  return it == orders.end() ? std::optional<std::int64_t>(0) : it->second->sellerId;
}

}  // namespace

void insertRows(MysqlConnection& db, const RawSource& source) {
  std::map<std::int64_t, const RawOrder*> orders;
  for (const RawOrder& o : source.orders) orders[o.orderId] = &o;
  auto sellerOf = [&](std::int64_t orderId) {
    auto it = orders.find(orderId);
    return it == orders.end() || !it->second->sellerId ? std::string("0")
                                                       : std::to_string(*it->second->sellerId);
  };
  auto productOf = [&](std::int64_t orderId) {
    auto it = orders.find(orderId);
    return it == orders.end() || !it->second->productId ? std::string("0")
                                                        : std::to_string(*it->second->productId);
  };
  {
    Inserter in(db, "INSERT INTO sellers (seller_id, name, country, created_at)");
    for (const SellerInfo& s : source.sellers) {
      in.add(join({std::to_string(s.sellerId), sqlText(s.name), sqlText(s.country),
                   "'2020-01-01 00:00:00'"}));
    }
  }
  {
    Inserter in(db,
                "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, ship_by_at, "
                "shipped_at, promised_at, delivered_at, cancelled_at, cancelled_by, "
                "tracking_valid, fulfilled_by, amount, currency)");
    for (const RawOrder& o : source.orders) {
      in.add(join({std::to_string(o.orderId), sqlNumber(o.sellerId), sqlNumber(o.productId),
                   sqlTime(o.orderedAt), sqlTime(o.shipByAt), sqlTime(o.shippedAt),
                   sqlTime(o.promisedAt), sqlTime(o.deliveredAt), sqlTime(o.cancelledAt),
                   sqlText(o.cancelledBy), sqlNumber(o.trackingValid), sqlText(o.fulfilledBy),
                   "19.99", "'EUR'"}));
    }
  }
  {
    Inserter in(db,
                "INSERT INTO tickets (ticket_id, order_id, seller_id, product_id, kind, status, "
                "opened_at, first_seller_response_at, escalated_at, closed_at)");
    for (const RawTicket& t : source.tickets) {
      in.add(join({std::to_string(t.ticketId), std::to_string(t.orderId),
                   sqlNumber(ticketSeller(t, orders)), sqlNumber(t.productId), sqlText(t.kind),
                   sqlText(t.status), sqlTime(t.openedAt), sqlTime(t.respondedAt),
                   sqlTime(t.escalatedAt), sqlTime(t.closedAt)}));
    }
  }
  {
    Inserter in(db,
                "INSERT INTO refunds (refund_id, order_id, seller_id, ticket_id, created_at, "
                "amount, method, kind, reason)");
    for (const RawRefund& r : source.refunds) {
      in.add(join({std::to_string(r.refundId), std::to_string(r.orderId), sellerOf(r.orderId),
                   sqlNumber(r.ticketId), sqlTime(r.createdAt), "5.00", sqlText(r.method),
                   sqlText(r.kind), sqlText(r.reason)}));
    }
  }
  {
    Inserter in(db,
                "INSERT INTO return_requests (return_id, order_id, seller_id, requested_at, "
                "resolved_at, resolution)");
    for (const RawReturn& r : source.returns) {
      in.add(join({std::to_string(r.returnId), std::to_string(r.orderId), sellerOf(r.orderId),
                   sqlTime(r.requestedAt), sqlTime(r.resolvedAt), sqlText(r.resolution)}));
    }
  }
  {
    Inserter in(db,
                "INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, "
                "created_at)");
    for (const RawRating& r : source.ratings) {
      in.add(join({std::to_string(r.ratingId), std::to_string(r.orderId), sellerOf(r.orderId),
                   productOf(r.orderId), sqlNumber(r.stars), sqlTime(r.createdAt)}));
    }
  }
  {
    Inserter in(db,
                "INSERT INTO chargebacks (chargeback_id, order_id, seller_id, created_at, "
                "liability)");
    for (const RawChargeback& c : source.chargebacks) {
      in.add(join({std::to_string(c.chargebackId), std::to_string(c.orderId), sellerOf(c.orderId),
                   sqlTime(c.createdAt), sqlText(c.liability)}));
    }
  }
}

Expected expectedRead(const RawSource& source, Timestamp now, const Rules& rules) {
  Expected e;
  for (const SellerInfo& s : source.sellers) e.sellers[s.sellerId] = s;
  const Window window = windowAt(now, rules);
  // '2026-02-00 12:00:00' sorts between 2026-01-31 23:59:59 and 2026-02-01.
  const Timestamp zeroDayAfter = *parseUtc("2026-01-31 23:59:59");
  const bool zeroDayInWindow = window.begin <= zeroDayAfter && window.end > zeroDayAfter;

  std::vector<RowProblem> problems;
  std::map<std::int64_t, const RawOrder*> rawOrders;
  std::map<std::int64_t, Order> orders;  // sound window orders
  for (const RawOrder& o : source.orders) {
    rawOrders[o.orderId] = &o;
    RowCheck check("orders", o.orderId);
    if (!o.orderedAt || *o.orderedAt == kZeroDate) {
      check.requiredTime(o.orderedAt, "ordered_at");
      check.accept(&problems);
      continue;
    }
    if (*o.orderedAt == kZeroDay ? !zeroDayInWindow : !window.contains(*o.orderedAt)) continue;
    Order order;
    order.orderId = o.orderId;
    order.sellerId = check.required(o.sellerId, "seller_id");
    order.productId = check.required(o.productId, "product_id");
    order.orderedAt = check.requiredTime(o.orderedAt, "ordered_at");
    order.shipByAt = check.optionalTime(o.shipByAt, "ship_by_at");
    order.shippedAt = check.optionalTime(o.shippedAt, "shipped_at");
    order.promisedAt = check.optionalTime(o.promisedAt, "promised_at");
    order.deliveredAt = check.optionalTime(o.deliveredAt, "delivered_at");
    order.cancelledAt = check.optionalTime(o.cancelledAt, "cancelled_at");
    order.cancelledBy = check.optionalEnum(o.cancelledBy, "cancelled_by", parseCancelledBy);
    if (o.trackingValid) {
      if (*o.trackingValid != 0 && *o.trackingValid != 1) {
        check.fail("tracking_valid is not 0 or 1");
      }
      order.trackingValid = *o.trackingValid != 0;
    }
    order.fulfilledBy = check.requiredEnum(o.fulfilledBy, "fulfilled_by", parseFulfilledBy);
    if (check.accept(&problems)) orders.emplace(o.orderId, std::move(order));
  }

  for (const RawTicket& t : source.tickets) {
    auto it = orders.find(t.orderId);
    if (it == orders.end()) continue;
    RowCheck check("tickets", t.ticketId);
    Ticket ticket;
    ticket.ticketId = t.ticketId;
    ticket.productId = t.productId;
    ticket.kind = check.requiredEnum(t.kind, "kind", parseTicketKind);
    ticket.status = check.requiredEnum(t.status, "status", parseTicketStatus);
    ticket.openedAt = check.requiredTime(t.openedAt, "opened_at");
    ticket.firstSellerResponseAt = check.optionalTime(t.respondedAt, "first_seller_response_at");
    ticket.escalatedAt = check.optionalTime(t.escalatedAt, "escalated_at");
    ticket.closedAt = check.optionalTime(t.closedAt, "closed_at");
    if (check.accept(&problems)) it->second.tickets.push_back(ticket);
  }
  for (const RawRefund& r : source.refunds) {
    auto it = orders.find(r.orderId);
    if (it == orders.end()) continue;
    RowCheck check("refunds", r.refundId);
    Refund refund;
    refund.refundId = r.refundId;
    refund.ticketId = r.ticketId;
    refund.createdAt = check.requiredTime(r.createdAt, "created_at");
    check.requiredName(r.method, "method", isRefundMethod);
    check.requiredName(r.kind, "kind", isRefundKind);
    check.requiredName(r.reason, "reason", isRefundReason);
    if (check.accept(&problems)) it->second.refunds.push_back(refund);
  }
  for (const RawReturn& r : source.returns) {
    auto it = orders.find(r.orderId);
    if (it == orders.end()) continue;
    RowCheck check("return_requests", r.returnId);
    ReturnRequest request;
    request.returnId = r.returnId;
    request.requestedAt = check.requiredTime(r.requestedAt, "requested_at");
    request.resolvedAt = check.optionalTime(r.resolvedAt, "resolved_at");
    request.resolution = check.optionalEnum(r.resolution, "resolution", parseReturnResolution);
    if (check.accept(&problems)) it->second.returns.push_back(request);
  }
  for (const RawRating& r : source.ratings) {
    auto it = orders.find(r.orderId);
    if (it == orders.end()) continue;
    RowCheck check("ratings", r.ratingId);
    Rating rating;
    rating.ratingId = r.ratingId;
    rating.stars = check.required(r.stars, "stars");
    rating.createdAt = check.requiredTime(r.createdAt, "created_at");
    if (check.accept(&problems)) it->second.ratings.push_back(rating);
  }
  for (const RawChargeback& c : source.chargebacks) {
    auto it = orders.find(c.orderId);
    if (it == orders.end()) continue;
    RowCheck check("chargebacks", c.chargebackId);
    Chargeback chargeback;
    chargeback.chargebackId = c.chargebackId;
    chargeback.createdAt = check.requiredTime(c.createdAt, "created_at");
    chargeback.liability = check.requiredEnum(c.liability, "liability", parseLiability);
    if (check.accept(&problems)) it->second.chargebacks.push_back(chargeback);
  }

  for (auto& [id, order] : orders) {
    if (sanitizeOrder(order, &problems)) tallyOrder(order, now, rules, &e.tallies[order.sellerId]);
  }

  for (const RawTicket& t : source.tickets) {
    if (t.kind != std::string("authenticity")) continue;
    RowCheck check("tickets", t.ticketId);
    AuthenticityClaim claim;
    claim.ticketId = t.ticketId;
    claim.sellerId = check.required(ticketSeller(t, rawOrders), "seller_id");
    RawId product = t.productId;
    if (!product) {
      auto it = rawOrders.find(t.orderId);
      if (it != rawOrders.end()) product = it->second->productId;
    }
    claim.productId = check.required(product, "product_id");
    claim.openedAt = check.requiredTime(t.openedAt, "opened_at");
    claim.status = check.requiredEnum(t.status, "status", parseTicketStatus);
    if (check.accept(&problems)) e.authenticityClaims.push_back(claim);
  }
  std::sort(e.authenticityClaims.begin(), e.authenticityClaims.end(),
            [](const AuthenticityClaim& a, const AuthenticityClaim& b) {
              return a.ticketId < b.ticketId;
            });
  e.problems = problemKeys(problems);
  return e;
}

std::string tallyDifferences(const SellerTally& expected, const SellerTally& actual) {
  std::ostringstream out;
  if (expected.orders != actual.orders) {
    out << "orders: expected " << expected.orders << ", got " << actual.orders << "\n";
  }
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const Ratio& a = expected.rates[i];
    const Ratio& b = actual.rates[i];
    if (a.numerator != b.numerator || a.denominator != b.denominator) {
      out << metricName(static_cast<MetricId>(i)) << ": expected " << a.numerator << "/"
          << a.denominator << ", got " << b.numerator << "/" << b.denominator << "\n";
    }
  }
  if (expected.ratingCount != actual.ratingCount ||
      expected.ratingStarSum != actual.ratingStarSum) {
    out << "ratings: expected " << expected.ratingStarSum << " stars in " << expected.ratingCount
        << ", got " << actual.ratingStarSum << " in " << actual.ratingCount << "\n";
  }
  auto histogram = [&](const char* name, const std::map<std::int64_t, std::int64_t>& a,
                       const std::map<std::int64_t, std::int64_t>& b) {
    if (a == b) return;
    out << name << ":";
    for (const auto& [k, v] : a) {
      auto it = b.find(k);
      if (it == b.end() || it->second != v) {
        out << " [" << k << "] expected " << v << " got " << (it == b.end() ? 0 : it->second);
      }
    }
    for (const auto& [k, v] : b) {
      if (a.count(k) == 0) out << " [" << k << "] unexpected " << v;
    }
    out << "\n";
  };
  histogram("responseSeconds", expected.responseSeconds, actual.responseSeconds);
  histogram("productClaims", expected.productClaims, actual.productClaims);
  return out.str();
}

std::set<std::pair<std::string, std::int64_t>> problemKeys(
    const std::vector<RowProblem>& problems) {
  std::set<std::pair<std::string, std::int64_t>> keys;
  for (const RowProblem& p : problems) keys.emplace(p.table, p.key);
  return keys;
}

}  // namespace sellertrust::testing
