// Each SPEC §2 definition with its boundaries, worked out by hand.
#include "sellertrust/metrics.h"

#include <gtest/gtest.h>

#include "builders.h"

namespace sellertrust {
namespace {

using testing::kDay;
using testing::kHour;
using testing::kNow;
using testing::order;
using testing::rateOf;
using testing::rating;
using testing::ticket;

void expectRatio(const Ratio& r, std::int64_t numerator, std::int64_t denominator) {
  EXPECT_EQ(r.numerator, numerator);
  EXPECT_EQ(r.denominator, denominator);
}

TEST(WindowTest, EndsLagDaysBeforeNowAndIncludesBothEnds) {
  Rules rules;
  rules.windowDays = 60;
  rules.lagDays = 2;
  const Window w = windowAt(kNow, rules);
  EXPECT_EQ(w.end, kNow - 2 * kDay);
  EXPECT_EQ(w.begin, kNow - 62 * kDay);
  EXPECT_TRUE(w.contains(w.begin));
  EXPECT_TRUE(w.contains(w.end));
  EXPECT_FALSE(w.contains(w.begin - 1));
  EXPECT_FALSE(w.contains(w.end + 1));
}

TEST(OrderDefectRateTest, CountsAnOrderOnceWhateverItsDefects) {
  Order several = order(1);
  several.ratings = {rating(1, 1), rating(2, 2)};
  several.tickets = {ticket(TicketKind::kDamaged)};
  Chargeback cb;
  cb.liability = Liability::kService;
  several.chargebacks = {cb};
  expectRatio(rateOf({several}, MetricId::kOrderDefectRate), 1, 1);
}

TEST(OrderDefectRateTest, AppliesEachDefectDefinition) {
  Order lowRating = order(1);
  lowRating.ratings = {rating(2)};
  Order threeStars = order(2);
  threeStars.ratings = {rating(3)};
  Order excludedClaims = order(3);
  excludedClaims.tickets = {ticket(TicketKind::kDamaged, TicketStatus::kWithdrawn, 1),
                            ticket(TicketKind::kDefective, TicketStatus::kRefused, 2),
                            ticket(TicketKind::kWrongItem, TicketStatus::kGrantedOperatorFunded, 3),
                            ticket(TicketKind::kQuestion, TicketStatus::kOpen, 4)};
  Order fraudChargeback = order(4);
  Chargeback fraud;
  fraud.liability = Liability::kFraud;
  fraudChargeback.chargebacks = {fraud};
  Order serviceChargeback = order(5);
  Chargeback service;
  service.liability = Liability::kService;
  serviceChargeback.chargebacks = {service};
  Order cancelledWithClaim = order(6);
  cancelledWithClaim.cancelledAt = kNow - kDay;
  cancelledWithClaim.cancelledBy = CancelledBy::kBuyer;
  cancelledWithClaim.tickets = {
      ticket(TicketKind::kNotReceived, TicketStatus::kGrantedSellerFunded)};
  // Defects: 1 (2 stars), 5 (service chargeback), 6 (claim; cancelled orders count).
  expectRatio(rateOf({lowRating, threeStars, excludedClaims, fraudChargeback, serviceChargeback,
                      cancelledWithClaim},
                     MetricId::kOrderDefectRate),
              3, 6);
}

TEST(OrderDefectRateTest, ClaimMovingToWithdrawnStopsBeingADefect) {
  Order o = order();
  o.tickets = {ticket(TicketKind::kNotAsDescribed, TicketStatus::kUnderReview)};
  expectRatio(rateOf({o}, MetricId::kOrderDefectRate), 1, 1);
  o.tickets[0].status = TicketStatus::kWithdrawn;
  expectRatio(rateOf({o}, MetricId::kOrderDefectRate), 0, 1);
  // A claim rate counts claims in any status.
  expectRatio(rateOf({o}, MetricId::kClaimRate), 1, 1);
}

TEST(ClaimRateTest, CountsNotCancelledOrdersWithAClaim) {
  Order claim = order(1);
  claim.tickets = {ticket(TicketKind::kLateDelivery, TicketStatus::kRefused, 1),
                   ticket(TicketKind::kDamaged, TicketStatus::kOpen, 2)};
  Order question = order(2);
  question.tickets = {ticket(TicketKind::kQuestion), ticket(TicketKind::kOther)};
  Order cancelled = order(3);
  cancelled.cancelledAt = kNow - kDay;
  cancelled.cancelledBy = CancelledBy::kSeller;
  cancelled.tickets = {ticket(TicketKind::kDamaged)};
  Order plain = order(4);
  expectRatio(rateOf({claim, question, cancelled, plain}, MetricId::kClaimRate), 1, 3);
}

TEST(LateShipmentRateTest, ShippingExactlyAtTheDeadlineIsOnTime) {
  Order onTime = order(1);
  onTime.shipByAt = kNow - 5 * kDay;
  onTime.shippedAt = *onTime.shipByAt;
  Order late = order(2);
  late.shipByAt = kNow - 5 * kDay;
  late.shippedAt = *late.shipByAt + 1;
  expectRatio(rateOf({onTime}, MetricId::kLateShipmentRate), 0, 1);
  expectRatio(rateOf({late}, MetricId::kLateShipmentRate), 1, 1);
}

TEST(LateShipmentRateTest, UnshippedCountsLateOnlyAfterTheDeadline) {
  Order dueNow = order(1);
  dueNow.shipByAt = kNow;
  Order overdue = order(2);
  overdue.shipByAt = kNow - 1;
  expectRatio(rateOf({dueNow}, MetricId::kLateShipmentRate), 0, 1);
  expectRatio(rateOf({overdue}, MetricId::kLateShipmentRate), 1, 1);
}

TEST(LateShipmentRateTest, ExcludesOperatorFulfilledCancelledAndUndated) {
  Order byOperator = order(1);
  byOperator.fulfilledBy = FulfilledBy::kOperator;
  byOperator.shipByAt = kNow - 5 * kDay;
  Order cancelled = order(2);
  cancelled.shipByAt = kNow - 5 * kDay;
  cancelled.cancelledAt = kNow - 6 * kDay;
  cancelled.cancelledBy = CancelledBy::kBuyer;
  Order undated = order(3);
  expectRatio(rateOf({byOperator, cancelled, undated}, MetricId::kLateShipmentRate), 0, 0);
}

TEST(LateDeliveryRateTest, DeliveredAfterThePromiseIsLate) {
  Order onTime = order(1);
  onTime.promisedAt = kNow - 5 * kDay;
  onTime.deliveredAt = *onTime.promisedAt;
  Order late = order(2);
  late.promisedAt = kNow - 5 * kDay;
  late.deliveredAt = *late.promisedAt + 1;
  expectRatio(rateOf({onTime, late}, MetricId::kLateDeliveryRate), 1, 2);
}

TEST(LateDeliveryRateTest, UndeliveredIsLateOnlyMoreThanThreeDaysPastThePromise) {
  Order exactlyThreeDays = order(1);
  exactlyThreeDays.promisedAt = kNow - 3 * kDay;
  Order pastThreeDays = order(2);
  pastThreeDays.promisedAt = kNow - 3 * kDay - 1;
  Order notYetDue = order(3);
  notYetDue.promisedAt = kNow + kDay;
  expectRatio(rateOf({exactlyThreeDays}, MetricId::kLateDeliveryRate), 0, 1);
  expectRatio(rateOf({pastThreeDays}, MetricId::kLateDeliveryRate), 1, 1);
  expectRatio(rateOf({notYetDue}, MetricId::kLateDeliveryRate), 0, 1);
}

TEST(LateDeliveryRateTest, ExcludesOperatorFulfilledAndCancelled) {
  Order byOperator = order(1);
  byOperator.fulfilledBy = FulfilledBy::kOperator;
  byOperator.promisedAt = kNow - 9 * kDay;
  Order cancelled = order(2);
  cancelled.promisedAt = kNow - 9 * kDay;
  cancelled.cancelledAt = kNow - 9 * kDay;
  cancelled.cancelledBy = CancelledBy::kOperator;
  expectRatio(rateOf({byOperator, cancelled}, MetricId::kLateDeliveryRate), 0, 0);
}

TEST(SellerCancelRateTest, CountsSellerCancellationsOverAllOrders) {
  Order bySeller = order(1);
  bySeller.cancelledAt = kNow - kDay;
  bySeller.cancelledBy = CancelledBy::kSeller;
  Order byBuyer = order(2);
  byBuyer.cancelledAt = kNow - kDay;
  byBuyer.cancelledBy = CancelledBy::kBuyer;
  expectRatio(rateOf({bySeller, byBuyer, order(3), order(4)}, MetricId::kSellerCancelRate), 1, 4);
}

TEST(ValidTrackingRateTest, CountsSellerFulfilledShippedOrders) {
  auto shipped = [](std::int64_t id, std::optional<bool> valid) {
    Order o = order(id);
    o.shippedAt = kNow - 8 * kDay;
    o.trackingValid = valid;
    return o;
  };
  Order byOperator = shipped(4, true);
  byOperator.fulfilledBy = FulfilledBy::kOperator;
  Order unshipped = order(5);
  unshipped.trackingValid = true;
  // A NULL tracking_valid is not "true".
  expectRatio(
      rateOf({shipped(1, true), shipped(2, false), shipped(3, std::nullopt), byOperator, unshipped},
             MetricId::kValidTrackingRate),
      1, 3);
}

TEST(ResponseWithin48hRateTest, AnsweringExactlyAt48hIsWithin) {
  Order o = order();
  Ticket atLimit = ticket(TicketKind::kQuestion, TicketStatus::kResolved, 1);
  atLimit.firstSellerResponseAt = atLimit.openedAt + 48 * kHour;
  Ticket pastLimit = ticket(TicketKind::kDamaged, TicketStatus::kOpen, 2);
  pastLimit.firstSellerResponseAt = pastLimit.openedAt + 48 * kHour + 1;
  o.tickets = {atLimit, pastLimit};
  expectRatio(rateOf({o}, MetricId::kResponseWithin48hRate), 1, 2);
}

TEST(ResponseWithin48hRateTest, UnansweredCountsOnlyOnceOlderThan48h) {
  Order o = order();
  Ticket exactly48h = ticket(TicketKind::kOther, TicketStatus::kOpen, 1);
  exactly48h.openedAt = kNow - 48 * kHour;
  Ticket older = ticket(TicketKind::kOther, TicketStatus::kOpen, 2);
  older.openedAt = kNow - 48 * kHour - 1;
  o.tickets = {exactly48h, older};
  expectRatio(rateOf({o}, MetricId::kResponseWithin48hRate), 0, 1);
}

TEST(ResponseTimeTest, ReportsNearestRankPercentilesInHours) {
  Order o = order();
  for (int h = 1; h <= 10; ++h) {
    Ticket t = ticket(TicketKind::kQuestion, TicketStatus::kResolved, h);
    t.firstSellerResponseAt = t.openedAt + h * kHour;
    o.tickets.push_back(t);
  }
  const MetricSet m = computeMetrics(testing::tallyAll({o}), Rules());
  EXPECT_EQ(m.responseTime.answered, 10);
  // Ranks ceil(0.5 x 10) = 5 and ceil(0.9 x 10) = 9.
  EXPECT_DOUBLE_EQ(*m.responseTime.p50Hours, 5.0);
  EXPECT_DOUBLE_EQ(*m.responseTime.p90Hours, 9.0);
}

TEST(ResponseTimeTest, NearestRankOnSmallHistograms) {
  EXPECT_FALSE(nearestRank({}, 0.5).has_value());
  EXPECT_EQ(nearestRank({{30, 1}}, 0.9), 30);
  // Three values: rank ceil(1.5) = 2 and ceil(2.7) = 3.
  EXPECT_EQ(nearestRank({{10, 1}, {20, 1}, {40, 1}}, 0.5), 20);
  EXPECT_EQ(nearestRank({{10, 1}, {20, 1}, {40, 1}}, 0.9), 40);
  // Grouped counts: 4 x 10 s and 1 x 99 s; rank ceil(4.5) = 5.
  EXPECT_EQ(nearestRank({{10, 4}, {99, 1}}, 0.9), 99);
}

TEST(EscalationRateTest, CountsTicketsTheOperatorStepedInto) {
  Order o = order();
  Ticket escalated = ticket(TicketKind::kNotReceived, TicketStatus::kEscalated, 1);
  escalated.escalatedAt = escalated.openedAt + 3 * kDay;
  o.tickets = {escalated, ticket(TicketKind::kQuestion, TicketStatus::kOpen, 2),
               ticket(TicketKind::kOther, TicketStatus::kOpen, 3)};
  expectRatio(rateOf({o}, MetricId::kEscalationRate), 1, 3);
}

TEST(SpontaneousRefundRateTest, CountsRefundsWithoutTicketUpTo14DaysAfterDelivery) {
  auto delivered = [](std::int64_t id, Timestamp refundAfterDelivery,
                      std::optional<std::int64_t> ticketId) {
    Order o = order(id);
    o.orderedAt = kNow - 40 * kDay;
    o.deliveredAt = kNow - 30 * kDay;
    Refund r;
    r.ticketId = ticketId;
    r.createdAt = *o.deliveredAt + refundAfterDelivery;
    o.refunds = {r};
    return o;
  };
  Order undelivered = order(4);
  undelivered.refunds = {Refund()};
  expectRatio(rateOf({delivered(1, 14 * kDay, std::nullopt)}, MetricId::kSpontaneousRefundRate), 1,
              1);
  expectRatio(rateOf({delivered(2, 14 * kDay + 1, std::nullopt)}, MetricId::kSpontaneousRefundRate),
              0, 1);
  expectRatio(rateOf({delivered(3, kDay, 55), undelivered}, MetricId::kSpontaneousRefundRate), 0,
              1);
}

TEST(ReturnResolved15dRateTest, AppliesTheFifteenDayBoundaryAndResolutions) {
  auto request = [](std::int64_t id, Timestamp requestedAgo, std::optional<Timestamp> resolveAfter,
                    std::optional<ReturnResolution> resolution) {
    ReturnRequest r;
    r.returnId = id;
    r.requestedAt = kNow - requestedAgo;
    if (resolveAfter) r.resolvedAt = r.requestedAt + *resolveAfter;
    r.resolution = resolution;
    return r;
  };
  Order o = order();
  o.orderedAt = kNow - 50 * kDay;
  o.returns = {
      request(1, 30 * kDay, 15 * kDay, ReturnResolution::kRefund),           // good
      request(2, 30 * kDay, 15 * kDay + 1, ReturnResolution::kReplacement),  // too slow
      request(3, 30 * kDay, kDay, ReturnResolution::kRejected),              // rejected
      request(4, 15 * kDay, std::nullopt, std::nullopt),                     // not yet due
      request(5, 15 * kDay + 1, std::nullopt, std::nullopt),                 // overdue
      request(6, 2 * kDay, kDay, ReturnResolution::kReplacement),            // good
  };
  expectRatio(rateOf({o}, MetricId::kReturnResolved15dRate), 2, 5);
}

TEST(RatingAverageTest, ShrinksTowardThePrior) {
  Order o = order();
  o.ratings = {rating(5, 1), rating(5, 2), rating(4, 3), rating(1, 4)};
  const MetricSet m = computeMetrics(testing::tallyAll({o}), Rules());
  const MetricValue& avg = m.at(MetricId::kRatingAverage);
  EXPECT_EQ(avg.numerator, 15);
  EXPECT_EQ(avg.denominator, 4);
  // (15 + 7 x 3.5) / (4 + 7) = 39.5 / 11.
  EXPECT_DOUBLE_EQ(*avg.value, 39.5 / 11);
  EXPECT_FALSE(avg.wilson.has_value());
}

TEST(RatingAverageTest, NoRatingsMeansNoValue) {
  const MetricSet m = computeMetrics(testing::tallyAll({order()}), Rules());
  EXPECT_FALSE(m.at(MetricId::kRatingAverage).value.has_value());
}

TEST(WilsonTest, MatchesHandComputedBounds) {
  const double z = Rules().wilsonZ;
  const Interval small = wilsonInterval(1, 3, z);
  EXPECT_NEAR(small.lower, 0.0614919447, 1e-9);
  EXPECT_NEAR(small.upper, 0.7923403992, 1e-9);
  const Interval large = wilsonInterval(1000, 3000, z);
  EXPECT_NEAR(large.lower, 0.3166872330, 1e-9);
  EXPECT_NEAR(large.upper, 0.3504057166, 1e-9);
  const Interval none = wilsonInterval(0, 10, z);
  EXPECT_EQ(none.lower, 0.0);
  EXPECT_NEAR(none.upper, 0.2775327999, 1e-9);
  const Interval all = wilsonInterval(100, 100, z);
  EXPECT_NEAR(all.lower, 0.9630065018, 1e-9);
  EXPECT_EQ(all.upper, 1.0);
}

TEST(ComputeMetricsTest, ReportsValueNumeratorDenominatorAndInterval) {
  SellerTally t;
  t.orders = 3;
  t.rate(MetricId::kOrderDefectRate) = {1, 3};
  const MetricSet m = computeMetrics(t, Rules());
  const MetricValue& odr = m.at(MetricId::kOrderDefectRate);
  EXPECT_EQ(m.orders, 3);
  EXPECT_DOUBLE_EQ(*odr.value, 1.0 / 3);
  EXPECT_EQ(odr.numerator, 1);
  EXPECT_EQ(odr.denominator, 3);
  EXPECT_NEAR(odr.wilson->lower, 0.0614919447, 1e-9);
  const MetricValue& claims = m.at(MetricId::kClaimRate);
  EXPECT_FALSE(claims.value.has_value());
  EXPECT_FALSE(claims.wilson.has_value());
}

TEST(ProductClaimsTest, CountsClaimsByTicketProductOrOrderProduct) {
  Order o = order();
  o.productId = 100;
  Ticket other = ticket(TicketKind::kDamaged, TicketStatus::kWithdrawn, 1);
  other.productId = 200;
  o.tickets = {other, ticket(TicketKind::kDefective, TicketStatus::kOpen, 2),
               ticket(TicketKind::kQuestion, TicketStatus::kOpen, 3)};
  const SellerTally t = testing::tallyAll({o, o});
  EXPECT_EQ(t.productClaims.at(100), 2);
  EXPECT_EQ(t.productClaims.at(200), 2);
  EXPECT_EQ(t.productClaims.size(), 2u);
}

}  // namespace
}  // namespace sellertrust
