#include "sellertrust/records.h"

#include <gtest/gtest.h>

#include "builders.h"

namespace sellertrust {
namespace {

using testing::kDay;
using testing::kNow;

TEST(RecordsTest, ParsesEveryEnumName) {
  EXPECT_EQ(parseCancelledBy("seller"), CancelledBy::kSeller);
  EXPECT_EQ(parseFulfilledBy("operator"), FulfilledBy::kOperator);
  EXPECT_EQ(parseTicketKind("not_as_described"), TicketKind::kNotAsDescribed);
  EXPECT_EQ(parseTicketStatus("granted_operator_funded"), TicketStatus::kGrantedOperatorFunded);
  EXPECT_EQ(parseReturnResolution("replacement"), ReturnResolution::kReplacement);
  EXPECT_EQ(parseLiability("service"), Liability::kService);
  EXPECT_TRUE(isRefundMethod("promo_code"));
  EXPECT_TRUE(isRefundKind("partial"));
  EXPECT_TRUE(isRefundReason("price_match"));
  EXPECT_STREQ(toString(TicketStatus::kUnderReview), "under_review");
  EXPECT_STREQ(toString(TicketKind::kWrongItem), "wrong_item");
}

TEST(RecordsTest, RejectsUnknownEnumNames) {
  EXPECT_FALSE(parseCancelledBy("Seller").has_value());
  EXPECT_FALSE(parseTicketKind("fraud").has_value());
  EXPECT_FALSE(parseTicketStatus("").has_value());
  EXPECT_FALSE(parseLiability("merchant").has_value());
  EXPECT_FALSE(isRefundMethod("cash"));
  EXPECT_FALSE(isRefundKind("half"));
  EXPECT_FALSE(isRefundReason("because"));
}

TEST(RecordsTest, ClaimsExcludeQuestionsAndOther) {
  EXPECT_TRUE(isClaim(TicketKind::kAuthenticity));
  EXPECT_TRUE(isClaim(TicketKind::kNotReceived));
  EXPECT_FALSE(isClaim(TicketKind::kQuestion));
  EXPECT_FALSE(isClaim(TicketKind::kOther));
}

TEST(RecordsTest, DefectStatusesExcludeWithdrawnRefusedAndOperatorFunded) {
  EXPECT_TRUE(claimCountsAsDefect(TicketStatus::kOpen));
  EXPECT_TRUE(claimCountsAsDefect(TicketStatus::kGrantedSellerFunded));
  EXPECT_FALSE(claimCountsAsDefect(TicketStatus::kWithdrawn));
  EXPECT_FALSE(claimCountsAsDefect(TicketStatus::kRefused));
  EXPECT_FALSE(claimCountsAsDefect(TicketStatus::kGrantedOperatorFunded));
  EXPECT_TRUE(claimCountsForLadder(TicketStatus::kGrantedOperatorFunded));
  EXPECT_FALSE(claimCountsForLadder(TicketStatus::kWithdrawn));
}

TEST(RecordsTest, SkipsOrderDeliveredBeforeItWasPlaced) {
  Order o = testing::order(42);
  o.deliveredAt = o.orderedAt - 1;
  std::vector<RowProblem> problems;
  EXPECT_FALSE(sanitizeOrder(o, &problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].table, "orders");
  EXPECT_EQ(problems[0].key, 42);
  EXPECT_EQ(problems[0].problem, "delivered_at is before ordered_at");
}

TEST(RecordsTest, SkipsCancellationWithoutTime) {
  Order o = testing::order();
  o.cancelledBy = CancelledBy::kSeller;
  std::vector<RowProblem> problems;
  EXPECT_FALSE(sanitizeOrder(o, &problems));
  EXPECT_EQ(problems.at(0).problem, "cancelled_by is set but cancelled_at is NULL");
}

TEST(RecordsTest, DropsImpossibleChildRowsAndKeepsTheOrder) {
  Order o = testing::order();
  o.ratings = {testing::rating(6, 1), testing::rating(5, 2), testing::rating(0, 3)};
  Ticket bad = testing::ticket(TicketKind::kDamaged, TicketStatus::kOpen, 9);
  bad.firstSellerResponseAt = bad.openedAt - 1;
  o.tickets = {bad, testing::ticket(TicketKind::kDamaged, TicketStatus::kOpen, 10)};
  ReturnRequest r;
  r.returnId = 5;
  r.requestedAt = kNow - kDay;
  r.resolvedAt = kNow;  // resolved, but no resolution
  o.returns = {r};
  std::vector<RowProblem> problems;
  EXPECT_TRUE(sanitizeOrder(o, &problems));
  ASSERT_EQ(o.ratings.size(), 1u);
  EXPECT_EQ(o.ratings[0].ratingId, 2);
  ASSERT_EQ(o.tickets.size(), 1u);
  EXPECT_EQ(o.tickets[0].ticketId, 10);
  EXPECT_TRUE(o.returns.empty());
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].table, "tickets");
  EXPECT_EQ(problems[0].key, 9);
  EXPECT_EQ(problems[1].table, "return_requests");
  EXPECT_EQ(problems[2].table, "ratings");
  EXPECT_EQ(problems[2].key, 1);
  EXPECT_EQ(problems[3].key, 3);
}

TEST(RecordsTest, AcceptsConsistentOrder) {
  Order o = testing::order();
  o.shippedAt = o.orderedAt + kDay;
  o.deliveredAt = o.orderedAt + 3 * kDay;
  std::vector<RowProblem> problems;
  EXPECT_TRUE(sanitizeOrder(o, &problems));
  EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace sellertrust
