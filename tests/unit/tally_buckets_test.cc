#include "sellertrust/tally_buckets.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

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

TEST(TallyBucketsTest, BucketsOrKeysThatDoNotAscendAreNotBuckets) {
  SellerBuckets buckets;
  buckets.width = 3600;
  buckets.buckets[3600].tally[TallyId::kOrders] = 1;
  buckets.buckets[7200].tally[TallyId::kOrders] = 1;
  // The width (2 bytes), no other due (1), the first start (+1: zigzag 2),
  // no due (1), 21 counts, two empty histograms (1 each): the second start
  // is at 28.
  std::string bytes = PackedBuckets(buckets).bytes();
  ASSERT_EQ(bytes[28], '\x02');
  ASSERT_TRUE(PackedBuckets::fromBytes(bytes));
  bytes[28] = '\x00';  // the same start again
  EXPECT_FALSE(PackedBuckets::fromBytes(bytes));
  SellerBuckets keys;
  keys.buckets[0].tally.productClaims[5] = 1;
  keys.buckets[0].tally.productClaims[6] = 1;
  std::string claims = PackedBuckets(keys).bytes();
  // ... 2 entries: 5 (zigzag 10), 1; then +1 (zigzag 2), 1: the last four.
  ASSERT_EQ(claims.substr(claims.size() - 4), std::string("\x0a\x02\x02\x02"));
  claims[claims.size() - 2] = '\x00';  // 5 again
  EXPECT_FALSE(PackedBuckets::fromBytes(claims));
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

// Three buckets an hour wide: at 0 (2 orders, due at 100), at 3600 (1) and
// at 7200 (4, due at 50), and nothing due outside them.
SellerBuckets threeHours() {
  SellerBuckets buckets;
  buckets.width = 3600;
  TallyBucket& first = buckets.buckets[0];
  first.due = 100;
  first.tally[TallyId::kOrders] = 2;
  first.tally.responseSeconds[60] = 1;
  first.tally.productClaims[5] = 1;
  TallyBucket& second = buckets.buckets[3600];
  second.tally[TallyId::kOrders] = 1;
  second.tally.responseSeconds[60] = 2;
  second.tally.responseSeconds[120] = 1;
  TallyBucket& third = buckets.buckets[7200];
  third.due = 50;
  third.tally[TallyId::kOrders] = 4;
  third.tally.productClaims[5] = 2;
  return buckets;
}

TEST(TallyBucketsTest, AnOutlineGivesTheBucketsToReadAgainWithTheirDueTimeAndOrders) {
  SellerBuckets buckets = threeHours();
  buckets.otherDue = 7;
  const PackedBuckets packed(buckets);
  // At 60 only the bucket at 7200 is due (at 50); the one at 0 is due at
  // 100, and the one at 3600 never.
  const BucketOutline due = packed.outline(60, {});
  EXPECT_EQ(due.width, 3600);
  EXPECT_EQ(due.otherDue, 7);
  ASSERT_EQ(due.buckets.size(), 1u);
  EXPECT_EQ(due.buckets[0].start, 7200);
  EXPECT_EQ(due.buckets[0].due, 50);
  EXPECT_EQ(due.buckets[0].orders, 4);
  // At 100 the one at 0 is due too (at, not only after, its due time), and
  // an order placed at 3700 lies in the one at 3600.
  const BucketOutline all = packed.outline(100, {3700});
  ASSERT_EQ(all.buckets.size(), 3u);
  EXPECT_EQ(all.buckets[0].start, 0);
  EXPECT_EQ(all.buckets[0].due, 100);
  EXPECT_EQ(all.buckets[0].orders, 2);
  EXPECT_EQ(all.buckets[1].start, 3600);
  EXPECT_EQ(all.buckets[1].due, std::nullopt);
  EXPECT_EQ(all.buckets[1].orders, 1);
  ASSERT_NE(all.find(7200), nullptr);
  EXPECT_EQ(all.find(7200)->orders, 4);
  EXPECT_EQ(all.find(1800), nullptr);
  // Before any due time, with an order in no bucket: none.
  const BucketOutline none = packed.outline(49, {10900});
  EXPECT_TRUE(none.buckets.empty());
  EXPECT_EQ(none.find(10800), nullptr);
  EXPECT_EQ(PackedBuckets().outline(100, {0}).buckets.size(), 0u);
  EXPECT_EQ(PackedBuckets().outline(100, {0}).width, kSecondsPerDay);
}

TEST(TallyBucketsTest, SelectUnpacksOnlyTheBucketsAsked) {
  const SellerBuckets buckets = threeHours();
  const std::map<Timestamp, TallyBucket> some = PackedBuckets(buckets).select({3600, 5400, 7200});
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some.at(3600), buckets.buckets.at(3600));
  EXPECT_EQ(some.at(7200), buckets.buckets.at(7200));  // with its due time
  EXPECT_TRUE(PackedBuckets(buckets).select({}).empty());
  // The first only: the scan stops at the next.
  const std::map<Timestamp, TallyBucket> first = PackedBuckets(buckets).select({0});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first.at(0), buckets.buckets.at(0));
}

TEST(TallyBucketsTest, SpliceGivesWhatUnpackingChangingAndPackingGives) {
  const SellerBuckets buckets = threeHours();
  // Drop the bucket at 3600, put one at 10800 (5 orders, due at 70) and
  // one at 7200 in place of the one there (1 order, never due).
  std::map<Timestamp, TallyBucket> put;
  put[10800].due = 70;
  put[10800].tally[TallyId::kOrders] = 5;
  put[10800].tally.responseSeconds[120] = 1;
  put[7200].tally[TallyId::kOrders] = 1;
  const SplicedBuckets spliced = PackedBuckets(buckets).splice({3600}, put, 3600, 9);

  SellerBuckets expected = buckets;
  expected.otherDue = 9;
  expected.buckets.erase(3600);
  expected.buckets[7200] = put[7200];
  expected.buckets[10800] = put[10800];
  EXPECT_EQ(spliced.packed, PackedBuckets(expected));
  EXPECT_FALSE(spliced.empty);
  // 2 + 1 + 5 orders; the response times of the buckets at 0 and 10800;
  // the claims of the one at 0 (the one at 7200 with 2 went).
  SellerTally sum;
  sum[TallyId::kOrders] = 8;
  sum.responseSeconds = {{60, 1}, {120, 1}};
  sum.productClaims = {{5, 1}};
  EXPECT_EQ(spliced.sum, sum);
  // The earliest of 100 and 70 (not otherDue, 9).
  EXPECT_EQ(spliced.due, 70);
}

TEST(TallyBucketsTest, SpliceWithNothingToChangeSumsTheBuckets) {
  const SellerBuckets buckets = threeHours();
  const SplicedBuckets same = PackedBuckets(buckets).splice({}, {}, 3600, std::nullopt);
  EXPECT_EQ(same.packed, PackedBuckets(buckets));
  EXPECT_EQ(same.sum[TallyId::kOrders], 7);
  const Histogram response = {{60, 3}, {120, 1}};
  EXPECT_EQ(same.sum.responseSeconds, response);
  const Histogram claims = {{5, 3}};
  EXPECT_EQ(same.sum.productClaims, claims);
  EXPECT_EQ(same.due, 50);
  // Dropping all of them leaves no bucket, and the width and due time.
  const SplicedBuckets none = PackedBuckets(buckets).splice({0, 3600, 7200}, {}, 3600, 4);
  EXPECT_TRUE(none.empty);
  EXPECT_EQ(none.sum, SellerTally());
  EXPECT_EQ(none.due, std::nullopt);
  SellerBuckets empty;
  empty.width = 3600;
  empty.otherDue = 4;
  EXPECT_EQ(none.packed, PackedBuckets(empty));
  // No buckets yet take the width given.
  EXPECT_EQ(PackedBuckets().splice({}, {}, 3600, 4).packed, PackedBuckets(empty));
}

TEST(TallyBucketsTest, SplicePutsABucketBetweenTheOnesItKeeps) {
  SellerBuckets buckets = threeHours();
  const TallyBucket second = buckets.buckets.at(3600);
  buckets.buckets.erase(3600);
  std::map<Timestamp, TallyBucket> put;
  put[3600] = second;
  const SplicedBuckets spliced = PackedBuckets(buckets).splice({}, put, 3600, std::nullopt);
  EXPECT_EQ(spliced.packed, PackedBuckets(threeHours()));
  EXPECT_EQ(spliced.sum[TallyId::kOrders], 7);
  const Histogram response = {{60, 3}, {120, 1}};
  EXPECT_EQ(spliced.sum.responseSeconds, response);
}

TEST(TallyBucketsTest, ASpliceGivesTheDeltaFromTheBucketsItSplicedToThoseItGives) {
  const PackedBuckets before(threeHours());
  // The bucket at 0 put back as it was, the one at 3600 dropped, the one at
  // 7200 put back with one order more, a new one at 14400, a drop of 10800
  // (no bucket there) and another due time outside them.
  std::map<Timestamp, TallyBucket> put;
  put[0] = threeHours().buckets.at(0);
  put[7200] = threeHours().buckets.at(7200);
  put[7200].tally[TallyId::kOrders] = 5;
  put[14400].tally[TallyId::kOrders] = 1;
  const SplicedBuckets spliced = before.splice({3600, 10800}, put, 3600, 9);
  ASSERT_TRUE(spliced.delta.has_value());
  EXPECT_EQ(spliced.delta->drop, (std::set<Timestamp>{3600}));
  SellerBuckets changed;
  changed.width = 3600;
  changed.otherDue = 9;
  changed.buckets[7200] = put[7200];
  changed.buckets[14400] = put[14400];
  EXPECT_EQ(spliced.delta->put, PackedBuckets(changed));
  EXPECT_EQ(spliced.delta, before.deltaTo(spliced.packed));
  EXPECT_EQ(before.apply(*spliced.delta), spliced.packed);
  // Nothing changed; every bucket gone; every one put back, one differing.
  for (const SplicedBuckets& s :
       {before.splice({}, {}, 3600, std::nullopt), before.splice({0, 3600, 7200}, {}, 3600, 4),
        before.splice({}, put, 3600, std::nullopt)}) {
    ASSERT_TRUE(s.delta.has_value());
    EXPECT_EQ(s.delta, before.deltaTo(s.packed));
  }
  // No buckets before, or of another width: no delta, as deltaTo.
  EXPECT_EQ(PackedBuckets().splice({}, put, 3600, std::nullopt).delta, std::nullopt);
  SellerBuckets halves;
  halves.width = 1800;
  EXPECT_EQ(PackedBuckets(halves).splice({}, put, 3600, std::nullopt).delta, std::nullopt);
}

TEST(TallyBucketsTest, SpliceRefusesBucketsOfAnotherWidth) {
  // Every start is a whole half hour: only the width tells.
  EXPECT_THROW(PackedBuckets(threeHours()).splice({}, {}, 1800, std::nullopt), std::logic_error);
  std::map<Timestamp, TallyBucket> put;
  put[1800].tally[TallyId::kOrders] = 1;  // not at a whole hour
  EXPECT_THROW(PackedBuckets(threeHours()).splice({}, put, 3600, std::nullopt), std::logic_error);
}

TEST(TallyBucketsTest, ADeltaHoldsOnlyTheBucketsThatDifferAndGivesBackTheBucketsAfter) {
  const PackedBuckets before(threeHours());
  // After: the bucket at 0 as it was, the one at 3600 gone, the one at 7200
  // with one order more, a new one at 14400, and a due time outside them.
  SellerBuckets changed = threeHours();
  changed.buckets.erase(3600);
  changed.buckets.at(7200).tally[TallyId::kOrders] = 5;
  changed.buckets[14400].tally[TallyId::kOrders] = 1;
  changed.otherDue = 9;
  const PackedBuckets after(changed);
  const std::optional<BucketDelta> delta = before.deltaTo(after);
  ASSERT_TRUE(delta.has_value());
  EXPECT_EQ(delta->drop, (std::set<Timestamp>{3600}));
  SellerBuckets put;
  put.width = 3600;
  put.otherDue = 9;
  put.buckets[7200] = changed.buckets.at(7200);
  put.buckets[14400] = changed.buckets.at(14400);
  EXPECT_EQ(delta->put, PackedBuckets(put));
  EXPECT_EQ(before.apply(*delta), after);
  // Nothing changed: nothing to drop or put.
  const std::optional<BucketDelta> none = after.deltaTo(after);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->drop.empty());
  EXPECT_EQ(none->put.unpack().buckets.size(), 0u);
  EXPECT_EQ(after.apply(*none), after);
  // Every bucket gone, or every one new.
  SellerBuckets empty;
  empty.width = 3600;
  const PackedBuckets gone(empty);
  ASSERT_TRUE(before.deltaTo(gone).has_value());
  EXPECT_EQ(before.deltaTo(gone)->drop, (std::set<Timestamp>{0, 3600, 7200}));
  EXPECT_EQ(before.apply(*before.deltaTo(gone)), gone);
  EXPECT_EQ(gone.apply(*gone.deltaTo(before)), before);
}

TEST(TallyBucketsTest, NoDeltaBetweenBucketsOfAnotherWidth) {
  const PackedBuckets hours(threeHours());
  SellerBuckets halves = threeHours();
  halves.width = 1800;  // every start is a whole half hour too
  EXPECT_EQ(hours.deltaTo(PackedBuckets(halves)), std::nullopt);
  EXPECT_EQ(PackedBuckets().deltaTo(hours), std::nullopt);
  EXPECT_EQ(hours.deltaTo(PackedBuckets()), std::nullopt);
  // A delta of another width, as a damaged file may hold, is refused.
  BucketDelta other;
  other.put = PackedBuckets(halves);
  EXPECT_THROW(hours.apply(other), std::logic_error);
  // Even one that drops every bucket; with no bucket, its width is taken.
  other.drop = {0, 3600, 7200};
  EXPECT_THROW(hours.apply(other), std::logic_error);
  EXPECT_EQ(PackedBuckets().apply(other), PackedBuckets(halves));
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
