// The raw-row model as portable SQL literals.
#include "tests/source/raw_rows.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include "jobs/source/sqlite_source.h"
#include "sellertrust/metrics.h"

namespace sellertrust::testing {
namespace {

constexpr const char* kZeroDateText = "0000-00-00 00:00:00";
constexpr const char* kZeroDayText = "2026-02-00 12:00:00";
constexpr std::size_t kRowsPerInsert = 1000;

std::string sqlTime(const RawTime& t) {
  if (!t) return "NULL";
  if (*t == kZeroDate) return std::string("'") + kZeroDateText + "'";
  if (*t == kZeroDay) return std::string("'") + kZeroDayText + "'";
  return "'" + formatUtc(*t) + "'";
}

// Backslashes escape in MySQL but not in SQLite: a fixture has none.
std::string sqlText(const RawText& text) {
  if (!text) return "NULL";
  if (text->find('\\') != std::string::npos) throw std::invalid_argument("no backslash in rows");
  std::string out = "'";
  for (char c : *text) {
    if (c == '\'') out += c;
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
  Inserter(std::vector<std::string>* out, std::string head) : out_(out), head_(std::move(head)) {}
  ~Inserter() { flush(); }
  Inserter(const Inserter&) = delete;
  Inserter& operator=(const Inserter&) = delete;

  void add(const std::string& values) {
    sql_ += (rows_ == 0 ? head_ + " VALUES " : std::string(",")) + "(" + values + ")";
    if (++rows_ == kRowsPerInsert) flush();
  }

 private:
  void flush() {
    if (rows_ == 0) return;
    out_->push_back(std::move(sql_));
    sql_.clear();
    rows_ = 0;
  }

  std::vector<std::string>* out_;
  const std::string head_;
  std::string sql_;
  std::size_t rows_ = 0;
};

std::string join(std::initializer_list<std::string> values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

// The seller_id of an after-sales row naming `sellerId` of order `orderId`.
RawId childSeller(const RawId& sellerId, std::int64_t orderId,
                  const std::map<std::int64_t, const RawOrder*>& orders) {
  if (sellerId != kFromOrder) return sellerId;
  auto it = orders.find(orderId);
  return it == orders.end() ? RawId(0) : it->second->sellerId;
}

}  // namespace

std::vector<std::string> insertStatements(const RawSource& source) {
  std::vector<std::string> out;
  std::map<std::int64_t, const RawOrder*> orders;
  for (const RawOrder& o : source.orders) orders[o.orderId] = &o;
  auto sellerOf = [&](const auto& row) {
    return sqlNumber(childSeller(row.sellerId, row.orderId, orders));
  };
  auto productOf = [&](std::int64_t orderId) {
    auto it = orders.find(orderId);
    return it == orders.end() || !it->second->productId ? std::string("0")
                                                        : std::to_string(*it->second->productId);
  };
  {
    Inserter in(&out, "INSERT INTO sellers (seller_id, name, country, created_at)");
    for (const SellerInfo& s : source.sellers) {
      in.add(join({std::to_string(s.sellerId), sqlText(s.name), sqlText(s.country),
                   "'2020-01-01 00:00:00'"}));
    }
  }
  {
    Inserter in(&out,
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
    Inserter in(&out,
                "INSERT INTO tickets (ticket_id, order_id, seller_id, product_id, kind, status, "
                "opened_at, first_seller_response_at, escalated_at, closed_at)");
    for (const RawTicket& t : source.tickets) {
      in.add(join({std::to_string(t.ticketId), std::to_string(t.orderId), sellerOf(t),
                   sqlNumber(t.productId), sqlText(t.kind), sqlText(t.status), sqlTime(t.openedAt),
                   sqlTime(t.respondedAt), sqlTime(t.escalatedAt), sqlTime(t.closedAt)}));
    }
  }
  {
    Inserter in(&out,
                "INSERT INTO refunds (refund_id, order_id, seller_id, ticket_id, created_at, "
                "amount, method, kind, reason)");
    for (const RawRefund& r : source.refunds) {
      in.add(join({std::to_string(r.refundId), std::to_string(r.orderId), sellerOf(r),
                   sqlNumber(r.ticketId), sqlTime(r.createdAt), "5.00", sqlText(r.method),
                   sqlText(r.kind), sqlText(r.reason)}));
    }
  }
  {
    Inserter in(&out,
                "INSERT INTO return_requests (return_id, order_id, seller_id, requested_at, "
                "resolved_at, resolution)");
    for (const RawReturn& r : source.returns) {
      in.add(join({std::to_string(r.returnId), std::to_string(r.orderId), sellerOf(r),
                   sqlTime(r.requestedAt), sqlTime(r.resolvedAt), sqlText(r.resolution)}));
    }
  }
  {
    Inserter in(&out,
                "INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, "
                "created_at)");
    for (const RawRating& r : source.ratings) {
      in.add(join({std::to_string(r.ratingId), std::to_string(r.orderId), sellerOf(r),
                   productOf(r.orderId), sqlNumber(r.stars), sqlTime(r.createdAt)}));
    }
  }
  {
    Inserter in(&out,
                "INSERT INTO chargebacks (chargeback_id, order_id, seller_id, created_at, "
                "liability)");
    for (const RawChargeback& c : source.chargebacks) {
      in.add(join({std::to_string(c.chargebackId), std::to_string(c.orderId), sellerOf(c),
                   sqlTime(c.createdAt), sqlText(c.liability)}));
    }
  }
  return out;
}

void writeSqliteSource(const std::string& path, const RawSource& source) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session session("SQLite", path);
  createSourceSchema(session);
  session << "BEGIN", Poco::Data::Keywords::now;
  for (const std::string& sql : insertStatements(source)) session << sql, Poco::Data::Keywords::now;
  session << "COMMIT", Poco::Data::Keywords::now;
}

std::string tallyDifferences(const SellerTally& expected, const SellerTally& actual) {
  std::ostringstream out;
  for (std::size_t i = 0; i < kTallyCount; ++i) {
    const auto id = static_cast<TallyId>(i);
    if (expected[id] != actual[id]) {
      out << tallyName(id) << ": expected " << expected[id] << ", got " << actual[id] << "\n";
    }
  }
  auto histogram = [&](const char* name, const Histogram& histogramA, const Histogram& histogramB) {
    if (histogramA == histogramB) return;
    const std::map<std::int64_t, std::int64_t> a(histogramA.begin(), histogramA.end());
    const std::map<std::int64_t, std::int64_t> b(histogramB.begin(), histogramB.end());
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
