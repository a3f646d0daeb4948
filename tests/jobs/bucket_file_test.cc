// The score job's buckets file (jobs/bucket_file.h).
#include "jobs/bucket_file.h"

#include <Poco/Checksum.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sellertrust {
namespace {

SavedJobState twoSellers() {
  SellerBuckets a;
  TallyBucket& day = a.buckets[20513 * kSecondsPerDay];
  day.tally[TallyId::kOrders] = 12;
  day.tally[TallyId::kDefectOrders] = 1;
  day.tally.responseSeconds[60] = 2;
  day.tally.responseSeconds[3600] = 1;
  day.tally.productClaims[101] = 1;
  day.due = 1772366400;
  a.buckets[20514 * kSecondsPerDay].tally[TallyId::kOrders] = 3;
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
  const auto write = [&](const std::string& text) {
    std::ofstream(file.path(), std::ios::trunc | std::ios::binary) << text;
  };
  // Cut short: in the closing line, or before it.
  write(whole.substr(0, whole.size() - 4));
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), std::nullopt);
  const std::size_t end = whole.rfind("end ");
  write(whole.substr(0, end - 1) + whole.substr(end));
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), std::nullopt);
  // One bit of the payload flipped: its CRC no longer matches.
  const std::size_t payload = whole.find('\n') + 1;
  for (std::size_t at = payload; at < end; at += 7) {
    std::string damaged = whole;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    write(damaged);
    EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), std::nullopt) << "byte " << at;
  }
  write(whole);
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), state);
  EXPECT_EQ(loadBuckets(file.path() + ".absent", 1000, "v1"), std::nullopt);
}

// A file whose closing line and CRC hold, with `payload` in it.
void writeWithCrc(const std::string& path, const std::string& payload) {
  Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
  crc.update(payload.data(), static_cast<unsigned>(payload.size()));
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << "sellertrust-buckets 4 1000 v1\n"
      << payload << "end " << payload.size() << ' ' << crc.checksum() << "\n";
}

TEST(BucketFileTest, APayloadThatIsNotWholeIsNotReadEvenWithItsCrc) {
  // As a bug would write it: 1 seller, id 7 (zigzag 14), 5 bytes of
  // buckets, which are missing.
  Poco::TemporaryFile file;
  writeWithCrc(file.path(), std::string("\x01\x0e\x05", 3));
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), std::nullopt);
  // The 5 bytes there (the width, 86400: 0x80 0xa3 0x05; no other due; a
  // bucket at 0), then no recent rows (0 tables): still no whole buckets (a
  // bucket has a count per tally), so nothing is read.
  writeWithCrc(file.path(), std::string("\x01\x0e\x05\x80\xa3\x05\x00\x00\x00", 9));
  EXPECT_EQ(loadBuckets(file.path(), 1000, "v1"), std::nullopt);
  // One seller with no bucket but an otherDue (zigzag 1000 + 1 = 2001:
  // 0xd1 0x0f) is whole.
  writeWithCrc(file.path(), std::string("\x01\x0e\x05\x80\xa3\x05\xd1\x0f\x00", 9));
  const std::optional<SavedJobState> read = loadBuckets(file.path(), 1000, "v1");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->buckets.at(7).unpack().otherDue, 1000);
  EXPECT_TRUE(read->recent.rows.empty());
}

TEST(BucketFileTest, AnUnwritableDirectorySaysWhy) {
  const std::string why = saveBuckets("/nonexistent-dir/score-buckets", 1000, "v1", {}, {});
  EXPECT_EQ(why.rfind("cannot write /nonexistent-dir/score-buckets.new", 0), 0u) << why;
}

}  // namespace
}  // namespace sellertrust
