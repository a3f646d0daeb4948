// The ticket statuses of SPEC §1 as the ladder reads them.
#include "sellertrust/records.h"

#include <gtest/gtest.h>

namespace sellertrust {
namespace {

TEST(RecordsTest, ParsesEveryTicketStatusByItsSpecName) {
  ASSERT_EQ(ticketStatusNames().size(), 9u);
  for (const std::string& name : ticketStatusNames()) {
    const std::optional<TicketStatus> status = parseTicketStatus(name);
    ASSERT_TRUE(status.has_value()) << name;
    EXPECT_EQ(toString(*status), name);
  }
  EXPECT_EQ(parseTicketStatus("under_review"), TicketStatus::kUnderReview);
  EXPECT_STREQ(toString(TicketStatus::kGrantedOperatorFunded), "granted_operator_funded");
}

TEST(RecordsTest, RejectsNamesThatAreNotExactlySpecValues) {
  EXPECT_FALSE(parseTicketStatus("Open").has_value());
  EXPECT_FALSE(parseTicketStatus("open ").has_value());
  EXPECT_FALSE(parseTicketStatus("awaiting_buyer").has_value());
  EXPECT_FALSE(parseTicketStatus("").has_value());
}

TEST(RecordsTest, OnlyWithdrawnAndRefusedClaimsStayOffTheLadder) {
  for (const std::string& name : ticketStatusNames()) {
    const TicketStatus status = *parseTicketStatus(name);
    EXPECT_EQ(claimCountsForLadder(status), name != "withdrawn" && name != "refused") << name;
  }
}

}  // namespace
}  // namespace sellertrust
