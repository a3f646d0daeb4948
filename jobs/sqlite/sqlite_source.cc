// The SQLite source: the SPEC §1 schema as SQLite sees it, and the chunked
// reader that turns the window's rows into tallies. Memory stays bounded by
// the chunk size: orders are walked in (ordered_at, order_id) order with a
// keyset, and each chunk's after-sales rows are fetched by joining on that
// key range, so no table is ever loaded whole.
#include "jobs/sqlite/sqlite_source.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>

#include <limits>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

namespace sellertrust {
namespace {

namespace kw = Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;
using Text = Poco::Nullable<std::string>;
using Int = Poco::Nullable<Poco::Int64>;

// The source schema. Beyond primary keys it declares no NOT NULL or CHECK
// constraints on purpose: it mirrors what an operator's tables or views may
// hold, and the reader below is the one place that validates values.
constexpr const char* kCreateSellers = R"sql(
CREATE TABLE sellers (
  seller_id  INTEGER PRIMARY KEY,
  name       TEXT,
  country    TEXT,
  created_at TEXT,
  updated_at TEXT
))sql";

constexpr const char* kCreateOrders = R"sql(
CREATE TABLE orders (
  order_id       INTEGER PRIMARY KEY,
  seller_id      INTEGER,
  product_id     INTEGER,
  ordered_at     TEXT,
  ship_by_at     TEXT,
  shipped_at     TEXT,
  promised_at    TEXT,
  delivered_at   TEXT,
  cancelled_at   TEXT,
  cancelled_by   TEXT,
  tracking_valid INTEGER,
  fulfilled_by   TEXT,
  amount         REAL,
  currency       TEXT,
  updated_at     TEXT
))sql";

constexpr const char* kCreateTickets = R"sql(
CREATE TABLE tickets (
  ticket_id                INTEGER PRIMARY KEY,
  order_id                 INTEGER,
  seller_id                INTEGER,
  product_id               INTEGER,
  kind                     TEXT,
  status                   TEXT,
  opened_at                TEXT,
  first_seller_response_at TEXT,
  escalated_at             TEXT,
  closed_at                TEXT,
  updated_at               TEXT
))sql";

constexpr const char* kCreateRefunds = R"sql(
CREATE TABLE refunds (
  refund_id  INTEGER PRIMARY KEY,
  order_id   INTEGER,
  seller_id  INTEGER,
  ticket_id  INTEGER,
  created_at TEXT,
  amount     REAL,
  method     TEXT,
  kind       TEXT,
  reason     TEXT,
  updated_at TEXT
))sql";

constexpr const char* kCreateReturnRequests = R"sql(
CREATE TABLE return_requests (
  return_id    INTEGER PRIMARY KEY,
  order_id     INTEGER,
  seller_id    INTEGER,
  requested_at TEXT,
  received_at  TEXT,
  resolved_at  TEXT,
  resolution   TEXT,
  updated_at   TEXT
))sql";

constexpr const char* kCreateRatings = R"sql(
CREATE TABLE ratings (
  rating_id  INTEGER PRIMARY KEY,
  order_id   INTEGER,
  seller_id  INTEGER,
  product_id INTEGER,
  stars      INTEGER,
  created_at TEXT,
  updated_at TEXT
))sql";

constexpr const char* kCreateChargebacks = R"sql(
CREATE TABLE chargebacks (
  chargeback_id INTEGER PRIMARY KEY,
  order_id      INTEGER,
  seller_id     INTEGER,
  created_at    TEXT,
  liability     TEXT,
  updated_at    TEXT
))sql";

// orders(ordered_at) carries the window keyset (order_id is the rowid, so the
// index is ordered by (ordered_at, order_id)); the child order_id indexes
// carry the per-chunk joins; tickets(kind) the authenticity claims; every
// updated_at index is for readers of changes only (SPEC §1).
constexpr const char* kSourceSchema[] = {
    kCreateSellers,
    kCreateOrders,
    kCreateTickets,
    kCreateRefunds,
    kCreateReturnRequests,
    kCreateRatings,
    kCreateChargebacks,
    "CREATE INDEX orders_ordered_at ON orders(ordered_at)",
    "CREATE INDEX orders_seller_id ON orders(seller_id)",
    "CREATE INDEX tickets_order_id ON tickets(order_id)",
    "CREATE INDEX tickets_kind ON tickets(kind)",
    "CREATE INDEX refunds_order_id ON refunds(order_id)",
    "CREATE INDEX return_requests_order_id ON return_requests(order_id)",
    "CREATE INDEX ratings_order_id ON ratings(order_id)",
    "CREATE INDEX chargebacks_order_id ON chargebacks(order_id)",
    "CREATE INDEX sellers_updated_at ON sellers(updated_at)",
    "CREATE INDEX orders_updated_at ON orders(updated_at)",
    "CREATE INDEX tickets_updated_at ON tickets(updated_at)",
    "CREATE INDEX refunds_updated_at ON refunds(updated_at)",
    "CREATE INDEX return_requests_updated_at ON return_requests(updated_at)",
    "CREATE INDEX ratings_updated_at ON ratings(updated_at)",
    "CREATE INDEX chargebacks_updated_at ON chargebacks(updated_at)",
};

constexpr const char* kPing = "SELECT 1";

constexpr const char* kSelectSellers = "SELECT seller_id, name, country FROM sellers";

// One chunk of window orders after the last key seen. The upper bound is the
// day after the window's end as a bare date, so that "T"-separated or
// "Z"-suffixed times of the last day are fetched too; the exact window test
// happens after parsing.
constexpr const char* kSelectWindowOrders = R"sql(
SELECT order_id, seller_id, product_id, ordered_at, ship_by_at, shipped_at, promised_at,
       delivered_at, cancelled_at, cancelled_by, tracking_valid, fulfilled_by
FROM orders
WHERE ordered_at >= ? AND ordered_at < ? AND (ordered_at, order_id) > (?, ?)
ORDER BY ordered_at, order_id
LIMIT ?)sql";

// Orders that cannot be placed in any window: no ordered_at, or text that
// does not start with a digit. An index range scan, empty on sound data.
constexpr const char* kSelectUntimedOrders = R"sql(
SELECT order_id, ordered_at FROM orders
WHERE ordered_at IS NULL OR ordered_at < '0' OR ordered_at >= ':')sql";

// The after-sales rows of one chunk: the orders in the chunk's key range,
// joined to the child table. CROSS JOIN fixes orders as the outer loop so
// SQLite walks the ordered_at index and probes the child's order_id index.
constexpr const char* kSelectChunkTickets = R"sql(
SELECT c.ticket_id, c.order_id, c.product_id, c.kind, c.status, c.opened_at,
       c.first_seller_response_at, c.escalated_at, c.closed_at
FROM orders o CROSS JOIN tickets c ON c.order_id = o.order_id
WHERE (o.ordered_at, o.order_id) >= (?, ?) AND (o.ordered_at, o.order_id) <= (?, ?))sql";

constexpr const char* kSelectChunkRefunds = R"sql(
SELECT c.refund_id, c.order_id, c.ticket_id, c.created_at, c.method, c.kind, c.reason
FROM orders o CROSS JOIN refunds c ON c.order_id = o.order_id
WHERE (o.ordered_at, o.order_id) >= (?, ?) AND (o.ordered_at, o.order_id) <= (?, ?))sql";

constexpr const char* kSelectChunkReturns = R"sql(
SELECT c.return_id, c.order_id, c.requested_at, c.resolved_at, c.resolution
FROM orders o CROSS JOIN return_requests c ON c.order_id = o.order_id
WHERE (o.ordered_at, o.order_id) >= (?, ?) AND (o.ordered_at, o.order_id) <= (?, ?))sql";

constexpr const char* kSelectChunkRatings = R"sql(
SELECT c.rating_id, c.order_id, c.stars, c.created_at
FROM orders o CROSS JOIN ratings c ON c.order_id = o.order_id
WHERE (o.ordered_at, o.order_id) >= (?, ?) AND (o.ordered_at, o.order_id) <= (?, ?))sql";

constexpr const char* kSelectChunkChargebacks = R"sql(
SELECT c.chargeback_id, c.order_id, c.created_at, c.liability
FROM orders o CROSS JOIN chargebacks c ON c.order_id = o.order_id
WHERE (o.ordered_at, o.order_id) >= (?, ?) AND (o.ordered_at, o.order_id) <= (?, ?))sql";

// Every authenticity claim of all time; the product falls back to the
// order's when the ticket names none.
constexpr const char* kSelectAuthenticityClaims = R"sql(
SELECT t.ticket_id, t.seller_id, COALESCE(t.product_id, o.product_id), t.opened_at, t.status
FROM tickets t LEFT JOIN orders o ON o.order_id = t.order_id
WHERE t.kind = ?)sql";

constexpr const char* kSourceTables[] = {"sellers",         "orders",  "tickets",    "refunds",
                                         "return_requests", "ratings", "chargebacks"};

void registerSqlite() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

// SQLite URI filenames treat '?', '#' and '%' specially.
std::string uriPath(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '%') {
      out += "%25";
    } else if (c == '?') {
      out += "%3F";
    } else if (c == '#') {
      out += "%23";
    } else {
      out += c;
    }
  }
  return out;
}

// Runs `body`, turning a Poco exception into a SourceError naming `what`.
template <typename F>
auto guarded(const std::string& what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Poco::Exception& e) {
    throw SourceError("SQLite source, " + what + ": " + e.displayText());
  }
}

// Poco retries a failed open until its login timeout (60 s by default); a
// file that cannot be opened now will not open within a run, so fail at once.
constexpr std::size_t kOpenRetrySeconds = 0;
// How long a read waits for a writer of the operator's file to let go.
constexpr int kBusyTimeoutMs = 10000;

Session openReadOnly(const std::string& path) {
  registerSqlite();
  return guarded("opening " + path, [&] {
    Session session("SQLite", "file:" + uriPath(path) + "?mode=ro", kOpenRetrySeconds);
    int timeout = 0;
    session << "PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs), kw::into(timeout),
        kw::now;
    return session;
  });
}

// A source value quoted for a problem message; long values are cut, since
// the text comes from the operator's data and ends up in logs.
std::string quoted(const std::string& value) {
  constexpr std::size_t kMaxChars = 40;
  return "'" + (value.size() <= kMaxChars ? value : value.substr(0, kMaxChars) + "...") + "'";
}

// Converts the columns of one source row, keeping its first problem so that
// the row is skipped and reported once.
class RowCheck {
 public:
  RowCheck(const char* table, std::int64_t key) : table_(table), key_(key) {}

  std::int64_t requiredInt(const Int& value, const char* column) {
    if (value.isNull()) {
      fail(std::string(column) + " is NULL");
      return 0;
    }
    return value.value();
  }

  std::optional<std::int64_t> optionalInt(const Int& value) {
    return value.isNull() ? std::nullopt : std::optional<std::int64_t>(value.value());
  }

  Timestamp requiredTime(const Text& text, const char* column) {
    if (text.isNull()) {
      fail(std::string(column) + " is NULL");
      return 0;
    }
    return optionalTime(text, column).value_or(0);
  }

  std::optional<Timestamp> optionalTime(const Text& text, const char* column) {
    if (text.isNull()) return std::nullopt;
    std::optional<Timestamp> t = parseUtc(text.value());
    if (!t) fail(std::string(column) + " is not a time: " + quoted(text.value()));
    return t;
  }

  template <typename E>
  E requiredEnum(const Text& text, const char* column,
                 std::optional<E> (*parse)(std::string_view)) {
    if (text.isNull()) {
      fail(std::string(column) + " is NULL");
      return E{};
    }
    return optionalEnum(text, column, parse).value_or(E{});
  }

  template <typename E>
  std::optional<E> optionalEnum(const Text& text, const char* column,
                                std::optional<E> (*parse)(std::string_view)) {
    if (text.isNull()) return std::nullopt;
    std::optional<E> value = parse(text.value());
    if (!value) unknown(column, text.value());
    return value;
  }

  // For enums the core only validates (refund method, kind, reason).
  void requiredName(const Text& text, const char* column, bool (*valid)(std::string_view)) {
    if (text.isNull()) {
      fail(std::string(column) + " is NULL");
    } else if (!valid(text.value())) {
      unknown(column, text.value());
    }
  }

  std::optional<bool> optionalBool(const Poco::Nullable<Poco::Int64>& value, const char* column) {
    if (value.isNull()) return std::nullopt;
    if (value.value() != 0 && value.value() != 1) {
      fail(std::string(column) + " is " + std::to_string(value.value()) + ", not 0 or 1");
    }
    return value.value() != 0;
  }

  // Returns true iff the row is sound; otherwise records its problem.
  bool accept(ProblemLog* log) const {
    if (problem_.empty()) return true;
    log->add({table_, key_, problem_});
    return false;
  }

 private:
  void fail(std::string problem) {
    if (problem_.empty()) problem_ = std::move(problem);
  }
  void unknown(const char* column, const std::string& value) {
    fail("unknown " + std::string(column) + " " + quoted(value));
  }

  const char* table_;
  std::int64_t key_;
  std::string problem_;
};

// The key range of the chunk being processed, bound by reference into every
// child query.
struct ChunkRange {
  std::string firstAt;
  Poco::Int64 firstId = 0;
  std::string lastAt;
  Poco::Int64 lastId = 0;
};

// The window orders of one chunk, indexed by order id for the child rows.
struct Chunk {
  std::vector<Order> orders;
  std::unordered_map<std::int64_t, std::size_t> indexOf;

  Order* find(std::int64_t orderId) {
    auto it = indexOf.find(orderId);
    return it == indexOf.end() ? nullptr : &orders[it->second];
  }
};

// A prepared child query over the chunk's key range: `Columns` holds the
// column vectors, binds them and converts one row into its order.
template <typename Columns>
class ChildQuery {
 public:
  ChildQuery(Session& session, const char* sql, ChunkRange& range) : statement_(session) {
    statement_ << sql, kw::use(range.firstAt), kw::use(range.firstId), kw::use(range.lastAt),
        kw::use(range.lastId);
    columns_.bind(statement_);
  }

  // Appends the chunk's sound rows to their orders; returns the rows fetched.
  std::int64_t readInto(Chunk* chunk, ProblemLog* log) {
    columns_.clear();
    guarded(std::string("reading ") + Columns::kTable, [&] { return statement_.execute(); });
    const std::size_t n = columns_.key.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (Order* order = chunk->find(columns_.orderId[i])) columns_.addTo(i, order, log);
    }
    return static_cast<std::int64_t>(n);
  }

 private:
  Statement statement_;
  Columns columns_;
};

struct TicketColumns {
  static constexpr const char* kTable = "tickets";
  std::vector<Poco::Int64> key, orderId;
  std::vector<Int> productId;
  std::vector<Text> kind, status, openedAt, respondedAt, escalatedAt, closedAt;

  void bind(Statement& s) {
    s, kw::into(key), kw::into(orderId), kw::into(productId), kw::into(kind), kw::into(status),
        kw::into(openedAt), kw::into(respondedAt), kw::into(escalatedAt), kw::into(closedAt);
  }
  void clear() {
    for (auto* v : {&key, &orderId}) v->clear();
    productId.clear();
    for (auto* v : {&kind, &status, &openedAt, &respondedAt, &escalatedAt, &closedAt}) v->clear();
  }
  void addTo(std::size_t i, Order* order, ProblemLog* log) const {
    RowCheck check(kTable, key[i]);
    Ticket t;
    t.ticketId = key[i];
    t.productId = check.optionalInt(productId[i]);
    t.kind = check.requiredEnum(kind[i], "kind", parseTicketKind);
    t.status = check.requiredEnum(status[i], "status", parseTicketStatus);
    t.openedAt = check.requiredTime(openedAt[i], "opened_at");
    t.firstSellerResponseAt = check.optionalTime(respondedAt[i], "first_seller_response_at");
    t.escalatedAt = check.optionalTime(escalatedAt[i], "escalated_at");
    t.closedAt = check.optionalTime(closedAt[i], "closed_at");
    if (check.accept(log)) order->tickets.push_back(t);
  }
};

struct RefundColumns {
  static constexpr const char* kTable = "refunds";
  std::vector<Poco::Int64> key, orderId;
  std::vector<Int> ticketId;
  std::vector<Text> createdAt, method, kind, reason;

  void bind(Statement& s) {
    s, kw::into(key), kw::into(orderId), kw::into(ticketId), kw::into(createdAt), kw::into(method),
        kw::into(kind), kw::into(reason);
  }
  void clear() {
    key.clear();
    orderId.clear();
    ticketId.clear();
    for (auto* v : {&createdAt, &method, &kind, &reason}) v->clear();
  }
  void addTo(std::size_t i, Order* order, ProblemLog* log) const {
    RowCheck check(kTable, key[i]);
    Refund r;
    r.refundId = key[i];
    r.ticketId = check.optionalInt(ticketId[i]);
    r.createdAt = check.requiredTime(createdAt[i], "created_at");
    check.requiredName(method[i], "method", isRefundMethod);
    check.requiredName(kind[i], "kind", isRefundKind);
    check.requiredName(reason[i], "reason", isRefundReason);
    if (check.accept(log)) order->refunds.push_back(r);
  }
};

struct ReturnColumns {
  static constexpr const char* kTable = "return_requests";
  std::vector<Poco::Int64> key, orderId;
  std::vector<Text> requestedAt, resolvedAt, resolution;

  void bind(Statement& s) {
    s, kw::into(key), kw::into(orderId), kw::into(requestedAt), kw::into(resolvedAt),
        kw::into(resolution);
  }
  void clear() {
    key.clear();
    orderId.clear();
    for (auto* v : {&requestedAt, &resolvedAt, &resolution}) v->clear();
  }
  void addTo(std::size_t i, Order* order, ProblemLog* log) const {
    RowCheck check(kTable, key[i]);
    ReturnRequest r;
    r.returnId = key[i];
    r.requestedAt = check.requiredTime(requestedAt[i], "requested_at");
    r.resolvedAt = check.optionalTime(resolvedAt[i], "resolved_at");
    r.resolution = check.optionalEnum(resolution[i], "resolution", parseReturnResolution);
    if (check.accept(log)) order->returns.push_back(r);
  }
};

struct RatingColumns {
  static constexpr const char* kTable = "ratings";
  std::vector<Poco::Int64> key, orderId;
  std::vector<Int> stars;
  std::vector<Text> createdAt;

  void bind(Statement& s) {
    s, kw::into(key), kw::into(orderId), kw::into(stars), kw::into(createdAt);
  }
  void clear() {
    key.clear();
    orderId.clear();
    stars.clear();
    createdAt.clear();
  }
  void addTo(std::size_t i, Order* order, ProblemLog* log) const {
    RowCheck check(kTable, key[i]);
    Rating r;
    r.ratingId = key[i];
    // Out-of-range stars are left to sanitizeOrder, which owns that rule;
    // clamping keeps an absurd value from overflowing int first.
    const std::int64_t s = check.requiredInt(stars[i], "stars");
    r.stars = static_cast<int>(std::max<std::int64_t>(-1, std::min<std::int64_t>(s, 1000)));
    r.createdAt = check.requiredTime(createdAt[i], "created_at");
    if (check.accept(log)) order->ratings.push_back(r);
  }
};

struct ChargebackColumns {
  static constexpr const char* kTable = "chargebacks";
  std::vector<Poco::Int64> key, orderId;
  std::vector<Text> createdAt, liability;

  void bind(Statement& s) {
    s, kw::into(key), kw::into(orderId), kw::into(createdAt), kw::into(liability);
  }
  void clear() {
    key.clear();
    orderId.clear();
    createdAt.clear();
    liability.clear();
  }
  void addTo(std::size_t i, Order* order, ProblemLog* log) const {
    RowCheck check(kTable, key[i]);
    Chargeback c;
    c.chargebackId = key[i];
    c.createdAt = check.requiredTime(createdAt[i], "created_at");
    c.liability = check.requiredEnum(liability[i], "liability", parseLiability);
    if (check.accept(log)) order->chargebacks.push_back(c);
  }
};

struct OrderColumns {
  std::vector<Poco::Int64> key;
  std::vector<Int> sellerId, productId, trackingValid;
  std::vector<Text> orderedAt, shipByAt, shippedAt, promisedAt, deliveredAt, cancelledAt,
      cancelledBy, fulfilledBy;

  void bind(Statement& s) {
    s, kw::into(key), kw::into(sellerId), kw::into(productId), kw::into(orderedAt),
        kw::into(shipByAt), kw::into(shippedAt), kw::into(promisedAt), kw::into(deliveredAt),
        kw::into(cancelledAt), kw::into(cancelledBy), kw::into(trackingValid),
        kw::into(fulfilledBy);
  }
  void clear() {
    key.clear();
    for (auto* v : {&sellerId, &productId, &trackingValid}) v->clear();
    for (auto* v : {&orderedAt, &shipByAt, &shippedAt, &promisedAt, &deliveredAt, &cancelledAt,
                    &cancelledBy, &fulfilledBy}) {
      v->clear();
    }
  }
  // Returns the order of row i if it is sound (its problem is logged if not).
  std::optional<Order> parse(std::size_t i, ProblemLog* log) const {
    RowCheck check("orders", key[i]);
    Order o;
    o.orderId = key[i];
    o.sellerId = check.requiredInt(sellerId[i], "seller_id");
    o.productId = check.requiredInt(productId[i], "product_id");
    o.orderedAt = check.requiredTime(orderedAt[i], "ordered_at");
    o.shipByAt = check.optionalTime(shipByAt[i], "ship_by_at");
    o.shippedAt = check.optionalTime(shippedAt[i], "shipped_at");
    o.promisedAt = check.optionalTime(promisedAt[i], "promised_at");
    o.deliveredAt = check.optionalTime(deliveredAt[i], "delivered_at");
    o.cancelledAt = check.optionalTime(cancelledAt[i], "cancelled_at");
    o.cancelledBy = check.optionalEnum(cancelledBy[i], "cancelled_by", parseCancelledBy);
    o.trackingValid = check.optionalBool(trackingValid[i], "tracking_valid");
    o.fulfilledBy = check.requiredEnum(fulfilledBy[i], "fulfilled_by", parseFulfilledBy);
    if (!check.accept(log)) return std::nullopt;
    return o;
  }
};

// One read() run: the connection, the prepared statements and the results.
class Reader {
 public:
  Reader(const std::string& path, Timestamp now, const Rules& rules, const CancelToken& cancel,
         std::int64_t chunkOrders)
      : session_(openReadOnly(path)),
        now_(now),
        rules_(rules),
        cancel_(cancel),
        window_(windowAt(now, rules)),
        chunkOrders_(chunkOrders),
        log_(&data_.problems) {
    for (const char* table : kSourceTables) data_.rowsRead[table] = 0;
  }

  SourceData run() {
    readSellers();
    checkCancelled();
    readUntimedOrders();
    readWindow();
    checkCancelled();
    readAuthenticityClaims();
    return std::move(data_);
  }

 private:
  void checkCancelled() const {
    if (cancel_.cancelled()) throw RunCancelled();
  }

  void readSellers() {
    std::vector<Poco::Int64> ids;
    std::vector<Text> names, countries;
    guarded("reading sellers", [&] {
      session_ << kSelectSellers, kw::into(ids), kw::into(names), kw::into(countries), kw::now;
    });
    data_.rowsRead["sellers"] += static_cast<std::int64_t>(ids.size());
    // name and country are descriptive only; a NULL is read as empty rather
    // than dropping a seller whose orders still count.
    for (std::size_t i = 0; i < ids.size(); ++i) {
      data_.sellers[ids[i]] = {ids[i], names[i].value(""), countries[i].value("")};
    }
  }

  void readUntimedOrders() {
    std::vector<Poco::Int64> ids;
    std::vector<Text> orderedAt;
    guarded("reading orders without a time",
            [&] { session_ << kSelectUntimedOrders, kw::into(ids), kw::into(orderedAt), kw::now; });
    data_.rowsRead["orders"] += static_cast<std::int64_t>(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      RowCheck check("orders", ids[i]);
      check.requiredTime(orderedAt[i], "ordered_at");
      check.accept(&log_);
    }
  }

  void readWindow() {
    std::string lower = formatUtc(window_.begin);
    std::string upper = formatUtc(startOfDay(window_.end) + kSecondsPerDay).substr(0, 10);
    std::string afterAt = lower;
    Poco::Int64 afterId = std::numeric_limits<Poco::Int64>::min();
    Poco::Int64 limit = chunkOrders_;
    OrderColumns orderColumns;
    ChunkRange range;
    Statement orders(session_);
    std::unique_ptr<ChildQuery<TicketColumns>> tickets;
    std::unique_ptr<ChildQuery<RefundColumns>> refunds;
    std::unique_ptr<ChildQuery<ReturnColumns>> returns;
    std::unique_ptr<ChildQuery<RatingColumns>> ratings;
    std::unique_ptr<ChildQuery<ChargebackColumns>> chargebacks;
    guarded("preparing the window queries", [&] {
      orders << kSelectWindowOrders, kw::use(lower), kw::use(upper), kw::use(afterAt),
          kw::use(afterId), kw::use(limit);
      orderColumns.bind(orders);
      tickets = std::make_unique<ChildQuery<TicketColumns>>(session_, kSelectChunkTickets, range);
      refunds = std::make_unique<ChildQuery<RefundColumns>>(session_, kSelectChunkRefunds, range);
      returns = std::make_unique<ChildQuery<ReturnColumns>>(session_, kSelectChunkReturns, range);
      ratings = std::make_unique<ChildQuery<RatingColumns>>(session_, kSelectChunkRatings, range);
      chargebacks =
          std::make_unique<ChildQuery<ChargebackColumns>>(session_, kSelectChunkChargebacks, range);
    });

    for (;;) {
      checkCancelled();
      orderColumns.clear();
      guarded("reading orders", [&] { return orders.execute(); });
      const std::size_t n = orderColumns.key.size();
      if (n == 0) break;
      data_.rowsRead["orders"] += static_cast<std::int64_t>(n);

      Chunk chunk;
      chunk.orders.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        std::optional<Order> order = orderColumns.parse(i, &log_);
        // The SQL range is a little wider than the window (see above).
        if (!order || !window_.contains(order->orderedAt)) continue;
        chunk.indexOf.emplace(order->orderId, chunk.orders.size());
        chunk.orders.push_back(std::move(*order));
      }
      range.firstAt = orderColumns.orderedAt.front().value();
      range.firstId = orderColumns.key.front();
      range.lastAt = orderColumns.orderedAt.back().value();
      range.lastId = orderColumns.key.back();
      // Fetched even when every order of the chunk was dropped, so that the
      // rows read do not depend on the chunk size.
      data_.rowsRead["tickets"] += tickets->readInto(&chunk, &log_);
      data_.rowsRead["refunds"] += refunds->readInto(&chunk, &log_);
      data_.rowsRead["return_requests"] += returns->readInto(&chunk, &log_);
      data_.rowsRead["ratings"] += ratings->readInto(&chunk, &log_);
      data_.rowsRead["chargebacks"] += chargebacks->readInto(&chunk, &log_);
      for (Order& order : chunk.orders) {
        std::vector<RowProblem> problems;
        const bool sound = sanitizeOrder(order, &problems);
        for (RowProblem& p : problems) log_.add(std::move(p));
        if (sound) tallyOrder(order, now_, rules_, &data_.tallies[order.sellerId]);
      }
      if (static_cast<Poco::Int64>(n) < limit) break;
      afterAt = range.lastAt;
      afterId = range.lastId;
    }
  }

  void readAuthenticityClaims() {
    std::string kind = toString(TicketKind::kAuthenticity);
    std::vector<Poco::Int64> ids;
    std::vector<Int> sellerIds, productIds;
    std::vector<Text> openedAt, statuses;
    guarded("reading authenticity claims", [&] {
      session_ << kSelectAuthenticityClaims, kw::use(kind), kw::into(ids), kw::into(sellerIds),
          kw::into(productIds), kw::into(openedAt), kw::into(statuses), kw::now;
    });
    data_.rowsRead["tickets"] += static_cast<std::int64_t>(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      RowCheck check("tickets", ids[i]);
      AuthenticityClaim c;
      c.ticketId = ids[i];
      c.sellerId = check.requiredInt(sellerIds[i], "seller_id");
      c.productId = check.requiredInt(productIds[i], "product_id (of the ticket or its order)");
      c.openedAt = check.requiredTime(openedAt[i], "opened_at");
      c.status = check.requiredEnum(statuses[i], "status", parseTicketStatus);
      if (check.accept(&log_)) data_.authenticityClaims.push_back(c);
    }
  }

  Session session_;
  const Timestamp now_;
  const Rules& rules_;
  const CancelToken& cancel_;
  const Window window_;
  const std::int64_t chunkOrders_;
  SourceData data_;
  ProblemLog log_;
};

}  // namespace

void createSourceSchema(Session& session) {
  for (const char* sql : kSourceSchema) session << sql, kw::now;
}

SqliteSource::SqliteSource(std::string path, std::int64_t chunkOrders)
    : path_(std::move(path)), chunkOrders_(chunkOrders > 0 ? chunkOrders : kDefaultChunkOrders) {}

SourceData SqliteSource::read(Timestamp now, const Rules& rules, const CancelToken& cancel) {
  Reader reader(path_, now, rules, cancel, chunkOrders_);
  return reader.run();
}

bool SqliteSource::ping() {
  try {
    Session session = openReadOnly(path_);
    int one = 0;
    guarded("ping", [&] { session << kPing, kw::into(one), kw::now; });
    return one == 1;
  } catch (const SourceError&) {
    return false;
  }
}

}  // namespace sellertrust
