#include "jobs/score_job.h"

#include <algorithm>
#include <set>

#include "jobs/report.h"
#include "sellertrust/seller.h"

namespace sellertrust {

std::int64_t ScoreRunSummary::totalRowsRead() const {
  std::int64_t total = 0;
  for (const auto& entry : rowsRead) total += entry.second;
  return total;
}

std::string ScoreRunSummary::line() const {
  return std::to_string(sellers) + " sellers (" + std::to_string(scored) + " scored), " +
         std::to_string(totalRowsRead()) + " rows read, " + std::to_string(problems.size()) +
         " rows skipped, " + std::to_string(warningsActive) + " warnings active (+" +
         std::to_string(warningsRaised) + " -" + std::to_string(warningsCleared) + "), " +
         std::to_string(badgeChanges) + " badge changes";
}

ScoreJob::ScoreJob(Source* source, ResultStore* store, SnapshotHolder* snapshots,
                   const Rules& rules, int keepDays)
    : source_(source),
      store_(store),
      snapshots_(snapshots),
      rules_(rules),
      rulesVersion_(rulesVersion(rules_)),
      keepDays_(keepDays) {}

namespace {

void checkCancel(const CancelToken& cancel) {
  if (cancel.cancelled()) throw RunCancelled();
}

template <typename T, typename KeepFn>
std::vector<T> filtered(const std::vector<T>& items, KeepFn keep) {
  std::vector<T> out;
  for (const T& item : items) {
    if (keep(item)) out.push_back(item);
  }
  return out;
}

// Groups items by a key; items without a key (nullopt) are left out.
template <typename T, typename KeyFn>
std::map<std::int64_t, std::vector<T>> groupBy(const std::vector<T>& items, KeyFn key) {
  std::map<std::int64_t, std::vector<T>> out;
  for (const T& item : items) {
    if (std::optional<std::int64_t> k = key(item)) out[*k].push_back(item);
  }
  return out;
}

template <typename T>
const std::vector<T>& groupOf(const std::map<std::int64_t, std::vector<T>>& groups,
                              std::int64_t key) {
  static const std::vector<T> kNone;
  auto it = groups.find(key);
  return it == groups.end() ? kNone : it->second;
}

}  // namespace

ScoreRunSummary ScoreJob::run(Timestamp now, const CancelToken& cancel) {
  const std::shared_ptr<const Snapshot> previous = snapshots_->current();
  SourceData data = source_->read(now, rules_, cancel);
  checkCancel(cancel);

  ScoreRunSummary summary;
  summary.rowsRead = data.rowsRead;
  summary.problems = std::move(data.problems);

  // Every known seller is evaluated, also those without window orders (they
  // get badge `new`), and so is any seller that only appears in orders.
  std::set<std::int64_t> sellerIds;
  for (const auto& entry : data.sellers) sellerIds.insert(entry.first);
  for (const auto& entry : data.tallies) sellerIds.insert(entry.first);

  std::vector<SellerEvaluation> evaluations;
  std::vector<Firing> firings;
  const SellerTally emptyTally;
  for (std::int64_t id : sellerIds) {
    std::optional<Badge> previousBadge;
    if (previous) {
      auto it = previous->sellers.find(id);
      if (it != previous->sellers.end()) previousBadge = it->second.badge;
    }
    auto tally = data.tallies.find(id);
    evaluations.push_back(evaluateSeller(
        id, tally == data.tallies.end() ? emptyTally : tally->second, previousBadge, rules_));
    const std::vector<Firing>& f = evaluations.back().firings;
    firings.insert(firings.end(), f.begin(), f.end());
  }
  const std::vector<ProductLadder> ladders = evaluateLadder(data.authenticityClaims, now, rules_);
  const std::vector<Firing> ladder = ladderFirings(ladders);
  firings.insert(firings.end(), ladder.begin(), ladder.end());
  checkCancel(cancel);

  std::int64_t nextWarningId = previous ? previous->nextWarningId : 1;
  RunRecord record;
  record.computedAt = now;
  record.rulesVersion = rulesVersion_;
  record.warnings = reconcileWarnings(previous ? previous->warnings : std::vector<Warning>{},
                                      firings, now, &nextWarningId);
  const std::vector<Warning>& active = record.warnings.active;
  const auto warningsBySeller = groupBy(
      active, [](const Warning& w) { return std::optional<std::int64_t>(w.firing.sellerId); });
  const auto warningsByProduct =
      groupBy(active, [](const Warning& w) { return w.firing.productId; });
  const auto claimsByProduct = groupBy(data.authenticityClaims, [](const AuthenticityClaim& c) {
    return std::optional<std::int64_t>(c.productId);
  });

  std::int64_t defects = 0;
  std::int64_t orders = 0;
  for (const SellerEvaluation& e : evaluations) {
    defects += e.metrics.at(MetricId::kOrderDefectRate).numerator;
    orders += e.metrics.orders;
    auto info = data.sellers.find(e.sellerId);
    SellerInfo seller = info == data.sellers.end() ? SellerInfo{e.sellerId, "", ""} : info->second;
    SellerEntry entry;
    entry.sellerId = e.sellerId;
    entry.badge = e.badge.badge;
    if (e.score) entry.score = e.score->value;
    entry.reportJson = renderSellerReport(seller, e, groupOf(warningsBySeller, e.sellerId), now,
                                          rulesVersion_, rules_);
    if (e.badgeChanged()) {
      record.badgeChanges.push_back(
          {e.sellerId, e.previousBadge, e.badge.badge, entry.score, now, e.badge.reason});
    }
    record.sellers.push_back(std::move(entry));
    if (e.score) ++summary.scored;
  }
  if (orders > 0) {
    record.marketplaceOdr = static_cast<double>(defects) / static_cast<double>(orders);
  }

  // A product report for every product on the ladder or drawing window claims.
  std::map<std::int64_t, ProductLadder> productLadders;
  for (const ProductLadder& l : ladders) productLadders[l.productId] = l;
  std::map<std::int64_t, std::int64_t> windowClaims;
  for (const auto& [sellerId, tally] : data.tallies) {
    for (const auto& [productId, claims] : tally.productClaims) {
      windowClaims[productId] += claims;
      if (productLadders.count(productId) == 0) {
        ProductLadder none;
        none.productId = productId;
        none.sellerId = sellerId;
        productLadders[productId] = none;
      }
    }
  }
  for (const auto& [productId, l] : productLadders) {
    record.products.push_back(
        {productId, l.sellerId,
         renderProductReport(l, groupOf(claimsByProduct, productId), windowClaims[productId],
                             groupOf(warningsByProduct, productId), now, rulesVersion_)});
  }
  checkCancel(cancel);

  store_->saveRun(record);

  auto snapshot = std::make_shared<Snapshot>();
  snapshot->computedAt = now;
  snapshot->rulesVersion = rulesVersion_;
  for (SellerEntry& s : record.sellers) snapshot->sellers.emplace(s.sellerId, std::move(s));
  for (ProductEntry& p : record.products) snapshot->products.emplace(p.productId, std::move(p));
  snapshot->warnings = active;
  std::sort(snapshot->warnings.begin(), snapshot->warnings.end(),
            [](const Warning& a, const Warning& b) { return a.id < b.id; });
  snapshot->marketplaceOdr = record.marketplaceOdr;
  snapshot->nextWarningId = nextWarningId;
  const Timestamp keepSince = now - static_cast<Timestamp>(keepDays_) * kSecondsPerDay;
  if (previous) {
    snapshot->history = previous->history;
    for (const auto& [id, changes] : previous->badgeChanges) {
      snapshot->badgeChanges[id] =
          filtered(changes, [&](const BadgeChange& c) { return c.at >= keepSince; });
    }
  }
  for (const BadgeChange& c : record.badgeChanges) snapshot->badgeChanges[c.sellerId].push_back(c);
  snapshots_->publish(snapshot);

  summary.sellers = static_cast<std::int64_t>(evaluations.size());
  summary.warningsActive = static_cast<std::int64_t>(active.size());
  summary.warningsRaised = static_cast<std::int64_t>(record.warnings.raised.size());
  summary.warningsCleared = static_cast<std::int64_t>(record.warnings.cleared.size());
  summary.badgeChanges = static_cast<std::int64_t>(record.badgeChanges.size());
  return summary;
}

}  // namespace sellertrust
