// Warnings: which rules fire for a seller or product, the authenticity ladder,
// and the lifecycle (raise, keep, clear) across runs. Pure functions; safe
// from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sellertrust/metrics.h"
#include "sellertrust/records.h"
#include "sellertrust/rules.h"
#include "sellertrust/score.h"
#include "sellertrust/symbol.h"
#include "sellertrust/time.h"

namespace sellertrust {

enum class Severity { kInfo, kWarning, kCritical };
const char* toString(Severity severity);
bool parseSeverity(const std::string& name, Severity* out);

struct Evidence {
  Symbol name;  // e.g. "value", "numerator", "claims"
  double value = 0;
};

// A rule that holds at this run. Its texts come from small vocabularies,
// interned: a marketplace holds hundreds of thousands of warnings.
struct Firing {
  Symbol code;
  Severity severity = Severity::kInfo;
  std::int64_t sellerId = 0;
  std::optional<std::int64_t> productId;
  Symbol action;  // recommended action, e.g. "delist_product"
  Symbol detail;  // one readable sentence
  std::vector<Evidence> evidence;
};

// A warning with its lifecycle. Identity: (code, sellerId, productId).
struct Warning {
  std::int64_t id = 0;  // stable over the warning's life; 0 until assigned
  Firing firing;
  Timestamp raisedAt = 0;
  Timestamp updatedAt = 0;  // when its detail or evidence last changed
  std::optional<Timestamp> clearedAt;
};

// Seller-level rules on the metrics: ODR (warning; account_review above
// rules.accountReviewOdr), one `<metric>_off_target` per other metric missing
// its target (info), `slow_responses` for the 48 h response rate (warning),
// all of which wait for the minimum volume; and product_complaints per
// product with enough claims, which does not wait (it is not a rate).
std::vector<Firing> metricFirings(std::int64_t sellerId, const MetricSet& metrics,
                                  const SellerTally& tally, const Rules& rules);

// One authenticity claim, by its opening time (not the order window).
struct AuthenticityClaim {
  std::int64_t ticketId = 0;
  std::int64_t sellerId = 0;
  std::int64_t productId = 0;
  Timestamp openedAt = 0;
  TicketStatus status = TicketStatus::kOpen;

  bool operator==(const AuthenticityClaim& o) const {
    return ticketId == o.ticketId && sellerId == o.sellerId && productId == o.productId &&
           openedAt == o.openedAt && status == o.status;
  }
  bool operator!=(const AuthenticityClaim& o) const { return !(*this == o); }
};

enum class LadderStep { kNone, kDelist, kRemove };
const char* toString(LadderStep step);

// Where one product stands on the ladder at `now`.
struct ProductLadder {
  std::int64_t productId = 0;
  std::int64_t sellerId = 0;
  LadderStep step = LadderStep::kNone;
  int countedClaims = 0;                   // claims not withdrawn or refused
  std::optional<Timestamp> firstClaimAt;   // start of the current ladder
  std::optional<Timestamp> secondClaimAt;  // the repeat that reached remove
  std::optional<Timestamp> delistUntil;    // delist holds while now <= this
  bool delistActive = false;
};

// A product id is taken to be one seller's listing; its ladder belongs to the
// seller whose counted claim started the current ladder (with no counted
// claim, to the seller of its first claim).
// Walks each product's counted claims (opened at or before `now`) in time
// order: the first starts a ladder (delist for rules.delistDays); a second
// within rules.repeatWindowDays of the first reaches remove, which stays; a
// claim after that window starts a new ladder. One entry per product with at
// least one claim, sorted by product id.
std::vector<ProductLadder> evaluateLadder(std::vector<AuthenticityClaim> claims, Timestamp now,
                                          const Rules& rules);

// product_delist / product_remove per product, and authenticity_repeat once
// per seller with a removed product.
std::vector<Firing> ladderFirings(const std::vector<ProductLadder>& ladders);

// Active warnings are immutable once made and shared: a run whose warning
// did not change hands on the previous run's object, so the snapshot being
// served and the one being built hold one copy of it, not two.
using SharedWarning = std::shared_ptr<const Warning>;

struct WarningUpdate {
  std::vector<SharedWarning> active;  // held at this run, ascending id
  std::vector<std::int64_t> raised;   // ids of the active ones raised at this run
  std::vector<std::int64_t> changed;  // ids of the active ones held before, with new detail
                                      // or evidence
  std::vector<Warning> cleared;       // active before, not held now (clearedAt set), by id
};

// Reconciles the previously active warnings with this run's firings: a firing
// that was active keeps its id and raisedAt and takes the new evidence (its
// updatedAt moves to `now` only if its detail or evidence changed; if
// nothing changed, the previous object itself stays active); a new one is
// raised at `now` with id *nextId (then incremented), in the order of
// `firings`; an active one that no longer fires is cleared at `now`. Of
// firings with one identity (code, seller, product), the first counts.
// `firings` is consumed: the active warnings take its texts and evidence.
WarningUpdate reconcileWarnings(const std::vector<SharedWarning>& previouslyActive,
                                std::vector<Firing> firings, Timestamp now, std::int64_t* nextId);

}  // namespace sellertrust
