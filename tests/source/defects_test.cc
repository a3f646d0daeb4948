// The drill-down of every metric: the defect rows a read lists, each with
// its reason and value, worked out by hand on a real SQLite source. Every
// read also checks that its lists are exactly what the tallies count, so
// each test here fails too if a list and its count disagree.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "jobs/source/definition.h"
#include "jobs/source/queries.h"
#include "tests/source/builders.h"

namespace sellertrust {
namespace {

using source::defectReasons;
using testing::Chargeback;
using testing::kDay;
using testing::kHour;
using testing::kNow;
using testing::Order;
using testing::Refund;
using testing::ReturnRequest;
using testing::Ticket;
using testing::ticket;

// Seller 7's defect rows of `metric` as "reason order row value".
std::vector<std::string> defectsOf(const std::vector<Order>& orders, MetricId metric) {
  const SourceData data = testing::readRaw(testing::rawRows(orders));
  std::vector<std::string> out;
  auto it = data.defects.find(7);
  if (it == data.defects.end()) return out;
  for (const Defect& d : source::sortedDefects(it->second)) {
    if (source::defectMetric(d) != metric) continue;
    out.push_back(defectReasons()[d.reason].name + " " + std::to_string(d.orderId) + " " +
                  std::to_string(d.rowId) + " " + std::to_string(d.value));
  }
  return out;
}

using Lines = std::vector<std::string>;

Ticket answered(const char* kind, Timestamp after) {
  Ticket t = ticket(kind);
  t.firstSellerResponseAt = t.openedAt + after;
  return t;
}

TEST(DefectListTest, OrderDefectsAreOrdersWithEveryReasonTheyCount) {
  // Rows are numbered in turn: order 1 with ticket 2, rating 3, chargeback
  // 4; order 5 with rating 6; order 7 with tickets 8 and 9; order 10 with
  // chargeback 11.
  Order defective;
  defective.tickets = {answered("damaged", kHour)};
  defective.ratings = {1};
  defective.chargebacks = {Chargeback{"service"}};
  Order praised;
  praised.ratings = {5};
  Order asked;
  asked.tickets = {answered("question", kHour), answered("damaged", kHour)};
  asked.tickets[1].status = "withdrawn";  // a claim, but no defect
  Order fraud;
  fraud.chargebacks = {Chargeback{"fraud"}};
  const std::vector<Order> orders = {defective, praised, asked, fraud};
  // Reasons in definition order within the order: rating, claim, chargeback.
  EXPECT_EQ(defectsOf(orders, MetricId::kOrderDefectRate),
            (Lines{"low_rating 1 3 1", "defect_claim 1 2 100", "service_chargeback 1 4 0"}));
  EXPECT_EQ(defectsOf(orders, MetricId::kClaimRate), (Lines{"claim 1 2 100", "claim 7 9 100"}));
}

TEST(DefectListTest, LateOrdersSayByHowLongOrSinceWhen) {
  Order shippedLate;  // order 1
  shippedLate.shipByAt = shippedLate.orderedAt + 2 * kDay;
  shippedLate.shippedAt = *shippedLate.shipByAt + 3 * kHour;
  shippedLate.promisedAt = shippedLate.orderedAt + 5 * kDay;
  shippedLate.deliveredAt = *shippedLate.promisedAt + kDay;
  Order unshipped;  // order 2: past its ship-by time and its promise's grace
  unshipped.shipByAt = kNow - kHour;
  unshipped.promisedAt = kNow - 3 * kDay - 1;
  Order notYet;  // order 3: neither time has passed
  notYet.shipByAt = kNow + kHour;
  notYet.promisedAt = kNow - 3 * kDay;
  Order onTime;  // order 4
  onTime.shipByAt = onTime.orderedAt + 2 * kDay;
  onTime.shippedAt = *onTime.shipByAt;
  const std::vector<Order> orders = {shippedLate, unshipped, notYet, onTime};
  EXPECT_EQ(defectsOf(orders, MetricId::kLateShipmentRate),
            (Lines{"shipped_late 1 1 10800", "unshipped 2 2 " + std::to_string(kNow - kHour)}));
  EXPECT_EQ(defectsOf(orders, MetricId::kLateDeliveryRate),
            (Lines{"delivered_late 1 1 86400",
                   "undelivered 2 2 " + std::to_string(kNow - 3 * kDay - 1)}));
}

TEST(DefectListTest, TrackingAndCancellationsNameTheOrder) {
  Order invalid;  // order 1
  invalid.shippedAt = invalid.orderedAt + kDay;
  invalid.trackingValid = 0;
  Order missing = invalid;  // order 2
  missing.trackingValid = std::nullopt;
  Order valid = invalid;  // order 3
  valid.trackingValid = 1;
  Order byOperator = invalid;  // order 4: not seller-fulfilled
  byOperator.fulfilledBy = "operator";
  Order cancelled;  // order 5
  cancelled.cancel("seller");
  Order byBuyer;  // order 6
  byBuyer.cancel("buyer");
  const std::vector<Order> orders = {invalid, missing, valid, byOperator, cancelled, byBuyer};
  EXPECT_EQ(defectsOf(orders, MetricId::kValidTrackingRate),
            (Lines{"tracking_invalid 1 1 0", "tracking_missing 2 2 0"}));
  EXPECT_EQ(defectsOf(orders, MetricId::kSellerCancelRate),
            (Lines{"seller_cancelled 5 5 " + std::to_string(*cancelled.cancelledAt)}));
}

TEST(DefectListTest, TicketMetricsCountTicketsNotOrders) {
  // Order 1 with tickets 2 (answered after 50 h), 3 (unanswered for 3
  // days), 4 (unanswered for a day: not due), 5 (answered in 2 h, but
  // escalated).
  Order o;
  Ticket slow = answered("question", 50 * kHour);
  Ticket silent = ticket("question");
  silent.openedAt = kNow - 3 * kDay;
  Ticket fresh = ticket("question");
  fresh.openedAt = kNow - kDay;
  Ticket escalated = answered("question", 2 * kHour);
  escalated.escalatedAt = escalated.openedAt + kDay;
  o.tickets = {slow, silent, fresh, escalated};
  EXPECT_EQ(
      defectsOf({o}, MetricId::kResponseWithin48hRate),
      (Lines{"answered_late 1 2 180000", "unanswered 1 3 " + std::to_string(kNow - 3 * kDay)}));
  EXPECT_EQ(defectsOf({o}, MetricId::kEscalationRate),
            (Lines{"escalated 1 5 " + std::to_string(*escalated.escalatedAt)}));
}

TEST(DefectListTest, RefundsAndReturnsSayHowLong) {
  // Order 1 with refunds 2 (no ticket, 2 days after delivery) and 3 (with
  // a ticket); order 4 with return requests 5 to 9.
  Order refunded;
  refunded.deliveredAt = refunded.orderedAt + 3 * kDay;
  Refund spontaneous;
  spontaneous.createdAt = *refunded.deliveredAt + 2 * kDay;
  Refund claimed = spontaneous;
  claimed.ticketId = 99;
  refunded.refunds = {spontaneous, claimed};
  Order returned;
  ReturnRequest rejected;
  rejected.requestedAt = kNow - 20 * kDay;
  rejected.resolvedAt = rejected.requestedAt + kDay;
  rejected.resolution = "rejected";
  ReturnRequest late = rejected;
  late.resolvedAt = late.requestedAt + 16 * kDay;
  late.resolution = "refund";
  ReturnRequest unresolved;
  unresolved.requestedAt = kNow - 16 * kDay;
  ReturnRequest inTime = late;
  inTime.resolvedAt = inTime.requestedAt + 2 * kDay;
  ReturnRequest waiting;  // requested 2 days ago: not due
  returned.returns = {rejected, late, unresolved, inTime, waiting};
  EXPECT_EQ(defectsOf({refunded, returned}, MetricId::kSpontaneousRefundRate),
            (Lines{"spontaneous_refund 1 2 172800"}));
  EXPECT_EQ(defectsOf({refunded, returned}, MetricId::kReturnResolved15dRate),
            (Lines{"return_rejected 4 5 0", "resolved_late 4 6 1382400",
                   "unresolved 4 7 " + std::to_string(kNow - 16 * kDay)}));
}

TEST(DefectListTest, ASellerWithoutDefectsHasNoList) {
  Order fine;
  fine.ratings = {5};
  const SourceData data = testing::readRaw(testing::rawRows({fine}));
  EXPECT_EQ(data.tallies.count(7), 1U);
  EXPECT_EQ(data.defects.count(7), 0U);
}

TEST(DefectListTest, EveryRateHasReasonsAndEveryReasonNameIsUnique) {
  std::set<std::string> names;
  for (const source::DefectReasonDef& r : defectReasons()) {
    EXPECT_TRUE(names.insert(r.name).second) << r.name;
  }
  for (std::size_t m = 0; m < kMetricCount; ++m) {
    const auto metric = static_cast<MetricId>(m);
    bool found = false;
    for (const source::DefectReasonDef& r : defectReasons()) found |= r.metric == metric;
    EXPECT_EQ(found, source::hasDefects(metric)) << metricName(metric);
  }
}

TEST(DefectListTest, ParsesEntriesAndRefusesAListCutShort) {
  // low_rating (reason 0) has a value, service_chargeback (reason 2) none.
  const std::string text = "1:2:1700000000:low_rating:5:,3:4:1700000001:service_chargeback::";
  const std::vector<Defect> parsed = source::parseDefectList(text).decode();
  ASSERT_EQ(parsed.size(), 2U);
  EXPECT_EQ(parsed[0], (Defect{1, 2, 1700000000, 5, 0}));
  EXPECT_EQ(parsed[1], (Defect{3, 4, 1700000001, 0, 2}));
  EXPECT_EQ(source::formatDefectList(DefectList(parsed)), text);
  for (const char* cut :
       {"1:2:1700000000:low_rating:5:,3:4:17", "1:2:1700000000:low_rating:5", "1:2:1700000000",
        "1:2:x:low_rating:5:", "1:2:1700000000:nice:5:", "1:2:3:low_rating:5:,", "", ",",
        "1:2:3:low_rating::", "1:2:3:service_chargeback:7:", "1:2:3:low_rating:5:;",
        "1:2:3x:low_rating:5:", "1:2:3:low_rating:5 :", "1:2:99999999999999999999:low_rating:5:"}) {
    EXPECT_THROW(source::parseDefectList(cut), std::invalid_argument) << cut;
  }
}

}  // namespace
}  // namespace sellertrust
