// The score job's buckets file (jobs/bucket_file.h).
#include "jobs/bucket_file.h"

#include <Poco/Checksum.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
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
  ASSERT_EQ(BucketFile(file.path()).save(1000, "v1", state.buckets, state.recent), "");
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), state);
  // The results of another run, or other rules: the file is not theirs.
  EXPECT_EQ(BucketFile(file.path()).load(1060, "v1"), std::nullopt);
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v2"), std::nullopt);
}

TEST(BucketFileTest, AFileCutShortOrDamagedIsNotRead) {
  Poco::TemporaryFile file;
  const SavedJobState state = twoSellers();
  ASSERT_EQ(BucketFile(file.path()).save(1000, "v1", state.buckets, state.recent), "");
  const std::string whole = contents(file.path());
  const auto write = [&](const std::string& text) {
    std::ofstream(file.path(), std::ios::trunc | std::ios::binary) << text;
  };
  // Cut short: in the closing line, or before it.
  write(whole.substr(0, whole.size() - 4));
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), std::nullopt);
  const std::size_t end = whole.rfind("end ");
  write(whole.substr(0, end - 1) + whole.substr(end));
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), std::nullopt);
  // One bit of the payload flipped: its CRC no longer matches.
  const std::size_t payload = whole.find('\n') + 1;
  for (std::size_t at = payload; at < end; at += 7) {
    std::string damaged = whole;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    write(damaged);
    EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), std::nullopt) << "byte " << at;
  }
  write(whole);
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), state);
  EXPECT_EQ(BucketFile(file.path() + ".absent").load(1000, "v1"), std::nullopt);
}

// A file whose closing line and CRC hold, with `payload` in it.
void writeWithCrc(const std::string& path, const std::string& payload) {
  Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
  crc.update(payload.data(), static_cast<unsigned>(payload.size()));
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << "sellertrust-buckets 6 1000 v1\n"
      << payload << "end " << payload.size() << ' ' << crc.checksum() << "\n";
}

TEST(BucketFileTest, APayloadThatIsNotWholeIsNotReadEvenWithItsCrc) {
  // As a bug would write it: 1 seller, id 7 (zigzag 14), 5 bytes of
  // buckets (their size plus 1: 6), which are missing.
  Poco::TemporaryFile file;
  writeWithCrc(file.path(), std::string("\x01\x0e\x06", 3));
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), std::nullopt);
  // The 5 bytes there (the width, 86400: 0x80 0xa3 0x05; no other due; a
  // bucket at 0), then no recent rows (0 tables): still no whole buckets (a
  // bucket has a count per tally), so nothing is read.
  writeWithCrc(file.path(), std::string("\x01\x0e\x06\x80\xa3\x05\x00\x00\x00", 9));
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), std::nullopt);
  // Buckets that are gone (size 0) are for changes only, not the whole.
  writeWithCrc(file.path(), std::string("\x01\x0e\x00\x00", 4));
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), std::nullopt);
  // One seller with no bucket but an otherDue (zigzag 1000 + 1 = 2001:
  // 0xd1 0x0f) is whole.
  writeWithCrc(file.path(), std::string("\x01\x0e\x06\x80\xa3\x05\xd1\x0f\x00", 9));
  const std::optional<SavedJobState> read = BucketFile(file.path()).load(1000, "v1");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->buckets.at(7).unpack().otherDue, 1000);
  EXPECT_TRUE(read->recent.rows.empty());
}

// twoSellers() one run later: seller 7 has another bucket, 9 is gone, 11
// is new, and the recent rows changed.
SavedJobState aRunLater() {
  SavedJobState state = twoSellers();
  SellerBuckets a = state.buckets.at(7).unpack();
  a.buckets[20515 * kSecondsPerDay].tally[TallyId::kOrders] = 4;
  state.buckets.insert_or_assign(7, PackedBuckets(a));
  state.buckets.erase(9);
  SellerBuckets c;
  c.buckets[20515 * kSecondsPerDay].tally[TallyId::kOrders] = 1;
  state.buckets.emplace(11, PackedBuckets(c));
  state.recent.rows["orders"] = {{8, 3}};
  state.recent.rows.erase("tickets");
  return state;
}

// The changes of a run after the one at `previousAt`, whose state was
// `before`, to `sellers`.
BucketChanges changesOf(const SavedJobState& before, const std::set<std::int64_t>& sellers,
                        Timestamp previousAt) {
  BucketChanges changes{previousAt, sellers, {}, {}};
  for (std::int64_t seller : sellers) {
    if (auto it = before.buckets.find(seller); it != before.buckets.end()) {
      changes.before.insert(*it);
    }
  }
  return changes;
}

TEST(BucketFileTest, AnIncrementalRunAppendsOnlyTheSellersItChanged) {
  Poco::TemporaryFile file;
  const SavedJobState before = twoSellers();
  const SavedJobState after = aRunLater();
  BucketFile saver(file.path());
  ASSERT_EQ(saver.save(1000, "v1", before.buckets, before.recent), "");
  const std::string whole = contents(file.path());
  const BucketChanges changed = changesOf(before, {7, 9, 11}, 1000);
  ASSERT_EQ(saver.save(1060, "v1", after.buckets, after.recent, &changed), "");
  const std::string appended = contents(file.path());
  ASSERT_GT(appended.size(), whole.size());
  EXPECT_EQ(appended.substr(0, whole.size()), whole);
  EXPECT_EQ(appended.substr(whole.size(), 13), "changes 1060\n");
  // Each run's state, for that run only.
  EXPECT_EQ(BucketFile(file.path()).load(1060, "v1"), after);
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), before);
  EXPECT_EQ(BucketFile(file.path()).load(1030, "v1"), std::nullopt);
  EXPECT_EQ(BucketFile(file.path()).load(1060, "v2"), std::nullopt);
  // A third run, after a restart (a new object that loaded the second).
  BucketFile restarted(file.path());
  ASSERT_EQ(restarted.load(1060, "v1"), after);
  const BucketChanges none{1060, {}, {}, {}};
  ASSERT_EQ(restarted.save(1120, "v1", after.buckets, before.recent, &none), "");
  EXPECT_EQ(BucketFile(file.path()).load(1120, "v1"),
            (SavedJobState{after.buckets, before.recent}));
}

TEST(BucketFileTest, AChangeHoldsOnlyTheBucketsThatDiffer) {
  // A large seller: 200 days of buckets, a few dozen bytes each.
  SellerBuckets large;
  for (Timestamp day = 20000; day < 20200; ++day) {
    TallyBucket& bucket = large.buckets[day * kSecondsPerDay];
    bucket.tally[TallyId::kOrders] = 40;
    bucket.tally.responseSeconds[day] = 3;
    bucket.due = day * kSecondsPerDay + 7;
  }
  SavedJobState before;
  before.buckets.emplace(7, PackedBuckets(large));
  // One bucket's due time passed and it was read again: one late shipment.
  SellerBuckets changed = large;
  TallyBucket& read = changed.buckets.at(20100 * kSecondsPerDay);
  read.tally[TallyId::kLateShipments] = 1;
  read.due.reset();
  SavedJobState after;
  after.buckets.emplace(7, PackedBuckets(changed));
  ASSERT_GT(after.buckets.at(7).byteSize(), 2000u);

  Poco::TemporaryFile file;
  BucketFile saver(file.path());
  ASSERT_EQ(saver.save(1000, "v1", before.buckets, before.recent), "");
  const std::size_t whole = contents(file.path()).size();
  const BucketChanges changes = changesOf(before, {7}, 1000);
  ASSERT_EQ(saver.save(1060, "v1", after.buckets, after.recent, &changes), "");
  // "changes 1060\n", the bucket's 30 bytes or so, and the closing line.
  EXPECT_LT(contents(file.path()).size() - whole, 80u);
  EXPECT_EQ(BucketFile(file.path()).load(1060, "v1"), after);
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), before);
  const std::string computed = contents(file.path());

  // The delta the run's splice gave is written as it is, with no buckets
  // before to find it from: the same change.
  const SplicedBuckets spliced = before.buckets.at(7).splice({}, {{20100 * kSecondsPerDay, read}},
                                                             kSecondsPerDay, std::nullopt);
  ASSERT_EQ(spliced.packed, after.buckets.at(7));
  BucketChanges known{1000, {7}, {}, {}};
  known.deltas.emplace(7, *spliced.delta);
  ASSERT_EQ(saver.save(1000, "v1", before.buckets, before.recent), "");
  ASSERT_EQ(saver.save(1060, "v1", after.buckets, after.recent, &known), "");
  EXPECT_EQ(contents(file.path()), computed);

  // A change to buckets the state does not have (as a bug would save it)
  // is not read.
  ASSERT_EQ(saver.save(1000, "v1", {}, before.recent), "");
  ASSERT_EQ(saver.save(1060, "v1", after.buckets, after.recent, &changes), "");
  EXPECT_EQ(BucketFile(file.path()).load(1060, "v1"), std::nullopt);
  EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), SavedJobState());
}

TEST(BucketFileTest, AChangeCutShortIsNotReadAndTheNextSaveWritesOverIt) {
  Poco::TemporaryFile file;
  const SavedJobState before = twoSellers();
  const SavedJobState after = aRunLater();
  const BucketChanges changed = changesOf(before, {7, 9, 11}, 1000);
  BucketFile saver(file.path());
  ASSERT_EQ(saver.save(1000, "v1", before.buckets, before.recent), "");
  const std::string whole = contents(file.path());
  ASSERT_EQ(saver.save(1060, "v1", after.buckets, after.recent, &changed), "");
  const std::string appended = contents(file.path());
  // Cut anywhere in the change (as a crash or a full disk leaves it), or
  // one of its bits flipped: that run's state is not there; the one
  // before still is.
  for (std::size_t cut = whole.size() + 1; cut < appended.size(); cut += 3) {
    std::ofstream(file.path(), std::ios::trunc | std::ios::binary) << appended.substr(0, cut);
    EXPECT_EQ(BucketFile(file.path()).load(1060, "v1"), std::nullopt) << "cut at " << cut;
    EXPECT_EQ(BucketFile(file.path()).load(1000, "v1"), before) << "cut at " << cut;
    std::string damaged = appended;
    damaged[cut] = static_cast<char>(damaged[cut] ^ 0x10);
    std::ofstream(file.path(), std::ios::trunc | std::ios::binary) << damaged;
    EXPECT_EQ(BucketFile(file.path()).load(1060, "v1"), std::nullopt) << "byte " << cut;
  }
  // The run is saved again after a restart: over what the failed save left.
  std::ofstream(file.path(), std::ios::trunc | std::ios::binary)
      << appended.substr(0, appended.size() - 5) << "junk";
  BucketFile restarted(file.path());
  ASSERT_EQ(restarted.load(1000, "v1"), before);
  ASSERT_EQ(restarted.save(1060, "v1", after.buckets, after.recent, &changed), "");
  EXPECT_EQ(contents(file.path()), appended);
}

TEST(BucketFileTest, WritesTheWholeStateWhenItCannotAppend) {
  Poco::TemporaryFile file;
  const SavedJobState before = twoSellers();
  const SavedJobState after = aRunLater();
  const auto rewritten = [&] { return contents(file.path()).find("changes") == std::string::npos; };
  // Changes to 7, 9 and 11 after each run.
  std::map<Timestamp, BucketChanges> changes;
  for (Timestamp previousAt : {1030, 1060, 1120, 1180}) {
    changes.emplace(previousAt, changesOf(before, {7, 9, 11}, previousAt));
  }
  // The file holds another run than the one the changes follow.
  BucketFile saver(file.path());
  ASSERT_EQ(saver.save(1000, "v1", before.buckets, before.recent), "");
  ASSERT_EQ(saver.save(1060, "v1", after.buckets, after.recent, &changes.at(1030)), "");
  EXPECT_TRUE(rewritten());
  EXPECT_EQ(BucketFile(file.path()).load(1060, "v1"), after);
  // Other rules.
  ASSERT_EQ(saver.save(1120, "v2", after.buckets, after.recent, &changes.at(1060)), "");
  EXPECT_TRUE(rewritten());
  // The caller dropped its state.
  saver.forget();
  ASSERT_EQ(saver.save(1180, "v2", after.buckets, after.recent, &changes.at(1120)), "");
  EXPECT_TRUE(rewritten());
  // A file it did not load, or that does not hold the run.
  BucketFile other(file.path());
  ASSERT_EQ(other.load(1000, "v2"), std::nullopt);
  ASSERT_EQ(other.save(1240, "v2", after.buckets, after.recent, &changes.at(1180)), "");
  EXPECT_TRUE(rewritten());
  // Changes that weigh as much as the whole state: the next save writes it
  // whole again.
  Timestamp at = 1240;
  std::size_t appends = 0;
  for (; appends < 10; ++appends, at += 60) {
    // Every seller changed, with no buckets before (a change holds them
    // whole).
    const BucketChanges all{at, {7, 9, 11}, {}, {}};
    ASSERT_EQ(other.save(at + 60, "v2", after.buckets, after.recent, &all), "");
    if (rewritten()) break;
  }
  // A change is then the size of the whole state less a few bytes of its
  // first line, so a second change still follows the first, and the third
  // save finds them larger than the whole.
  EXPECT_EQ(appends, 2u);
  EXPECT_EQ(BucketFile(file.path()).load(at + 60, "v2"), after);
}

TEST(BucketFileTest, AnUnwritableDirectorySaysWhy) {
  const std::string why = BucketFile("/nonexistent-dir/score-buckets").save(1000, "v1", {}, {});
  EXPECT_EQ(why.rfind("cannot write /nonexistent-dir/score-buckets.new", 0), 0u) << why;
}

}  // namespace
}  // namespace sellertrust
