// A synthetic marketplace for the embedded SQLite source (SPEC §7): about
// 3000 sellers with distinct behaviours over the 120 days before "now", so
// that a newcomer sees every badge and every warning code within a minute.
// The content depends only on the seed and "now" (std::mt19937_64 with
// integer range mapping, no floating-point draws), so a seed names one
// marketplace on every platform. Call from one thread per target file.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sellertrust/time.h"

namespace sellertrust {

struct DemoSummary {
  std::int64_t sellers = 0;
  std::int64_t products = 0;
  std::int64_t orders = 0;
  std::int64_t tickets = 0;
  std::int64_t refunds = 0;
  std::int64_t returnRequests = 0;
  std::int64_t ratings = 0;
  std::int64_t chargebacks = 0;
  // Deliberately bad rows (included in the counts above), which the daemon
  // reports and skips: a ticket status that is no SPEC value, a rating of 7
  // stars, an order delivered before it was placed.
  std::int64_t unknownTicketStatuses = 0;
  std::int64_t ratingsOutOfRange = 0;
  std::int64_t deliveriesBeforeOrder = 0;
  // Behaviour name (e.g. "late_shipper") -> sellers generated with it.
  std::map<std::string, std::int64_t> sellersByBehaviour;

  bool operator==(const DemoSummary& other) const;
  bool operator!=(const DemoSummary& other) const { return !(*this == other); }
  // One log line with the counts.
  std::string line() const;
};

// True iff `path` is an SQLite file that generateDemoMarketplace wrote (it
// marks the file with its own PRAGMA application_id). Never throws.
bool isDemoMarketplace(const std::string& path);

// Replaces the SQLite file at `sourcePath` (and its journal files) with the
// demo marketplace for `seed` as of `now`, written in one transaction.
// Throws SourceError (jobs/source.h) on a database failure.
DemoSummary generateDemoMarketplace(const std::string& sourcePath, std::uint64_t seed,
                                    Timestamp now);

}  // namespace sellertrust
