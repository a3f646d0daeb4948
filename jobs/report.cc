// JSON renderings of results (see report.h for the shapes). Written by hand
// rather than through a DOM so that field order is the documented order and
// numbers keep their exact value: rates and bounds in the shortest form that
// round-trips, scores with one decimal. Pure; safe from any thread.
#include "jobs/report.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <utility>

#include "jobs/source/definition.h"
#include "sellertrust/utf8.h"

namespace sellertrust {
namespace {

// Appends `"key":` (the key is one of our own names, never user text).
void key(std::string* out, const char* name) {
  out->push_back('"');
  out->append(name);
  out->append("\":");
}

std::string jsonOptional(std::optional<double> v) { return v ? jsonNumber(*v) : "null"; }

std::string renderEvidence(const std::vector<Evidence>& evidence) {
  std::string out = "{";
  for (std::size_t i = 0; i < evidence.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += jsonString(evidence[i].name.str());
    out.push_back(':');
    out += jsonNumber(evidence[i].value);
  }
  out.push_back('}');
  return out;
}

// {"from","to","days"}: the window of a run at `computedAt`.
std::string windowJson(Timestamp computedAt, const Rules& rules) {
  const Window window = windowAt(computedAt, rules);
  return "{\"from\":" + jsonTime(window.begin) + ",\"to\":" + jsonTime(window.end) +
         ",\"days\":" + std::to_string(rules.windowDays) + "}";
}

// What a metric holds against a seller, and what counts for it, in words:
// one, then many.
struct Nouns {
  std::array<const char*, 2> against;
  std::array<const char*, 2> counting;
};

Nouns nounsOf(MetricId id) {
  switch (id) {
    case MetricId::kOrderDefectRate:
      return {{"order with a defect", "orders with a defect"},
              {"order without one", "orders without one"}};
    case MetricId::kClaimRate:
      return {{"claimed order", "claimed orders"},
              {"order without a claim", "orders without a claim"}};
    case MetricId::kLateShipmentRate:
      return {{"late shipment", "late shipments"},
              {"order shipped on time", "orders shipped on time"}};
    case MetricId::kLateDeliveryRate:
      return {{"late delivery", "late deliveries"},
              {"order delivered on time", "orders delivered on time"}};
    case MetricId::kSellerCancelRate:
      return {{"seller cancellation", "seller cancellations"},
              {"order not cancelled by the seller", "orders not cancelled by the seller"}};
    case MetricId::kValidTrackingRate:
      return {{"shipment without valid tracking", "shipments without valid tracking"},
              {"shipment with valid tracking", "shipments with valid tracking"}};
    case MetricId::kResponseWithin48hRate:
      return {{"ticket answered late or not at all", "tickets answered late or not at all"},
              {"ticket answered in time", "tickets answered in time"}};
    case MetricId::kEscalationRate:
      return {{"escalated ticket", "escalated tickets"},
              {"ticket without escalation", "tickets without escalation"}};
    case MetricId::kSpontaneousRefundRate:
      return {{"spontaneous refund", "spontaneous refunds"},
              {"delivered order without one", "delivered orders without one"}};
    case MetricId::kReturnResolved15dRate:
      return {{"return not resolved in time", "returns not resolved in time"},
              {"return resolved in time", "returns resolved in time"}};
    case MetricId::kRatingAverage:
      return {{"low rating", "low ratings"}, {"5-star rating", "5-star ratings"}};
  }
  return {{"defect", "defects"}, {"good one", "good ones"}};
}

// "1 late shipment", "3 late shipments".
std::string counted(std::int64_t n, const std::string& how,
                    const std::array<const char*, 2>& noun) {
  return std::to_string(n) + " " + how + " " + noun[n == 1 ? 0 : 1];
}

std::string jsonCount(std::optional<std::int64_t> n) { return n ? std::to_string(*n) : "null"; }

// {"fewer","more","points_lost","oldest_leaves_window_at","text"}, or null
// when the metric loses no points.
std::string renderRecommendation(const MetricValue& m, const Rules& rules,
                                 std::optional<Timestamp> oldestLeavesAt) {
  const std::optional<ToTarget> t = toTarget(m, rules);
  if (!t) return "null";
  const Nouns nouns = nounsOf(m.id);
  std::string text;
  if (t->fewer) text = counted(*t->fewer, "fewer", nouns.against);
  if (t->more) text += (text.empty() ? "" : ", or ") + counted(*t->more, "more", nouns.counting);
  char points[32];
  std::snprintf(points, sizeof points, "%.1f", t->pointsLost);
  if (t->fewer && t->more) text += ",";
  text += text.empty() ? "no number of rows in reach meets the target" : " would meet the target";
  text += std::string(" and win back ") + points + " points";
  if (oldestLeavesAt) {
    text += "; the oldest counted leaves the window at " + formatRfc3339(*oldestLeavesAt);
  }
  return "{\"fewer\":" + jsonCount(t->fewer) + ",\"more\":" + jsonCount(t->more) +
         ",\"points_lost\":" + jsonNumber(t->pointsLost) +
         ",\"oldest_leaves_window_at\":" + jsonTime(oldestLeavesAt) +
         ",\"text\":" + jsonString(text + ".") + "}";
}

std::string renderMetric(const MetricValue& m, const Rules& rules,
                         std::optional<Timestamp> oldestLeavesAt) {
  std::string out = "{";
  key(&out, "value");
  out += jsonOptional(m.value);
  out.push_back(',');
  key(&out, "numerator");
  out += std::to_string(m.numerator);
  out.push_back(',');
  key(&out, "denominator");
  out += std::to_string(m.denominator);
  if (m.id != MetricId::kRatingAverage) {
    out.push_back(',');
    key(&out, "wilson");
    if (m.wilson) {
      out += "{\"lower\":" + jsonNumber(m.wilson->lower) +
             ",\"upper\":" + jsonNumber(m.wilson->upper) + "}";
    } else {
      out += "null";
    }
  }
  out.push_back(',');
  key(&out, "target");
  out += jsonNumber(rules.rule(m.id).target);
  out.push_back(',');
  key(&out, "judged");
  out += jsonOptional(judgedValue(m));
  out.push_back(',');
  key(&out, "recommendation");
  out += renderRecommendation(m, rules, oldestLeavesAt);
  out.push_back('}');
  return out;
}

std::string renderWarnings(const std::vector<Warning>& warnings) {
  std::string out = "[";
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += renderWarning(warnings[i]);
  }
  out.push_back(']');
  return out;
}

}  // namespace

std::string jsonString(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // Seller names come from the operator's database: pass valid UTF-8
      // through, but never let a stray byte make the whole body invalid JSON.
      const std::size_t n = utf8Length(text, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text, i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
  return out;
}

std::string jsonTime(std::optional<Timestamp> t) {
  return t ? jsonString(formatRfc3339(*t)) : "null";
}

const char* jsonBool(bool b) { return b ? "true" : "false"; }

std::string jsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

std::string jsonScore(std::optional<double> score) {
  if (!score || !std::isfinite(*score)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *score);
  return buf;
}

std::string renderWarning(const Warning& warning) {
  const Firing& f = warning.firing;
  std::string out = "{";
  key(&out, "id");
  out += std::to_string(warning.id);
  out.push_back(',');
  key(&out, "code");
  out += jsonString(f.code.str());
  out.push_back(',');
  key(&out, "severity");
  out += jsonString(toString(f.severity));
  out.push_back(',');
  key(&out, "seller_id");
  out += std::to_string(f.sellerId);
  out.push_back(',');
  key(&out, "product_id");
  out += f.productId ? std::to_string(*f.productId) : "null";
  out.push_back(',');
  key(&out, "action");
  out += jsonString(f.action.str());
  out.push_back(',');
  key(&out, "detail");
  out += jsonString(f.detail.str());
  out.push_back(',');
  key(&out, "evidence");
  out += renderEvidence(f.evidence);
  out.push_back(',');
  key(&out, "raised_at");
  out += jsonTime(warning.raisedAt);
  out.push_back(',');
  key(&out, "updated_at");
  out += jsonTime(warning.updatedAt);
  out.push_back('}');
  return out;
}

std::string renderSellerReport(const SellerInfo& seller, const SellerEvaluation& evaluation,
                               const std::vector<Warning>& activeWarnings, Timestamp computedAt,
                               const std::string& rulesVersion, const Rules& rules,
                               const std::vector<Defect>& defects) {
  // When each metric's oldest counted row leaves the window: its order's
  // time plus the window and the lag, and a second.
  std::array<std::optional<Timestamp>, kMetricCount> leaves{};
  for (const Defect& d : defects) {
    std::optional<Timestamp>& at = leaves[static_cast<std::size_t>(source::defectMetric(d))];
    const Timestamp t =
        d.orderedAt + static_cast<Timestamp>(rules.windowDays + rules.lagDays) * kSecondsPerDay + 1;
    if (!at || t < *at) at = t;
  }
  const std::optional<double> score =
      evaluation.score ? std::optional<double>(evaluation.score->value) : std::nullopt;
  std::string out = "{";
  key(&out, "seller_id");
  out += std::to_string(evaluation.sellerId);
  out.push_back(',');
  key(&out, "name");
  out += jsonString(seller.name);
  out.push_back(',');
  key(&out, "country");
  out += jsonString(seller.country);
  out.push_back(',');
  key(&out, "computed_at");
  out += jsonTime(computedAt);
  out.push_back(',');
  key(&out, "rules_version");
  out += jsonString(rulesVersion);
  out.push_back(',');
  key(&out, "window");
  out += windowJson(computedAt, rules);
  out.push_back(',');
  key(&out, "orders");
  out += std::to_string(evaluation.metrics.orders);
  out.push_back(',');
  key(&out, "score");
  out += jsonScore(score);
  out.push_back(',');
  key(&out, "badge");
  out += jsonString(toString(evaluation.badge.badge));
  out.push_back(',');
  key(&out, "badge_reason");
  out += jsonString(evaluation.badge.reason);
  if (!score) {
    out.push_back(',');
    key(&out, "no_score_reason");
    out += jsonString(evaluation.noScoreReason);
  }
  out.push_back(',');
  key(&out, "metrics");
  out.push_back('{');
  for (const MetricValue& m : evaluation.metrics.values) {
    key(&out, metricName(m.id));
    out += renderMetric(m, rules, leaves[static_cast<std::size_t>(m.id)]);
    out.push_back(',');
  }
  const ResponseTime& rt = evaluation.metrics.responseTime;
  key(&out, "response_time_hours");
  out += "{\"answered\":" + std::to_string(rt.answered) + ",\"p50\":" + jsonOptional(rt.p50Hours) +
         ",\"p90\":" + jsonOptional(rt.p90Hours) + "}";
  out += "},";
  key(&out, "explanation");
  out.push_back('[');
  if (evaluation.score) {
    bool first = true;
    for (const PointsLost& line : evaluation.score->explanation) {
      if (!first) out.push_back(',');
      first = false;
      out += "{\"metric\":" + jsonString(metricName(line.id)) +
             ",\"value\":" + jsonOptional(line.value) + ",\"judged\":" + jsonOptional(line.judged) +
             ",\"target\":" + jsonNumber(line.target) +
             ",\"points_lost\":" + jsonNumber(line.points) + "}";
    }
  }
  out += "],";
  key(&out, "warnings");
  out += renderWarnings(activeWarnings);
  out.push_back('}');
  return out;
}

std::string renderProductReport(const ProductLadder& ladder,
                                const std::vector<AuthenticityClaim>& authenticityClaims,
                                std::int64_t claimsInWindow,
                                const std::vector<Warning>& activeWarnings, Timestamp computedAt,
                                const std::string& rulesVersion) {
  std::vector<AuthenticityClaim> claims;
  for (const AuthenticityClaim& c : authenticityClaims) {
    if (c.productId == ladder.productId) claims.push_back(c);
  }
  std::sort(claims.begin(), claims.end(), [](const auto& a, const auto& b) {
    return a.openedAt != b.openedAt ? a.openedAt < b.openedAt : a.ticketId < b.ticketId;
  });

  // The strongest action that holds now: the ladder first (it is the
  // operator's duty on counterfeits), then a complaints review.
  const char* action = "none";
  if (ladder.step == LadderStep::kRemove) {
    action = "remove_product";
  } else if (ladder.delistActive) {
    action = "delist_product";
  } else if (std::any_of(activeWarnings.begin(), activeWarnings.end(), [&](const Warning& w) {
               return w.firing.productId == ladder.productId && w.firing.action == "review_product";
             })) {
    action = "review_product";
  }

  std::string out = "{";
  key(&out, "product_id");
  out += std::to_string(ladder.productId);
  out.push_back(',');
  key(&out, "seller_id");
  out += std::to_string(ladder.sellerId);
  out.push_back(',');
  key(&out, "computed_at");
  out += jsonTime(computedAt);
  out.push_back(',');
  key(&out, "rules_version");
  out += jsonString(rulesVersion);
  out.push_back(',');
  key(&out, "claims_in_window");
  out += std::to_string(claimsInWindow);
  out.push_back(',');
  key(&out, "ladder");
  out += "{\"step\":" + jsonString(toString(ladder.step)) +
         ",\"counted_claims\":" + std::to_string(ladder.countedClaims) +
         ",\"first_claim_at\":" + jsonTime(ladder.firstClaimAt) +
         ",\"second_claim_at\":" + jsonTime(ladder.secondClaimAt) +
         ",\"delist_until\":" + jsonTime(ladder.delistUntil) +
         ",\"delist_active\":" + jsonBool(ladder.delistActive) + "}";
  out.push_back(',');
  key(&out, "recommended_action");
  out += jsonString(action);
  out.push_back(',');
  key(&out, "authenticity_claims");
  out.push_back('[');
  for (std::size_t i = 0; i < claims.size(); ++i) {
    const AuthenticityClaim& c = claims[i];
    if (i > 0) out.push_back(',');
    const bool counted = claimCountsForLadder(c.status) && c.openedAt <= computedAt;
    out +=
        "{\"ticket_id\":" + std::to_string(c.ticketId) + ",\"opened_at\":" + jsonTime(c.openedAt) +
        ",\"status\":" + jsonString(toString(c.status)) + ",\"counted\":" + jsonBool(counted) + "}";
  }
  out += "],";
  key(&out, "warnings");
  out += renderWarnings(activeWarnings);
  out.push_back('}');
  return out;
}

namespace {

std::vector<Warning> values(const std::vector<SharedWarning>& warnings) {
  std::vector<Warning> out;
  out.reserve(warnings.size());
  for (const SharedWarning& w : warnings) out.push_back(*w);
  return out;
}

}  // namespace

std::string renderSellerReport(const SellerResult& result, const Snapshot& snapshot) {
  const Rules& rules = *snapshot.rules;
  SellerEvaluation e;
  e.sellerId = result.sellerId;
  e.metrics = computeMetrics(result.counts, result.responseTime, rules);
  if (result.score) {
    e.score = computeScore(e.metrics, rules);
    // The stored score is the one every other endpoint shows.
    e.score->value = *result.score;
  } else {
    e.noScoreReason = noScoreReason(e.metrics.orders, rules);
  }
  e.badge = {result.badge, result.badgeReason};
  return renderSellerReport({result.sellerId, result.name, result.country}, e,
                            values(snapshot.warnings.ofSeller(result.sellerId)),
                            snapshot.computedAt, snapshot.rulesVersion, rules,
                            result.defects.decode());
}

std::string renderProductReport(const ProductResult& product, const Snapshot& snapshot) {
  static const std::vector<AuthenticityClaim> kNone;
  auto claims = snapshot.claimsByProduct.find(product.productId());
  return renderProductReport(
      product.ladder, claims == snapshot.claimsByProduct.end() ? kNone : claims->second,
      product.claimsInWindow, values(snapshot.warnings.ofProduct(product.productId())),
      snapshot.computedAt, snapshot.rulesVersion);
}

namespace {

std::string windowJson(const Snapshot& snapshot) {
  return windowJson(snapshot.computedAt, *snapshot.rules);
}

std::string reasonJson(const Defect& d) {
  const source::DefectReasonDef& r = source::defectReasons().at(d.reason);
  std::string out = "{\"reason\":" + jsonString(r.name) + ",\"table\":" + jsonString(r.table) +
                    ",\"row_id\":" + std::to_string(d.rowId);
  if (!r.valueName.empty()) {
    out += "," + jsonString(r.valueName) + ":" +
           (r.valueIsTime ? jsonTime(d.value) : std::to_string(d.value));
  }
  return out + "}";
}

}  // namespace

std::string renderDefectSummary(const SellerResult& seller, const Snapshot& snapshot) {
  const std::vector<Defect> defects = source::sortedDefects(seller.defects);
  std::string metrics;
  for (std::size_t m = 0; m < kMetricCount; ++m) {
    const auto metric = static_cast<MetricId>(m);
    if (!source::hasDefects(metric)) continue;
    metrics +=
        std::string(metrics.empty() ? "" : ",") + "{\"metric\":" + jsonString(metricName(metric)) +
        ",\"counts\":" + jsonString(source::defectUnit(metric)) +
        ",\"defects\":" + std::to_string(source::countedIds(source::defectsOf(defects, metric))) +
        "}";
  }
  std::vector<const ProductResult*> products;
  for (const auto& [id, product] : snapshot.products) {
    if (product.ladder.sellerId == seller.sellerId && product.claimsInWindow > 0) {
      products.push_back(&product);
    }
  }
  std::sort(products.begin(), products.end(), [](const ProductResult* a, const ProductResult* b) {
    return std::make_pair(-a->claimsInWindow, a->productId()) <
           std::make_pair(-b->claimsInWindow, b->productId());
  });
  std::string claims;
  for (const ProductResult* p : products) {
    claims += std::string(claims.empty() ? "" : ",") +
              "{\"product_id\":" + std::to_string(p->productId()) +
              ",\"claims_in_window\":" + std::to_string(p->claimsInWindow) + "}";
  }
  return "{\"seller_id\":" + std::to_string(seller.sellerId) +
         ",\"computed_at\":" + jsonTime(snapshot.computedAt) +
         ",\"window\":" + windowJson(snapshot) + ",\"metrics\":[" + metrics + "],\"products\":[" +
         claims + "]}";
}

std::string renderDefectPage(const SellerResult& seller, const Snapshot& snapshot, MetricId metric,
                             std::size_t limit, std::int64_t after) {
  const std::vector<Defect> defects = source::sortedDefects(seller.defects);
  const auto [first, last] = source::defectsOf(defects, metric);
  // The cursor is an id, not an offset: a page never splits one id's reasons.
  auto it =
      std::find_if(first, last, [&](const Defect& d) { return source::countedId(d) > after; });
  std::string items;
  std::size_t ids = 0;
  std::optional<std::int64_t> lastId;
  bool more = false;
  for (; it != last; ++it) {
    const std::int64_t id = source::countedId(*it);
    if (id != lastId) {
      if (ids == limit) {
        more = true;
        break;
      }
      if (lastId) items += "]}";
      items += std::string(ids == 0 ? "" : ",") + "{\"id\":" + std::to_string(id) +
               ",\"order_id\":" + std::to_string(it->orderId) +
               ",\"ordered_at\":" + jsonTime(it->orderedAt) + ",\"reasons\":[";
      ++ids;
      lastId = id;
    } else {
      items += ",";
    }
    items += reasonJson(*it);
  }
  if (lastId) items += "]}";
  return "{\"seller_id\":" + std::to_string(seller.sellerId) +
         ",\"metric\":" + jsonString(metricName(metric)) +
         ",\"counts\":" + jsonString(source::defectUnit(metric)) +
         ",\"total\":" + std::to_string(source::countedIds({first, last})) +
         ",\"computed_at\":" + jsonTime(snapshot.computedAt) +
         ",\"window\":" + windowJson(snapshot) + ",\"defects\":[" + items +
         "],\"next_after\":" + (more && lastId ? std::to_string(*lastId) : std::string("null")) +
         "}";
}

}  // namespace sellertrust
