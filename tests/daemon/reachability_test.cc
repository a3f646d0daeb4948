// ObservedSource and ObservedStore: what each call reports, over the fakes
// of the job tests.
#include "daemon/reachability.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/jobs/fakes.h"

namespace sellertrust {
namespace {

using testing::FakeSource;
using testing::FakeStore;

class ReachabilityTest : public ::testing::Test {
 protected:
  FakeSource fakeSource_;
  FakeStore fakeStore_;
  std::vector<bool> sourceReports_;
  std::vector<bool> storeReports_;
  ObservedSource source_{fakeSource_, [this](bool up) { sourceReports_.push_back(up); }};
  ObservedStore store_{fakeStore_, [this](bool up) { storeReports_.push_back(up); }};
  CancelToken cancel_;
};

TEST_F(ReachabilityTest, EachReadOfTheSourceReportsWhetherItWorked) {
  source_.read(0, Rules(), cancel_, nullptr);
  fakeSource_.failing = true;
  EXPECT_THROW(source_.read(0, Rules(), cancel_, nullptr), SourceError);
  EXPECT_FALSE(source_.ping());
  fakeSource_.failing = false;
  EXPECT_TRUE(source_.ping());
  EXPECT_EQ((std::vector<bool>{true, false, false, true}), sourceReports_);
}

TEST_F(ReachabilityTest, ACancelledReadAndTheCatalogueSayNothing) {
  cancel_.cancel();
  EXPECT_THROW(source_.read(0, Rules(), cancel_, nullptr), RunCancelled);
  source_.checkContract();
  EXPECT_EQ(std::vector<bool>{}, sourceReports_);
}

TEST_F(ReachabilityTest, EachReadOrWriteOfTheResultsReportsWhetherItWorked) {
  store_.migrate();
  store_.latestRunAt();
  fakeStore_.failing = true;
  EXPECT_THROW(store_.saveRun(RunRecord()), SourceError);
  EXPECT_THROW(store_.saveHistory(0, {}, 0), SourceError);
  EXPECT_TRUE(store_.acquireWriterLock());  // says nothing: false may be another writer
  fakeStore_.failing = false;
  store_.saveRun(RunRecord());
  EXPECT_EQ(nullptr, store_.loadSnapshot(0));
  EXPECT_EQ((std::vector<bool>{true, true, false, false, true, true}), storeReports_);
  EXPECT_EQ(1u, fakeStore_.runs.size());
}

}  // namespace
}  // namespace sellertrust
