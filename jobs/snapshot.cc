// Snapshot indexes and the holder.
#include "jobs/snapshot.h"

#include <algorithm>
#include <stdexcept>
#include <string>
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

SharedWarning ActiveWarnings::find(std::int64_t id) const {
  const auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second;
}

std::vector<SharedWarning> ActiveWarnings::pick(const Table& byId,
                                                const SharedTable<std::vector<std::int64_t>>& index,
                                                std::int64_t key) {
  std::vector<SharedWarning> out;
  const auto ids = index.find(key);
  if (ids == index.end()) return out;
  out.reserve(ids->second.size());
  for (std::int64_t id : ids->second) out.push_back(byId.at(id));
  return out;
}

std::vector<SharedWarning> ActiveWarnings::ofSeller(std::int64_t sellerId) const {
  return pick(byId_, bySeller_, sellerId);
}

std::vector<SharedWarning> ActiveWarnings::ofProduct(std::int64_t productId) const {
  return pick(byId_, byProduct_, productId);
}

namespace {

void addId(SharedTable<std::vector<std::int64_t>>* index, std::int64_t key, std::int64_t id) {
  std::vector<std::int64_t>& ids = (*index)[key];
  ids.insert(std::upper_bound(ids.begin(), ids.end(), id), id);
}

void removeId(SharedTable<std::vector<std::int64_t>>* index, std::int64_t key, std::int64_t id) {
  if (index->count(key) == 0) return;
  std::vector<std::int64_t>& ids = (*index)[key];
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
  if (ids.empty()) index->erase(key);
}

}  // namespace

void ActiveWarnings::add(SharedWarning warning) {
  const std::int64_t id = warning->id;
  const Warning& w = *warning;  // held by the table once added
  if (!byId_.emplace(id, std::move(warning))) {
    throw std::logic_error("two active warnings have the id " + std::to_string(id));
  }
  addId(&bySeller_, w.firing.sellerId, w.id);
  if (w.firing.productId) addId(&byProduct_, *w.firing.productId, w.id);
  ++counts_[{w.firing.code, w.firing.severity}];
}

void ActiveWarnings::remove(std::int64_t id) {
  const SharedWarning w = find(id);
  if (!w) return;
  removeId(&bySeller_, w->firing.sellerId, id);
  if (w->firing.productId) removeId(&byProduct_, *w->firing.productId, id);
  byId_.erase(id);
  const auto count = counts_.find({w->firing.code, w->firing.severity});
  if (--count->second == 0) counts_.erase(count);
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
