#include "sellertrust/tally_buckets.h"

#include <gtest/gtest.h>

#include <limits>

namespace sellertrust {
namespace {

TEST(TallyBucketsTest, PackedBucketsUnpackToWhatWasPacked) {
  SellerBuckets buckets;
  buckets.width = 3600;
  buckets.otherDue = -5;  // before the epoch: a sign to keep
  TallyBucket& first = buckets.buckets[1772366400];
  first.due = 1772366400;
  first.tally[TallyId::kOrders] = 12;
  first.tally[TallyId::kLateShipments] = std::numeric_limits<std::int64_t>::max();
  first.tally.responseSeconds[3600] = 1;
  first.tally.responseSeconds[60] = 2;
  first.tally.productClaims[std::numeric_limits<std::int64_t>::min()] = 1;
  first.tally.productClaims[101] = 3;
  buckets.buckets[-7200].tally[TallyId::kOrders] = 1;  // buckets going down
  buckets.buckets[1772445600];                         // an empty one
  const PackedBuckets packed(buckets);
  EXPECT_EQ(packed.unpack(), buckets);
  EXPECT_EQ(PackedBuckets(buckets), packed);
  EXPECT_EQ(PackedBuckets().unpack(), SellerBuckets());
  // Another width is other buckets.
  SellerBuckets wider = buckets;
  wider.width = 7200;
  EXPECT_NE(PackedBuckets(wider).bytes(), packed.bytes());
  EXPECT_EQ(PackedBuckets(wider).unpack(), wider);
}

TEST(TallyBucketsTest, ABucketOfOneOrderTakesAFewDozenBytes) {
  SellerBuckets buckets;
  buckets.buckets[1772323200].tally[TallyId::kOrders] = 1;
  // The width, 86400 (3 bytes), no other due (1 byte); bucket 20513 days
  // (zigzag 41026: 3 bytes), no due (1), 21 counts of one byte each, two
  // empty histograms (1 each): 31.
  EXPECT_EQ(PackedBuckets(buckets).byteSize(), 31u);
}

TEST(TallyBucketsTest, BytesOfAWidthThatIsNoneOfTheWidthsAreNotBuckets) {
  SellerBuckets buckets;
  buckets.width = 3600;
  buckets.buckets[3600].tally[TallyId::kOrders] = 1;
  std::string bytes = PackedBuckets(buckets).bytes();
  ASSERT_TRUE(PackedBuckets::fromBytes(bytes));
  bytes[0] = '\x91';  // the width, 3600, is 0x90 0x1c: now 3601
  EXPECT_FALSE(PackedBuckets::fromBytes(bytes));
}

TEST(TallyBucketsTest, BucketsStartAtWholeWidthsSinceTheEpoch) {
  EXPECT_EQ(bucketStart(0, 86400), 0);
  EXPECT_EQ(bucketStart(86399, 86400), 0);
  EXPECT_EQ(bucketStart(86400, 86400), 86400);
  EXPECT_EQ(bucketStart(1772366400 + 899, 900), 1772366400);  // 2026-03-01 12:00:00 UTC
  EXPECT_EQ(bucketStart(1772366400 + 900, 900), 1772366400 + 900);
  // Truncated towards zero, as both engines divide: still in the day.
  EXPECT_EQ(bucketStart(-1, 3600), 0);
  EXPECT_EQ(dayOf(-1), 0);
  EXPECT_EQ(dayOf(1772366400), 20513);
}

TEST(TallyBucketsTest, TheLargerTheSellerTheNarrowerItsBuckets) {
  const Timestamp window = 60 * kSecondsPerDay;
  // 1 920 orders in 60 days: 32 a day, a day's bucket holds 32.
  EXPECT_EQ(bucketWidth(1920, window, 32), 86400);
  // One more: half a day holds 16.
  EXPECT_EQ(bucketWidth(1921, window, 32), 43200);
  // 3 841: half a day holds 32.01, a quarter 16.
  EXPECT_EQ(bucketWidth(3841, window, 32), 21600);
  // 100 000: half an hour holds 34.7, a quarter 17.4.
  EXPECT_EQ(bucketWidth(100000, window, 32), 900);
  EXPECT_EQ(bucketWidth(100000, window, 100000), 86400);
}

}  // namespace
}  // namespace sellertrust
