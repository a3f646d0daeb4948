#include "jobs/score_job.h"

#include <gtest/gtest.h>

#include "fakes.h"
#include "jobs/history_job.h"
#include "jobs/report.h"

namespace sellertrust {
namespace {

// The `i`th active warning, by ascending id.
const SharedWarning& nth(const ActiveWarnings& warnings, std::size_t i) {
  return *std::next(warnings.begin(), static_cast<std::ptrdiff_t>(i));
}

using testing::FakeSource;
using testing::FakeStore;

const Timestamp kNow = *parseUtc("2026-03-01 12:00:00");

// n window orders, all perfect, and `defects` defective ones.
SellerTally tally(std::int64_t n, std::int64_t defects) {
  SellerTally t;
  t[TallyId::kOrders] = n;
  t.setRate(MetricId::kOrderDefectRate, defects, n);
  return t;
}

// The fixture's marketplace: 2003 window orders over three sellers.
SourceData marketplace() {
  SourceData data;
  data.sellers[1] = {1, "Reliable", "FR"};
  data.sellers[2] = {2, "Defective", "DE"};
  data.sellers[3] = {3, "Newcomer", "IT"};
  data.tallies[1] = tally(1000, 0);
  data.tallies[2] = tally(1000, 50);  // lower bound 3.8 %: both ODR warnings
  data.tallies[3] = tally(3, 0);
  data.rowsRead = {{"orders", 2003}};
  return data;
}

// What a run at `now` that is refused gives: RunRefused's reason and
// message; {"", "published"} when it is not refused.
struct Refusal {
  std::string reason;
  std::string message;
};
Refusal refusal(ScoreJob& job, Timestamp now, RunKind kind = RunKind::kFull) {
  try {
    job.run(now, CancelToken(), kind);
  } catch (const RunRefused& e) {
    return {e.reason(), e.what()};
  }
  return {"", "published"};
}

class ScoreJobTest : public ::testing::Test {
 protected:
  ScoreJobTest() : job_(&source_, &store_, &snapshots_, Rules(), ScoreJob::Options()) {
    source_.data = marketplace();
  }

  FakeSource source_;
  FakeStore store_;
  SnapshotHolder snapshots_;
  ScoreJob job_;
  CancelToken cancel_;
};

TEST_F(ScoreJobTest, PublishesWhatItSaved) {
  const ScoreRunSummary s = job_.run(kNow, cancel_);
  EXPECT_EQ(s.sellers, 3);
  EXPECT_EQ(s.scored, 2);
  EXPECT_EQ(s.warningsActive, 2);
  EXPECT_EQ(s.warningsRaised, 2);
  EXPECT_EQ(s.badgeChanges, 3);  // every seller's first badge
  EXPECT_EQ(s.totalRowsRead(), 2003);
  ASSERT_EQ(store_.runs.size(), 1u);
  const auto snap = snapshots_.current();
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->computedAt, kNow);
  EXPECT_EQ(snap->rulesVersion, rulesVersion(Rules()));
  EXPECT_EQ(snap->sellers.at(1)->badge, Badge::kTop);
  EXPECT_EQ(snap->sellers.at(1)->score, 100.0);
  EXPECT_EQ(snap->sellers.at(3)->badge, Badge::kNew);
  EXPECT_FALSE(snap->sellers.at(3)->score.has_value());
  // ODR 50/1000 judged at 0.0381, past full loss (2 %): all 40 points lost,
  // and account_review (critical) caps the badge at at_risk.
  EXPECT_EQ(snap->sellers.at(2)->score, 60.0);
  EXPECT_EQ(snap->sellers.at(2)->badge, Badge::kAtRisk);
  EXPECT_EQ(snap->sellers.at(2)->badgeReason.str(),
            "capped at at_risk while the critical warning account_review is active; score 60.0 "
            "is in the fair band");
  ASSERT_EQ(snap->warnings.size(), 2u);
  EXPECT_EQ(nth(snap->warnings, 0)->id, 1);
  EXPECT_EQ(nth(snap->warnings, 1)->id, 2);
  EXPECT_EQ(snap->nextWarningId, 3);
  EXPECT_DOUBLE_EQ(*snap->marketplaceOdr, 50.0 / 2003);
  EXPECT_EQ(store_.runs[0].sellersChanged.size(), 3u);
  EXPECT_EQ(store_.runs[0].badgeChanges.size(), 3u);
  EXPECT_EQ(store_.runs[0].warningsRaised.size(), 2u);
  EXPECT_EQ(snap->badgeChanges.at(2).at(0).to, Badge::kAtRisk);
  EXPECT_NE(renderSellerReport(*snap->sellers.at(2), *snap).find("\"account_review\""),
            std::string::npos);
}

TEST_F(ScoreJobTest, WritesOnlyWhatChanged) {
  // A claim too: a full run compares it with the one it read before.
  source_.data.authenticityClaims = {{11, 1, 500, kNow - 2 * kSecondsPerDay, TicketStatus::kOpen}};
  job_.run(kNow, cancel_);
  EXPECT_EQ(store_.runs.back().claimsChanged.size(), 1u);
  job_.run(kNow + 300, cancel_);  // the badge reasons lose their "first"
  const ScoreRunSummary idle = job_.run(kNow + 600, cancel_);
  EXPECT_EQ(idle.rowsWritten, 0);
  EXPECT_EQ(store_.runs.back().rowsWritten(), 0);

  const std::shared_ptr<const Snapshot> before = snapshots_.current();
  source_.data.tallies[1] = tally(1001, 0);  // one more order for seller 1
  source_.data.sellers.erase(3);
  source_.data.tallies.erase(3);
  const ScoreRunSummary s = job_.run(kNow + 900, cancel_);
  // What did not change is not copied: the two snapshots share it.
  const std::shared_ptr<const Snapshot> after = snapshots_.current();
  EXPECT_EQ(after->sellers.at(2), before->sellers.at(2));
  EXPECT_NE(after->sellers.at(1), before->sellers.at(1));
  ASSERT_FALSE(after->warnings.empty());
  EXPECT_EQ(nth(after->warnings, 0), nth(before->warnings, 0));
  const RunRecord& run = store_.runs.back();
  ASSERT_EQ(run.sellersChanged.size(), 1u);
  EXPECT_EQ(run.sellersChanged[0]->sellerId, 1);
  EXPECT_EQ(run.sellersChanged[0]->counts[0], 1001);
  EXPECT_EQ(run.sellersRemoved, std::vector<std::int64_t>{3});
  EXPECT_TRUE(run.warningsUpdated.empty());  // seller 2's evidence is unchanged
  EXPECT_EQ(s.rowsWritten, 2);
  EXPECT_EQ(snapshots_.current()->sellers.count(3), 0u);
}

TEST_F(ScoreJobTest, AWarningWhoseEvidenceChangesIsUpdatedAndKeepsItsId) {
  job_.run(kNow, cancel_);
  source_.data.tallies[2] = tally(1000, 60);
  job_.run(kNow + 300, cancel_);
  const RunRecord& run = store_.runs.back();
  ASSERT_EQ(run.warningsUpdated.size(), 2u);
  EXPECT_EQ(run.warningsUpdated[0]->id, 1);
  EXPECT_EQ(run.warningsUpdated[0]->updatedAt, kNow + 300);
  EXPECT_EQ(run.warningsUpdated[0]->raisedAt, kNow);
  EXPECT_TRUE(run.warningsRaised.empty());
}

TEST_F(ScoreJobTest, ContinuesFromTheStoreAfterAnotherWriter) {
  job_.run(kNow, cancel_);
  // Another daemon wrote a run since: its results are the previous state.
  auto other = std::make_shared<Snapshot>(*snapshots_.current());
  other->computedAt = kNow + 100;
  SellerResult topped = *other->sellers.at(2);
  topped.badge = Badge::kTop;
  other->sellers[2] = std::make_shared<const SellerResult>(topped);
  store_.persisted = other;
  job_.run(kNow + 300, cancel_);
  const RunRecord& run = store_.runs.back();
  ASSERT_EQ(run.badgeChanges.size(), 1u);
  EXPECT_EQ(run.badgeChanges[0].from, Badge::kTop);  // 60 is far below top
}

TEST_F(ScoreJobTest, SecondRunKeepsWarningsAndBadgesAndClearsWhatStopped) {
  job_.run(kNow, cancel_);
  source_.data.tallies[2] = tally(1000, 20);  // 1.3 %: only the ODR warning holds
  const ScoreRunSummary s = job_.run(kNow + 300, cancel_);
  EXPECT_EQ(s.warningsRaised, 0);
  EXPECT_EQ(s.warningsCleared, 1);
  // Seller 2: 40 x (0.012984 - 0.01) / 0.01 = 11.9 points lost: 88.1, and
  // account_review cleared: the cap lifts, at_risk -> good.
  EXPECT_EQ(s.badgeChanges, 1);
  const auto snap = snapshots_.current();
  ASSERT_EQ(snap->warnings.size(), 1u);
  EXPECT_EQ(nth(snap->warnings, 0)->firing.code, "order_defect_rate_above_target");
  EXPECT_EQ(nth(snap->warnings, 0)->raisedAt, kNow);  // kept, not re-raised
  EXPECT_EQ(nth(snap->warnings, 0)->id, 1);
  ASSERT_EQ(store_.runs[1].warningsCleared.size(), 1u);
  EXPECT_EQ(store_.runs[1].warningsCleared[0].firing.code, "account_review");
  EXPECT_EQ(store_.runs[1].warningsCleared[0].clearedAt, kNow + 300);
  EXPECT_EQ(snap->badgeChanges.at(2).size(), 2u);
  EXPECT_EQ(snap->badgeChanges.at(2).back().from, Badge::kAtRisk);
  EXPECT_EQ(snap->badgeChanges.at(2).back().to, Badge::kGood);
  EXPECT_EQ(snap->sellers.at(2)->score, 88.1);
}

TEST_F(ScoreJobTest, PassesTheHistoryOnWithoutCopyingIt) {
  job_.run(kNow, cancel_);
  const auto first = snapshots_.current();
  job_.run(kNow + 300, cancel_);
  EXPECT_EQ(snapshots_.current()->history, first->history);  // the same map
}

// A job that takes other results (a daemon serving another writer's) keeps
// no copy of the results it made: what it knew of them goes with them.
TEST_F(ScoreJobTest, ResumingFromOtherResultsKeepsNoneOfItsOwn) {
  job_.run(kNow, cancel_);
  std::weak_ptr<const Snapshot> own = snapshots_.current();
  auto other = std::make_shared<Snapshot>(*snapshots_.current());
  other->computedAt = kNow + 60;
  snapshots_.publish(other);
  job_.resumeFrom(other);
  EXPECT_TRUE(own.expired());
}

TEST_F(ScoreJobTest, FailedSaveLeavesThePreviousSnapshot) {
  job_.run(kNow, cancel_);
  const auto before = snapshots_.current();
  store_.failing = true;
  EXPECT_THROW(job_.run(kNow + 300, cancel_), SourceError);
  EXPECT_EQ(snapshots_.current(), before);
}

TEST_F(ScoreJobTest, UnreachableSourceLeavesThePreviousSnapshot) {
  job_.run(kNow, cancel_);
  const auto before = snapshots_.current();
  source_.failing = true;
  EXPECT_THROW(job_.run(kNow + 300, cancel_), SourceError);
  EXPECT_EQ(snapshots_.current(), before);
  EXPECT_EQ(store_.runs.size(), 1u);
}

TEST_F(ScoreJobTest, CancelledRunSavesAndPublishesNothing) {
  source_.duringRead = [this] { cancel_.cancel(); };
  EXPECT_THROW(job_.run(kNow, cancel_), RunCancelled);
  EXPECT_TRUE(store_.runs.empty());
  EXPECT_EQ(snapshots_.current(), nullptr);
}

TEST_F(ScoreJobTest, LadderWarningsAndProductReports) {
  AuthenticityClaim first{11, 3, 500, kNow - 100 * kSecondsPerDay, TicketStatus::kOpen};
  AuthenticityClaim second{12, 3, 500, kNow - 2 * kSecondsPerDay, TicketStatus::kEscalated};
  source_.data.authenticityClaims = {first, second};
  source_.data.tallies[1].productClaims[600] = 4;
  job_.run(kNow, cancel_);
  const auto snap = snapshots_.current();
  std::vector<std::string> codes;
  for (const SharedWarning& w : snap->warnings) codes.push_back(w->firing.code.str());
  // Ids follow the order rules fire in: sellers by id, then the ladder.
  EXPECT_EQ(codes,
            (std::vector<std::string>{"product_complaints", "order_defect_rate_above_target",
                                      "account_review", "product_remove", "authenticity_repeat"}));
  // Ladder warnings do not wait for volume: seller 3 has 3 orders.
  EXPECT_EQ(nth(snap->warnings, 3)->firing.sellerId, 3);
  ASSERT_EQ(snap->products.count(500), 1u);
  EXPECT_EQ(snap->products.at(500).ladder.sellerId, 3);
  EXPECT_EQ(snap->products.at(500).ladder.step, LadderStep::kRemove);
  ASSERT_EQ(snap->products.count(600), 1u);
  EXPECT_EQ(snap->products.at(600).ladder.sellerId, 1);
  EXPECT_EQ(snap->products.at(600).claimsInWindow, 4);
  EXPECT_EQ(store_.runs[0].claimsChanged.size(), 2u);
  EXPECT_NE(renderProductReport(snap->products.at(500), *snap).find("\"remove_product\""),
            std::string::npos);
}

// A top seller (score 100) whose product reaches product_remove wears at
// most `fair` while authenticity_repeat holds, with a reason that names
// it, and goes back to `top` when the claims are withdrawn.
TEST_F(ScoreJobTest, AuthenticityRepeatCapsTheBadgeUntilItClears) {
  AuthenticityClaim first{11, 1, 500, kNow - 100 * kSecondsPerDay, TicketStatus::kOpen};
  AuthenticityClaim second{12, 1, 500, kNow - 2 * kSecondsPerDay, TicketStatus::kOpen};
  source_.data.authenticityClaims = {first, second};
  job_.run(kNow, cancel_);
  auto snap = snapshots_.current();
  EXPECT_EQ(snap->sellers.at(1)->score, 100.0);
  EXPECT_EQ(snap->sellers.at(1)->badge, Badge::kFair);
  EXPECT_EQ(snap->sellers.at(1)->badgeReason.str(),
            "capped at fair while the critical warning authenticity_repeat is active; score "
            "100.0 is in the top band");
  ASSERT_EQ(snap->badgeChanges.at(1).size(), 1u);
  EXPECT_EQ(snap->badgeChanges.at(1).back().to, Badge::kFair);

  second.status = TicketStatus::kWithdrawn;
  source_.data.authenticityClaims = {first, second};
  job_.run(kNow + 300, cancel_);
  snap = snapshots_.current();
  EXPECT_EQ(snap->sellers.at(1)->badge, Badge::kTop);
  ASSERT_EQ(snap->badgeChanges.at(1).size(), 2u);
  EXPECT_EQ(snap->badgeChanges.at(1).back().from, Badge::kFair);
  EXPECT_EQ(snap->badgeChanges.at(1).back().reason.str(),
            "score 100.0 reached 77.0, the fair band's upper bound with 2.0 points of "
            "hysteresis");
}

// Incremental runs: when the job asks the source for changes only, and what
// it asks for.

TEST_F(ScoreJobTest, FirstRunIsFullEvenWhenAnIncrementalOneIsAsked) {
  source_.data.watermark = kNow - 30;
  const ScoreRunSummary s = job_.run(kNow, cancel_, RunKind::kIncremental);
  EXPECT_EQ(RunKind::kFull, s.kind);
  EXPECT_FALSE(source_.lastChanges.has_value());
  EXPECT_EQ(3, s.sellersRecomputed);
  ASSERT_TRUE(s.watermarkLag.has_value());
  EXPECT_EQ(30, *s.watermarkLag);
  EXPECT_EQ(kNow, snapshots_.current()->fullRunAt);
  EXPECT_EQ(kNow - 30, store_.runs.back().sourceWatermark);
}

// A configuration reload hands the job new rules: the next run applies them
// to every seller (a full run, since the rules version changed) and says so
// in its results.
TEST_F(ScoreJobTest, NewRulesApplyFromTheNextRunWhichIsFull) {
  job_.run(kNow, cancel_, RunKind::kIncremental);
  EXPECT_EQ(snapshots_.current()->sellers.at(3)->badge, Badge::kNew);  // 3 < 10 orders
  Rules rules;
  rules.minOrders = 3;
  job_.setRules(rules);
  const ScoreRunSummary s = job_.run(kNow + 60, cancel_, RunKind::kIncremental);
  EXPECT_EQ(RunKind::kFull, s.kind);
  EXPECT_FALSE(source_.lastChanges.has_value());
  const auto snap = snapshots_.current();
  EXPECT_EQ(snap->rulesVersion, rulesVersion(rules));
  EXPECT_NE(snap->rulesVersion, rulesVersion(Rules()));
  EXPECT_EQ(snap->rules->minOrders, 3);
  EXPECT_EQ(snap->sellers.at(3)->badge, Badge::kTop);  // now scored: 3 perfect orders
  EXPECT_EQ(store_.runs.back().rulesVersion, rulesVersion(rules));
}

TEST_F(ScoreJobTest, AsksForTheChangesSinceTheWatermarkLessTheOverlap) {
  source_.data.watermark = kNow - 30;
  job_.run(kNow, cancel_, RunKind::kIncremental);
  source_.data.scope = std::vector<std::int64_t>{2};
  source_.data.sellers = {{2, {2, "Defective", "DE"}}};
  source_.data.tallies = {{2, tally(1000, 50)}};
  const ScoreRunSummary s = job_.run(kNow + 60, cancel_, RunKind::kIncremental);
  EXPECT_EQ(RunKind::kIncremental, s.kind);
  ASSERT_TRUE(source_.lastChanges.has_value());
  EXPECT_EQ(kNow - 30 - ScoreJob::Options().changeOverlapSeconds,
            source_.lastChanges->changedSince);
  EXPECT_EQ(kNow, source_.lastChanges->previousNow);
  // Seller 1 and 3 were not read: they keep their results.
  EXPECT_EQ(1, s.sellersRecomputed);
  EXPECT_EQ(3, s.sellers);
  EXPECT_EQ(3u, snapshots_.current()->sellers.size());
  EXPECT_EQ(kNow, snapshots_.current()->fullRunAt);
  // No watermark in this read: the previous one stands.
  EXPECT_EQ(kNow - 30, snapshots_.current()->sourceWatermark);
}

TEST_F(ScoreJobTest, AnIncrementalRunKeepsTheWarningsOfSellersItDidNotRead) {
  job_.run(kNow, cancel_);
  job_.run(kNow + 30, cancel_);  // first badges give their steady reasons
  const std::size_t warnings = snapshots_.current()->warnings.size();
  ASSERT_GT(warnings, 0u);
  source_.data.scope = std::vector<std::int64_t>{1};
  source_.data.sellers = {{1, {1, "Reliable", "FR"}}};
  source_.data.tallies = {{1, tally(1000, 0)}};
  const ScoreRunSummary s = job_.run(kNow + 60, cancel_, RunKind::kIncremental);
  EXPECT_EQ(0, s.warningsCleared);
  EXPECT_EQ(static_cast<std::int64_t>(warnings), s.warningsActive);
  EXPECT_EQ(0, s.rowsWritten);
}

// A seller read and found nowhere may be a deleted one or the first sign of
// a vanishing source: a full read tells, and removes it.
TEST_F(ScoreJobTest, AnIncrementalRunThatFindsASellerGoneReadsEverySellerAndRemovesIt) {
  job_.run(kNow, cancel_);
  source_.data.scope = std::vector<std::int64_t>{3};
  source_.data.sellers.erase(3);
  source_.data.tallies.erase(3);
  const int reads = source_.reads;
  const ScoreRunSummary s = job_.run(kNow + 60, cancel_, RunKind::kIncremental);
  EXPECT_EQ(reads + 2, source_.reads);
  EXPECT_FALSE(source_.lastChanges.has_value());  // the second read: every seller
  EXPECT_EQ(RunKind::kFull, s.kind);
  EXPECT_EQ("the sellers read lost 1 of 1 sellers (100 %) and 3 of 3 window orders (100 %)",
            s.readInFullBecause);
  EXPECT_EQ(0u, snapshots_.current()->sellers.count(3));
  EXPECT_EQ(std::vector<std::int64_t>{3}, store_.runs.back().sellersRemoved);
  EXPECT_NE(std::string::npos,
            s.line().find("full run (read in full: the sellers read lost 1 of 1 sellers"))
      << s.line();
}

// The guard against a vanishing source: a run that would lose more than
// half of the previous results' sellers or window orders publishes nothing.

TEST_F(ScoreJobTest, ASourceThatLostEverySellerIsRefusedAndNothingIsLost) {
  job_.run(kNow, cancel_);
  const auto before = snapshots_.current();
  source_.data = SourceData();  // every table emptied
  const Refusal refused = refusal(job_, kNow + 300);
  EXPECT_EQ("sellers", refused.reason);
  EXPECT_EQ(
      "refused: the source lost 3 of 3 sellers (100 %) and 2003 of 2003 window orders (100 %) "
      "since the results of 2026-03-01T12:00:00Z, more than the 50 % a run may lose; nothing "
      "was published and those results stay",
      refused.message);
  EXPECT_EQ(before, snapshots_.current());
  EXPECT_EQ(1u, store_.runs.size());

  // The data comes back: every seller keeps its badge, every warning its id.
  source_.data = marketplace();
  const ScoreRunSummary s = job_.run(kNow + 600, cancel_);
  EXPECT_EQ(0, s.badgeChanges);
  EXPECT_EQ(0, s.warningsRaised);
  EXPECT_EQ(0, s.warningsCleared);
  const auto snap = snapshots_.current();
  ASSERT_EQ(2u, snap->warnings.size());
  EXPECT_EQ(1, nth(snap->warnings, 0)->id);
  EXPECT_EQ(kNow, nth(snap->warnings, 0)->raisedAt);
  EXPECT_EQ(Badge::kTop, snap->sellers.at(1)->badge);
}

TEST_F(ScoreJobTest, LosingMoreThanHalfTheSellersIsRefusedHalfOrLessIsNot) {
  job_.run(kNow, cancel_);
  source_.data.sellers.erase(3);
  source_.data.tallies.erase(3);
  EXPECT_EQ(2, job_.run(kNow + 300, cancel_).sellers);  // 1 of 3
  source_.data.sellers.erase(2);
  source_.data.tallies.erase(2);
  source_.data.tallies[1] = tally(2003, 0);             // the window orders are not what is lost
  EXPECT_EQ(1, job_.run(kNow + 600, cancel_).sellers);  // 1 of 2: half
  source_.data = SourceData();
  source_.data.sellers[4] = {4, "Other", "FR"};  // another seller is no substitute
  source_.data.tallies[4] = tally(2003, 0);
  const Refusal refused = refusal(job_, kNow + 900);
  EXPECT_EQ("sellers", refused.reason);
  EXPECT_NE(std::string::npos,
            refused.message.find("lost 1 of 1 sellers (100 %) and 0 of 2003 window orders (0 %)"))
      << refused.message;
}

TEST_F(ScoreJobTest, LosingMoreThanHalfTheWindowOrdersIsRefusedHalfOrLessIsNot) {
  source_.data.tallies = {{1, tally(10, 0)}, {2, tally(10, 0)}};
  job_.run(kNow, cancel_);
  source_.data.tallies.erase(2);                   // seller 2 is still in the sellers table
  EXPECT_NO_THROW(job_.run(kNow + 300, cancel_));  // 10 of 20: half
  source_.data.tallies = {{1, tally(10, 0)}, {2, tally(10, 0)}};
  job_.run(kNow + 600, cancel_);
  source_.data.tallies = {{1, tally(9, 0)}};
  const Refusal refused = refusal(job_, kNow + 900);
  EXPECT_EQ("window_orders", refused.reason);
  EXPECT_NE(std::string::npos, refused.message.find("lost 0 of 3 sellers (0 %) and 11 of 20 "
                                                    "window orders (55 %) since the results of "
                                                    "2026-03-01T12:10:00Z"))
      << refused.message;
  EXPECT_EQ(kNow + 600, snapshots_.current()->computedAt);
}

TEST_F(ScoreJobTest, TheOperatorAcceptsAShrinkWithAFullRunThatIsPublished) {
  job_.run(kNow, cancel_);
  source_.data = SourceData();
  source_.data.scope = std::vector<std::int64_t>{};
  EXPECT_EQ("sellers", refusal(job_, kNow + 300).reason);
  const ScoreRunSummary s = job_.run(kNow + 600, cancel_, RunKind::kIncremental, true);
  EXPECT_EQ(RunKind::kFull, s.kind);
  EXPECT_FALSE(source_.lastChanges.has_value());
  EXPECT_EQ("3 of 3 sellers (100 %) and 2003 of 2003 window orders (100 %)", s.shrinkAccepted);
  EXPECT_EQ(0, s.sellers);
  EXPECT_EQ(2, s.warningsCleared);
  EXPECT_TRUE(snapshots_.current()->sellers.empty());
  EXPECT_EQ(0u, store_.runs.back().sellersChanged.size());
  EXPECT_EQ(3u, store_.runs.back().sellersRemoved.size());
  EXPECT_NE(std::string::npos, s.line().find("full run (accepting the loss of 3 of 3 sellers"))
      << s.line();
  // Nothing left to lose: the next runs are published as they are.
  EXPECT_NO_THROW(job_.run(kNow + 900, cancel_));
}

TEST_F(ScoreJobTest, AFirstRunIsNeverRefusedNorOneAfterEmptyResults) {
  const SourceData all = source_.data;
  source_.data = SourceData();
  EXPECT_EQ(0, job_.run(kNow, cancel_).sellers);
  source_.data = all;
  EXPECT_EQ(3, job_.run(kNow + 300, cancel_).sellers);
}

TEST_F(ScoreJobTest, AMaxShrinkOfOneNeverRefuses) {
  ScoreJob::Options options;
  options.maxShrink = 1;
  ScoreJob job(&source_, &store_, &snapshots_, Rules(), options);
  job.run(kNow, cancel_);
  source_.data = SourceData();
  EXPECT_EQ(0, job.run(kNow + 300, cancel_).sellers);
}

// New rules may mean another window, and other window orders: only the
// sellers compare.
TEST_F(ScoreJobTest, UnderNewRulesOnlyTheSellersCompare) {
  job_.run(kNow, cancel_);
  Rules rules;
  rules.windowDays = 20;
  job_.setRules(rules);
  source_.data.tallies = {{1, tally(300, 0)}, {2, tally(300, 15)}};
  const ScoreRunSummary s = job_.run(kNow + 300, cancel_);
  EXPECT_EQ(3, s.sellers);
  source_.data.sellers = {{1, {1, "Reliable", "FR"}}};
  source_.data.tallies = {{1, tally(300, 0)}};
  Rules again;
  job_.setRules(again);
  EXPECT_EQ("sellers", refusal(job_, kNow + 600).reason);
}

// Rows deleted leave no trace an incremental read finds, but a latest
// change that went back shows that the newest were: every seller is read.
TEST_F(ScoreJobTest, AnEmptiedSourceIsFoundByTheLatestChangeGoingBackAndRefused) {
  source_.data.watermark = kNow - 30;
  job_.run(kNow, cancel_);
  source_.data = SourceData();
  source_.data.scope = std::vector<std::int64_t>{};  // no change found, no seller due
  const int reads = source_.reads;
  EXPECT_EQ("sellers", refusal(job_, kNow + 60, RunKind::kIncremental).reason);
  EXPECT_EQ(reads + 2, source_.reads);
  EXPECT_FALSE(source_.lastChanges.has_value());
  EXPECT_EQ(kNow, snapshots_.current()->computedAt);

  // A latest change that only moved back (one row deleted) reads in full
  // too, and is published when the loss is small.
  source_.data = marketplace();
  source_.data.watermark = kNow - 40;
  source_.data.scope = std::vector<std::int64_t>{};
  const ScoreRunSummary s = job_.run(kNow + 120, cancel_, RunKind::kIncremental);
  EXPECT_EQ(RunKind::kFull, s.kind);
  EXPECT_EQ(
      "the source's latest change went back from 2026-03-01T11:59:30Z to 2026-03-01T11:59:20Z",
      s.readInFullBecause);
}

TEST_F(ScoreJobTest, AnIncrementalRunThatLosesLessThanHalfOfWhatItReadStaysIncremental) {
  job_.run(kNow, cancel_);
  source_.data.scope = std::vector<std::int64_t>{1};
  source_.data.sellers = {{1, {1, "Reliable", "FR"}}};
  source_.data.tallies = {{1, tally(500, 0)}};  // 500 of 1000: half
  const ScoreRunSummary s = job_.run(kNow + 60, cancel_, RunKind::kIncremental);
  EXPECT_EQ(RunKind::kIncremental, s.kind);
  EXPECT_EQ("", s.readInFullBecause);
  EXPECT_EQ(500, snapshots_.current()->sellers.at(1)->counts[0]);
  EXPECT_EQ(3, s.sellers);
}

TEST_F(ScoreJobTest, DueSellersAreTheClocksTheBadgeChangersAndTheLaddersOnes) {
  source_.data.dueAt = {{1, kNow + 100}, {2, kNow + 5000}};
  // Seller 3's product: a delist that ends an hour from now.
  source_.data.authenticityClaims = {
      {900, 3, 30, kNow - 7 * kSecondsPerDay + 3600, TicketStatus::kOpen}};
  job_.run(kNow, cancel_, RunKind::kIncremental);
  // Every seller got its first badge now: each is due once more, for the
  // reason a badge that holds gives.
  job_.run(kNow + 10, cancel_, RunKind::kIncremental);
  EXPECT_EQ((std::vector<std::int64_t>{1, 2, 3}), source_.lastChanges->dueSellers);
  source_.data = SourceData();  // from now on, nothing changes in the source
  source_.data.scope = std::vector<std::int64_t>{};
  job_.run(kNow + 20, cancel_, RunKind::kIncremental);
  EXPECT_EQ((std::vector<std::int64_t>{}), source_.lastChanges->dueSellers);
  job_.run(kNow + 100, cancel_, RunKind::kIncremental);
  EXPECT_EQ((std::vector<std::int64_t>{1}), source_.lastChanges->dueSellers);
  job_.run(kNow + 3601, cancel_, RunKind::kIncremental);
  EXPECT_EQ((std::vector<std::int64_t>{1, 3}), source_.lastChanges->dueSellers);
}

TEST_F(ScoreJobTest, SellersHoldingMoreThanAFifthOfTheOrdersAreReadInOnePass) {
  ScoreJob::Options options;
  options.onePassMinOrders = 2003;  // the fixture's window orders
  ScoreJob job(&source_, &store_, &snapshots_, Rules(), options);
  job.run(kNow, cancel_);
  source_.data = SourceData();
  source_.data.tallies[3] = tally(3, 0);
  job.run(kNow + 60, cancel_, RunKind::kIncremental);
  ASSERT_TRUE(source_.lastChanges->cheaperToReadAll);
  // Seller 3 holds 3 of the 2003 window orders; 1 and 2 hold 1000 each.
  EXPECT_FALSE(source_.lastChanges->cheaperToReadAll({3}, 0));
  EXPECT_FALSE(source_.lastChanges->cheaperToReadAll({3, 99}, 0));
  EXPECT_TRUE(source_.lastChanges->cheaperToReadAll({1}, 0));
  EXPECT_TRUE(source_.lastChanges->cheaperToReadAll({2, 3}, 0));
  // Orders of the buckets to read count as well: 3 + 397 = 400 are less
  // than a fifth of 2003, 401 more.
  EXPECT_FALSE(source_.lastChanges->cheaperToReadAll({3}, 397));
  EXPECT_TRUE(source_.lastChanges->cheaperToReadAll({3}, 398));

  ScoreJob::Options never;
  never.fullReadShare = 0;
  ScoreJob bySeller(&source_, &store_, &snapshots_, Rules(), never);
  bySeller.resumeFrom(snapshots_.current());
  bySeller.run(kNow + 120, cancel_, RunKind::kIncremental);
  EXPECT_FALSE(source_.lastChanges->cheaperToReadAll);

  // A smaller window than onePassMinOrders is always read by seller.
  options.onePassMinOrders = 2004;
  ScoreJob small(&source_, &store_, &snapshots_, Rules(), options);
  small.resumeFrom(snapshots_.current());
  small.run(kNow + 180, cancel_, RunKind::kIncremental);
  EXPECT_FALSE(source_.lastChanges->cheaperToReadAll);
}

TEST_F(ScoreJobTest, OtherRulesAClockThatWentBackOrADayWithoutOneMakeARunFull) {
  ScoreJob::Options bySeller;  // every seller changes here; still read by seller
  bySeller.fullReadShare = 0;
  ScoreJob job(&source_, &store_, &snapshots_, Rules(), bySeller);
  job.run(kNow, cancel_);
  EXPECT_EQ(RunKind::kIncremental, job.run(kNow + 60, cancel_, RunKind::kIncremental).kind);
  EXPECT_EQ(RunKind::kFull, job.run(kNow + 30, cancel_, RunKind::kIncremental).kind);
  EXPECT_EQ(RunKind::kIncremental,
            job.run(kNow + 30 + kSecondsPerDay - 1, cancel_, RunKind::kIncremental).kind);
  EXPECT_EQ(RunKind::kFull,
            job.run(kNow + 30 + kSecondsPerDay, cancel_, RunKind::kIncremental).kind);
  EXPECT_EQ(RunKind::kFull, job.run(kNow + 2 * kSecondsPerDay, cancel_, RunKind::kFull).kind);

  Rules other;
  other.windowDays = 30;
  ScoreJob changed(&source_, &store_, &snapshots_, other, ScoreJob::Options());
  changed.resumeFrom(snapshots_.current());
  EXPECT_EQ(RunKind::kFull,
            changed.run(kNow + 2 * kSecondsPerDay + 60, cancel_, RunKind::kIncremental).kind);
}

TEST(HistoryJobTest, RecordsTheSnapshotsDayAndReplacesItOnRerun) {
  FakeStore store;
  SnapshotHolder snapshots;
  HistoryJob job(&store, &snapshots, 30);
  EXPECT_THROW(job.run(kNow), SourceError);  // nothing to record yet
  auto snap = std::make_shared<Snapshot>();
  snap->computedAt = kNow;
  SellerResult seller;
  seller.sellerId = 1;
  seller.badge = Badge::kGood;
  seller.score = 80.0;
  snap->sellers[1] = std::make_shared<const SellerResult>(seller);
  snap->history = std::make_shared<const HistoryBySeller>(
      HistoryBySeller{{1,
                       {{startOfDay(kNow) - 31 * kSecondsPerDay, 70.0, Badge::kFair},
                        {startOfDay(kNow) - 30 * kSecondsPerDay, 71.0, Badge::kFair}}}});
  const auto before = snap->history;
  snapshots.publish(snap);
  const HistoryRunSummary s = job.run(kNow);
  EXPECT_EQ(s.points, 1);
  job.run(kNow + 60);
  const auto after = snapshots.current();
  ASSERT_EQ(after->history->at(1).size(), 2u);  // the 31-day-old point is pruned
  EXPECT_EQ(after->history->at(1)[0].score, 71.0);
  EXPECT_EQ(after->history->at(1)[1].day, startOfDay(kNow));
  EXPECT_EQ(after->history->at(1)[1].badge, Badge::kGood);
  EXPECT_EQ(before->at(1).size(), 2u);  // the published history was not touched
  ASSERT_EQ(store.history.size(), 2u);
  EXPECT_EQ(store.history[0].first, startOfDay(kNow));
}

}  // namespace
}  // namespace sellertrust
