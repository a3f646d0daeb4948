#include "sellertrust/warnings.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sellertrust {
namespace {

const Timestamp kNow = *parseUtc("2026-03-01 12:00:00");
constexpr Timestamp kDay = kSecondsPerDay;

// n orders, every rate perfect, and `odrDefects` defective orders.
SellerTally seller(std::int64_t n, std::int64_t odrDefects = 0) {
  SellerTally t;
  t[TallyId::kOrders] = n;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    if (id != MetricId::kRatingAverage) t.setRate(id, higherIsBetter(id) ? n : 0, n);
  }
  t.setNumerator(MetricId::kOrderDefectRate, odrDefects);
  return t;
}

std::vector<std::string> codes(const std::vector<Firing>& firings) {
  std::vector<std::string> out;
  out.reserve(firings.size());
  for (const Firing& f : firings) out.push_back(f.code.str());
  return out;
}

std::vector<Firing> fire(const SellerTally& t, const Rules& rules = Rules()) {
  return metricFirings(7, computeMetrics(t, rules), t, rules);
}

const Evidence& evidence(const Firing& f, const std::string& name) {
  auto it = std::find_if(f.evidence.begin(), f.evidence.end(),
                         [&](const Evidence& e) { return e.name == name; });
  EXPECT_NE(it, f.evidence.end()) << name;
  return *it;
}

TEST(MetricFiringsTest, OrderDefectRateWarningAndAccountReview) {
  // Wilson lower bounds: 10/1000 -> 0.54 %, 20/1000 -> 1.30 %, 50/1000 -> 3.81 %.
  EXPECT_TRUE(fire(seller(1000, 10)).empty());
  EXPECT_EQ(codes(fire(seller(1000, 20))),
            std::vector<std::string>{"order_defect_rate_above_target"});
  const std::vector<Firing> high = fire(seller(1000, 50));
  ASSERT_EQ(codes(high),
            (std::vector<std::string>{"order_defect_rate_above_target", "account_review"}));
  EXPECT_EQ(high[0].severity, Severity::kWarning);
  EXPECT_EQ(high[1].severity, Severity::kCritical);
  EXPECT_EQ(high[1].action, "suspend_seller");
  EXPECT_EQ(evidence(high[1], "numerator").value, 50);
  EXPECT_EQ(evidence(high[1], "denominator").value, 1000);
  EXPECT_NEAR(evidence(high[1], "judged").value, 0.0381302624, 1e-9);
  EXPECT_EQ(evidence(high[1], "threshold").value, 0.02);
}

TEST(MetricFiringsTest, EachOtherMetricMissingItsTarget) {
  SellerTally t = seller(1000);
  t.setNumerator(MetricId::kClaimRate, 100);
  t.setNumerator(MetricId::kValidTrackingRate, 800);
  t.setNumerator(MetricId::kResponseWithin48hRate, 500);
  t.setNumerator(MetricId::kReturnResolved15dRate, 900);
  t[TallyId::kRatings] = 100;
  t[TallyId::kStarSum] = 300;
  const std::vector<Firing> f = fire(t);
  EXPECT_EQ(codes(f),
            (std::vector<std::string>{"claim_rate_off_target", "valid_tracking_rate_off_target",
                                      "slow_responses", "return_resolved_15d_rate_off_target",
                                      "rating_average_off_target"}));
  EXPECT_EQ(f[0].severity, Severity::kInfo);
  EXPECT_EQ(f[2].severity, Severity::kWarning);
  EXPECT_EQ(f[2].action, "warn_seller");
}

TEST(MetricFiringsTest, ATargetMetExactlyDoesNotFire) {
  SellerTally t = seller(100);
  t[TallyId::kRatings] = 93;   // (93 x 4.6 + 24.5) / 100 would be needed; use exact 4.5:
  t[TallyId::kStarSum] = 425;  // (425 + 24.5) / 100 = 4.495 < 4.5: fires
  EXPECT_EQ(codes(fire(t)), std::vector<std::string>{"rating_average_off_target"});
  t[TallyId::kStarSum] = 426;  // (426 + 24.5) / 100 = 4.505: on target
  EXPECT_TRUE(fire(t).empty());
}

// With the prior of 7 x 3.5, 10 ratings of 4.9 stars on average (49 stars)
// give (49 + 24.5) / 17 = 4.32: off target, but on too few ratings to warn.
TEST(MetricFiringsTest, RatingAverageWaitsForTheMinimumOfRatings) {
  SellerTally t = seller(100);
  t[TallyId::kRatings] = 10;
  t[TallyId::kStarSum] = 49;
  EXPECT_TRUE(fire(t).empty());
  t[TallyId::kRatings] = 19;  // 19 x 2 stars: (38 + 24.5) / 26 = 2.40, still too few
  t[TallyId::kStarSum] = 38;
  EXPECT_TRUE(fire(t).empty());
  t[TallyId::kRatings] = 20;  // 20 x 2 stars: (40 + 24.5) / 27 = 2.39, enough ratings
  t[TallyId::kStarSum] = 40;
  EXPECT_EQ(codes(fire(t)), std::vector<std::string>{"rating_average_off_target"});
  Rules rules;
  rules.ratingWarningMinRatings = 21;
  EXPECT_TRUE(fire(t, rules).empty());
  // The score is not waiting: the 3 points are lost either way.
}

TEST(MetricFiringsTest, SellerRateWarningsWaitForMinimumVolume) {
  SellerTally t = seller(9, 9);
  t.productClaims[55] = 3;
  t.productClaims[56] = 2;
  const std::vector<Firing> f = fire(t);
  ASSERT_EQ(codes(f), std::vector<std::string>{"product_complaints"});
  EXPECT_EQ(f[0].productId, 55);
  EXPECT_EQ(evidence(f[0], "claims").value, 3);
  t[TallyId::kOrders] = 10;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const TallyId denominator = metricTallies(static_cast<MetricId>(i)).denominator;
    t[denominator] = std::max<std::int64_t>(t[denominator], 10);
  }
  EXPECT_EQ(codes(fire(t))[0], "order_defect_rate_above_target");
}

AuthenticityClaim claim(std::int64_t ticketId, Timestamp openedAt,
                        TicketStatus status = TicketStatus::kOpen, std::int64_t productId = 100) {
  AuthenticityClaim c;
  c.ticketId = ticketId;
  c.sellerId = 7;
  c.productId = productId;
  c.openedAt = openedAt;
  c.status = status;
  return c;
}

TEST(LadderTest, FirstClaimDelistsForSevenDaysInclusive) {
  const Timestamp t0 = kNow - 7 * kDay;
  std::vector<ProductLadder> l = evaluateLadder({claim(1, t0)}, kNow, Rules());
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].step, LadderStep::kDelist);
  EXPECT_TRUE(l[0].delistActive);
  EXPECT_EQ(l[0].delistUntil, kNow);
  EXPECT_EQ(codes(ladderFirings(l)), std::vector<std::string>{"product_delist"});
  EXPECT_EQ(ladderFirings(l)[0].action, "delist_product");

  l = evaluateLadder({claim(1, t0 - 1)}, kNow, Rules());
  EXPECT_EQ(l[0].step, LadderStep::kDelist);
  EXPECT_FALSE(l[0].delistActive);
  EXPECT_TRUE(ladderFirings(l).empty());
}

TEST(LadderTest, SecondClaimWithin180DaysRemovesAndWarnsTheSeller) {
  const Timestamp t0 = kNow - 200 * kDay;
  const auto l = evaluateLadder({claim(2, t0 + 180 * kDay), claim(1, t0)}, kNow, Rules());
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].step, LadderStep::kRemove);
  EXPECT_EQ(l[0].countedClaims, 2);
  EXPECT_EQ(l[0].firstClaimAt, t0);
  EXPECT_EQ(l[0].secondClaimAt, t0 + 180 * kDay);
  const std::vector<Firing> f = ladderFirings(l);
  ASSERT_EQ(codes(f), (std::vector<std::string>{"product_remove", "authenticity_repeat"}));
  EXPECT_EQ(f[0].action, "remove_product");
  EXPECT_EQ(f[0].productId, 100);
  EXPECT_FALSE(f[1].productId.has_value());
  EXPECT_EQ(f[1].sellerId, 7);
}

TEST(LadderTest, ClaimAfterTheRepeatWindowStartsANewLadder) {
  const Timestamp t0 = kNow - 185 * kDay;
  const auto l = evaluateLadder({claim(1, t0), claim(2, t0 + 180 * kDay + 1)}, kNow, Rules());
  EXPECT_EQ(l[0].step, LadderStep::kDelist);
  EXPECT_EQ(l[0].firstClaimAt, t0 + 180 * kDay + 1);
  EXPECT_TRUE(l[0].delistActive);
  EXPECT_EQ(codes(ladderFirings(l)), std::vector<std::string>{"product_delist"});
}

TEST(LadderTest, WithdrawnAndRefusedClaimsDoNotClimb) {
  const Timestamp t0 = kNow - 3 * kDay;
  const auto l = evaluateLadder(
      {claim(1, t0 - kDay, TicketStatus::kWithdrawn), claim(2, t0, TicketStatus::kRefused),
       claim(3, t0 + kDay, TicketStatus::kGrantedOperatorFunded)},
      kNow, Rules());
  EXPECT_EQ(l[0].step, LadderStep::kDelist);
  EXPECT_EQ(l[0].countedClaims, 1);
  EXPECT_EQ(l[0].firstClaimAt, t0 + kDay);
}

TEST(LadderTest, BelongsToTheSellerOfTheClaimThatStartedIt) {
  AuthenticityClaim withdrawn = claim(1, kNow - 3 * kDay, TicketStatus::kWithdrawn);
  withdrawn.sellerId = 8;
  const auto l = evaluateLadder({withdrawn, claim(2, kNow - kDay)}, kNow, Rules());
  EXPECT_EQ(l[0].sellerId, 7);
  EXPECT_EQ(ladderFirings(l)[0].sellerId, 7);
}

TEST(LadderTest, ProductsClimbSeparately) {
  const auto l = evaluateLadder(
      {claim(1, kNow - kDay, TicketStatus::kOpen, 100), claim(2, kNow, TicketStatus::kOpen, 200)},
      kNow, Rules());
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].step, LadderStep::kDelist);
  EXPECT_EQ(l[1].step, LadderStep::kDelist);
  EXPECT_EQ(codes(ladderFirings(l)),
            (std::vector<std::string>{"product_delist", "product_delist"}));
}

TEST(LadderTest, IgnoresClaimsOpenedAfterNow) {
  const auto l = evaluateLadder({claim(1, kNow + 1)}, kNow, Rules());
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].step, LadderStep::kNone);
}

Firing firing(const std::string& code, double value, std::optional<std::int64_t> product = {}) {
  Firing f;
  f.code = code;
  f.sellerId = 7;
  f.productId = product;
  f.evidence = {{"value", value}};
  return f;
}

TEST(ReconcileTest, RaisesKeepsAndClears) {
  const Timestamp t1 = kNow - kDay;
  std::int64_t nextId = 41;
  WarningUpdate first = reconcileWarnings({}, {firing("a", 1), firing("b", 1, 100)}, t1, &nextId);
  ASSERT_EQ(first.raised.size(), 2u);
  EXPECT_TRUE(first.cleared.empty());
  EXPECT_EQ(first.active.size(), 2u);
  EXPECT_EQ(first.raised, (std::vector<std::int64_t>{41, 42}));
  EXPECT_EQ(first.active[1]->id, 42);
  EXPECT_EQ(nextId, 43);

  WarningUpdate second =
      reconcileWarnings(first.active, {firing("a", 2), firing("c", 1)}, kNow, &nextId);
  ASSERT_EQ(second.active.size(), 2u);
  EXPECT_EQ(second.active[0]->firing.code, "a");
  EXPECT_EQ(second.active[0]->id, 41);  // kept: id and raised time stay
  EXPECT_EQ(second.active[0]->raisedAt, t1);
  EXPECT_EQ(second.active[0]->updatedAt, kNow);
  EXPECT_EQ(second.active[0]->firing.evidence[0].value, 2);  // with fresh evidence
  EXPECT_EQ(second.changed, std::vector<std::int64_t>{41});
  EXPECT_EQ(second.raised, std::vector<std::int64_t>{43});
  EXPECT_EQ(second.active[1]->firing.code, "c");
  EXPECT_EQ(second.active[1]->id, 43);
  ASSERT_EQ(second.cleared.size(), 1u);
  EXPECT_EQ(second.cleared[0].firing.code, "b");
  EXPECT_EQ(second.cleared[0].clearedAt, kNow);
  EXPECT_EQ(second.cleared[0].raisedAt, t1);
  EXPECT_EQ(second.cleared[0].id, 42);
}

TEST(ReconcileTest, SameCodeOnAnotherProductIsAnotherWarning) {
  std::int64_t nextId = 1;
  WarningUpdate u = reconcileWarnings({}, {firing("p", 1, 1), firing("p", 1, 2)}, kNow, &nextId);
  EXPECT_EQ(u.active.size(), 2u);
  WarningUpdate v = reconcileWarnings(u.active, {firing("p", 1, 2)}, kNow + 1, &nextId);
  ASSERT_EQ(v.cleared.size(), 1u);
  EXPECT_EQ(v.cleared[0].firing.productId, 1);
}

TEST(ReconcileTest, UnchangedEvidenceKeepsUpdatedAtAndIsNoChange) {
  std::int64_t nextId = 1;
  WarningUpdate u = reconcileWarnings({}, {firing("a", 1)}, kNow, &nextId);
  WarningUpdate v = reconcileWarnings(u.active, {firing("a", 1)}, kNow + 60, &nextId);
  ASSERT_EQ(v.active.size(), 1u);
  EXPECT_EQ(v.active[0]->updatedAt, kNow);
  EXPECT_EQ(v.active[0], u.active[0]);  // the very same object, shared
  EXPECT_TRUE(v.changed.empty());
  EXPECT_TRUE(v.raised.empty());
  EXPECT_TRUE(v.cleared.empty());
}

TEST(ReconcileTest, IdsFollowFiringOrderAndARepeatedFiringCountsOnce) {
  std::int64_t nextId = 1;
  // "z" fires first, so it gets the lower id although "a" sorts first; the
  // second "z" of seller 1 is the same warning and is ignored.
  WarningUpdate u = reconcileWarnings(
      {}, {firing("z", 1), firing("a", 1), firing("z", 9), firing("b", 2)}, kNow, &nextId);
  ASSERT_EQ(u.active.size(), 3u);
  EXPECT_EQ(u.active[0]->firing.code, "z");
  EXPECT_EQ(u.active[0]->firing.evidence[0].value, 1);
  EXPECT_EQ(u.active[1]->firing.code, "a");
  EXPECT_EQ(u.active[2]->firing.code, "b");
  EXPECT_EQ(u.raised, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(nextId, 4);
}

TEST(SymbolTest, EqualTextsShareOneCopyAndCompareByValue) {
  const std::string built = std::string("order_defect_rate") + "_off_target";
  const Symbol a = built;
  const Symbol b = "order_defect_rate_off_target";
  EXPECT_EQ(a.view().data(), b.view().data());
  EXPECT_TRUE(a == b);
  EXPECT_TRUE(a == "order_defect_rate_off_target");
  EXPECT_TRUE(a != "order_defect_rate");
  EXPECT_TRUE(Symbol("a") < Symbol("b"));
  EXPECT_TRUE(Symbol().empty());
  EXPECT_TRUE(Symbol("") == Symbol());
  EXPECT_EQ(a.str(), built);
}

}  // namespace
}  // namespace sellertrust
