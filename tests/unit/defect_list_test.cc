#include "sellertrust/defect_list.h"

#include <gtest/gtest.h>

#include <limits>
#include <utility>

namespace sellertrust {
namespace {

constexpr Timestamp kT = 1700000000;

TEST(DefectListTest, HoldsTheDefectsInTheirOrder) {
  // Out of order on purpose: ids, times and values going down as well as up.
  const std::vector<Defect> defects = {
      {1001, 1001, kT, 10800, 4},
      {1002, 1002, kT + 60, 10860, 4},
      {990, 5001, kT - 86400, 1, 0},
      {1002, 7, kT + 60, -3, 17},
  };
  const DefectList list(defects);
  EXPECT_EQ(list.decode(), defects);
  EXPECT_FALSE(list.empty());
}

TEST(DefectListTest, TakesAFewBytesPerDefect) {
  // The first: reason 4 (1 byte), order 1001 (zigzag 2002: 2 bytes), row
  // = order (1), 1700000000 s (zigzag 3.4e9: 5), 10800 (zigzag 21600: 3):
  // 12 bytes. The next one a minute later, 60 s later still: 1 byte each.
  const DefectList list({{1001, 1001, kT, 10800, 4}, {1002, 1002, kT + 60, 10860, 4}});
  EXPECT_EQ(list.byteSize(), 12u + 5u);
}

TEST(DefectListTest, KeepsTheExtremes) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const std::vector<Defect> defects = {
      {kMax, kMin, kMax, kMin, 65535},
      {kMin, kMax, kMin, kMax, 0},
      {0, 0, 0, 0, 0},
  };
  EXPECT_EQ(DefectList(defects).decode(), defects);
}

TEST(DefectListTest, BuildingOneAtATimeGivesWhatTheWholeListGives) {
  const std::vector<Defect> defects = {{5, 6, kT, 7, 1}, {3, 3, kT - 5, 0, 2}};
  DefectList::Builder builder;
  for (const Defect& d : defects) builder.add(d);
  const DefectList built = std::move(builder).finish();
  EXPECT_EQ(built, DefectList(defects));
  EXPECT_EQ(built.decode(), defects);
}

TEST(DefectListTest, EqualOnlyWithTheSameDefectsInTheSameOrder) {
  const Defect a{1, 1, kT, 0, 3};
  const Defect b{2, 2, kT, 0, 3};
  EXPECT_EQ(DefectList({a, b}), DefectList({a, b}));
  EXPECT_NE(DefectList({a, b}), DefectList({b, a}));
  EXPECT_NE(DefectList({a}), DefectList({a, b}));
  EXPECT_NE(DefectList({a}), DefectList({Defect{1, 1, kT, 1, 3}}));
  EXPECT_TRUE(DefectList().empty());
  EXPECT_TRUE(DefectList().decode().empty());
  EXPECT_EQ(DefectList(), DefectList(std::vector<Defect>{}));
}

}  // namespace
}  // namespace sellertrust
