// The immutable result of one scoring run, as data (the API renders it at
// request time), and the holder that publishes it. A Snapshot is never
// modified after publish(): readers take a shared_ptr and read without
// locks; a run builds a new one and swaps it in. SnapshotHolder is safe
// from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sellertrust/defect_list.h"
#include "sellertrust/metrics.h"
#include "sellertrust/rules.h"
#include "sellertrust/symbol.h"
#include "sellertrust/time.h"
#include "sellertrust/warnings.h"

namespace sellertrust {

// One seller's result as the run computed and stored it: its tallies (from
// which the report's metrics, intervals and explanation are recomputed at
// the edge), its score and its badge with the reason. Compact: no rendering.
struct SellerResult {
  std::int64_t sellerId = 0;
  std::string name;
  std::string country;
  std::array<std::int64_t, kTallyCount> counts{};
  ResponseTime responseTime;    // answered tickets and p50/p90 in hours
  std::optional<double> score;  // nullopt below the minimum volume
  Badge badge = Badge::kNew;
  Symbol badgeReason;  // interned: reasons repeat across sellers and runs
  // When the clock alone next changes its tallies (an unshipped order
  // passes its ship-by time, ...): an incremental run recomputes it then.
  std::optional<Timestamp> dueAt;
  // The window's rows behind each metric (SourceData::defects), for the
  // drill-down: day by day (source::sortedDefects orders them by metric).
  DefectList defects;

  bool operator==(const SellerResult& other) const;
  bool operator!=(const SellerResult& other) const { return !(*this == other); }
};

// A product on the authenticity ladder or drawing claims in the window.
struct ProductResult {
  ProductLadder ladder;  // productId and sellerId included
  std::int64_t claimsInWindow = 0;

  std::int64_t productId() const { return ladder.productId; }
  bool operator==(const ProductResult& other) const;
  bool operator!=(const ProductResult& other) const { return !(*this == other); }
};

struct HistoryPoint {
  Timestamp day = 0;  // 00:00:00 UTC of the day
  std::optional<double> score;
  Badge badge = Badge::kNew;
};

struct BadgeChange {
  std::int64_t sellerId = 0;
  std::optional<Badge> from;  // nullopt: the seller's first badge
  Badge to = Badge::kNew;
  std::optional<double> score;
  Timestamp at = 0;
  Symbol reason;
};

// Immutable once made, so that consecutive snapshots share the sellers that
// did not change instead of holding two copies of the marketplace.
using SharedSeller = std::shared_ptr<const SellerResult>;

// Daily points per seller, ascending day.
using HistoryBySeller = std::unordered_map<std::int64_t, std::vector<HistoryPoint>>;

struct Snapshot {
  Timestamp computedAt = 0;  // the run's "now"
  std::string rulesVersion;
  // The latest source change the run saw (SourceData::watermark), and when
  // the last full run was: where the next incremental run starts.
  std::optional<Timestamp> sourceWatermark;
  std::optional<Timestamp> fullRunAt;
  // The rules the results were computed with; the edge recomputes reports
  // with them. Never null.
  std::shared_ptr<const Rules> rules = std::make_shared<const Rules>();
  std::unordered_map<std::int64_t, SharedSeller> sellers;  // never null
  std::unordered_map<std::int64_t, ProductResult> products;
  // Every authenticity claim of the products, by product.
  std::unordered_map<std::int64_t, std::vector<AuthenticityClaim>> claimsByProduct;
  // Active warnings, ascending id (the pagination order of /v1/warnings);
  // never null.
  std::vector<SharedWarning> warnings;
  // Shared between snapshots: a scoring run passes the previous snapshot's
  // history on as it is (it can be sellers x retention days large); only the
  // daily history job builds a new one. Never null.
  std::shared_ptr<const HistoryBySeller> history = std::make_shared<const HistoryBySeller>();
  // Per seller, ascending time.
  std::unordered_map<std::int64_t, std::vector<BadgeChange>> badgeChanges;
  // Orders with a defect / all window orders, over every seller.
  std::optional<double> marketplaceOdr;
  std::int64_t nextWarningId = 1;

  // Sellers per badge, indexed by Badge.
  std::array<std::int64_t, 5> badgeCounts() const;
  // The active warning with this id, or nullptr.
  const Warning* warning(std::int64_t id) const;
  // The active warnings of a seller (any product) or of a product, by id.
  std::vector<Warning> warningsOfSeller(std::int64_t sellerId) const;
  std::vector<Warning> warningsOfProduct(std::int64_t productId) const;
  // Builds the indexes of the two above; call once before publishing.
  void indexWarnings();

 private:
  // (seller or product id, index in `warnings`), ascending: two sorted
  // arrays, not a map of vectors (a few MB less at 100 k warnings).
  std::vector<std::pair<std::int64_t, std::size_t>> warningsBySeller_;
  std::vector<std::pair<std::int64_t, std::size_t>> warningsByProduct_;
};

class SnapshotHolder {
 public:
  // Returns the current snapshot, or nullptr before the first publish.
  std::shared_ptr<const Snapshot> current() const;
  // Replaces the current snapshot; readers holding the old one keep it.
  void publish(std::shared_ptr<const Snapshot> snapshot);

 private:
  mutable std::mutex mutex_;  // guards only the pointer copy, never a run
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace sellertrust
