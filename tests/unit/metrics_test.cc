// The metric arithmetic of the core: windows, Wilson intervals, nearest-rank
// percentiles and metric values from tallies, worked out by hand. (Each
// SPEC §2 definition is tested against the database in tests/source/.)
#include "sellertrust/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sellertrust {
namespace {

const Timestamp kNow = *parseUtc("2026-03-01 12:00:00");
constexpr Timestamp kDay = kSecondsPerDay;

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

TEST(ResponseTimeTest, NearestRankOnSmallHistograms) {
  EXPECT_FALSE(nearestRank({}, 0.5).has_value());
  EXPECT_EQ(nearestRank({{30, 1}}, 0.9), 30);
  // Three values: rank ceil(1.5) = 2 and ceil(2.7) = 3.
  EXPECT_EQ(nearestRank({{10, 1}, {20, 1}, {40, 1}}, 0.5), 20);
  EXPECT_EQ(nearestRank({{10, 1}, {20, 1}, {40, 1}}, 0.9), 40);
  // Grouped counts: 4 x 10 s and 1 x 99 s; rank ceil(4.5) = 5.
  EXPECT_EQ(nearestRank({{10, 4}, {99, 1}}, 0.9), 99);
}

TEST(HistogramTest, KeepsKeysAscendingWhateverOrderTheyCome) {
  Histogram h;
  h[40] += 1;
  h[10] += 2;
  h[40] += 3;
  h[20] += 1;
  h[5] += 1;
  const std::vector<Histogram::Entry> entries(h.begin(), h.end());
  EXPECT_EQ(entries, (std::vector<Histogram::Entry>{{5, 1}, {10, 2}, {20, 1}, {40, 4}}));
  EXPECT_EQ(h.at(40), 4);
  EXPECT_THROW(h.at(30), std::out_of_range);
  // The same counts given at once, in another order, with a repeated key.
  EXPECT_EQ(h, (Histogram{{20, 1}, {40, 1}, {5, 1}, {10, 2}, {40, 3}}));
  EXPECT_NE(h, (Histogram{{20, 1}, {40, 4}, {5, 1}, {10, 1}}));
}

TEST(HistogramTest, AddsAnotherHistogramKeyByKey) {
  Histogram a{{1, 1}, {3, 3}, {7, 7}};
  a.add(Histogram{{0, 10}, {3, 30}, {5, 50}, {9, 90}});
  EXPECT_EQ(a, (Histogram{{0, 10}, {1, 1}, {3, 33}, {5, 50}, {7, 7}, {9, 90}}));
  EXPECT_EQ(a.size(), 6u);
  Histogram empty;
  empty.add(a);
  EXPECT_EQ(empty, a);
  a.add(Histogram());
  EXPECT_EQ(a.size(), 6u);
}

TEST(HistogramTest, SumsEntriesInAnyOrderKeyByKey) {
  std::vector<Histogram::Entry> entries = {{5, 1}, {2, 3}, {5, 2}, {-1, 4}, {2, 1}};
  EXPECT_EQ(Histogram::sumOf(&entries), (Histogram{{-1, 4}, {2, 4}, {5, 3}}));
  EXPECT_EQ(entries.size(), 5u);  // sorted in place, for the next sum
  EXPECT_EQ(entries.front().first, -1);
  entries.clear();
  EXPECT_TRUE(Histogram::sumOf(&entries).empty());
}

// Many entries (a large seller's buckets) are sorted in radix passes: the
// sum is the one adding them up key by key gives, whatever the keys' signs
// and range, extremes included.
TEST(HistogramTest, SumsManyEntriesOfAnyKeysAsAddingThemUpWould) {
  // Ranges of one, two and four passes, and keys at both extremes (six).
  const std::pair<std::int64_t, bool> cases[] = {
      {1000, false}, {3000, false}, {std::int64_t{1} << 40, false}, {1, true}};
  for (const auto& [spread, extremes] : cases) {
    std::vector<Histogram::Entry> entries;
    std::map<std::int64_t, std::int64_t> expected;
    std::uint64_t x = 42;
    for (int i = 0; i < 5000; ++i) {
      x = x * 6364136223846793005u + 1442695040888963407u;  // Knuth's MMIX generator
      const auto key = static_cast<std::int64_t>(x >> 33) % spread - spread / 2;
      entries.emplace_back(key, i % 7 + 1);
      expected[key] += i % 7 + 1;
    }
    if (extremes) {
      for (std::int64_t extreme :
           {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
        entries.emplace_back(extreme, 2);
        expected[extreme] += 2;
      }
    }
    const Histogram sum = Histogram::sumOf(&entries);
    ASSERT_EQ(sum.size(), expected.size()) << "spread " << spread;
    EXPECT_EQ(std::vector<Histogram::Entry>(sum.begin(), sum.end()),
              std::vector<Histogram::Entry>(expected.begin(), expected.end()))
        << "spread " << spread;
    EXPECT_EQ(entries.size(), extremes ? 5002u : 5000u);
    EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end(),
                               [](const auto& a, const auto& b) { return a.first < b.first; }));
  }
}

TEST(SellerTallyTest, SumsManyTalliesAsAddingEachInTurnWould) {
  SellerTally a;
  a[TallyId::kOrders] = 3;
  a.responseSeconds = Histogram{{60, 1}, {3600, 2}};
  a.productClaims = Histogram{{101, 1}};
  SellerTally b;
  b[TallyId::kOrders] = 4;
  b[TallyId::kLateShipments] = 1;
  b.responseSeconds = Histogram{{30, 5}, {3600, 1}};
  SellerTally c;  // empty
  SellerTally added;
  for (const SellerTally* t : {&a, &b, &c}) added.add(*t);
  const SellerTally sum = SellerTally::sumOf({&a, &b, &c});
  EXPECT_EQ(sum, added);
  EXPECT_EQ(sum[TallyId::kOrders], 7);
  EXPECT_EQ(sum.responseSeconds, (Histogram{{30, 5}, {60, 1}, {3600, 3}}));
  EXPECT_EQ(sum.productClaims, (Histogram{{101, 1}}));
  EXPECT_EQ(SellerTally::sumOf({}), SellerTally());
}

TEST(HistogramTest, SubtractsAPartOfItselfAndDropsTheKeysThatComeToZero) {
  Histogram a{{0, 10}, {1, 1}, {3, 33}, {5, 50}};
  a.subtract(Histogram{{1, 1}, {3, 30}, {5, 50}});
  EXPECT_EQ(a, (Histogram{{0, 10}, {3, 3}}));
  // As a histogram built from the rows that stay.
  EXPECT_EQ(a.size(), 2u);
  SellerTally t;
  t[TallyId::kOrders] = 5;
  t.responseSeconds = Histogram{{60, 2}};
  SellerTally part;
  part[TallyId::kOrders] = 2;
  part.responseSeconds = Histogram{{60, 2}};
  t.subtract(part);
  EXPECT_EQ(t[TallyId::kOrders], 3);
  EXPECT_TRUE(t.responseSeconds.empty());
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
  t[TallyId::kOrders] = 3;
  t[TallyId::kDefectOrders] = 1;
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

}  // namespace
}  // namespace sellertrust
