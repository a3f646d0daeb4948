// Each SPEC §2 definition with its boundaries, worked out by hand and run
// through the one definition on a real SQLite source.
#include "jobs/source/definition.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "tests/source/builders.h"

namespace sellertrust {
namespace {

using testing::Chargeback;
using testing::kDay;
using testing::kHour;
using testing::kNow;
using testing::Order;
using testing::rateOf;
using testing::Refund;
using testing::ReturnRequest;
using testing::Ticket;
using testing::ticket;

void expectRatio(const Ratio& r, std::int64_t numerator, std::int64_t denominator) {
  EXPECT_EQ(r.numerator, numerator);
  EXPECT_EQ(r.denominator, denominator);
}

TEST(OrderDefectRateTest, CountsAnOrderOnceWhateverItsDefects) {
  Order several;
  several.ratings = {1, 2};
  several.tickets = {ticket("damaged")};
  Chargeback cb;
  cb.liability = "service";
  several.chargebacks = {cb};
  expectRatio(rateOf({several}, MetricId::kOrderDefectRate), 1, 1);
}

TEST(OrderDefectRateTest, AppliesEachDefectDefinition) {
  Order lowRating;
  lowRating.ratings = {2};
  Order threeStars;
  threeStars.ratings = {3};
  Order excludedClaims;
  excludedClaims.tickets = {ticket("damaged", "withdrawn"), ticket("defective", "refused"),
                            ticket("wrong_item", "granted_operator_funded"),
                            ticket("question", "open")};
  Order fraudChargeback;
  Chargeback fraud;
  fraud.liability = "fraud";
  fraudChargeback.chargebacks = {fraud};
  Order serviceChargeback;
  Chargeback service;
  service.liability = "service";
  serviceChargeback.chargebacks = {service};
  Order cancelledWithClaim;
  cancelledWithClaim.cancelledAt = kNow - kDay;
  cancelledWithClaim.cancelledBy = "buyer";
  cancelledWithClaim.tickets = {ticket("not_received", "granted_seller_funded")};
  // Defects: 1 (2 stars), 5 (service chargeback), 6 (claim; cancelled orders count).
  expectRatio(rateOf({lowRating, threeStars, excludedClaims, fraudChargeback, serviceChargeback,
                      cancelledWithClaim},
                     MetricId::kOrderDefectRate),
              3, 6);
}

TEST(OrderDefectRateTest, ClaimMovingToWithdrawnStopsBeingADefect) {
  Order o;
  o.tickets = {ticket("not_as_described", "under_review")};
  expectRatio(rateOf({o}, MetricId::kOrderDefectRate), 1, 1);
  o.tickets[0].status = "withdrawn";
  expectRatio(rateOf({o}, MetricId::kOrderDefectRate), 0, 1);
  // A claim rate counts claims in any status.
  expectRatio(rateOf({o}, MetricId::kClaimRate), 1, 1);
}

TEST(ClaimRateTest, CountsNotCancelledOrdersWithAClaim) {
  Order claim;
  claim.tickets = {ticket("late_delivery", "refused"), ticket("damaged", "open")};
  Order question;
  question.tickets = {ticket("question"), ticket("other")};
  Order cancelled;
  cancelled.cancelledAt = kNow - kDay;
  cancelled.cancelledBy = "seller";
  cancelled.tickets = {ticket("damaged")};
  Order plain;
  expectRatio(rateOf({claim, question, cancelled, plain}, MetricId::kClaimRate), 1, 3);
}

TEST(LateShipmentRateTest, ShippingExactlyAtTheDeadlineIsOnTime) {
  Order onTime;
  onTime.shipByAt = kNow - 5 * kDay;
  onTime.shippedAt = *onTime.shipByAt;
  Order late;
  late.shipByAt = kNow - 5 * kDay;
  late.shippedAt = *late.shipByAt + 1;
  expectRatio(rateOf({onTime}, MetricId::kLateShipmentRate), 0, 1);
  expectRatio(rateOf({late}, MetricId::kLateShipmentRate), 1, 1);
}

TEST(LateShipmentRateTest, UnshippedCountsLateOnlyAfterTheDeadline) {
  Order dueNow;
  dueNow.shipByAt = kNow;
  Order overdue;
  overdue.shipByAt = kNow - 1;
  expectRatio(rateOf({dueNow}, MetricId::kLateShipmentRate), 0, 1);
  expectRatio(rateOf({overdue}, MetricId::kLateShipmentRate), 1, 1);
}

TEST(LateShipmentRateTest, ExcludesOperatorFulfilledCancelledAndUndated) {
  Order byOperator;
  byOperator.fulfilledBy = "operator";
  byOperator.shipByAt = kNow - 5 * kDay;
  Order cancelled;
  cancelled.shipByAt = kNow - 5 * kDay;
  cancelled.cancelledAt = kNow - 6 * kDay;
  cancelled.cancelledBy = "buyer";
  Order undated;
  expectRatio(rateOf({byOperator, cancelled, undated}, MetricId::kLateShipmentRate), 0, 0);
}

TEST(LateDeliveryRateTest, DeliveredAfterThePromiseIsLate) {
  Order onTime;
  onTime.promisedAt = kNow - 5 * kDay;
  onTime.deliveredAt = *onTime.promisedAt;
  Order late;
  late.promisedAt = kNow - 5 * kDay;
  late.deliveredAt = *late.promisedAt + 1;
  expectRatio(rateOf({onTime, late}, MetricId::kLateDeliveryRate), 1, 2);
}

TEST(LateDeliveryRateTest, UndeliveredIsLateOnlyMoreThanThreeDaysPastThePromise) {
  Order exactlyThreeDays;
  exactlyThreeDays.promisedAt = kNow - 3 * kDay;
  Order pastThreeDays;
  pastThreeDays.promisedAt = kNow - 3 * kDay - 1;
  Order notYetDue;
  notYetDue.promisedAt = kNow + kDay;
  expectRatio(rateOf({exactlyThreeDays}, MetricId::kLateDeliveryRate), 0, 1);
  expectRatio(rateOf({pastThreeDays}, MetricId::kLateDeliveryRate), 1, 1);
  expectRatio(rateOf({notYetDue}, MetricId::kLateDeliveryRate), 0, 1);
}

TEST(LateDeliveryRateTest, ExcludesOperatorFulfilledAndCancelled) {
  Order byOperator;
  byOperator.fulfilledBy = "operator";
  byOperator.promisedAt = kNow - 9 * kDay;
  Order cancelled;
  cancelled.promisedAt = kNow - 9 * kDay;
  cancelled.cancelledAt = kNow - 9 * kDay;
  cancelled.cancelledBy = "operator";
  expectRatio(rateOf({byOperator, cancelled}, MetricId::kLateDeliveryRate), 0, 0);
}

TEST(SellerCancelRateTest, CountsSellerCancellationsOverAllOrders) {
  Order bySeller;
  bySeller.cancelledAt = kNow - kDay;
  bySeller.cancelledBy = "seller";
  Order byBuyer;
  byBuyer.cancelledAt = kNow - kDay;
  byBuyer.cancelledBy = "buyer";
  expectRatio(rateOf({bySeller, byBuyer, Order(), Order()}, MetricId::kSellerCancelRate), 1, 4);
}

TEST(ValidTrackingRateTest, CountsSellerFulfilledShippedOrders) {
  auto shipped = [](std::optional<int> valid) {
    Order o;
    o.shippedAt = kNow - 8 * kDay;
    o.trackingValid = valid;
    return o;
  };
  Order byOperator = shipped(1);
  byOperator.fulfilledBy = "operator";
  Order unshipped;
  unshipped.trackingValid = 1;
  // A NULL tracking_valid is not "true".
  expectRatio(rateOf({shipped(1), shipped(0), shipped(std::nullopt), byOperator, unshipped},
                     MetricId::kValidTrackingRate),
              1, 3);
}

TEST(ResponseWithin48hRateTest, AnsweringExactlyAt48hIsWithin) {
  Order o;
  Ticket atLimit = ticket("question", "resolved");
  atLimit.firstSellerResponseAt = atLimit.openedAt + 48 * kHour;
  Ticket pastLimit = ticket("damaged", "open");
  pastLimit.firstSellerResponseAt = pastLimit.openedAt + 48 * kHour + 1;
  o.tickets = {atLimit, pastLimit};
  expectRatio(rateOf({o}, MetricId::kResponseWithin48hRate), 1, 2);
}

TEST(ResponseWithin48hRateTest, UnansweredCountsOnlyOnceOlderThan48h) {
  Order o;
  Ticket exactly48h = ticket("other", "open");
  exactly48h.openedAt = kNow - 48 * kHour;
  Ticket older = ticket("other", "open");
  older.openedAt = kNow - 48 * kHour - 1;
  o.tickets = {exactly48h, older};
  expectRatio(rateOf({o}, MetricId::kResponseWithin48hRate), 0, 1);
}

TEST(ResponseTimeTest, ReportsNearestRankPercentilesInHours) {
  Order o;
  for (int h = 1; h <= 10; ++h) {
    Ticket t = ticket("question", "resolved");
    t.firstSellerResponseAt = t.openedAt + h * kHour;
    o.tickets.push_back(t);
  }
  const MetricSet m = computeMetrics(testing::tallyAll({o}), Rules());
  EXPECT_EQ(m.responseTime.answered, 10);
  // Ranks ceil(0.5 x 10) = 5 and ceil(0.9 x 10) = 9.
  EXPECT_DOUBLE_EQ(*m.responseTime.p50Hours, 5.0);
  EXPECT_DOUBLE_EQ(*m.responseTime.p90Hours, 9.0);
}

TEST(EscalationRateTest, CountsTicketsTheOperatorStepedInto) {
  Order o;
  Ticket escalated = ticket("not_received", "escalated");
  escalated.escalatedAt = escalated.openedAt + 3 * kDay;
  o.tickets = {escalated, ticket("question", "open"), ticket("other", "open")};
  expectRatio(rateOf({o}, MetricId::kEscalationRate), 1, 3);
}

TEST(SpontaneousRefundRateTest, CountsRefundsWithoutTicketUpTo14DaysAfterDelivery) {
  auto delivered = [](Timestamp refundAfterDelivery, std::optional<std::int64_t> ticketId) {
    Order o;
    o.orderedAt = kNow - 40 * kDay;
    o.deliveredAt = kNow - 30 * kDay;
    Refund r;
    r.ticketId = ticketId;
    r.createdAt = *o.deliveredAt + refundAfterDelivery;
    o.refunds = {r};
    return o;
  };
  Order undelivered;
  undelivered.refunds = {Refund()};
  expectRatio(rateOf({delivered(14 * kDay, std::nullopt)}, MetricId::kSpontaneousRefundRate), 1, 1);
  expectRatio(rateOf({delivered(14 * kDay + 1, std::nullopt)}, MetricId::kSpontaneousRefundRate), 0,
              1);
  expectRatio(rateOf({delivered(kDay, 55), undelivered}, MetricId::kSpontaneousRefundRate), 0, 1);
}

TEST(ReturnResolved15dRateTest, AppliesTheFifteenDayBoundaryAndResolutions) {
  auto request = [](Timestamp requestedAgo, std::optional<Timestamp> resolveAfter,
                    std::optional<std::string> resolution) {
    ReturnRequest r;
    r.requestedAt = kNow - requestedAgo;
    if (resolveAfter) r.resolvedAt = r.requestedAt + *resolveAfter;
    r.resolution = std::move(resolution);
    return r;
  };
  Order o;
  o.orderedAt = kNow - 50 * kDay;
  o.returns = {
      request(30 * kDay, 15 * kDay, std::string("refund")),           // good
      request(30 * kDay, 15 * kDay + 1, std::string("replacement")),  // too slow
      request(30 * kDay, kDay, std::string("rejected")),              // rejected
      request(15 * kDay, std::nullopt, std::nullopt),                 // not yet due
      request(15 * kDay + 1, std::nullopt, std::nullopt),             // overdue
      request(2 * kDay, kDay, std::string("replacement")),            // good
  };
  expectRatio(rateOf({o}, MetricId::kReturnResolved15dRate), 2, 5);
}

TEST(RatingAverageTest, ShrinksTowardThePrior) {
  Order o;
  o.ratings = {5, 5, 4, 1};
  const MetricSet m = computeMetrics(testing::tallyAll({o}), Rules());
  const MetricValue& avg = m.at(MetricId::kRatingAverage);
  EXPECT_EQ(avg.numerator, 15);
  EXPECT_EQ(avg.denominator, 4);
  // (15 + 7 x 3.5) / (4 + 7) = 39.5 / 11.
  EXPECT_DOUBLE_EQ(*avg.value, 39.5 / 11);
  EXPECT_FALSE(avg.wilson.has_value());
}

TEST(RatingAverageTest, NoRatingsMeansNoValue) {
  const MetricSet m = computeMetrics(testing::tallyAll({Order()}), Rules());
  EXPECT_FALSE(m.at(MetricId::kRatingAverage).value.has_value());
}

TEST(ProductClaimsTest, CountsClaimsByTicketProductOrOrderProduct) {
  Order o;
  o.productId = 100;
  Ticket other = ticket("damaged", "withdrawn");
  other.productId = 200;
  o.tickets = {other, ticket("defective", "open"), ticket("question", "open")};
  const SellerTally t = testing::tallyAll({o, o});
  EXPECT_EQ(t.productClaims.at(100), 2);
  EXPECT_EQ(t.productClaims.at(200), 2);
  EXPECT_EQ(t.productClaims.size(), 2u);
}

}  // namespace
}  // namespace sellertrust

namespace sellertrust::source {
namespace {

TEST(DefinitionTest, EveryTallyIsDefinedOnAKnownTable) {
  std::set<TallyId> defined;
  for (const TallyDef& t : tallies()) {
    defined.insert(t.id);
    EXPECT_NO_THROW(table(t.table)) << tallyName(t.id);
  }
  EXPECT_EQ(defined.size(), kTallyCount);
}

TEST(DefinitionTest, EveryCheckedColumnIsOneOfItsTable) {
  for (const TableDef& t : tables()) {
    for (const RowCheck& check : t.checks) {
      if (check.kind == CheckKind::kCondition) continue;
      bool found = false;
      for (const ColumnDef& c : t.columns) found = found || c.name == check.column;
      EXPECT_TRUE(found) << t.name << "." << check.column;
    }
  }
}

}  // namespace
}  // namespace sellertrust::source
