// The immutable result of one scoring run, as the API serves it, and the
// holder that publishes it. A Snapshot is never modified after publish():
// readers take a shared_ptr and read without locks; a run builds a new one
// and swaps it in. SnapshotHolder is safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sellertrust/rules.h"
#include "sellertrust/time.h"
#include "sellertrust/warnings.h"

namespace sellertrust {

struct SellerEntry {
  std::int64_t sellerId = 0;
  Badge badge = Badge::kNew;
  std::optional<double> score;  // nullopt below the minimum volume
  std::string reportJson;       // complete body of GET /v1/sellers/{id}
};

struct ProductEntry {
  std::int64_t productId = 0;
  std::int64_t sellerId = 0;
  std::string reportJson;  // body of GET /v1/products/{id}
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
  std::string reason;
};

// Daily points per seller, ascending day.
using HistoryBySeller = std::unordered_map<std::int64_t, std::vector<HistoryPoint>>;

struct Snapshot {
  Timestamp computedAt = 0;  // the run's "now"
  std::string rulesVersion;
  std::unordered_map<std::int64_t, SellerEntry> sellers;
  std::unordered_map<std::int64_t, ProductEntry> products;
  // Active warnings, ascending id (the pagination order of /v1/warnings).
  std::vector<Warning> warnings;
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
