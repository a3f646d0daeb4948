// Warning rules, the authenticity ladder and the warning lifecycle.
#include "sellertrust/warnings.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace sellertrust {

const char* toString(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    default:
      return "critical";
  }
}

bool parseSeverity(const std::string& name, Severity* out) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    if (name == toString(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

const char* toString(LadderStep step) {
  switch (step) {
    case LadderStep::kNone:
      return "none";
    case LadderStep::kDelist:
      return "delist";
    default:
      return "remove";
  }
}

namespace {

// True iff the judged value misses the target (a boundary is on target).
bool missesTarget(MetricId id, double judged, double target) {
  return higherIsBetter(id) ? judged < target : judged > target;
}

Firing metricFiring(std::int64_t sellerId, const MetricValue& m, double judged, double target,
                    const char* code, Severity severity, const char* action) {
  Firing f;
  f.code = code;
  f.severity = severity;
  f.sellerId = sellerId;
  f.action = action;
  f.detail = std::string(metricName(m.id)) + " " + (higherIsBetter(m.id) ? "below" : "above") +
             " its threshold";
  f.evidence = {{"value", m.value.value_or(0)},
                {"numerator", static_cast<double>(m.numerator)},
                {"denominator", static_cast<double>(m.denominator)},
                {"judged", judged},
                {"threshold", target}};
  return f;
}

}  // namespace

std::vector<Firing> metricFirings(std::int64_t sellerId, const MetricSet& metrics,
                                  const SellerTally& tally, const Rules& rules) {
  std::vector<Firing> out;
  if (metrics.orders >= rules.minOrders) {
    for (const MetricValue& m : metrics.values) {
      const std::optional<double> judged = judgedValue(m);
      if (!judged) continue;
      const double target = rules.rule(m.id).target;
      if (m.id == MetricId::kOrderDefectRate) {
        if (missesTarget(m.id, *judged, target)) {
          out.push_back(metricFiring(sellerId, m, *judged, target, "order_defect_rate_above_target",
                                     Severity::kWarning, "warn_seller"));
        }
        if (missesTarget(m.id, *judged, rules.accountReviewOdr)) {
          out.push_back(metricFiring(sellerId, m, *judged, rules.accountReviewOdr, "account_review",
                                     Severity::kCritical, "suspend_seller"));
        }
      } else if (!missesTarget(m.id, *judged, target) ||
                 // Too few ratings to tell the seller from the prior.
                 (m.id == MetricId::kRatingAverage &&
                  tally[TallyId::kRatings] < rules.ratingWarningMinRatings)) {
        continue;
      } else if (m.id == MetricId::kResponseWithin48hRate) {
        out.push_back(metricFiring(sellerId, m, *judged, target, "slow_responses",
                                   Severity::kWarning, "warn_seller"));
      } else {
        const std::string code = std::string(metricName(m.id)) + "_off_target";
        out.push_back(metricFiring(sellerId, m, *judged, target, code.c_str(), Severity::kInfo,
                                   "notify_seller"));
      }
    }
  }
  for (const auto& [productId, claims] : tally.productClaims) {
    if (claims < rules.productComplaintClaims) continue;
    Firing f;
    f.code = "product_complaints";
    f.severity = Severity::kWarning;
    f.sellerId = sellerId;
    f.productId = productId;
    f.action = "review_product";
    f.detail = "product drew " + std::to_string(claims) + " claims on the window's orders";
    f.evidence = {{"claims", static_cast<double>(claims)},
                  {"threshold", static_cast<double>(rules.productComplaintClaims)}};
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<ProductLadder> evaluateLadder(std::vector<AuthenticityClaim> claims, Timestamp now,
                                          const Rules& rules) {
  std::sort(claims.begin(), claims.end(), [](const auto& a, const auto& b) {
    return std::tie(a.productId, a.openedAt, a.ticketId) <
           std::tie(b.productId, b.openedAt, b.ticketId);
  });
  const Timestamp repeatWindow = static_cast<Timestamp>(rules.repeatWindowDays) * kSecondsPerDay;
  const Timestamp delist = static_cast<Timestamp>(rules.delistDays) * kSecondsPerDay;
  std::vector<ProductLadder> out;
  for (const AuthenticityClaim& c : claims) {
    if (out.empty() || out.back().productId != c.productId) {
      out.push_back({});
      out.back().productId = c.productId;
      out.back().sellerId = c.sellerId;
    }
    ProductLadder& p = out.back();
    if (!claimCountsForLadder(c.status) || c.openedAt > now) continue;
    ++p.countedClaims;
    if (p.step == LadderStep::kRemove) continue;
    if (p.step == LadderStep::kDelist && c.openedAt - *p.firstClaimAt <= repeatWindow) {
      p.step = LadderStep::kRemove;
      p.secondClaimAt = c.openedAt;
      continue;
    }
    p.step = LadderStep::kDelist;  // the first claim, or one after the repeat window
    p.sellerId = c.sellerId;
    p.firstClaimAt = c.openedAt;
    p.delistUntil = c.openedAt + delist;
  }
  for (ProductLadder& p : out) {
    p.delistActive = p.step == LadderStep::kDelist && now <= *p.delistUntil;
  }
  return out;
}

std::vector<Firing> ladderFirings(const std::vector<ProductLadder>& ladders) {
  std::vector<Firing> out;
  std::set<std::int64_t> repeatSellers;
  for (const ProductLadder& p : ladders) {
    Firing f;
    f.sellerId = p.sellerId;
    f.productId = p.productId;
    f.severity = Severity::kCritical;
    f.evidence = {{"counted_claims", static_cast<double>(p.countedClaims)},
                  {"first_claim_at", static_cast<double>(p.firstClaimAt.value_or(0))}};
    if (p.step == LadderStep::kRemove) {
      f.code = "product_remove";
      f.action = "remove_product";
      f.detail = "a second authenticity claim within the repeat window";
      f.evidence.push_back({"second_claim_at", static_cast<double>(*p.secondClaimAt)});
      repeatSellers.insert(p.sellerId);
    } else if (p.delistActive) {
      f.code = "product_delist";
      f.action = "delist_product";
      f.detail = "an authenticity claim";
      f.evidence.push_back({"delist_until", static_cast<double>(*p.delistUntil)});
    } else {
      continue;
    }
    out.push_back(std::move(f));
  }
  for (std::int64_t sellerId : repeatSellers) {
    Firing f;
    f.code = "authenticity_repeat";
    f.severity = Severity::kCritical;
    f.sellerId = sellerId;
    f.action = "review_seller";
    f.detail = "a product of this seller drew repeated authenticity claims";
    f.evidence = {
        {"products_removed", static_cast<double>(std::count_if(
                                 ladders.begin(), ladders.end(), [&](const ProductLadder& p) {
                                   return p.sellerId == sellerId && p.step == LadderStep::kRemove;
                                 }))}};
    out.push_back(std::move(f));
  }
  return out;
}

namespace {

// A warning's identity, ordered.
bool identityLess(const Firing& a, const Firing& b) {
  return std::make_tuple(a.code, a.sellerId, a.productId.value_or(0)) <
         std::make_tuple(b.code, b.sellerId, b.productId.value_or(0));
}

bool sameIdentity(const Firing& a, const Firing& b) {
  return !identityLess(a, b) && !identityLess(b, a);
}

bool sameContent(const Firing& a, const Firing& b) {
  if (a.severity != b.severity || a.action != b.action || a.detail != b.detail ||
      a.evidence.size() != b.evidence.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.evidence.size(); ++i) {
    if (a.evidence[i].name != b.evidence[i].name || a.evidence[i].value != b.evidence[i].value) {
      return false;
    }
  }
  return true;
}

}  // namespace

// Sorted pointers and a flag per firing instead of maps of copies: a
// marketplace run reconciles hundreds of thousands of warnings.
WarningUpdate reconcileWarnings(const std::vector<SharedWarning>& previouslyActive,
                                std::vector<Firing> firings, Timestamp now, std::int64_t* nextId) {
  std::vector<const SharedWarning*> before;
  before.reserve(previouslyActive.size());
  for (const SharedWarning& w : previouslyActive) before.push_back(&w);
  const auto warningLess = [](const SharedWarning* a, const SharedWarning* b) {
    return identityLess((*a)->firing, (*b)->firing);
  };
  std::sort(before.begin(), before.end(), warningLess);
  std::vector<bool> held(before.size(), false);

  // A rule that fired twice for one identity: the first firing counts.
  std::vector<std::size_t> order(firings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return identityLess(firings[a], firings[b]);
  });
  std::vector<bool> repeated(firings.size(), false);
  for (std::size_t i = 1; i < order.size(); ++i) {
    repeated[order[i]] = sameIdentity(firings[order[i - 1]], firings[order[i]]);
  }

  WarningUpdate update;
  update.active.reserve(firings.size());
  for (std::size_t i = 0; i < firings.size(); ++i) {
    if (repeated[i]) continue;
    const Firing& f = firings[i];
    auto it = std::lower_bound(
        before.begin(), before.end(), f,
        [](const SharedWarning* w, const Firing& key) { return identityLess((*w)->firing, key); });
    const bool wasActive = it != before.end() && sameIdentity((**it)->firing, f);
    if (wasActive) held[static_cast<std::size_t>(it - before.begin())] = true;
    if (wasActive && sameContent((**it)->firing, f)) {
      update.active.push_back(**it);
      continue;
    }
    auto w = std::make_shared<Warning>();
    w->updatedAt = now;
    if (wasActive) {
      w->id = (**it)->id;
      w->raisedAt = (**it)->raisedAt;
      update.changed.push_back(w->id);
    } else {
      w->id = (*nextId)++;
      w->raisedAt = now;
      update.raised.push_back(w->id);  // ascending, as ids are handed out
    }
    w->firing = std::move(firings[i]);
    update.active.push_back(std::move(w));
  }
  std::vector<Firing>().swap(firings);
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (held[i]) continue;
    Warning cleared = **before[i];
    cleared.clearedAt = now;
    update.cleared.push_back(std::move(cleared));
  }
  std::sort(update.active.begin(), update.active.end(),
            [](const SharedWarning& a, const SharedWarning& b) { return a->id < b->id; });
  std::sort(update.changed.begin(), update.changed.end());
  std::sort(update.cleared.begin(), update.cleared.end(),
            [](const Warning& a, const Warning& b) { return a.id < b.id; });
  return update;
}

}  // namespace sellertrust
