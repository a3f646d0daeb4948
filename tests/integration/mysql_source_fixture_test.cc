// MysqlSource against a small hand-built source whose tallies are worked out
// below by hand: every SPEC §2 metric and each of its boundaries, bad rows
// of each kind, the authenticity claims and the rows read.
#include <gtest/gtest.h>

#include "jobs/source/mysql_source.h"
#include "tests/integration/mariadb_test.h"
#include "tests/integration/mysql_rows.h"
#include "tests/source/bad_rows.h"

namespace sellertrust::testing {
namespace {

const Timestamp N = *parseUtc("2026-03-01 12:00:00");  // now
constexpr Timestamp D = kSecondsPerDay;
constexpr Timestamp H = kSecondsPerHour;

RawOrder order(std::int64_t id, std::int64_t seller, Timestamp orderedAt) {
  RawOrder o;
  o.orderId = id;
  o.sellerId = seller;
  o.productId = 400 + id;  // order 101 sells product 501, etc.
  o.orderedAt = orderedAt;
  return o;
}

RawTicket ticket(std::int64_t id, std::int64_t orderId, const char* kind, const char* status,
                 Timestamp openedAt, RawTime respondedAt = std::nullopt,
                 std::int64_t seller = kFromOrder) {
  RawTicket t;
  t.sellerId = seller;
  t.ticketId = id;
  t.orderId = orderId;
  t.kind = kind;
  t.status = status;
  t.openedAt = openedAt;
  t.respondedAt = respondedAt;
  return t;
}

RawReturn returnRequest(std::int64_t id, std::int64_t orderId, Timestamp requestedAt,
                        RawTime resolvedAt = std::nullopt, RawText resolution = std::nullopt) {
  return {id, orderId, requestedAt, resolvedAt, std::move(resolution)};
}

// Seller 1: sound rows exercising every metric; seller 2: bad rows of each
// kind; seller 3: no orders.
RawSource fixture() {
  RawSource s;
  s.sellers = {{1, "Alpha", "FR"}, {2, "Beta", "DE"}, {3, "Gamma", "IT"}};

  // 101: on time everywhere, tracked; three defects of three kinds.
  RawOrder o101 = order(101, 1, N - 10 * D);
  o101.shipByAt = N - 9 * D + H;
  o101.shippedAt = N - 9 * D;
  o101.promisedAt = N - 5 * D;
  o101.deliveredAt = N - 6 * D;
  o101.trackingValid = 1;
  // 102: shipped exactly at ship_by and delivered exactly at the promise
  // (a boundary includes its end); tracking invalid.
  RawOrder o102 = order(102, 1, N - 20 * D);
  o102.shipByAt = N - 19 * D;
  o102.shippedAt = N - 19 * D;
  o102.promisedAt = N - 15 * D;
  o102.deliveredAt = N - 15 * D;
  o102.trackingValid = 0;
  // 103: shipped one second late; undelivered 25 days past the promise;
  // tracking NULL (not true).
  RawOrder o103 = order(103, 1, N - 32 * D);
  o103.shipByAt = N - 30 * D;
  o103.shippedAt = N - 30 * D + 1;
  o103.promisedAt = N - 25 * D;
  // 104: unshipped with ship_by = now (not after it); undelivered exactly 3
  // days past the promise (not more).
  RawOrder o104 = order(104, 1, N - 5 * D);
  o104.shipByAt = N;
  o104.promisedAt = N - 3 * D;
  // 105: unshipped one second past ship_by; undelivered 3 days and 1 s past.
  RawOrder o105 = order(105, 1, N - 6 * D);
  o105.shipByAt = N - 1;
  o105.promisedAt = N - 3 * D - 1;
  // 106: cancelled by the seller (out of the shipping rates and claim_rate).
  RawOrder o106 = order(106, 1, N - 40 * D);
  o106.cancelledAt = N - 40 * D + H;
  o106.cancelledBy = "seller";
  o106.shipByAt = N - 39 * D;
  // 107: fulfilled by the operator, shipped late (not the seller's fault);
  // a spontaneous refund exactly 14 days after delivery.
  RawOrder o107 = order(107, 1, N - 25 * D);
  o107.fulfilledBy = "operator";
  o107.shipByAt = N - 24 * D;
  o107.shippedAt = N - 22 * D;
  o107.promisedAt = N - 21 * D;
  o107.deliveredAt = N - 20 * D;
  // 108: delivered, refunds 14 days and 1 s after delivery and with a
  // ticket (neither spontaneous); the return requests' boundaries.
  RawOrder o108 = order(108, 1, N - 35 * D);
  o108.shippedAt = N - 33 * D;
  o108.deliveredAt = N - 30 * D;
  o108.trackingValid = 1;
  // 109: ordered exactly at the window's start (included).
  RawOrder o109 = order(109, 1, N - 60 * D);
  // 110: one second before the window (excluded with all its rows).
  RawOrder o110 = order(110, 1, N - 60 * D - 1);
  // 111: ordered exactly now, the window's end (included).
  RawOrder o111 = order(111, 1, N);
  // 112: cancelled by the buyer.
  RawOrder o112 = order(112, 1, N - 3 * D);
  o112.cancelledAt = N - 2 * D;
  o112.cancelledBy = "buyer";
  s.orders = {o101, o102, o103, o104, o105, o106, o107, o108, o109, o110, o111, o112};

  RawTicket t1002 = ticket(1002, 101, "wrong_item", "refused", N - 6 * D, N - 6 * D + H);
  t1002.productId = 999;
  RawTicket t1005 = ticket(1005, 104, "other", "open", N - 48 * H - 1);
  t1005.escalatedAt = N - H;
  RawTicket t1010 = ticket(1010, 102, "damaged", "refused", N - 3 * D, N - 3 * D + 2 * H);
  t1010.productId = 501;
  s.tickets = {
      // Answered exactly 48 h after opening: within.
      ticket(1001, 101, "damaged", "open", N - 5 * D, N - 5 * D + 48 * H),
      t1002,
      // A withdrawn claim: a claim, not a defect; answered 48 h and 1 s late.
      ticket(1003, 102, "defective", "withdrawn", N - 4 * D, N - 4 * D + 48 * H + 1),
      // Unanswered, opened exactly 48 h ago: not yet counted.
      ticket(1004, 103, "question", "resolved", N - 48 * H),
      // Unanswered, opened 48 h and 1 s ago: counted as not within; escalated.
      t1005,
      // On a cancelled order: counts for responses and its product, not for
      // claim_rate; granted at the operator's expense: no defect.
      ticket(1006, 106, "not_received", "granted_operator_funded", N - 39 * D, N - 39 * D + H),
      ticket(1007, 110, "damaged", "open", N - 59 * D),
      ticket(1008, 108, "late_delivery", "granted_seller_funded", N - 29 * D),
      ticket(1009, 109, "authenticity", "open", N - 59 * D, N - 59 * D + 10),
      t1010,
      // Authenticity claims count whatever their order's window.
      ticket(3001, 110, "authenticity", "withdrawn", N - 50 * D),
      // An orphan: its order does not exist (and it names no product).
      ticket(3002, 9999, "authenticity", "open", N - 10 * D, std::nullopt, 1),
  };

  RawRefund r4001{4001, 107, std::nullopt, N - 20 * D + 14 * D};
  RawRefund r4002{4002, 108, std::nullopt, N - 30 * D + 14 * D + 1};
  RawRefund r4003{4003, 108, 1008, N - 25 * D};
  s.refunds = {r4001, r4002, r4003};

  s.returns = {
      // Unresolved, requested exactly 15 days ago: not yet counted.
      returnRequest(5001, 107, N - 15 * D),
      // Unresolved, 15 days and 1 s: counted as not resolved in time.
      returnRequest(5002, 108, N - 15 * D - 1),
      returnRequest(5003, 108, N - 34 * D, N - 34 * D + 15 * D, "refund"),
      returnRequest(5004, 108, N - 34 * D, N - 34 * D + 15 * D + 1, "replacement"),
      returnRequest(5005, 108, N - 30 * D, N - 29 * D, "rejected"),
  };

  s.ratings = {
      {6001, 101, 1, N - 4 * D},  {6002, 101, 2, N - 4 * D}, {6003, 109, 5, N - 50 * D},
      {6004, 110, 1, N - 50 * D}, {6005, 111, 4, N},         {6006, 102, 3, N - 10 * D},
  };
  s.chargebacks = {{7001, 101, N - 2 * D, "service"}, {7002, 102, N - 2 * D, "fraud"}};

  // Seller 2.
  RawOrder o201 = order(201, 2, N - 10 * D);  // delivered before ordered
  o201.deliveredAt = N - 11 * D;
  RawOrder o202 = order(202, 2, N - D);      // sound, with bad after-sales rows
  RawOrder o203 = order(203, 2, kZeroDate);  // no usable ordered_at
  RawOrder o204 = order(204, 2, N - 2 * D);  // cancelled_by without cancelled_at
  o204.cancelledBy = "seller";
  RawOrder o205 = order(205, 2, N - 2 * D);  // shipped on a day 0
  o205.shippedAt = kZeroDay;
  s.orders.insert(s.orders.end(), {o201, o202, o203, o204, o205});
  s.ratings.push_back({6101, 201, 1, N - 5 * D});  // skipped with its order, unreported
  s.ratings.push_back({6102, 202, 6, N - 5 * H});  // stars out of range
  s.tickets.push_back(ticket(2002, 202, "damaged", "open", N - 12 * H, N - 13 * H));
  s.returns.push_back(returnRequest(5101, 202, N - 12 * H, N - 6 * H));  // no resolution
  return s;
}

SellerTally sellerOneTally() {
  SellerTally t;
  t[TallyId::kOrders] = 11;                      // 101-109, 111, 112
  t.setRate(MetricId::kOrderDefectRate, 3, 11);  // 101, 108 (seller-funded), 109 (open claim)
  t.setRate(MetricId::kClaimRate, 4, 9);         // 101, 102, 108, 109 of 9 not cancelled
  t.setRate(MetricId::kLateShipmentRate, 2, 5);  // 103, 105 of 101-105
  t.setRate(MetricId::kLateDeliveryRate, 2, 5);  // 103, 105 of 101-105
  t.setRate(MetricId::kSellerCancelRate, 1, 11);
  t.setRate(MetricId::kValidTrackingRate, 2, 4);      // 101, 108 of 101, 102, 103, 108
  t.setRate(MetricId::kResponseWithin48hRate, 5, 8);  // 1001 1002 1006 1009 1010; +1003 1005 1008
  t.setRate(MetricId::kEscalationRate, 1, 9);
  t.setRate(MetricId::kSpontaneousRefundRate, 1, 4);  // 107 of 101, 102, 107, 108
  t.setRate(MetricId::kReturnResolved15dRate, 1, 4);  // 5003 of 5002-5005
  t[TallyId::kRatings] = 5;
  t[TallyId::kStarSum] = 15;
  t.responseSeconds = {{10, 1}, {3600, 2}, {7200, 1}, {172800, 1}, {172801, 1}};
  t.productClaims = {{501, 2}, {502, 1}, {506, 1}, {508, 1}, {509, 1}, {999, 1}};
  return t;
}

class MysqlSourceFixtureTest : public MariadbTest {
 protected:
  void SetUp() override {
    MariadbTest::SetUp();
    if (HasFatalFailure()) return;
    insertRows(root(), fixture());
  }
};

TEST_F(MysqlSourceFixtureTest, TalliesMatchTheHandWorkedValues) {
  MysqlSource source(env().readOnly());
  CancelToken cancel;
  const SourceData data = source.read(N, Rules{}, cancel, nullptr);

  ASSERT_EQ(data.tallies.size(), 2u);
  EXPECT_EQ(tallyDifferences(sellerOneTally(), data.tallies.at(1)), "");
  SellerTally two;
  two[TallyId::kOrders] = 1;
  two.setRate(MetricId::kOrderDefectRate, 0, 1);
  two.setRate(MetricId::kClaimRate, 0, 1);
  two.setRate(MetricId::kSellerCancelRate, 0, 1);
  EXPECT_EQ(tallyDifferences(two, data.tallies.at(2)), "");
}

// The same rows through SQLite: everything the run reads is identical.
void expectSameAsSqlite(const SourceData& mysql, const Rules& rules) {
  const SourceData sqlite = readRaw(fixture(), rules, N);
  ASSERT_EQ(sqlite.tallies.size(), mysql.tallies.size());
  for (const auto& [seller, tally] : sqlite.tallies) {
    EXPECT_EQ(tallyDifferences(tally, mysql.tallies.at(seller)), "") << "seller " << seller;
  }
  EXPECT_EQ(sqlite.problems, mysql.problems);
  EXPECT_EQ(sqlite.rowsRead, mysql.rowsRead);
  EXPECT_EQ(sqlite.authenticityClaims.size(), mysql.authenticityClaims.size());
}

TEST_F(MysqlSourceFixtureTest, AgreesWithSqliteOnTheSameRows) {
  const SourceData data = MysqlSource(env().readOnly()).read(N, Rules{}, CancelToken(), nullptr);
  expectSameAsSqlite(data, Rules{});
}

class MysqlBadRowsTest : public MariadbTest {};

// The fixture of tests/source/row_checks_test.cc on views over loose
// tables: MariaDB reports what SQLite reports, word for word.
TEST_F(MysqlBadRowsTest, ReportsEveryRowCheckExactlyAsWorkedOutByHand) {
  makeSourceLax(root());
  insertRows(root(), badRowsFixture());
  const SourceData data = MysqlSource(env().readOnly()).read(kNow, Rules{}, CancelToken(), nullptr);
  EXPECT_EQ(data.problems, badRowsExpected());
  EXPECT_EQ(data.rowsRead, readRaw(badRowsFixture()).rowsRead);
}

// Views that repeat keys, on the reference schema's tables: MariaDB skips
// and reports every copy as SQLite does.
TEST_F(MysqlBadRowsTest, SkipsEveryCopyOfAKeyThatAViewRepeats) {
  insertRows(root(), repeatedKeysFixture());
  for (const std::string& sql : repeatKeysStatements()) root().execute("making views", sql);
  const SourceData data = MysqlSource(env().readOnly()).read(kNow, Rules{}, CancelToken(), nullptr);
  EXPECT_EQ(data.problems, repeatedKeysExpected());
  EXPECT_EQ(tallyDifferences(repeatedKeysTally(), data.tallies.at(7)), "");
  EXPECT_TRUE(data.authenticityClaims.empty());
}

TEST_F(MysqlSourceFixtureTest, ReportsEachBadRowOnceByKey) {
  MysqlSource source(env().readOnly());
  CancelToken cancel;
  const SourceData data = source.read(N, Rules{}, cancel, nullptr);
  const std::set<std::pair<std::string, std::int64_t>> expected = {
      {"orders", 201},   {"orders", 203},           {"orders", 204},   {"orders", 205},
      {"ratings", 6102}, {"return_requests", 5101}, {"tickets", 2002}, {"tickets", 3002},
  };
  EXPECT_EQ(problemKeys(data.problems), expected);
  EXPECT_EQ(data.problems.size(), expected.size());
  const std::map<std::pair<std::string, std::int64_t>, std::string> messages = {
      {{"orders", 201}, "delivered_at is before ordered_at"},
      {{"orders", 203}, "ordered_at is not a valid time: '0000-00-00 00:00:00'"},
      {{"orders", 204}, "cancelled_by is set but cancelled_at is NULL"},
      {{"orders", 205}, "shipped_at is not a valid time: '2026-02-00 12:00:00'"},
      {{"ratings", 6102}, "stars is outside 1-5"},
      {{"return_requests", 5101}, "resolved_at and resolution must be both NULL or both set"},
      {{"tickets", 2002}, "first_seller_response_at is before opened_at"},
      {{"tickets", 3002}, "order_id names no order: '9999'"},
  };
  for (const RowProblem& p : data.problems) {
    auto it = messages.find({p.table, p.key});
    if (it != messages.end()) {
      EXPECT_EQ(p.problem, it->second);
    }
  }
}

TEST_F(MysqlSourceFixtureTest, ReadsSellersClaimsAndRowCounts) {
  MysqlSource source(env().readOnly());
  CancelToken cancel;
  const SourceData data = source.read(N, Rules{}, cancel, nullptr);

  ASSERT_EQ(data.sellers.size(), 3u);
  EXPECT_EQ(data.sellers.at(2).name, "Beta");
  EXPECT_EQ(data.sellers.at(3).country, "IT");

  ASSERT_EQ(data.authenticityClaims.size(), 2u);
  std::vector<AuthenticityClaim> claims = data.authenticityClaims;
  std::sort(claims.begin(), claims.end(),
            [](const auto& a, const auto& b) { return a.ticketId < b.ticketId; });
  EXPECT_EQ(claims[0].ticketId, 1009);
  EXPECT_EQ(claims[0].sellerId, 1);
  EXPECT_EQ(claims[0].productId, 509);
  EXPECT_EQ(claims[0].openedAt, N - 59 * D);
  EXPECT_EQ(claims[0].status, TicketStatus::kOpen);
  EXPECT_EQ(claims[1].ticketId, 3001);
  EXPECT_EQ(claims[1].productId, 510);
  EXPECT_EQ(claims[1].status, TicketStatus::kWithdrawn);

  const std::map<std::string, std::int64_t> rows = {
      {"sellers", 3},     {"orders", 16},  // 12 sound window orders + 4 bad
      {"tickets", 13},                     // 9 sound window tickets + 1 bad + 3 authenticity rows
      {"refunds", 3},     {"return_requests", 6},  // 5 sound + 1 bad
      {"ratings", 7},                              // 5 sound + 1 bad + 1 of the bad order 201
      {"chargebacks", 2},
  };
  EXPECT_EQ(data.rowsRead, rows);
}

TEST_F(MysqlSourceFixtureTest, ListsAtMostTheConfiguredNumberOfBadKeysPerTable) {
  source::ReadSettings settings;
  settings.problemKeysPerTable = 2;
  MysqlSource source(env().readOnly(), settings);
  CancelToken cancel;
  const SourceData data = source.read(N, Rules{}, cancel, nullptr);
  std::vector<std::int64_t> orderKeys;
  std::string summary;
  for (const RowProblem& p : data.problems) {
    if (p.table != "orders") continue;
    if (p.key == 0) {
      summary = p.problem;
    } else {
      orderKeys.push_back(p.key);
    }
  }
  EXPECT_EQ(orderKeys, (std::vector<std::int64_t>{201, 203}));
  EXPECT_EQ(summary, "2 more rows with problems (only the first 2 keys are listed)");
  EXPECT_EQ(data.rowsRead.at("orders"), 16);
}

TEST_F(MysqlSourceFixtureTest, HonoursOtherRuleParameters) {
  Rules rules;
  rules.windowDays = 30;
  rules.lagDays = 5;
  rules.responseHours = 24;
  rules.lateDeliveryGraceDays = 1;
  rules.spontaneousRefundDays = 20;
  rules.returnResolveDays = 10;
  MysqlSource source(env().readOnly());
  CancelToken cancel;
  const SourceData data = source.read(N, rules, cancel, nullptr);
  expectSameAsSqlite(data, rules);
}

TEST_F(MysqlSourceFixtureTest, DaysPastTheEndOfTheMonthAreNotTimes) {
  // Only storable under ALLOW_INVALID_DATES; parseUtc rejects them.
  root().execute("allowing invalid dates", "SET SESSION sql_mode = 'ALLOW_INVALID_DATES'");
  root().execute("inserting an order",
                 "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, delivered_at, "
                 "fulfilled_by, amount, currency) VALUES (301, 2, 7, '2026-02-20 10:00:00', "
                 "'2026-02-30 10:00:00', 'seller', 1, 'EUR')");
  root().execute("inserting a ticket",
                 "INSERT INTO tickets (ticket_id, order_id, seller_id, kind, status, opened_at) "
                 "VALUES (9001, 202, 2, 'question', 'open', '2026-02-31 08:00:00')");
  MysqlSource source(env().readOnly());
  CancelToken cancel;
  const SourceData data = source.read(N, Rules{}, cancel, nullptr);
  std::map<std::pair<std::string, std::int64_t>, std::string> problems;
  for (const RowProblem& p : data.problems) problems[{p.table, p.key}] = p.problem;
  EXPECT_EQ(problems[std::make_pair(std::string("orders"), 301)],
            "delivered_at is not a valid time: '2026-02-30 10:00:00'");
  EXPECT_EQ(problems[std::make_pair(std::string("tickets"), 9001)],
            "opened_at is not a valid time: '2026-02-31 08:00:00'");
  EXPECT_EQ(data.tallies.at(2).orders(), 1);
  EXPECT_EQ(data.tallies.at(2).rate(MetricId::kEscalationRate).denominator, 0);
}

TEST_F(MysqlSourceFixtureTest, ThrowsRunCancelledWhenCancelled) {
  MysqlSource source(env().readOnly());
  CancelToken cancel;
  cancel.cancel();
  EXPECT_THROW(source.read(N, Rules{}, cancel, nullptr), RunCancelled);
}

TEST_F(MysqlSourceFixtureTest, RejectsANowOutsideTheDatetimeRange) {
  MysqlSource source(env().readOnly());
  CancelToken cancel;
  EXPECT_THROW(source.read(*parseUtc("0999-12-31 00:00:00"), Rules{}, cancel, nullptr),
               std::invalid_argument);
}

TEST_F(MysqlSourceFixtureTest, PingAnswersTrueOnALiveServer) {
  MysqlSource source(env().readOnly());
  EXPECT_TRUE(source.ping());
}

}  // namespace
}  // namespace sellertrust::testing
