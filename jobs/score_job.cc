#include "jobs/score_job.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <limits>
#include <set>
#include <utility>

#include "sellertrust/seller.h"

namespace sellertrust {

std::int64_t ScoreRunSummary::totalRowsRead() const {
  std::int64_t total = 0;
  for (const auto& entry : rowsRead) total += entry.second;
  return total;
}

std::string ScoreRunSummary::line() const {
  char split[96];
  std::snprintf(split, sizeof split, "(read %.3f s, evaluate %.3f s, write %.3f s)", readSeconds,
                evaluateSeconds, writeSeconds);
  std::string why;
  if (!readInFullBecause.empty()) why = " (read in full: " + readInFullBecause + ")";
  if (!shrinkAccepted.empty()) why = " (accepting the loss of " + shrinkAccepted + ")";
  if (!bucketsNotSaved.empty()) why += " (buckets not saved: " + bucketsNotSaved + ")";
  return std::string(runKindName(kind)) + " run" + why + ": " + std::to_string(sellersRecomputed) +
         " of " + std::to_string(sellers) + " sellers recomputed (" + std::to_string(scored) +
         " scored), " + std::to_string(totalRowsRead()) + " rows read, " +
         std::to_string(problems.size()) + " rows skipped, " + std::to_string(warningsActive) +
         " warnings active (+" + std::to_string(warningsRaised) + " -" +
         std::to_string(warningsCleared) + "), " + std::to_string(badgeChanges) +
         " badge changes, " + std::to_string(rowsWritten) + " result rows written " + split;
}

const char* runKindName(RunKind kind) { return kind == RunKind::kFull ? "full" : "incremental"; }

namespace {

// True iff `lost` of `before` is more than `maxShare` of it.
bool beyond(std::int64_t lost, std::int64_t before, double maxShare) {
  return lost > 0 && static_cast<double>(lost) > maxShare * static_cast<double>(before);
}

// "66.7 %", "50 %".
std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", 100.0 * fraction);
  std::string out = text;
  if (out.size() > 2 && out.compare(out.size() - 2, 2, ".0") == 0) out.resize(out.size() - 2);
  return out + " %";
}

// "2 of 3 sellers (66.7 %)".
std::string share(std::int64_t lost, std::int64_t before, const char* what) {
  std::string out = std::to_string(lost) + " of " + std::to_string(before) + " " + what;
  if (before <= 0) return out;
  return out + " (" + percent(static_cast<double>(lost) / static_cast<double>(before)) + ")";
}

}  // namespace

const char* SourceShrink::exceeds(double maxShare) const {
  if (beyond(sellersLost, sellersBefore, maxShare)) return kShrinkReasons[0];
  if (compareOrders && beyond(ordersBefore - ordersAfter, ordersBefore, maxShare)) {
    return kShrinkReasons[1];
  }
  return nullptr;
}

std::string SourceShrink::describe() const {
  std::string out = share(sellersLost, sellersBefore, "sellers");
  if (compareOrders) {
    out += " and " + share(std::max<std::int64_t>(0, ordersBefore - ordersAfter), ordersBefore,
                           "window orders");
  }
  return out;
}

ScoreJob::ScoreJob(Source* source, ResultStore* store, SnapshotHolder* snapshots,
                   const Rules& rules, Options options)
    : source_(source),
      store_(store),
      snapshots_(snapshots),
      rules_(std::make_shared<const Rules>(rules)),
      rulesVersion_(rulesVersion(rules)),
      options_(std::move(options)),
      bucketFile_(options_.bucketsFile) {}

void ScoreJob::setRules(const Rules& rules) {
  std::lock_guard<std::mutex> lock(pendingMutex_);
  pendingRules_ = std::make_shared<const Rules>(rules);
}

namespace {

// The index of a seller's window orders in SellerResult::counts.
constexpr auto kOrders = static_cast<std::size_t>(TallyId::kOrders);

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

// Every seller's window orders in `snapshot` (CarriedState::sellerOrders).
std::vector<SellerOrders> sellerOrders(const Snapshot& snapshot) {
  std::vector<SellerOrders> all;
  all.reserve(snapshot.sellers.size());
  for (const auto& [id, seller] : snapshot.sellers) all.push_back({id, seller->counts[kOrders]});
  return all;
}

// Seconds on the monotonic clock since `since`, which it then resets.
double lap(std::chrono::steady_clock::time_point* since) {
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - *since).count();
  *since = now;
  return seconds;
}

// Adds to `removed` every key of `previous` not in `next`; only those of
// `keys` if given (the only keys that can differ).
template <typename Map>
void removedKeys(const Map& previous, const Map& next, std::vector<std::int64_t>* removed,
                 const std::set<std::int64_t>* keys = nullptr) {
  if (keys != nullptr) {
    for (std::int64_t key : *keys) {
      if (previous.count(key) != 0 && next.count(key) == 0) removed->push_back(key);
    }
    return;
  }
  for (const auto& entry : previous) {
    if (next.count(entry.first) == 0) removed->push_back(entry.first);
  }
}

// Adds to `changed` every value of `next` that is new or differs from
// `previous`, and to `removed` every key of `previous` not in `next`; only
// of `keys` (ascending) if given.
template <typename Map, typename Value>
void diff(const Map& previous, const Map& next, std::vector<Value>* changed,
          std::vector<std::int64_t>* removed, const std::vector<std::int64_t>* keys = nullptr) {
  if (keys == nullptr) {
    for (const auto& [key, value] : next) {
      auto was = previous.find(key);
      if (was == previous.end() || was->second != value) changed->push_back(value);
    }
    removedKeys(previous, next, removed);
    return;
  }
  for (std::int64_t key : *keys) {
    const auto was = previous.find(key);
    if (const auto is = next.find(key); is != next.end()) {
      if (was == previous.end() || was->second != is->second) changed->push_back(is->second);
    } else if (was != previous.end()) {
      removed->push_back(key);
    }
  }
}

// The changes an incremental run after `previous` reads, or nullopt when
// a full run is due or only a full run gives the right results: no full run
// saved yet, other rules, or a clock that went back.
std::optional<ChangeScope> changeScope(const std::shared_ptr<const Snapshot>& state,
                                       const std::set<std::pair<Timestamp, std::int64_t>>& dues,
                                       std::int64_t windowOrders, const std::string& rulesVersion,
                                       Timestamp now, const ScoreJob::Options& options) {
  const Snapshot& previous = *state;
  if (!previous.fullRunAt || now - *previous.fullRunAt >= options.fullEverySeconds ||
      previous.rulesVersion != rulesVersion || now < previous.computedAt) {
    return std::nullopt;
  }
  ChangeScope scope;
  scope.previousNow = previous.computedAt;
  scope.changedSince =
      previous.sourceWatermark.value_or(previous.computedAt) - options.changeOverlapSeconds;
  std::set<std::int64_t> due;
  for (auto it = dues.begin(); it != dues.end() && it->first <= now; ++it) due.insert(it->second);
  scope.dueSellers.assign(due.begin(), due.end());
  if (options.fullReadShare <= 0 || windowOrders < options.onePassMinOrders) return scope;
  const std::int64_t share = options.fullReadShare;
  scope.cheaperToReadAll = [state, windowOrders, share](const std::vector<std::int64_t>& ids,
                                                        std::int64_t orders) {
    for (std::int64_t id : ids) {
      auto it = state->sellers.find(id);
      if (it != state->sellers.end()) orders += it->second->counts[kOrders];
    }
    return orders * share > windowOrders;
  };
  return scope;
}

// What `data` lost of `previous`, over the sellers it read.
SourceShrink measureShrink(const Snapshot& previous, const SourceData& data, bool compareOrders) {
  const auto read = [&](std::int64_t id) {
    return !data.scope || std::binary_search(data.scope->begin(), data.scope->end(), id);
  };
  SourceShrink s;
  s.compareOrders = compareOrders;
  const auto before = [&](std::int64_t id, const SellerResult& seller) {
    ++s.sellersBefore;
    s.ordersBefore += seller.counts[kOrders];
    if (data.sellers.count(id) == 0 && data.tallies.count(id) == 0) ++s.sellersLost;
  };
  if (data.scope) {  // the sellers read, not every one
    for (std::int64_t id : *data.scope) {
      if (auto it = previous.sellers.find(id); it != previous.sellers.end()) {
        before(id, *it->second);
      }
    }
  } else {
    for (const auto& [id, seller] : previous.sellers) before(id, *seller);
  }
  for (const auto& [id, tally] : data.tallies) {
    if (read(id)) s.ordersAfter += tally.orders();
  }
  return s;
}

// Why the incremental read `data` cannot judge what the source lost, so
// that every seller must be read: its sellers lost more than `maxShrink`,
// or the source's latest change went back (its newest rows were deleted,
// which leaves no trace an incremental read finds). Empty: it can.
std::string readInFullBecause(const Snapshot& previous, const SourceData& data, double maxShrink) {
  if (previous.sourceWatermark &&
      (!data.watermark || *data.watermark < *previous.sourceWatermark)) {
    return "the source's latest change went back from " + formatRfc3339(*previous.sourceWatermark) +
           " to " + (data.watermark ? formatRfc3339(*data.watermark) : std::string("none"));
  }
  const SourceShrink lost = measureShrink(previous, data, true);
  if (lost.exceeds(maxShrink) != nullptr) return "the sellers read lost " + lost.describe();
  return "";
}

}  // namespace

void RunRecord::addDefectDays(const SellerResult& now, const DefectList* was) {
  if (was != nullptr && *was == now.defects) return;
  std::set<std::int64_t> days;
  for (std::int64_t day : now.defects.days()) days.insert(day);
  if (was != nullptr) {
    for (std::int64_t day : was->days()) days.insert(day);
  }
  for (std::int64_t day : days) {
    const DefectList rows = now.defects.day(day);
    if (rows.empty()) {
      defectDaysRemoved.emplace_back(now.sellerId, day);
    } else if (was == nullptr || was->day(day) != rows) {
      defectDaysChanged.emplace_back(&now, day);
    }
  }
}

std::int64_t RunRecord::rowsWritten() const {
  return static_cast<std::int64_t>(
      sellersChanged.size() + sellersRemoved.size() + defectDaysChanged.size() +
      defectDaysRemoved.size() + productsChanged.size() + productsRemoved.size() +
      claimsChanged.size() + claimsRemoved.size() + badgeChanges.size() + warningsRaised.size() +
      warningsUpdated.size() + warningsCleared.size());
}

std::shared_ptr<const Snapshot> ScoreJob::previousState(Timestamp now) {
  // Another daemon may have written since this one last did (a take-over):
  // the results database, not this process's memory, is then the truth.
  const std::optional<Timestamp> persisted = store_->latestRunAt();
  if (state_ && (!persisted || *persisted == state_->computedAt)) return state_;
  const Timestamp keepSince = now - static_cast<Timestamp>(options_.keepDays) * kSecondsPerDay;
  std::shared_ptr<const Snapshot> loaded = store_->loadSnapshot(keepSince);
  if (!loaded) loaded = std::make_shared<const Snapshot>();
  loadBucketsOf(*loaded);
  return loaded;
}

void ScoreJob::resumeFrom(std::shared_ptr<const Snapshot> persisted) {
  state_ = std::move(persisted);
  if (!state_) return;
  loadBucketsOf(*state_);
  index_ = indexSellers(state_);
}

void ScoreJob::countSeller(SellerIndex* index, const SellerResult& seller, int sign,
                           bool totalsOnly) const {
  index->windowOrders += sign * seller.counts[kOrders];
  index->defectOrders += sign * seller.counts[static_cast<std::size_t>(TallyId::kDefectOrders)];
  if (seller.score) index->scored += sign;
  if (totalsOnly) return;
  if (sign < 0) {
    // Its other due times (a delist's end, a claim ahead, a badge change)
    // are added again for the sellers read, or stay: a spare read at most.
    if (seller.dueAt) index->due.erase({*seller.dueAt, seller.sellerId});
    index->bucketed.erase(seller.sellerId);
    return;
  }
  if (seller.dueAt) index->due.emplace(*seller.dueAt, seller.sellerId);
  if (options_.bucketMinOrders > 0 && seller.counts[kOrders] >= options_.bucketMinOrders) {
    const Timestamp windowSeconds = static_cast<Timestamp>(rules_->windowDays) * kSecondsPerDay;
    index->bucketed[seller.sellerId] =
        bucketWidth(seller.counts[kOrders], windowSeconds, options_.ordersPerBucket);
  }
}

void ScoreJob::reindex(SellerIndex* index, const Snapshot& previous, const Snapshot& next,
                       const std::set<std::int64_t>& scope, bool totalsOnly) const {
  for (std::int64_t id : scope) {
    if (auto was = previous.sellers.find(id); was != previous.sellers.end()) {
      countSeller(index, *was->second, -1, totalsOnly);
    }
    if (auto is = next.sellers.find(id); is != next.sellers.end()) {
      countSeller(index, *is->second, 1, totalsOnly);
    }
  }
}

namespace {

// The ladder's clock: a delist that ends, a claim whose time comes.
void addProductDue(std::set<std::pair<Timestamp, std::int64_t>>* due, const ProductResult& p) {
  const ProductLadder& l = p.ladder;
  if (l.delistActive && l.delistUntil) due->emplace(*l.delistUntil + 1, l.sellerId);
}
void addClaimDue(std::set<std::pair<Timestamp, std::int64_t>>* due, const AuthenticityClaim& c,
                 Timestamp computedAt) {
  if (c.openedAt > computedAt) due->emplace(c.openedAt, c.sellerId);
}

}  // namespace

ScoreJob::SellerIndex ScoreJob::indexSellers(
    const std::shared_ptr<const Snapshot>& snapshot) const {
  SellerIndex index;
  for (const auto& [id, seller] : snapshot->sellers) countSeller(&index, *seller, 1, false);
  for (const auto& [productId, product] : snapshot->products) addProductDue(&index.due, product);
  for (const auto& [productId, claims] : snapshot->claimsByProduct) {
    for (const AuthenticityClaim& c : claims) addClaimDue(&index.due, c, snapshot->computedAt);
  }
  // A badge that just changed gives another reason once it holds.
  for (const auto& [id, changes] : snapshot->badgeChanges) {
    if (!changes.empty() && changes.back().at == snapshot->computedAt) {
      index.due.emplace(snapshot->computedAt, id);
    }
  }
  index.of = snapshot;
  return index;
}

void ScoreJob::loadBucketsOf(const Snapshot& results) {
  buckets_.clear();
  recent_ = RecentRows();
  if (options_.bucketsFile.empty()) return;
  std::optional<SavedJobState> loaded = bucketFile_.load(results.computedAt, results.rulesVersion);
  if (!loaded) return;
  buckets_ = std::move(loaded->buckets);
  recent_ = std::move(loaded->recent);
}

void ScoreJob::dropBuckets() {
  buckets_.clear();
  bucketFile_.forget();
}

ScoreRunSummary ScoreJob::run(Timestamp now, const CancelToken& cancel, RunKind kind,
                              bool acceptShrink) {
  auto clock = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(pendingMutex_);
    if (pendingRules_) {
      rules_ = std::move(pendingRules_);
      rulesVersion_ = rulesVersion(*rules_);
    }
  }
  const std::shared_ptr<const Snapshot> previous = previousState(now);
  if (!index_.describes(previous)) index_ = indexSellers(previous);
  std::optional<ChangeScope> changes;
  if (kind == RunKind::kIncremental && !acceptShrink) {
    changes = changeScope(previous, index_.due, index_.windowOrders, rulesVersion_, now, options_);
  }
  // A full read builds every bucket anew and reads none: the previous ones
  // go before it rather than after (megabytes off the run's peak).
  if (!changes) dropBuckets();
  CarriedState carried;
  carried.sellers = index_.bucketed;
  carried.previous = &buckets_;
  carried.changeOverlap = options_.changeOverlapSeconds;
  carried.recent = &recent_;
  carried.previousDefects = [&previous](std::int64_t id) -> const DefectList& {
    static const DefectList kNone;
    auto it = previous->sellers.find(id);
    return it == previous->sellers.end() ? kNone : it->second->defects;
  };
  carried.dropPrevious = [this] { dropBuckets(); };
  carried.windowOrders = index_.windowOrders;
  carried.sellerOrders = [&previous] { return sellerOrders(*previous); };
  SourceData data = source_->read(now, *rules_, cancel, changes ? &*changes : nullptr, &carried);
  checkCancel(cancel);

  ScoreRunSummary summary;
  // The guard against a vanishing source. An incremental read that did not
  // lose more than maxShrink of the sellers it read loses less of all of
  // them (the others keep their results): only a full read is judged.
  if (data.scope) {
    summary.readInFullBecause = readInFullBecause(*previous, data, options_.maxShrink);
    if (!summary.readInFullBecause.empty()) {
      data = SourceData();
      dropBuckets();
      data = source_->read(now, *rules_, cancel, nullptr, &carried);
      checkCancel(cancel);
    }
  }
  if (!data.scope) {
    dropBuckets();  // a full read's replace them all
    // Other rules may mean another window: only the sellers compare.
    const SourceShrink lost =
        measureShrink(*previous, data, previous->rulesVersion == rulesVersion_);
    if (const char* reason = lost.exceeds(options_.maxShrink)) {
      if (!acceptShrink) {
        throw RunRefused(reason, "refused: the source lost " + lost.describe() +
                                     " since the results of " +
                                     formatRfc3339(previous->computedAt) + ", more than the " +
                                     percent(options_.maxShrink) +
                                     " a run may lose; nothing was published and those "
                                     "results stay");
      }
      summary.shrinkAccepted = lost.describe();
    }
  }
  summary.kind = data.scope ? RunKind::kIncremental : RunKind::kFull;
  summary.readSeconds = lap(&clock);
  summary.rowsRead = data.rowsRead;
  summary.problems = std::move(data.problems);

  auto next = std::make_shared<Snapshot>();
  next->computedAt = now;
  next->rulesVersion = rulesVersion_;
  next->rules = rules_;
  next->sourceWatermark = data.watermark ? data.watermark : previous->sourceWatermark;
  next->fullRunAt = data.scope ? previous->fullRunAt : now;
  if (next->sourceWatermark) summary.watermarkLag = now - *next->sourceWatermark;
  RunRecord record;
  record.computedAt = now;
  record.rulesVersion = rulesVersion_;
  record.sourceWatermark = next->sourceWatermark;
  record.fullRunAt = next->fullRunAt;

  // The sellers this run read; an incremental run keeps every other one's
  // results, products, claims and warnings as they were.
  const bool incremental = data.scope.has_value();
  std::set<std::int64_t> scope;
  if (incremental) scope.insert(data.scope->begin(), data.scope->end());
  const auto inScope = [&](std::int64_t sellerId) {
    return !incremental || scope.count(sellerId) != 0;
  };
  if (incremental) {
    next->sellers = previous->sellers;
    for (std::int64_t id : scope) next->sellers.erase(id);
  }

  // Every known seller is evaluated, also those without window orders (they
  // get badge `new`), and so is any seller that only appears in orders.
  std::set<std::int64_t> sellerIds;
  for (const auto& entry : data.sellers) sellerIds.insert(entry.first);
  for (const auto& entry : data.tallies) sellerIds.insert(entry.first);
  summary.sellersRecomputed =
      static_cast<std::int64_t>(incremental ? scope.size() : sellerIds.size());
  // The sellers whose results an incremental run may change, for the index:
  // those it read, and any other the read returned.
  std::set<std::int64_t> reindexed;
  if (incremental) {
    std::set_union(scope.begin(), scope.end(), sellerIds.begin(), sellerIds.end(),
                   std::inserter(reindexed, reindexed.end()));
  }

  // The ladder first: its critical seller warnings cap badges.
  const std::vector<ProductLadder> ladders = evaluateLadder(data.authenticityClaims, now, *rules_);
  const std::vector<Firing> ladder = ladderFirings(ladders);
  std::map<std::int64_t, std::vector<std::string>> ladderCritical;
  for (const Firing& f : ladder) {
    if (f.severity == Severity::kCritical && !f.productId) {
      ladderCritical[f.sellerId].push_back(f.code);
    }
  }
  const std::vector<std::string> noCodes;

  // A product result for every product on the ladder or drawing window claims.
  // The products whose result may differ from the previous run's: those of
  // the sellers read, and those the ladder or the tallies name; ascending
  // once all are in (the largest sellers have thousands).
  std::vector<std::int64_t> productsRead;
  // The claims of the sellers read (a full run's: all), before and now, by
  // ticket; the others' stay as they were.
  std::map<std::int64_t, AuthenticityClaim> claimsBefore;
  std::map<std::int64_t, AuthenticityClaim> claimsNow;
  if (!incremental) {
    for (const auto& [productId, list] : previous->claimsByProduct) {
      for (const AuthenticityClaim& c : list) claimsBefore[c.ticketId] = c;
    }
  } else {
    next->products = previous->products;
    for (const auto& [productId, product] : previous->products) {
      if (inScope(product.ladder.sellerId)) productsRead.push_back(productId);
    }
    for (std::int64_t productId : productsRead) next->products.erase(productId);
    next->claimsByProduct = previous->claimsByProduct;
    for (const auto& [productId, list] : previous->claimsByProduct) {
      const auto ofScope = [&](const AuthenticityClaim& c) { return inScope(c.sellerId); };
      if (std::none_of(list.begin(), list.end(), ofScope)) continue;
      std::vector<AuthenticityClaim> kept;
      for (const AuthenticityClaim& c : list) {
        if (inScope(c.sellerId)) {
          claimsBefore[c.ticketId] = c;
        } else {
          kept.push_back(c);
        }
      }
      if (kept.empty()) {
        next->claimsByProduct.erase(productId);
      } else {
        next->claimsByProduct[productId] = std::move(kept);
      }
    }
  }
  // The ladders and the window's claims go into the products in ascending
  // id (a product's ladder before its claims): a table filled in order packs
  // its chunks full, where one filled out of order leaves them about half
  // empty (15 MB against 7.7 MB at 100 k sellers).
  struct ProductUpdate {
    std::int64_t productId = 0;
    const ProductLadder* ladder = nullptr;  // null: `claims` on `sellerId`'s orders
    std::int64_t sellerId = 0;
    std::int64_t claims = 0;
  };
  std::vector<ProductUpdate> productUpdates;
  std::size_t updates = ladders.size();
  for (const auto& [sellerId, tally] : data.tallies) updates += tally.productClaims.size();
  productUpdates.reserve(updates);
  for (const ProductLadder& l : ladders) productUpdates.push_back({l.productId, &l, 0, 0});
  for (const auto& [sellerId, tally] : data.tallies) {
    for (const auto& [productId, claims] : tally.productClaims) {
      productUpdates.push_back({productId, nullptr, sellerId, claims});
    }
  }
  std::stable_sort(
      productUpdates.begin(), productUpdates.end(),
      [](const ProductUpdate& a, const ProductUpdate& b) { return a.productId < b.productId; });
  const auto ofPrevious = static_cast<std::ptrdiff_t>(productsRead.size());
  for (const ProductUpdate& u : productUpdates) {
    if (incremental) productsRead.push_back(u.productId);
    if (u.ladder != nullptr) {
      next->products[u.productId].ladder = *u.ladder;
      continue;
    }
    const bool added = next->products.count(u.productId) == 0;
    ProductResult& product = next->products[u.productId];
    if (added) {
      product.ladder.productId = u.productId;
      product.ladder.sellerId = u.sellerId;
    }
    product.claimsInWindow += u.claims;
  }
  productUpdates = {};
  // Those of the previous products, then those updated: each part ascends.
  std::inplace_merge(productsRead.begin(), productsRead.begin() + ofPrevious, productsRead.end());
  productsRead.erase(std::unique(productsRead.begin(), productsRead.end()), productsRead.end());
  for (const AuthenticityClaim& c : data.authenticityClaims) {
    claimsNow[c.ticketId] = c;
    next->claimsByProduct[c.productId].push_back(c);
  }

  // The warnings of the sellers read are reconciled with their firings; the
  // others hold as they are.
  std::vector<SharedWarning> readWarnings;
  if (incremental) {
    for (std::int64_t id : scope) {
      std::vector<SharedWarning> of = previous->warnings.ofSeller(id);
      std::move(of.begin(), of.end(), std::back_inserter(readWarnings));
    }
    std::sort(readWarnings.begin(), readWarnings.end(),
              [](const SharedWarning& a, const SharedWarning& b) { return a->id < b->id; });
  } else {
    readWarnings.assign(previous->warnings.begin(), previous->warnings.end());
  }
  std::vector<Firing> firings;
  // Most warnings hold from run to run: no regrowth of a vector this large.
  firings.reserve(readWarnings.size() + readWarnings.size() / 8);
  const SellerTally emptyTally;
  for (std::int64_t id : sellerIds) {
    const auto was = previous->sellers.find(id);
    std::optional<Badge> previousBadge;
    if (was != previous->sellers.end()) previousBadge = was->second->badge;
    auto tally = data.tallies.find(id);
    const SellerTally& t = tally == data.tallies.end() ? emptyTally : tally->second;
    const auto critical = ladderCritical.find(id);
    SellerEvaluation e =
        evaluateSeller(id, t, previousBadge, *rules_,
                       critical == ladderCritical.end() ? noCodes : critical->second);
    std::move(e.firings.begin(), e.firings.end(), std::back_inserter(firings));

    SellerResult r;
    r.sellerId = id;
    if (auto info = data.sellers.find(id); info != data.sellers.end()) {
      r.name = std::move(info->second.name);
      r.country = std::move(info->second.country);
    }
    r.counts = t.counts;
    r.responseTime = e.metrics.responseTime;
    if (e.score) r.score = e.score->value;
    r.badge = e.badge.badge;
    r.badgeReason = e.badge.reason;
    if (auto due = data.dueAt.find(id); due != data.dueAt.end()) r.dueAt = due->second;
    if (auto list = data.defects.find(id); list != data.defects.end()) {
      r.defects = std::move(list->second);
    }
    if (e.badgeChanged()) {
      record.badgeChanges.push_back({id, e.previousBadge, r.badge, r.score, now, r.badgeReason});
    }
    // An unchanged seller keeps the previous run's object: the served
    // snapshot and this one share it, and it is not written.
    if (was != previous->sellers.end() && *was->second == r) {
      next->sellers.emplace(id, was->second);
    } else {
      auto changed = std::make_shared<const SellerResult>(std::move(r));
      record.sellersChanged.push_back(changed.get());
      record.addDefectDays(*changed,
                           was == previous->sellers.end() ? nullptr : &was->second->defects);
      next->sellers.emplace(id, std::move(changed));
    }
    // What was read of this seller is in its result now: its room goes
    // seller by seller, so that the read and the results are not held
    // whole side by side.
    data.tallies.erase(id);
    data.sellers.erase(id);
    data.dueAt.erase(id);
    data.defects.erase(id);
  }
  removedKeys(previous->sellers, next->sellers, &record.sellersRemoved,
              incremental ? &scope : nullptr);
  // The index of `next`: a full run's is built anew; an incremental run's
  // totals change by the sellers read, and index_ follows once the run is
  // saved.
  SellerIndex nextIndex;
  if (incremental) {
    nextIndex.windowOrders = index_.windowOrders;
    nextIndex.defectOrders = index_.defectOrders;
    nextIndex.scored = index_.scored;
    reindex(&nextIndex, *previous, *next, reindexed, true);
  } else {
    nextIndex = indexSellers(next);
  }
  summary.scored = nextIndex.scored;
  if (nextIndex.windowOrders > 0) {
    record.marketplaceOdr =
        static_cast<double>(nextIndex.defectOrders) / static_cast<double>(nextIndex.windowOrders);
  }
  next->marketplaceOdr = record.marketplaceOdr;
  checkCancel(cancel);

  firings.insert(firings.end(), ladder.begin(), ladder.end());
  BucketState readBuckets = std::move(data.buckets);
  std::map<std::int64_t, BucketDelta> bucketDeltas = std::move(data.bucketDeltas);
  RecentRows recent = std::move(data.recent);
  // Memory grows with sellers: what was read is no longer needed.
  data = SourceData();

  std::int64_t nextWarningId = previous->nextWarningId;
  WarningUpdate warnings = reconcileWarnings(readWarnings, std::move(firings), now, &nextWarningId);
  summary.warningsRaised = static_cast<std::int64_t>(warnings.raised.size());
  summary.warningsCleared = static_cast<std::int64_t>(warnings.cleared.size());
  if (incremental) {
    // Both lists ascend in id, and a warning that holds is the same object
    // in both: it stays where it is.
    const auto notIn = [](const std::vector<SharedWarning>& in,
                          const std::vector<SharedWarning>& of) {
      std::vector<SharedWarning> out;
      std::set_difference(in.begin(), in.end(), of.begin(), of.end(), std::back_inserter(out),
                          [](const SharedWarning& a, const SharedWarning& b) {
                            return a->id != b->id ? a->id < b->id : a.get() < b.get();
                          });
      return out;
    };
    next->warnings = previous->warnings;
    for (const SharedWarning& w : notIn(readWarnings, warnings.active)) {
      next->warnings.remove(w->id);
    }
    for (SharedWarning& w : notIn(warnings.active, readWarnings)) next->warnings.add(std::move(w));
  } else {
    for (SharedWarning& w : warnings.active) next->warnings.add(std::move(w));
  }
  summary.warningsActive = static_cast<std::int64_t>(next->warnings.size());
  next->nextWarningId = nextWarningId;

  diff(previous->products, next->products, &record.productsChanged, &record.productsRemoved,
       incremental ? &productsRead : nullptr);
  diff(claimsBefore, claimsNow, &record.claimsChanged, &record.claimsRemoved);
  const auto byId = [&](const std::vector<std::int64_t>& ids, std::vector<const Warning*>* out) {
    for (std::int64_t id : ids) out->push_back(next->warnings.find(id).get());
  };
  byId(warnings.raised, &record.warningsRaised);
  byId(warnings.changed, &record.warningsUpdated);
  record.warningsCleared = std::move(warnings.cleared);
  checkCancel(cancel);
  summary.evaluateSeconds = lap(&clock);

  store_->saveRun(record);

  const Timestamp keepSince = now - static_cast<Timestamp>(options_.keepDays) * kSecondsPerDay;
  // History is the history job's: pass on what is served.
  const std::shared_ptr<const Snapshot> served = snapshots_->current();
  next->history = served ? served->history : previous->history;
  // Each seller's changes ascend in time: only a list whose first is too old
  // is copied.
  next->badgeChanges = previous->badgeChanges;
  for (const auto& [id, list] : previous->badgeChanges) {
    if (list.empty() || list.front().at >= keepSince) continue;
    std::vector<BadgeChange> kept =
        filtered(list, [&](const BadgeChange& c) { return c.at >= keepSince; });
    if (kept.empty()) {
      next->badgeChanges.erase(id);
    } else {
      next->badgeChanges[id] = std::move(kept);
    }
  }
  for (const BadgeChange& c : record.badgeChanges) next->badgeChanges[c.sellerId].push_back(c);
  state_ = next;
  if (incremental) {
    // The entries due by now were acted on if their seller was read; the
    // sellers read bring theirs.
    const auto dueNow = index_.due.upper_bound({now, std::numeric_limits<std::int64_t>::max()});
    for (auto it = index_.due.begin(); it != dueNow;) {
      it = scope.count(it->second) != 0 ? index_.due.erase(it) : std::next(it);
    }
    reindex(&index_, *previous, *next, reindexed, false);
    for (std::int64_t productId : productsRead) {
      if (auto p = next->products.find(productId); p != next->products.end()) {
        addProductDue(&index_.due, p->second);
      }
    }
    for (const auto& [ticketId, c] : claimsNow) addClaimDue(&index_.due, c, now);
    index_.of = next;
  } else {
    index_ = std::move(nextIndex);
  }
  // A badge that just changed gives another reason once it holds.
  for (const BadgeChange& c : record.badgeChanges) index_.due.emplace(now, c.sellerId);
  // The buckets of the sellers read replace theirs; a full read's, all.
  BucketChanges bucketsChanged;
  if (incremental) {
    bucketsChanged.previousAt = previous->computedAt;
    bucketsChanged.deltas = std::move(bucketDeltas);
    bucketsChanged.sellers = scope;
    for (const auto& entry : readBuckets) bucketsChanged.sellers.insert(entry.first);
    for (std::int64_t id : bucketsChanged.sellers) {
      if (auto was = buckets_.extract(id)) bucketsChanged.before.insert(std::move(was));
    }
    buckets_.merge(readBuckets);
  } else {
    buckets_ = std::move(readBuckets);
  }
  recent_ = std::move(recent);
  if (!options_.bucketsFile.empty()) {
    summary.bucketsNotSaved = bucketFile_.save(now, rulesVersion_, buckets_, recent_,
                                               incremental ? &bucketsChanged : nullptr);
  }
  snapshots_->publish(next);
  summary.writeSeconds = lap(&clock);

  summary.sellers = static_cast<std::int64_t>(next->sellers.size());
  summary.badgeChanges = static_cast<std::int64_t>(record.badgeChanges.size());
  summary.rowsWritten = record.rowsWritten();
  return summary;
}

}  // namespace sellertrust
