// SharedTable: a sorted map whose copies share the chunks they did not change.
#include "jobs/shared_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sellertrust {
namespace {

std::vector<std::pair<std::int64_t, std::string>> entries(const SharedTable<std::string>& t) {
  return {t.begin(), t.end()};
}

TEST(SharedTableTest, KeepsEntriesInAscendingIdWhateverTheOrderOfInsertion) {
  SharedTable<std::string> t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.begin(), t.end());
  EXPECT_TRUE(t.emplace(5, "five"));
  EXPECT_TRUE(t.emplace(-3, "minus three"));
  EXPECT_TRUE(t.emplace(9, "nine"));
  EXPECT_FALSE(t.emplace(5, "other"));  // like std::map: the first stays
  t[9] = "NINE";
  t[7] = "seven";
  EXPECT_EQ(entries(t), (std::vector<std::pair<std::int64_t, std::string>>{
                            {-3, "minus three"}, {5, "five"}, {7, "seven"}, {9, "NINE"}}));
  EXPECT_EQ(t.size(), 4U);
  EXPECT_EQ(t.at(5), "five");
  EXPECT_THROW(t.at(6), std::out_of_range);
  EXPECT_EQ(t.count(7), 1U);
  EXPECT_EQ(t.count(8), 0U);
  EXPECT_EQ(t.find(8), t.end());
  EXPECT_EQ(t.lowerBound(6)->first, 7);
  EXPECT_EQ(t.upperBound(7)->first, 9);
  EXPECT_EQ(t.upperBound(9), t.end());
  EXPECT_EQ(t.erase(5), 1U);
  EXPECT_EQ(t.erase(5), 0U);
  EXPECT_EQ(t.size(), 3U);
  t.clear();
  EXPECT_TRUE(t.empty());
}

// Many chunks: the same answers as std::map after random inserts and erases,
// for lookups, bounds and the order of iteration.
TEST(SharedTableTest, AgreesWithStdMapAcrossManyChunks) {
  std::mt19937_64 random(7);
  SharedTable<std::string> t;
  std::map<std::int64_t, std::string> expected;
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t key = static_cast<std::int64_t>(random() % 3000) - 500;
    if (random() % 3 == 0) {
      EXPECT_EQ(t.erase(key), expected.erase(key));
    } else {
      t[key] = std::to_string(i);
      expected[key] = std::to_string(i);
    }
  }
  ASSERT_EQ(t.size(), expected.size());
  EXPECT_EQ(entries(t),
            (std::vector<std::pair<std::int64_t, std::string>>(expected.begin(), expected.end())));
  for (std::int64_t key = -600; key < 2600; ++key) {
    const auto lower = expected.lower_bound(key);
    const auto found = t.lowerBound(key);
    ASSERT_EQ(found == t.end(), lower == expected.end()) << key;
    if (lower != expected.end()) {
      EXPECT_EQ(found->first, lower->first) << key;
    }
    EXPECT_EQ(t.count(key), expected.count(key)) << key;
  }
}

// A copy and its original change independently, in either order, also after
// a copy of a copy: no change shows through a chunk they share.
TEST(SharedTableTest, ACopyAndItsOriginalChangeIndependently) {
  SharedTable<std::string> original;
  for (std::int64_t id = 0; id < 1000; ++id) original[id] = "v" + std::to_string(id);
  const auto before = entries(original);

  SharedTable<std::string> copy = original;
  copy[10] = "changed";
  copy.erase(20);
  copy[2000] = "new";
  EXPECT_EQ(entries(original), before);

  original[30] = "changed in the original";
  EXPECT_EQ(copy.at(30), "v30");
  EXPECT_EQ(copy.at(10), "changed");

  SharedTable<std::string> third;
  third = copy;
  copy[11] = "again";  // copy made chunk 10's; third shares it now
  EXPECT_EQ(third.at(11), "v11");
  third.erase(10);
  EXPECT_EQ(copy.at(10), "changed");

  SharedTable<std::string> moved = std::move(third);
  moved[12] = "moved";
  EXPECT_EQ(copy.at(12), "v12");
  EXPECT_EQ(original.at(12), "v12");
  EXPECT_EQ(moved.size(), 999U);  // 0..999 and 2000, less 20 and 10
}

// The paths a dense copy does not take: a key that lands inside a full
// chunk the copy shares (copied, then split), a chunk whose last entry goes,
// and a table assigned to itself.
TEST(SharedTableTest, SplitsAndEmptiesSharedChunksWithoutTouchingTheOriginal) {
  SharedTable<std::string> original;
  for (std::int64_t id = 0; id < 640; id += 2) original[id] = std::to_string(id);  // full chunks
  const auto before = entries(original);
  SharedTable<std::string> copy = original;
  for (std::int64_t id = 1; id < 640; id += 2) copy[id] = "odd";
  for (std::int64_t id = 0; id < 640; id += 2) EXPECT_EQ(copy.erase(id), 1U);
  EXPECT_EQ(entries(original), before);
  EXPECT_EQ(copy.size(), 320U);
  EXPECT_EQ(copy.begin()->first, 1);
  for (std::int64_t id = 1; id < 640; id += 2) EXPECT_EQ(copy.erase(id), 1U);
  EXPECT_TRUE(copy.empty());
  EXPECT_EQ(copy.begin(), copy.end());
  copy[5] = "again";
  EXPECT_EQ(entries(copy), (std::vector<std::pair<std::int64_t, std::string>>{{5, "again"}}));

  SharedTable<std::string>& alias = original;
  original = alias;
  original[1] = "one";
  EXPECT_EQ(original.size(), 321U);
  EXPECT_EQ(original.at(0), "0");
}

// Readers of one table on other threads while copies of it change on two
// more (run under TSan: the copies never write what the readers read).
TEST(SharedTableTest, ReadersOfATableSeeItWholeWhileCopiesOfItChange) {
  SharedTable<std::int64_t> shared;
  for (std::int64_t id = 0; id < 5000; ++id) shared[id] = id;
  const SharedTable<std::int64_t>& frozen = shared;
  std::vector<std::thread> readers;
  std::vector<std::int64_t> sums(2, 0);
  for (std::size_t r = 0; r < sums.size(); ++r) {
    readers.emplace_back([&frozen, &sums, r] {
      for (int pass = 0; pass < 20; ++pass) {
        std::int64_t sum = 0;
        for (const auto& [id, value] : frozen) sum += value - id;
        sums[r] += sum;
      }
    });
  }
  const auto write = [&frozen](int first) {
    for (int round = first; round < 20; round += 2) {
      SharedTable<std::int64_t> next = frozen;
      for (std::int64_t id = round; id < 5000; id += 7) next[id] = -1;
    }
  };
  std::thread writer(write, 1);
  write(0);
  writer.join();
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(sums, (std::vector<std::int64_t>{0, 0}));
  for (const auto& [id, value] : frozen) ASSERT_EQ(value, id);
}

}  // namespace
}  // namespace sellertrust
