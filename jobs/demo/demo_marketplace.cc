// The demo marketplace generator. Sellers follow behaviours (event rates in
// parts per million); a few sellers carry scripted events on fixed days (the
// authenticity ladder, a product drawing claims, deliberately bad rows).
// Orders are generated day by day, sorted by time and numbered in that
// order, so order ids grow with ordered_at as in a real shop database. Rows
// are inserted in batches (one INSERT per table and batch), in one
// transaction; about 320 000 orders take 4 s in a Debug build.
#include "jobs/demo/demo_marketplace.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Nullable.h>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "jobs/source/source.h"
#include "jobs/source/sqlite_source.h"
#include "jobs/sqlite/sqlite_statement.h"

namespace sellertrust {
namespace {

namespace kw = Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;
using Text = Poco::Nullable<std::string>;
using Int = Poco::Nullable<Poco::Int64>;

constexpr int kDays = 120;
constexpr std::int64_t kSellers = 3000;
constexpr Timestamp kMinute = 60;
constexpr Timestamp kHour = kSecondsPerHour;
constexpr Timestamp kDay = kSecondsPerDay;
constexpr std::int64_t kMillion = 1000000;
// Poco retries a failed open for 60 s by default; fail at once instead.
constexpr std::size_t kOpenRetrySeconds = 0;

// Rates shared by every behaviour, in parts per million.
constexpr std::int64_t kBuyerCancelPpm = 20000;
constexpr std::int64_t kOperatorCancelPpm = 2000;
constexpr std::int64_t kFraudChargebackPpm = 1500;
constexpr std::int64_t kTicketWithoutProductPpm = 200000;

constexpr const char* kInsertSeller =
    "INSERT INTO sellers (seller_id, name, country, created_at, updated_at) VALUES (?, ?, ?, ?, ?)";
constexpr const char* kInsertOrder =
    "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, ship_by_at, shipped_at, "
    "promised_at, delivered_at, cancelled_at, cancelled_by, tracking_valid, fulfilled_by, amount, "
    "currency, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertTicket =
    "INSERT INTO tickets (ticket_id, order_id, seller_id, product_id, kind, status, opened_at, "
    "first_seller_response_at, escalated_at, closed_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertRefund =
    "INSERT INTO refunds (refund_id, order_id, seller_id, ticket_id, created_at, amount, method, "
    "kind, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertReturn =
    "INSERT INTO return_requests (return_id, order_id, seller_id, requested_at, received_at, "
    "resolved_at, resolution, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertRating =
    "INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertChargeback =
    "INSERT INTO chargebacks (chargeback_id, order_id, seller_id, created_at, liability, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?)";

// Draws from std::mt19937_64, whose output the standard fixes, with our own
// integer mappings: std::uniform_*_distribution differ between libraries.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [lo, hi]; the modulo bias is below 1e-12 for these ranges.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(engine_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  // True with probability ppm / 1e6.
  bool chance(std::int64_t ppm) { return between(0, kMillion - 1) < ppm; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[static_cast<std::size_t>(between(0, N - 1))];
  }

 private:
  std::mt19937_64 engine_;
};

// How a seller behaves, as event rates in parts per million.
struct Behaviour {
  const char* name = "reliable";
  std::int64_t ordersMin = 50;  // over the 120 days
  std::int64_t ordersMax = 160;
  std::int64_t productsMax = 10;
  std::int64_t operatorFulfilled = 120000;  // of orders
  std::int64_t sellerCancel = 4000;         // of orders
  std::int64_t lateShip = 12000;            // of seller-fulfilled orders
  std::int64_t lateDelivery = 15000;        // of seller-fulfilled shipped orders
  std::int64_t lostParcel = 2000;           // of shipped orders
  std::int64_t invalidTracking = 8000;      // of seller-fulfilled shipped orders
  std::int64_t question = 60000;            // orders with a question or other ticket
  std::int64_t claim = 6000;                // not-cancelled orders with a claim
  std::int64_t claimDefect = 600000;        // claims ending in a defect status
  std::int64_t slowResponse = 15000;        // tickets answered after 48 h or never
  std::int64_t escalation = 40000;          // tickets escalated to the operator
  std::int64_t spontaneousRefund = 4000;    // delivered orders
  std::int64_t returnRequest = 40000;       // delivered orders
  std::int64_t slowReturn = 20000;          // returns rejected or resolved after 15 days
  std::int64_t rating = 700000;             // delivered orders rated
  std::int64_t lowStars = 4000;             // ratings of 1-2 stars
  std::int64_t midStars = 12000;            // ratings of 3 stars
  std::int64_t fourStars = 50000;           // ratings of 4 stars; the rest are 5
  std::int64_t serviceChargeback = 0;       // orders
};

Behaviour behaviour(const char* name, const std::function<void(Behaviour&)>& change) {
  Behaviour b;
  b.name = name;
  change(b);
  return b;
}

// The population mix: behaviour and sellers per 1000.
std::vector<std::pair<Behaviour, int>> populationMix() {
  return {
      {behaviour("reliable", [](Behaviour&) {}), 510},
      {behaviour("new", [](Behaviour& b) { b.ordersMin = b.ordersMax = 3; }), 50},
      {behaviour("slow_responder",
                 [](Behaviour& b) {
                   b.question = 250000;
                   b.slowResponse = 700000;
                 }),
       40},
      {behaviour("late_shipper", [](Behaviour& b) { b.lateShip = 350000; }), 40},
      {behaviour("late_deliverer", [](Behaviour& b) { b.lateDelivery = 400000; }), 40},
      {behaviour("seller_canceller", [](Behaviour& b) { b.sellerCancel = 180000; }), 30},
      {behaviour("bad_tracking", [](Behaviour& b) { b.invalidTracking = 400000; }), 30},
      {behaviour("escalation_prone",
                 [](Behaviour& b) {
                   b.question = 200000;
                   b.escalation = 500000;
                 }),
       30},
      {behaviour("spontaneous_refunder", [](Behaviour& b) { b.spontaneousRefund = 250000; }), 30},
      {behaviour("slow_returns",
                 [](Behaviour& b) {
                   b.returnRequest = 250000;
                   b.slowReturn = 650000;
                 }),
       30},
      {behaviour("poorly_rated",
                 [](Behaviour& b) {
                   b.rating = 750000;
                   b.lowStars = 50000;
                   b.midStars = 550000;
                   b.fourStars = 250000;
                 }),
       30},
      // Many claims, mostly settled by the operator or withdrawn: the claim
      // rate misses its target while the defect rate does not.
      {behaviour("claim_prone",
                 [](Behaviour& b) {
                   b.claim = 150000;
                   b.claimDefect = 100000;
                   b.escalation = 300000;
                 }),
       30},
      {behaviour("high_odr",
                 [](Behaviour& b) {
                   b.claim = 150000;
                   b.claimDefect = 900000;
                   b.lowStars = 150000;
                   b.serviceChargeback = 15000;
                 }),
       30},
      {behaviour("struggling",
                 [](Behaviour& b) {
                   b.lateShip = 300000;
                   b.lateDelivery = 350000;
                   b.question = 150000;
                   b.slowResponse = 500000;
                   b.invalidTracking = 200000;
                   b.sellerCancel = 60000;
                   b.midStars = 400000;
                 }),
       30},
      {behaviour("failing",
                 [](Behaviour& b) {
                   b.lateShip = 400000;
                   b.lateDelivery = 450000;
                   b.sellerCancel = 120000;
                   b.claim = 120000;
                   b.claimDefect = 900000;
                   b.question = 150000;
                   b.slowResponse = 500000;
                   b.escalation = 300000;
                   b.lowStars = 200000;
                   b.midStars = 400000;
                 }),
       20},
  };
}

// A scripted event attached to a seller's first order(s) of a given day.
enum class Script {
  kAuthenticityClaim,    // an authenticity claim on the seller's product 1
  kProductClaim,         // a defective claim on product 1 (product_complaints)
  kUnknownTicketStatus,  // bad row: a question ticket in status "awaiting_buyer"
  kRatingOutOfRange,     // bad row: a rating of 7 stars
  kDeliveryBeforeOrder,  // bad row: delivered two days before it was ordered
};

struct ScriptedEvent {
  Script script = Script::kProductClaim;
  const char* status = "open";  // for claims
  bool ticketWithoutProduct = false;
};

struct SellerPlan {
  std::int64_t sellerId = 0;
  Behaviour behaviour;
  int startDay = 0;  // first day with orders, 0..kDays-1
  std::int64_t orders = 0;
  std::int64_t products = 1;
  std::map<int, std::vector<ScriptedEvent>> script;  // day -> events
};

std::int64_t productId(const SellerPlan& s, std::int64_t n) { return s.sellerId * 1000 + n; }

// One struct per table; forEach visits the columns in the order of the
// table's INSERT, which binds a whole batch of rows at once.
struct SellerRow {
  static constexpr std::size_t kColumns = 5;
  Poco::Int64 id = 0;
  std::string name, country, createdAt, updatedAt;
  template <typename F>
  void forEach(F&& f) const {
    f(id), f(name), f(country), f(createdAt), f(updatedAt);
  }
};
struct OrderRow {
  static constexpr std::size_t kColumns = 15;
  Poco::Int64 id = 0, sellerId = 0, productId = 0;
  std::string orderedAt;
  Text shipByAt, shippedAt, promisedAt, deliveredAt, cancelledAt, cancelledBy;
  Int trackingValid;
  std::string fulfilledBy;
  double amount = 0;
  std::string currency = "EUR";
  std::string updatedAt;
  template <typename F>
  void forEach(F&& f) const {
    f(id), f(sellerId), f(productId), f(orderedAt), f(shipByAt), f(shippedAt), f(promisedAt),
        f(deliveredAt), f(cancelledAt), f(cancelledBy), f(trackingValid), f(fulfilledBy), f(amount),
        f(currency), f(updatedAt);
  }
};
struct TicketRow {
  static constexpr std::size_t kColumns = 11;
  Poco::Int64 id = 0, orderId = 0, sellerId = 0;
  Int productId;
  std::string kind, status, openedAt;
  Text respondedAt, escalatedAt, closedAt;
  std::string updatedAt;
  template <typename F>
  void forEach(F&& f) const {
    f(id), f(orderId), f(sellerId), f(productId), f(kind), f(status), f(openedAt), f(respondedAt),
        f(escalatedAt), f(closedAt), f(updatedAt);
  }
};
struct RefundRow {
  static constexpr std::size_t kColumns = 10;
  Poco::Int64 id = 0, orderId = 0, sellerId = 0;
  Int ticketId;
  std::string createdAt;
  double amount = 0;
  std::string method, kind, reason, updatedAt;
  template <typename F>
  void forEach(F&& f) const {
    f(id), f(orderId), f(sellerId), f(ticketId), f(createdAt), f(amount), f(method), f(kind),
        f(reason), f(updatedAt);
  }
};
struct ReturnRow {
  static constexpr std::size_t kColumns = 8;
  Poco::Int64 id = 0, orderId = 0, sellerId = 0;
  std::string requestedAt;
  Text receivedAt, resolvedAt, resolution;
  std::string updatedAt;
  template <typename F>
  void forEach(F&& f) const {
    f(id), f(orderId), f(sellerId), f(requestedAt), f(receivedAt), f(resolvedAt), f(resolution),
        f(updatedAt);
  }
};
struct RatingRow {
  static constexpr std::size_t kColumns = 7;
  Poco::Int64 id = 0, orderId = 0, sellerId = 0, productId = 0;
  Poco::Int64 stars = 0;
  std::string createdAt, updatedAt;
  template <typename F>
  void forEach(F&& f) const {
    f(id), f(orderId), f(sellerId), f(productId), f(stars), f(createdAt), f(updatedAt);
  }
};
struct ChargebackRow {
  static constexpr std::size_t kColumns = 6;
  Poco::Int64 id = 0, orderId = 0, sellerId = 0;
  std::string createdAt, liability, updatedAt;
  template <typename F>
  void forEach(F&& f) const {
    f(id), f(orderId), f(sellerId), f(createdAt), f(liability), f(updatedAt);
  }
};

}  // namespace
}  // namespace sellertrust

namespace Poco::Data {

// Binds a row struct column by column, so that a std::vector of rows can be
// bound to one INSERT.
template <typename Row>
class RowTypeHandler {
 public:
  static std::size_t size() { return Row::kColumns; }
  static void bind(std::size_t pos, const Row& row, AbstractBinder::Ptr binder,
                   AbstractBinder::Direction dir) {
    row.forEach([&](const auto& field) {
      TypeHandler<std::decay_t<decltype(field)>>::bind(pos++, field, binder, dir);
    });
  }
  static void prepare(std::size_t pos, const Row& row, AbstractPreparator::Ptr preparator) {
    row.forEach([&](const auto& field) {
      TypeHandler<std::decay_t<decltype(field)>>::prepare(pos++, field, preparator);
    });
  }
};

template <>
class TypeHandler<sellertrust::SellerRow> : public RowTypeHandler<sellertrust::SellerRow> {};
template <>
class TypeHandler<sellertrust::OrderRow> : public RowTypeHandler<sellertrust::OrderRow> {};
template <>
class TypeHandler<sellertrust::TicketRow> : public RowTypeHandler<sellertrust::TicketRow> {};
template <>
class TypeHandler<sellertrust::RefundRow> : public RowTypeHandler<sellertrust::RefundRow> {};
template <>
class TypeHandler<sellertrust::ReturnRow> : public RowTypeHandler<sellertrust::ReturnRow> {};
template <>
class TypeHandler<sellertrust::RatingRow> : public RowTypeHandler<sellertrust::RatingRow> {};
template <>
class TypeHandler<sellertrust::ChargebackRow> : public RowTypeHandler<sellertrust::ChargebackRow> {
};

}  // namespace Poco::Data

namespace sellertrust {
namespace {

// The rows of one table, inserted a batch at a time through one INSERT bound
// to the whole vector: Poco prepares a statement anew at every execution, so
// one execution per row spent most of the generation re-parsing SQL.
template <typename Row>
class Batch {
 public:
  Batch(Session& session, const char* sql, std::int64_t* count)
      : session_(session), sql_(sql), count_(count) {
    rows_.reserve(kRows);
  }
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // A new row with the next id, to fill before the next add().
  Row& add() {
    if (rows_.size() == kRows) flush();
    rows_.emplace_back();
    rows_.back().id = ++*count_;
    return rows_.back();
  }
  void flush() {
    if (rows_.empty()) return;
    session_ << sql_, kw::use(rows_), kw::now;
    rows_.clear();
  }

 private:
  static constexpr std::size_t kRows = 4096;
  Session& session_;
  const char* sql_;
  std::int64_t* count_;
  std::vector<Row> rows_;
};

// One batch per table; the counts in the summary are the ids handed out.
struct Writer {
  Writer(Session& session, DemoSummary* summary)
      : sellers(session, kInsertSeller, &summary->sellers),
        orders(session, kInsertOrder, &summary->orders),
        tickets(session, kInsertTicket, &summary->tickets),
        refunds(session, kInsertRefund, &summary->refunds),
        returns(session, kInsertReturn, &summary->returnRequests),
        ratings(session, kInsertRating, &summary->ratings),
        chargebacks(session, kInsertChargeback, &summary->chargebacks) {}

  void flush() {
    sellers.flush();
    orders.flush();
    tickets.flush();
    refunds.flush();
    returns.flush();
    ratings.flush();
    chargebacks.flush();
  }

  Batch<SellerRow> sellers;
  Batch<OrderRow> orders;
  Batch<TicketRow> tickets;
  Batch<RefundRow> refunds;
  Batch<ReturnRow> returns;
  Batch<RatingRow> ratings;
  Batch<ChargebackRow> chargebacks;
};
Text textAt(const std::optional<Timestamp>& t) { return t ? Text(formatUtc(*t)) : Text(); }

// The latest of the given times: a row's updated_at.
Timestamp latest(std::initializer_list<std::optional<Timestamp>> times) {
  Timestamp out = 0;
  for (const auto& t : times) {
    if (t) out = std::max(out, *t);
  }
  return out;
}

class Generator {
 public:
  Generator(Session& session, std::uint64_t seed, Timestamp now)
      : random_(seed), now_(now), writer_(session, &summary_) {}

  DemoSummary run() {
    planSellers();
    for (const SellerPlan& s : sellers_) writeSeller(s);
    for (int day = 0; day < kDays; ++day) generateDay(day);
    writer_.flush();
    return summary_;
  }

 private:
  Timestamp dayStart(int day) const { return now_ - static_cast<Timestamp>(kDays - day) * kDay; }
  std::optional<Timestamp> ifPast(Timestamp t) const {
    return t <= now_ ? std::optional<Timestamp>(t) : std::nullopt;
  }

  // Sellers 1-10 carry the scripted stories (so a newcomer can look them up
  // by id); the rest follow the population mix in shuffled order.
  void planSellers() {
    const Behaviour reliable;
    auto special = [&](const char* name, const std::function<void(SellerPlan&)>& setUp) {
      SellerPlan s;
      s.sellerId = static_cast<std::int64_t>(sellers_.size()) + 1;
      s.behaviour = reliable;
      s.behaviour.name = name;
      s.orders = random_.between(s.behaviour.ordersMin, s.behaviour.ordersMax);
      s.products = random_.between(2, s.behaviour.productsMax);
      setUp(s);
      sellers_.push_back(std::move(s));
    };
    // One large seller: a defect rate just above target shows that the
    // judged bound does not spare volume, and its claims spread over many
    // products.
    special("large_seller", [](SellerPlan& s) {
      s.orders = 20000;
      s.products = 300;
      s.behaviour.operatorFulfilled = 300000;
      s.behaviour.claim = 20000;
      s.behaviour.claimDefect = 800000;
    });
    // Two counted authenticity claims on one product, 65 days apart:
    // product_remove and authenticity_repeat.
    special("counterfeit", [](SellerPlan& s) {
      s.script[20].push_back({Script::kAuthenticityClaim, "granted_seller_funded", false});
      s.script[85].push_back({Script::kAuthenticityClaim, "under_review", true});
    });
    // One recent claim: product_delist, active for 7 days from it.
    special("authenticity_claim", [](SellerPlan& s) {
      s.script[116].push_back({Script::kAuthenticityClaim, "open", false});
    });
    // A claim 80 days ago: its delist has lapsed, nothing fires.
    special("authenticity_lapsed", [](SellerPlan& s) {
      s.script[40].push_back({Script::kAuthenticityClaim, "refunded", false});
    });
    // A withdrawn claim never climbs the ladder.
    special("authenticity_withdrawn", [](SellerPlan& s) {
      s.script[100].push_back({Script::kAuthenticityClaim, "withdrawn", false});
    });
    // A product drawing claims on five window orders: product_complaints.
    for (int i = 0; i < 5; ++i) {
      special("product_complaints", [](SellerPlan& s) {
        for (int day : {65, 75, 85, 95, 105}) {
          s.script[day].push_back({Script::kProductClaim, "granted_operator_funded", false});
        }
      });
    }
    const auto firstMixed = static_cast<std::int64_t>(sellers_.size());

    std::vector<const Behaviour*> assignment;
    const auto mix = populationMix();
    for (const auto& [b, perThousand] : mix) {
      const std::int64_t n = (kSellers - firstMixed) * perThousand / 1000;
      for (std::int64_t i = 0; i < n; ++i) assignment.push_back(&b);
    }
    while (static_cast<std::int64_t>(assignment.size()) < kSellers - firstMixed) {
      assignment.push_back(&mix.front().first);
    }
    for (std::size_t i = assignment.size(); i > 1; --i) {
      std::swap(assignment[i - 1], assignment[static_cast<std::size_t>(
                                       random_.between(0, static_cast<std::int64_t>(i) - 1))]);
    }
    for (const Behaviour* b : assignment) {
      SellerPlan s;
      s.sellerId = static_cast<std::int64_t>(sellers_.size()) + 1;
      s.behaviour = *b;
      s.orders = random_.between(b->ordersMin, b->ordersMax);
      s.products = random_.between(1, b->productsMax);
      // New sellers joined in the last month; a few others joined late too.
      if (s.orders < 10) {
        s.startDay = static_cast<int>(random_.between(95, 112));
      } else if (random_.chance(100000)) {
        s.startDay = static_cast<int>(random_.between(10, 50));
      }
      sellers_.push_back(std::move(s));
    }

    // The deliberately bad rows, on window orders of ordinary reliable
    // sellers (the reader must report them, and skip only them).
    std::vector<SellerPlan*> hosts;
    for (std::size_t i = static_cast<std::size_t>(firstMixed); i < sellers_.size(); ++i) {
      if (std::string(sellers_[i].behaviour.name) == "reliable" && sellers_[i].startDay == 0) {
        hosts.push_back(&sellers_[i]);
      }
      if (hosts.size() == 5) break;
    }
    hosts[0]->script[100].push_back({Script::kUnknownTicketStatus});
    hosts[1]->script[101].push_back({Script::kUnknownTicketStatus});
    hosts[2]->script[102].push_back({Script::kRatingOutOfRange});
    hosts[3]->script[103].push_back({Script::kRatingOutOfRange});
    hosts[4]->script[104].push_back({Script::kDeliveryBeforeOrder});

    for (const SellerPlan& s : sellers_) {
      ++summary_.sellersByBehaviour[s.behaviour.name];
      summary_.products += s.products;
    }
  }

  void writeSeller(const SellerPlan& s) {
    static const std::array<const char*, 8> kCountries = {"FR", "DE", "ES", "IT",
                                                          "NL", "BE", "PL", "SE"};
    SellerRow& row = writer_.sellers.add();
    row.name = "Demo seller " + std::to_string(s.sellerId) + " (" + s.behaviour.name + ")";
    row.country = random_.pick(kCountries);
    const Timestamp created = dayStart(s.startDay) - random_.between(1, 400) * kDay;
    row.createdAt = formatUtc(created);
    row.updatedAt = row.createdAt;
  }

  // The seller's orders of one day: its orders spread evenly over its active
  // days, at least one per scripted event.
  void generateDay(int day) {
    struct Pending {
      Timestamp at;
      std::size_t seller;
      const ScriptedEvent* event;
    };
    std::vector<Pending> pending;
    for (std::size_t i = 0; i < sellers_.size(); ++i) {
      const SellerPlan& s = sellers_[i];
      if (day < s.startDay) continue;
      const std::int64_t span = kDays - s.startDay;
      const std::int64_t k = day - s.startDay;
      std::int64_t n = s.orders * (k + 1) / span - s.orders * k / span;
      const auto script = s.script.find(day);
      const std::vector<ScriptedEvent>* events =
          script == s.script.end() ? nullptr : &script->second;
      if (events != nullptr) {
        n = std::max<std::int64_t>(n, static_cast<std::int64_t>(events->size()));
      }
      for (std::int64_t j = 0; j < n; ++j) {
        const ScriptedEvent* event =
            events != nullptr && j < static_cast<std::int64_t>(events->size()) ? &(*events)[j]
                                                                               : nullptr;
        // Scripted orders are placed early in the day so their follow-ups
        // fall before "now" even on the last days.
        const Timestamp offset =
            event != nullptr ? random_.between(0, 6 * kHour) : random_.between(0, kDay - 1);
        pending.push_back({dayStart(day) + offset, i, event});
      }
    }
    std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
      return std::tie(a.at, a.seller) < std::tie(b.at, b.seller);
    });
    for (const Pending& p : pending) generateOrder(sellers_[p.seller], p.at, p.event);
  }

  void generateOrder(const SellerPlan& s, Timestamp t, const ScriptedEvent* event) {
    const Behaviour& b = s.behaviour;
    const bool onProduct1 = event != nullptr && (event->script == Script::kAuthenticityClaim ||
                                                 event->script == Script::kProductClaim);
    // Skewed towards the first products, as real catalogues are.
    const std::int64_t product =
        onProduct1 ? productId(s, 1)
                   : productId(s, 1 + std::min(random_.between(0, s.products - 1),
                                               random_.between(0, s.products - 1)));
    const bool byOperator = random_.chance(b.operatorFulfilled);
    const Timestamp shipBy = t + 2 * kDay;
    const Timestamp promised = t + (byOperator ? 4 : 5) * kDay;

    std::optional<Timestamp> cancelledAt;
    const char* cancelledBy = nullptr;
    if (event == nullptr) {
      if (random_.chance(b.sellerCancel)) {
        cancelledAt = t + random_.between(kHour, 40 * kHour);
        cancelledBy = "seller";
      } else if (random_.chance(kBuyerCancelPpm)) {
        cancelledAt = t + random_.between(10 * kMinute, 20 * kHour);
        cancelledBy = "buyer";
      } else if (random_.chance(kOperatorCancelPpm)) {
        cancelledAt = t + random_.between(kHour, 30 * kHour);
        cancelledBy = "operator";
      }
      if (cancelledAt && *cancelledAt > now_) {  // not cancelled yet
        cancelledAt.reset();
        cancelledBy = nullptr;
      }
    }

    std::optional<Timestamp> shippedAt, deliveredAt;
    std::optional<bool> trackingValid;
    if (!cancelledAt) {
      const bool lateShip = !byOperator && random_.chance(b.lateShip);
      shippedAt = ifPast(lateShip ? shipBy + random_.between(3 * kHour, 4 * kDay)
                                  : t + random_.between(2 * kHour, 44 * kHour));
      if (shippedAt) {
        trackingValid = byOperator || !random_.chance(b.invalidTracking);
        const bool lateDelivery = !byOperator && random_.chance(b.lateDelivery);
        const Timestamp delivered =
            lateDelivery
                ? std::max(*shippedAt + 6 * kHour, promised + random_.between(6 * kHour, 5 * kDay))
                : *shippedAt + random_.between(18 * kHour, 60 * kHour);
        if (!random_.chance(b.lostParcel)) deliveredAt = ifPast(delivered);
      }
    }
    if (event != nullptr && event->script == Script::kDeliveryBeforeOrder) {
      deliveredAt = t - 2 * kDay;
      ++summary_.deliveriesBeforeOrder;
    }

    OrderRow& o = writer_.orders.add();
    o.sellerId = s.sellerId;
    o.productId = product;
    o.orderedAt = formatUtc(t);
    o.shipByAt = textAt(shipBy);
    o.shippedAt = textAt(shippedAt);
    o.promisedAt = textAt(promised);
    o.deliveredAt = textAt(deliveredAt);
    o.cancelledAt = textAt(cancelledAt);
    o.cancelledBy = cancelledBy != nullptr ? Text(cancelledBy) : Text();
    o.trackingValid = trackingValid ? Int(*trackingValid ? 1 : 0) : Int();
    o.fulfilledBy = byOperator ? "operator" : "seller";
    o.amount = static_cast<double>(random_.between(499, 24999)) / 100;
    o.updatedAt = formatUtc(latest({t, shippedAt, deliveredAt, cancelledAt}));

    const OrderFacts facts{o.id, s.sellerId, product, t, promised, deliveredAt, o.amount};
    if (random_.chance(cancelledAt ? b.question / 2 : b.question)) {
      static const std::array<const char*, 2> kKinds = {"question", "other"};
      ticket(s, facts, random_.pick(kKinds), t + random_.between(kHour, 6 * kDay), false, nullptr);
    }
    if (!cancelledAt && random_.chance(b.claim)) claim(s, facts);
    if (event != nullptr) scripted(s, facts, *event);
    if (!cancelledAt) afterSales(s, facts);
  }

  struct OrderFacts {
    std::int64_t orderId;
    std::int64_t sellerId;
    std::int64_t productId;
    Timestamp orderedAt;
    Timestamp promisedAt;
    std::optional<Timestamp> deliveredAt;
    double amount;
  };

  void claim(const SellerPlan& s, const OrderFacts& o) {
    static const std::array<const char*, 4> kDeliveredKinds = {"damaged", "defective",
                                                               "not_as_described", "wrong_item"};
    const Timestamp base = o.deliveredAt ? *o.deliveredAt : o.promisedAt + 3 * kDay;
    const char* kind = o.deliveredAt ? random_.pick(kDeliveredKinds) : "not_received";
    ticket(s, o, kind, base + random_.between(2 * kHour, 5 * kDay), true, nullptr);
  }

  void scripted(const SellerPlan& s, const OrderFacts& o, const ScriptedEvent& e) {
    switch (e.script) {
      case Script::kAuthenticityClaim:
        ticket(s, o, "authenticity", o.orderedAt + random_.between(kDay, 2 * kDay), true, &e);
        break;
      case Script::kProductClaim:
        ticket(s, o, "defective", o.orderedAt + random_.between(3 * kDay, 4 * kDay), true, &e);
        break;
      case Script::kUnknownTicketStatus: {
        ScriptedEvent bad = e;
        bad.status = "awaiting_buyer";
        ticket(s, o, "question", o.orderedAt + kHour, false, &bad);
        ++summary_.unknownTicketStatuses;
        break;
      }
      case Script::kRatingOutOfRange:
        rating(o, 7, o.orderedAt + 6 * kDay);
        ++summary_.ratingsOutOfRange;
        break;
      case Script::kDeliveryBeforeOrder:
        break;  // the order row itself is the bad one
    }
  }

  // Writes one ticket opened at `opened` (nothing if that is after now),
  // with the seller's response, escalation and outcome; `forced` fixes the
  // status of a scripted ticket.
  void ticket(const SellerPlan& s, const OrderFacts& o, const char* kind, Timestamp opened,
              bool isClaim, const ScriptedEvent* forced) {
    if (opened > now_) return;
    const Behaviour& b = s.behaviour;
    std::optional<Timestamp> responded;
    if (!random_.chance(b.slowResponse)) {
      responded = opened + random_.between(20 * kMinute, 40 * kHour);
    } else if (random_.chance(500000)) {
      responded = opened + random_.between(49 * kHour, 7 * kDay);
    }
    responded = responded ? ifPast(*responded) : std::nullopt;
    std::optional<Timestamp> escalated;
    const std::string forcedStatus = forced != nullptr ? forced->status : "";
    const bool mustEscalate = forcedStatus == "under_review" || forcedStatus == "escalated" ||
                              forcedStatus == "granted_operator_funded";
    if (mustEscalate || random_.chance(b.escalation)) {
      escalated = ifPast(opened + random_.between(2 * kDay, 7 * kDay));
      if (mustEscalate && !escalated) escalated = now_;
    }
    const Timestamp close =
        latest({opened, responded, escalated}) + random_.between(4 * kHour, 5 * kDay);
    const bool closed = close <= now_;

    std::string status;
    if (forced != nullptr) {
      status = forcedStatus;
    } else if (!isClaim) {
      status = closed ? "resolved" : (escalated ? "escalated" : "open");
    } else if (!closed) {
      status = escalated ? "under_review" : "open";
    } else if (random_.chance(b.claimDefect)) {
      static const std::array<const char*, 3> kDefects = {"granted_seller_funded", "refunded",
                                                          "resolved"};
      status = random_.pick(kDefects);
    } else {
      static const std::array<const char*, 2> kSettled = {"granted_operator_funded", "refused"};
      status = escalated ? random_.pick(kSettled) : "withdrawn";
    }
    const bool open = status == "open" || status == "escalated" || status == "under_review" ||
                      status == "awaiting_buyer";
    const std::optional<Timestamp> closedAt =
        open ? std::nullopt : std::optional<Timestamp>(std::min(close, now_));

    TicketRow& row = writer_.tickets.add();
    row.orderId = o.orderId;
    row.sellerId = o.sellerId;
    const bool withoutProduct =
        forced != nullptr ? forced->ticketWithoutProduct : random_.chance(kTicketWithoutProductPpm);
    row.productId = withoutProduct ? Int() : Int(o.productId);
    row.kind = kind;
    row.status = status;
    row.openedAt = formatUtc(opened);
    row.respondedAt = textAt(responded);
    row.escalatedAt = textAt(escalated);
    row.closedAt = textAt(closedAt);
    row.updatedAt = formatUtc(latest({opened, responded, escalated, closedAt}));
    const Poco::Int64 ticketId = row.id;

    if (closedAt && (status == "refunded" || status == "granted_seller_funded" ||
                     status == "granted_operator_funded")) {
      const std::string k = kind;
      const char* reason = k == "not_received"                            ? "not_received"
                           : k == "defective"                             ? "defective"
                           : k == "authenticity"                          ? "non_conforming"
                           : k == "wrong_item" || k == "not_as_described" ? "non_conforming"
                                                                          : "other";
      refund(o, Int(ticketId), *closedAt, o.amount, "original_payment", "full", reason);
    }
  }

  void refund(const OrderFacts& o, const Int& ticketId, Timestamp at, double amount,
              const char* method, const char* kind, const char* reason) {
    RefundRow& r = writer_.refunds.add();
    r.orderId = o.orderId;
    r.sellerId = o.sellerId;
    r.ticketId = ticketId;
    r.createdAt = formatUtc(at);
    r.amount = amount;
    r.method = method;
    r.kind = kind;
    r.reason = reason;
    r.updatedAt = r.createdAt;
  }

  void rating(const OrderFacts& o, int stars, Timestamp at) {
    RatingRow& r = writer_.ratings.add();
    r.orderId = o.orderId;
    r.sellerId = o.sellerId;
    r.productId = o.productId;
    r.stars = stars;
    r.createdAt = formatUtc(at);
    r.updatedAt = r.createdAt;
  }

  // Spontaneous refunds, returns, ratings and chargebacks of a delivered
  // (or at least not cancelled) order.
  void afterSales(const SellerPlan& s, const OrderFacts& o) {
    const Behaviour& b = s.behaviour;
    if (o.deliveredAt && random_.chance(b.spontaneousRefund)) {
      if (auto at = ifPast(*o.deliveredAt + random_.between(kHour, 10 * kDay))) {
        static const std::array<const char*, 3> kMethods = {"store_credit", "promo_code",
                                                            "original_payment"};
        static const std::array<const char*, 3> kReasons = {"goodwill", "price_match",
                                                            "late_delivery"};
        const double amount = static_cast<double>(random_.between(100, 1500)) / 100;
        refund(o, Int(), *at, std::min(amount, o.amount), random_.pick(kMethods), "partial",
               random_.pick(kReasons));
      }
    }
    if (o.deliveredAt && random_.chance(b.returnRequest)) {
      if (auto requested = ifPast(*o.deliveredAt + random_.between(kDay, 12 * kDay))) {
        std::optional<Timestamp> resolved;
        const char* resolution = nullptr;
        if (random_.chance(b.slowReturn)) {
          if (random_.chance(250000)) {
            resolved = *requested + random_.between(3 * kDay, 10 * kDay);
            resolution = "rejected";
          } else {
            resolved = *requested + random_.between(17 * kDay, 35 * kDay);
            resolution = "refund";
          }
        } else {
          resolved = *requested + random_.between(3 * kDay, 12 * kDay);
          resolution = random_.chance(750000) ? "refund" : "replacement";
        }
        resolved = ifPast(*resolved);
        ReturnRow& r = writer_.returns.add();
        r.orderId = o.orderId;
        r.sellerId = o.sellerId;
        r.requestedAt = formatUtc(*requested);
        const std::optional<Timestamp> received =
            ifPast(*requested + random_.between(2 * kDay, 6 * kDay));
        r.receivedAt =
            textAt(received && (!resolved || *received <= *resolved) ? received : resolved);
        r.resolvedAt = textAt(resolved);
        r.resolution = resolved ? Text(resolution) : Text();
        r.updatedAt = formatUtc(latest({requested, received, resolved}));
      }
    }
    if (o.deliveredAt && random_.chance(b.rating)) {
      if (auto at = ifPast(*o.deliveredAt + random_.between(2 * kHour, 12 * kDay))) {
        const std::int64_t draw = random_.between(0, kMillion - 1);
        int stars = 5;
        if (draw < b.lowStars) {
          stars = static_cast<int>(random_.between(1, 2));
        } else if (draw < b.lowStars + b.midStars) {
          stars = 3;
        } else if (draw < b.lowStars + b.midStars + b.fourStars) {
          stars = 4;
        }
        rating(o, stars, *at);
      }
    }
    for (const auto& [ppm, liability] :
         {std::pair<std::int64_t, const char*>{b.serviceChargeback, "service"},
          std::pair<std::int64_t, const char*>{kFraudChargebackPpm, "fraud"}}) {
      if (!random_.chance(ppm)) continue;
      if (auto at = ifPast(o.orderedAt + random_.between(15 * kDay, 40 * kDay))) {
        ChargebackRow& c = writer_.chargebacks.add();
        c.orderId = o.orderId;
        c.sellerId = o.sellerId;
        c.createdAt = formatUtc(*at);
        c.liability = liability;
        c.updatedAt = c.createdAt;
      }
    }
  }

  Random random_;
  const Timestamp now_;
  DemoSummary summary_;
  Writer writer_;
  std::vector<SellerPlan> sellers_;
};

void removeIfExists(const std::string& path) {
  Poco::File file(path);
  if (file.exists()) file.remove();
}

}  // namespace

bool DemoSummary::operator==(const DemoSummary& o) const {
  return std::tie(sellers, products, orders, tickets, refunds, returnRequests, ratings, chargebacks,
                  unknownTicketStatuses, ratingsOutOfRange, deliveriesBeforeOrder,
                  sellersByBehaviour) ==
         std::tie(o.sellers, o.products, o.orders, o.tickets, o.refunds, o.returnRequests,
                  o.ratings, o.chargebacks, o.unknownTicketStatuses, o.ratingsOutOfRange,
                  o.deliveriesBeforeOrder, o.sellersByBehaviour);
}

std::string DemoSummary::line() const {
  return std::to_string(sellers) + " sellers, " + std::to_string(products) + " products, " +
         std::to_string(orders) + " orders, " + std::to_string(tickets) + " tickets, " +
         std::to_string(refunds) + " refunds, " + std::to_string(returnRequests) +
         " return requests, " + std::to_string(ratings) + " ratings, " +
         std::to_string(chargebacks) +
         " chargebacks; deliberately bad rows: " + std::to_string(unknownTicketStatuses) +
         " unknown ticket statuses, " + std::to_string(ratingsOutOfRange) +
         " ratings out of range, " + std::to_string(deliveriesBeforeOrder) +
         " deliveries before the order";
}

// "STdm": the SQLite application_id of a demo source.
constexpr int kDemoApplicationId = 0x5354646d;

bool isDemoMarketplace(const std::string& path) {
  registerSqliteConnector();
  try {
    Session session("SQLite", readOnlyUri(path), kOpenRetrySeconds);
    int id = 0;
    session << "PRAGMA application_id", kw::into(id), kw::now;
    return id == kDemoApplicationId;
  } catch (const Poco::Exception&) {
    return false;
  }
}

DemoSummary generateDemoMarketplace(const std::string& sourcePath, std::uint64_t seed,
                                    Timestamp now) {
  registerSqliteConnector();
  try {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) removeIfExists(sourcePath + suffix);
    Session session("SQLite", sourcePath, kOpenRetrySeconds);
    // A fresh file filled in one go: durability is moot until it is complete.
    session << "PRAGMA journal_mode = MEMORY", kw::now;
    session << "PRAGMA synchronous = OFF", kw::now;
    session << "PRAGMA cache_size = -65536", kw::now;
    session << "PRAGMA application_id = " + std::to_string(kDemoApplicationId), kw::now;
    session << "BEGIN IMMEDIATE", kw::now;
    try {
      createSourceSchema(session);
      DemoSummary summary = Generator(session, seed, now).run();
      session << "COMMIT", kw::now;
      return summary;
    } catch (...) {
      session << "ROLLBACK", kw::now;
      throw;
    }
  } catch (const Poco::Exception& e) {
    throw SourceError("demo marketplace " + sourcePath + ": " + e.displayText());
  }
}

}  // namespace sellertrust
