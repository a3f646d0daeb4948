// The snapshot the API tests and the HTTP fuzzer serve: a few sellers,
// products, warnings and history built by hand through the core's own
// evaluation, so that every endpoint has something to render.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "jobs/snapshot.h"
#include "jobs/source/definition.h"
#include "jobs/source/source.h"
#include "sellertrust/rules.h"
#include "sellertrust/seller.h"
#include "sellertrust/time.h"

namespace sellertrust {
namespace api_fixture {

inline const Timestamp kComputedAt = *parseUtc("2026-03-01 12:00:00");
inline constexpr Timestamp kDay = kSecondsPerDay;
inline const char* const kRulesVersion = "1.0000abcd";

// A seller tally with `n` orders, every rate on target except `defects`
// order defects.
inline SellerTally tally(std::int64_t n, std::int64_t defects) {
  SellerTally t;
  t[TallyId::kOrders] = n;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    if (id == MetricId::kRatingAverage) continue;
    t.setRate(id, higherIsBetter(id) ? n : 0, n);
  }
  t.setRate(MetricId::kOrderDefectRate, defects, n);
  t[TallyId::kRatings] = n / 2;
  t[TallyId::kStarSum] = 5 * (n / 2);
  return t;
}

inline SharedWarning warning(std::int64_t id, const std::string& code, Severity severity,
                             std::int64_t seller,
                             std::optional<std::int64_t> product = std::nullopt) {
  Warning w;
  w.id = id;
  w.firing.code = code;
  w.firing.severity = severity;
  w.firing.sellerId = seller;
  w.firing.productId = product;
  w.firing.action = "notify_seller";
  w.firing.detail = "detail of " + code;
  w.firing.evidence = {{"value", 0.5}};
  w.raisedAt = kComputedAt - kDay;
  w.updatedAt = kComputedAt;
  return std::make_shared<const Warning>(w);
}

// The stored result of a seller evaluated by the core from `t`.
inline SellerResult resultOf(const SellerInfo& info, const SellerTally& t,
                             std::optional<Badge> previous) {
  const SellerEvaluation e = evaluateSeller(info.sellerId, t, previous, Rules());
  SellerResult r;
  r.sellerId = info.sellerId;
  r.name = info.name;
  r.country = info.country;
  r.counts = t.counts;
  r.responseTime = e.metrics.responseTime;
  if (e.score) r.score = e.score->value;
  r.badge = e.badge.badge;
  r.badgeReason = e.badge.reason;
  return r;
}

inline Defect defect(std::int64_t orderId, std::int64_t rowId, const char* reason,
                     std::int64_t value) {
  return {orderId, rowId, kComputedAt - 10 * kDay, value,
          static_cast<std::uint16_t>(*source::defectReasonIndex(reason))};
}

// Sellers 7 (scored from a real evaluation; its two defect orders are 1001,
// with a 1-star rating and a claim, and 1002, with a chargeback), 8 (new,
// no score) and 9 (at_risk, set by hand); product 100 of seller 7; seven
// warnings with ids
// 2, 3, 5, 8, 13, 21, 34; history and badge changes of seller 7.
inline std::shared_ptr<Snapshot> makeSnapshot() {
  auto s = std::make_shared<Snapshot>();
  s->computedAt = kComputedAt;
  s->rulesVersion = kRulesVersion;

  for (SharedWarning w : {
           warning(2, "order_defect_rate_above_target", Severity::kWarning, 7),
           warning(3, "account_review", Severity::kCritical, 9),
           warning(5, "claim_rate_off_target", Severity::kInfo, 9),
           warning(8, "product_delist", Severity::kCritical, 7, 100),
           warning(13, "late_shipment_rate_off_target", Severity::kInfo, 9),
           warning(21, "slow_responses", Severity::kWarning, 9),
           warning(34, "escalation_rate_off_target", Severity::kInfo, 7),
       }) {
    s->warnings.add(std::move(w));
  }
  s->nextWarningId = 35;

  SellerResult zoe = resultOf({7, "Zo\xc3\xab <Shop> & \"Co\"", "FR"}, tally(400, 2), Badge::kFair);
  zoe.defects =
      DefectList({defect(1001, 5001, "low_rating", 1), defect(1001, 6001, "defect_claim", 100),
                  defect(1002, 7001, "service_chargeback", 0)});
  s->sellers[7] = std::make_shared<const SellerResult>(std::move(zoe));
  s->sellers[8] =
      std::make_shared<const SellerResult>(resultOf({8, "New", "DE"}, tally(3, 0), std::nullopt));
  SellerResult atRisk;
  atRisk.sellerId = 9;
  atRisk.badge = Badge::kAtRisk;
  atRisk.score = 42.5;
  s->sellers[9] = std::make_shared<const SellerResult>(atRisk);

  ProductResult& product = s->products[100];
  product.ladder.productId = 100;
  product.ladder.sellerId = 7;
  product.ladder.step = LadderStep::kDelist;
  product.ladder.countedClaims = 1;
  product.ladder.firstClaimAt = kComputedAt - 2 * kDay;
  product.ladder.delistUntil = kComputedAt + 5 * kDay;
  product.ladder.delistActive = true;
  product.claimsInWindow = 1;
  s->claimsByProduct[100] = {{51, 7, 100, kComputedAt - 2 * kDay, TicketStatus::kOpen}};

  const Timestamp today = startOfDay(kComputedAt);
  HistoryBySeller history;
  for (int back : {100, 30, 29, 1, 0}) {
    history[7].push_back({today - back * kDay, 80.0 + back / 10.0, Badge::kGood});
  }
  history[8].push_back({today, std::nullopt, Badge::kNew});
  s->history = std::make_shared<const HistoryBySeller>(std::move(history));
  s->badgeChanges[7] = {
      {7, std::nullopt, Badge::kFair, 70.0, kComputedAt - 100 * kDay,
       "first score 70.0 is in the fair band"},
      {7, Badge::kFair, Badge::kGood, 80.3, kComputedAt - 5 * kDay, "score 80.3 reached 77.0"},
  };
  s->marketplaceOdr = 0.004;
  s->fullRunAt = kComputedAt - 3600;
  s->sourceWatermark = kComputedAt - 30;
  return s;
}

}  // namespace api_fixture
}  // namespace sellertrust
