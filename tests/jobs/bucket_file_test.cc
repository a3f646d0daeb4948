// The score job's buckets file (jobs/bucket_file.h).
#include "jobs/bucket_file.h"

#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sellertrust {
namespace {

SavedJobState twoSellers() {
  SellerBuckets a;
  TallyBucket& day = a.buckets[20513];
  day.tally[TallyId::kOrders] = 12;
  day.tally[TallyId::kDefectOrders] = 1;
  day.tally.responseSeconds[60] = 2;
  day.tally.responseSeconds[3600] = 1;
  day.tally.productClaims[101] = 1;
  day.due = 1772366400;
  a.buckets[20514].tally[TallyId::kOrders] = 3;
  SellerBuckets b;
  b.otherDue = 1772370000;  // no bucket: its window is empty
  SavedJobState state;
  state.buckets.emplace(7, PackedBuckets(a));
  state.buckets.emplace(9, PackedBuckets(b));
  // A key twice (a view may repeat one), and digests beyond INT64_MAX.
  state.recent.rows["orders"] = {{5, 1}, {5, 18446744073709551615U}, {6, 42}};
  state.recent.rows["tickets"] = {{-3, 9223372036854775808U}};
  return state;
}

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(BucketFileTest, GivesBackWhatWasSavedForTheSameRunOnly) {
  Poco::TemporaryFile file;
  const SavedJobState state = twoSellers();
  ASSERT_EQ(saveBuckets(file.path(), 1000, "v1", state.buckets, state.recent), "");
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), state);
  // The results of another run, or other rules: the file is not theirs.
  EXPECT_EQ(loadBuckets(file.path(), 1060, "v1"), std::nullopt);
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v2"), std::nullopt);
}

TEST(BucketFileTest, AFileCutShortOrDamagedIsNotRead) {
  Poco::TemporaryFile file;
  const SavedJobState state = twoSellers();
  ASSERT_EQ(saveBuckets(file.path(), 1000, "v1", state.buckets, state.recent), "");
  const std::string whole = contents(file.path());
  ASSERT_EQ(whole.substr(whole.size() - 4), "end\n");
  std::ofstream(file.path(), std::ios::trunc) << whole.substr(0, whole.size() - 4);
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), std::nullopt);
  std::string damaged = whole;
  damaged.replace(damaged.find("b 20514"), 7, "b x0514");
  std::ofstream(file.path(), std::ios::trunc) << damaged;
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), std::nullopt);
  damaged = whole;
  damaged.replace(damaged.find("r orders 6 42"), 13, "r orders 6 x2");
  std::ofstream(file.path(), std::ios::trunc) << damaged;
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), std::nullopt);
  EXPECT_EQ(loadBuckets(file.path() + ".absent", 1000, "v1"), std::nullopt);
}

TEST(BucketFileTest, AnUnwritableDirectorySaysWhy) {
  const std::string why = saveBuckets("/nonexistent-dir/score-buckets", 1000, "v1", {}, {});
  EXPECT_EQ(why.rfind("cannot write /nonexistent-dir/score-buckets.new", 0), 0u) << why;
}

}  // namespace
}  // namespace sellertrust
