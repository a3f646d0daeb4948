// ActiveWarnings: the snapshot's warnings with their indexes and counts.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "jobs/snapshot.h"
#include "tests/api/api_snapshot.h"

namespace sellertrust {
namespace {

using api_fixture::warning;

std::vector<std::int64_t> ids(const std::vector<SharedWarning>& warnings) {
  std::vector<std::int64_t> out;
  out.reserve(warnings.size());
  for (const SharedWarning& w : warnings) out.push_back(w->id);
  return out;
}

std::vector<std::int64_t> ids(const ActiveWarnings& warnings) {
  return ids(std::vector<SharedWarning>(warnings.begin(), warnings.end()));
}

ActiveWarnings sample() {
  ActiveWarnings w;
  w.add(warning(9, "slow_responses", Severity::kWarning, 2));
  w.add(warning(3, "product_delist", Severity::kCritical, 1, 100));
  w.add(warning(5, "product_complaints", Severity::kWarning, 1, 100));
  w.add(warning(4, "slow_responses", Severity::kWarning, 1));
  return w;
}

TEST(ActiveWarningsTest, FindsWarningsByIdSellerAndProductInAscendingId) {
  const ActiveWarnings w = sample();
  EXPECT_EQ(ids(w), (std::vector<std::int64_t>{3, 4, 5, 9}));
  EXPECT_EQ(w.find(5)->firing.code, "product_complaints");
  EXPECT_EQ(w.find(6), nullptr);
  EXPECT_EQ(ids(w.ofSeller(1)), (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(ids(w.ofSeller(7)), std::vector<std::int64_t>{});
  EXPECT_EQ(ids(w.ofProduct(100)), (std::vector<std::int64_t>{3, 5}));
  EXPECT_EQ((*w.after(4))->id, 5);  // the page after id 4
  EXPECT_EQ(w.after(9), w.end());
  EXPECT_EQ(w.counts(), (ActiveWarnings::Counts{{{"slow_responses", Severity::kWarning}, 2},
                                                {{"product_delist", Severity::kCritical}, 1},
                                                {{"product_complaints", Severity::kWarning}, 1}}));
}

TEST(ActiveWarningsTest, RemovingAWarningTakesItOutOfEveryIndexAndCount) {
  ActiveWarnings w = sample();
  w.remove(3);
  w.remove(3);  // already gone: nothing
  w.remove(9);
  EXPECT_EQ(ids(w), (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(ids(w.ofSeller(2)), std::vector<std::int64_t>{});
  EXPECT_EQ(ids(w.ofProduct(100)), std::vector<std::int64_t>{5});
  EXPECT_EQ(w.counts(), (ActiveWarnings::Counts{{{"slow_responses", Severity::kWarning}, 1},
                                                {{"product_complaints", Severity::kWarning}, 1}}));
  EXPECT_THROW(w.add(warning(4, "other", Severity::kInfo, 3)), std::logic_error);
}

// A run copies the previous snapshot's warnings and changes its copy: the
// previous one, still served, must not change.
TEST(ActiveWarningsTest, ACopyChangesWithoutChangingTheOriginal) {
  const ActiveWarnings before = sample();
  ActiveWarnings next = before;
  next.remove(5);
  next.add(warning(10, "product_complaints", Severity::kWarning, 1, 101));
  EXPECT_EQ(ids(before), (std::vector<std::int64_t>{3, 4, 5, 9}));
  EXPECT_EQ(ids(before.ofProduct(100)), (std::vector<std::int64_t>{3, 5}));
  EXPECT_EQ(ids(before.ofSeller(1)), (std::vector<std::int64_t>{3, 4, 5}));
  EXPECT_EQ(ids(next.ofSeller(1)), (std::vector<std::int64_t>{3, 4, 10}));
  EXPECT_EQ(ids(next.ofProduct(100)), std::vector<std::int64_t>{3});
}

}  // namespace
}  // namespace sellertrust
