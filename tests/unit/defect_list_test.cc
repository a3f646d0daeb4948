#include "sellertrust/defect_list.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <utility>

namespace sellertrust {
namespace {

// 2023-11-14 22:13:20 UTC: day 19675 (which starts at 1699920000), 80000 s
// into it.
constexpr Timestamp kT = 1700000000;
constexpr std::int64_t kDay = 19675;
constexpr Timestamp kDayStart = 1699920000;
constexpr Timestamp kSeconds = 86400;  // in a day

TEST(DefectListTest, HoldsTheDefectsDayByDayEachDayInOneOrder) {
  // Out of order on purpose: days, ids, times and values going down as
  // well as up.
  const Defect a{1001, 1001, kT, 10800, 4};
  const Defect b{1002, 1002, kT + 60, 10860, 4};
  const Defect c{990, 5001, kT - 86400, 1, 0};  // the day before
  const Defect d{1002, 7, kT + 60, -3, 17};     // b's order, a lower row
  const DefectList list({a, b, c, d});
  EXPECT_EQ(list.decode(), (std::vector<Defect>{c, a, d, b}));
  EXPECT_EQ(list.days(), (std::vector<std::int64_t>{kDay - 1, kDay}));
  EXPECT_FALSE(list.empty());
}

TEST(DefectListTest, TakesAFewBytesPerDefect) {
  // The day: 19675 (zigzag 39350: 3 bytes), the size of its rows (1).
  // The first row: reason 4 (1 byte), order 1001 (zigzag 2002: 2), row =
  // order (1), 80000 s after the day's start (zigzag 160000: 3), 10800
  // (zigzag 21600: 3): 10 bytes. The next one a minute later, 60 s later
  // still: 1 byte each, 5.
  const DefectList list({{1001, 1001, kT, 10800, 4}, {1002, 1002, kT + 60, 10860, 4}});
  EXPECT_EQ(list.byteSize(), 3u + 1u + 10u + 5u);
  // A second day costs its two numbers: one day later (zigzag 2: 1 byte),
  // size (1); and its row from the day's start: reason (1), order 1003
  // (2), row (1), 80000 s (3), value 0 (1).
  const DefectList two({{1001, 1001, kT, 10800, 4},
                        {1002, 1002, kT + 60, 10860, 4},
                        {1003, 1003, kT + 86400, 0, 4}});
  EXPECT_EQ(two.byteSize(), list.byteSize() + 2u + 8u);
}

TEST(DefectListTest, KeepsTheExtremes) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const Defect high{kMax, kMin, kMax, kMin, 65535};
  const Defect low{kMin, kMax, kMin, kMax, 0};
  const Defect zero{0, 0, 0, 0, 0};
  EXPECT_EQ(DefectList({high, low, zero}).decode(), (std::vector<Defect>{low, zero, high}));
}

TEST(DefectListTest, BuildingOneAtATimeGivesWhatTheWholeListGives) {
  const std::vector<Defect> defects = {{5, 6, kT, 7, 1}, {3, 3, kT - 5, 0, 2}};
  DefectList::Builder builder;
  for (const Defect& d : defects) builder.add(d);
  const DefectList built = std::move(builder).finish();
  EXPECT_EQ(built, DefectList(defects));
  EXPECT_EQ(built.decode(), (std::vector<Defect>{defects[1], defects[0]}));
}

TEST(DefectListTest, EqualOnlyWithTheSameDefects) {
  const Defect a{1, 1, kT, 0, 3};
  const Defect b{2, 2, kT, 0, 3};
  EXPECT_EQ(DefectList({a, b}), DefectList({b, a}));
  EXPECT_NE(DefectList({a}), DefectList({a, b}));
  EXPECT_NE(DefectList({a}), DefectList({Defect{1, 1, kT, 1, 3}}));
  EXPECT_NE(DefectList({a}), DefectList({Defect{1, 1, kT + 86400, 0, 3}}));
  EXPECT_TRUE(DefectList().empty());
  EXPECT_TRUE(DefectList().decode().empty());
  EXPECT_TRUE(DefectList().days().empty());
  EXPECT_EQ(DefectList(), DefectList(std::vector<Defect>{}));
}

// Three days: two rows on the first, one on each of the others.
const Defect kFirstEarly{10, 10, kDayStart + 100, 0, 1};
const Defect kFirstLate{11, 11, kDayStart + 5000, 0, 1};
const Defect kSecond{20, 20, kDayStart + kSeconds + 7, 0, 1};
const Defect kThird{30, 30, kDayStart + 2 * kSeconds + 9, 0, 1};
const DefectList kThreeDays({kThird, kFirstLate, kSecond, kFirstEarly});

TEST(DefectListTest, GivesADayAsAListOfItsOwn) {
  EXPECT_EQ(kThreeDays.day(kDay), DefectList({kFirstEarly, kFirstLate}));
  EXPECT_EQ(kThreeDays.day(kDay + 2), DefectList({kThird}));
  EXPECT_TRUE(kThreeDays.day(kDay + 3).empty());
  EXPECT_TRUE(kThreeDays.day(kDay - 1).empty());
}

TEST(DefectListTest, DropsDaysAndWhatWasOrderedBeforeABeginning) {
  const auto day = [](std::int64_t d) { return d * kSeconds; };
  // The beginning cuts the first day between its two rows.
  EXPECT_EQ(kThreeDays.without({day(kDay + 1)}, kSeconds, kDayStart + 200),
            DefectList({kFirstLate, kThird}));
  // A beginning on a later day drops the whole first day.
  EXPECT_EQ(kThreeDays.without({}, kSeconds, kDayStart + kSeconds), DefectList({kSecond, kThird}));
  // A beginning after every row of its day leaves that day out.
  EXPECT_EQ(kThreeDays.without({day(kDay + 2)}, kSeconds, kDayStart + 6000), DefectList({kSecond}));
  EXPECT_EQ(kThreeDays.without({}, kSeconds, 0), kThreeDays);
}

TEST(DefectListTest, DropsTheRowsOfBucketsNarrowerThanADay) {
  // Hours: kFirstEarly (+100 s) is in the day's first hour, kFirstLate
  // (+5000 s) in its second, kSecond in the next day's first.
  EXPECT_EQ(kThreeDays.without({kDayStart}, 3600, 0), DefectList({kFirstLate, kSecond, kThird}));
  EXPECT_EQ(kThreeDays.without({kDayStart + 3600, kDayStart + kSeconds}, 3600, 0),
            DefectList({kFirstEarly, kThird}));
  // An hour without rows drops none.
  EXPECT_EQ(kThreeDays.without({kDayStart + 7200}, 3600, 0), kThreeDays);
  // A quarter of an hour (+4500 s to +5400 s) and a beginning in one day.
  EXPECT_EQ(kThreeDays.without({kDayStart + 4500}, 900, kDayStart + 200),
            DefectList({kSecond, kThird}));
}

TEST(DefectListTest, MergesListsAlsoWhereTheyShareADay) {
  const DefectList a({kFirstLate, kThird});
  const DefectList b({kSecond, kFirstEarly});
  EXPECT_EQ(DefectList::merge(a, b), kThreeDays);
  EXPECT_EQ(DefectList::merge(b, a), kThreeDays);
  EXPECT_EQ(DefectList::merge(DefectList(), a), a);
  EXPECT_EQ(DefectList::merge(a, DefectList()), a);
}

TEST(DefectListTest, JoinsDaysInOrderAndRefusesThemOutOfOrder) {
  const DefectList first = kThreeDays.day(kDay);
  const DefectList rest = kThreeDays.without({kDayStart}, kSeconds, 0);
  EXPECT_EQ(DefectList::joined({first, DefectList(), rest}), kThreeDays);
  EXPECT_THROW(DefectList::joined({rest, first}), std::invalid_argument);
  EXPECT_THROW(DefectList::joined({first, first}), std::invalid_argument);
}

}  // namespace
}  // namespace sellertrust
