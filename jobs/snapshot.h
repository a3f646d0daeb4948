// The immutable result of one scoring run, as data (the API renders it at
// request time), and the holder that publishes it. A Snapshot is never
// modified after publish(): readers take a shared_ptr and read without
// locks; a run builds a new one and swaps it in. SnapshotHolder is safe
// from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "jobs/shared_table.h"
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

// The active warnings of a snapshot, ascending id, with their indexes by
// seller and by product. A copy shares what it does not change, so a run
// that reconciles a few sellers' warnings does not copy the marketplace's.
class ActiveWarnings {
 public:
  using Table = SharedTable<SharedWarning>;
  // Iterates the warnings (each never null) in ascending id.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = SharedWarning;
    using difference_type = std::ptrdiff_t;
    using pointer = const SharedWarning*;
    using reference = const SharedWarning&;

    Iterator() = default;
    explicit Iterator(Table::Iterator at) : at_(at) {}
    reference operator*() const { return at_->second; }
    pointer operator->() const { return &at_->second; }
    Iterator& operator++() {
      ++at_;
      return *this;
    }
    bool operator==(const Iterator& o) const { return at_ == o.at_; }
    bool operator!=(const Iterator& o) const { return at_ != o.at_; }

   private:
    Table::Iterator at_;
  };

  std::size_t size() const { return byId_.size(); }
  bool empty() const { return byId_.empty(); }
  Iterator begin() const { return Iterator(byId_.begin()); }
  Iterator end() const { return Iterator(byId_.end()); }
  // The first warning whose id is above `id`: the next page's start.
  Iterator after(std::int64_t id) const { return Iterator(byId_.upperBound(id)); }
  // The warning with this id, or nullptr.
  SharedWarning find(std::int64_t id) const;
  // The warnings of a seller (any product) or of a product, ascending id.
  std::vector<SharedWarning> ofSeller(std::int64_t sellerId) const;
  std::vector<SharedWarning> ofProduct(std::int64_t productId) const;

  // How many warnings there are of each code and severity.
  using Counts = std::map<std::pair<Symbol, Severity>, std::int64_t>;
  const Counts& counts() const { return counts_; }

  // Adds a warning whose id none has; throws std::logic_error otherwise.
  void add(SharedWarning warning);
  // Removes the warning with this id, if any.
  void remove(std::int64_t id);

 private:
  static std::vector<SharedWarning> pick(const Table& byId,
                                         const SharedTable<std::vector<std::int64_t>>& index,
                                         std::int64_t key);

  Table byId_;
  // Warning ids, ascending, per seller and per product.
  SharedTable<std::vector<std::int64_t>> bySeller_;
  SharedTable<std::vector<std::int64_t>> byProduct_;
  Counts counts_;  // no zero counts
};

// A run copies the previous snapshot and changes the copy: its tables share
// with the previous one every chunk the run did not change, so a run that
// reads a few sellers costs a few chunks, not the marketplace.
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
  SharedTable<SharedSeller> sellers;  // never null
  SharedTable<ProductResult> products;
  // Every authenticity claim of the products, by product.
  SharedTable<std::vector<AuthenticityClaim>> claimsByProduct;
  // Active warnings, ascending id (the pagination order of /v1/warnings).
  ActiveWarnings warnings;
  // Shared between snapshots: a scoring run passes the previous snapshot's
  // history on as it is (it can be sellers x retention days large); only the
  // daily history job builds a new one. Never null.
  std::shared_ptr<const HistoryBySeller> history = std::make_shared<const HistoryBySeller>();
  // Per seller, ascending time.
  SharedTable<std::vector<BadgeChange>> badgeChanges;
  // Orders with a defect / all window orders, over every seller.
  std::optional<double> marketplaceOdr;
  std::int64_t nextWarningId = 1;

  // Sellers per badge, indexed by Badge.
  std::array<std::int64_t, 5> badgeCounts() const;
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
