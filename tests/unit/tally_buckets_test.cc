#include "sellertrust/tally_buckets.h"

#include <gtest/gtest.h>

#include <limits>

namespace sellertrust {
namespace {

TEST(TallyBucketsTest, PackedBucketsUnpackToWhatWasPacked) {
  SellerBuckets buckets;
  buckets.otherDue = -5;  // before the epoch: a sign to keep
  TallyBucket& first = buckets.buckets[20513];
  first.due = 1772366400;
  first.tally[TallyId::kOrders] = 12;
  first.tally[TallyId::kLateShipments] = std::numeric_limits<std::int64_t>::max();
  first.tally.responseSeconds[3600] = 1;
  first.tally.responseSeconds[60] = 2;
  first.tally.productClaims[std::numeric_limits<std::int64_t>::min()] = 1;
  first.tally.productClaims[101] = 3;
  buckets.buckets[-2].tally[TallyId::kOrders] = 1;  // buckets going down
  buckets.buckets[20600];                           // an empty one
  const PackedBuckets packed(buckets);
  EXPECT_EQ(packed.unpack(), buckets);
  EXPECT_EQ(PackedBuckets(buckets), packed);
  EXPECT_EQ(PackedBuckets().unpack(), SellerBuckets());
}

TEST(TallyBucketsTest, ABucketOfOneOrderTakesAFewDozenBytes) {
  SellerBuckets buckets;
  buckets.buckets[20513].tally[TallyId::kOrders] = 1;
  // No other due (1 byte); bucket 20513 (zigzag 41026: 3 bytes), no due
  // (1), 21 counts of one byte each, two empty histograms (1 each): 28.
  EXPECT_EQ(PackedBuckets(buckets).byteSize(), 28u);
}

TEST(TallyBucketsTest, BucketsAreDaysSinceTheEpoch) {
  EXPECT_EQ(bucketOf(0), 0);
  EXPECT_EQ(bucketOf(86399), 0);
  EXPECT_EQ(bucketOf(86400), 1);
  EXPECT_EQ(bucketOf(1772366400), 20513);  // 2026-03-01 12:00:00 UTC
}

}  // namespace
}  // namespace sellertrust
