// Snapshot indexes and the holder.
#include "jobs/snapshot.h"

#include <algorithm>
#include <tuple>

namespace sellertrust {

bool SellerResult::operator==(const SellerResult& o) const {
  return std::tie(sellerId, name, country, counts, responseTime.answered, responseTime.p50Hours,
                  responseTime.p90Hours, score, badge, badgeReason, dueAt, defects) ==
         std::tie(o.sellerId, o.name, o.country, o.counts, o.responseTime.answered,
                  o.responseTime.p50Hours, o.responseTime.p90Hours, o.score, o.badge, o.badgeReason,
                  o.dueAt, o.defects);
}

bool ProductResult::operator==(const ProductResult& o) const {
  const ProductLadder& a = ladder;
  const ProductLadder& b = o.ladder;
  return std::tie(a.productId, a.sellerId, a.step, a.countedClaims, a.firstClaimAt, a.secondClaimAt,
                  a.delistUntil, a.delistActive, claimsInWindow) ==
         std::tie(b.productId, b.sellerId, b.step, b.countedClaims, b.firstClaimAt, b.secondClaimAt,
                  b.delistUntil, b.delistActive, o.claimsInWindow);
}

void Snapshot::indexWarnings() {
  warningsBySeller_.clear();
  warningsByProduct_.clear();
  warningsBySeller_.reserve(warnings.size());
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    const Firing& f = warnings[i]->firing;
    warningsBySeller_.emplace_back(f.sellerId, i);
    if (f.productId) warningsByProduct_.emplace_back(*f.productId, i);
  }
  std::sort(warningsBySeller_.begin(), warningsBySeller_.end());
  std::sort(warningsByProduct_.begin(), warningsByProduct_.end());
}

namespace {

std::vector<Warning> pick(const std::vector<SharedWarning>& all,
                          const std::vector<std::pair<std::int64_t, std::size_t>>& index,
                          std::int64_t key) {
  const auto first =
      std::lower_bound(index.begin(), index.end(), std::make_pair(key, std::size_t{0}));
  std::vector<Warning> out;
  for (auto it = first; it != index.end() && it->first == key; ++it) {
    out.push_back(*all[it->second]);
  }
  return out;
}

}  // namespace

const Warning* Snapshot::warning(std::int64_t id) const {
  auto it = std::lower_bound(warnings.begin(), warnings.end(), id,
                             [](const SharedWarning& w, std::int64_t key) { return w->id < key; });
  return it != warnings.end() && (*it)->id == id ? it->get() : nullptr;
}

std::vector<Warning> Snapshot::warningsOfSeller(std::int64_t sellerId) const {
  return pick(warnings, warningsBySeller_, sellerId);
}

std::vector<Warning> Snapshot::warningsOfProduct(std::int64_t productId) const {
  return pick(warnings, warningsByProduct_, productId);
}

std::array<std::int64_t, 5> Snapshot::badgeCounts() const {
  std::array<std::int64_t, 5> counts{};
  for (const auto& entry : sellers) ++counts[static_cast<std::size_t>(entry.second->badge)];
  return counts;
}

std::shared_ptr<const Snapshot> SnapshotHolder::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

void SnapshotHolder::publish(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(snapshot);
}

}  // namespace sellertrust
