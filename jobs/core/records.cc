// Enum names of SPEC §1 and the impossible-value checks on source rows.
#include "sellertrust/records.h"

#include <algorithm>
#include <array>
#include <utility>

namespace sellertrust {
namespace {

template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<const char*, E>, N>& names,
                        std::string_view name) {
  for (const auto& [text, value] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

const std::array<std::pair<const char*, TicketKind>, 9> kTicketKinds = {{
    {"not_received", TicketKind::kNotReceived},
    {"late_delivery", TicketKind::kLateDelivery},
    {"damaged", TicketKind::kDamaged},
    {"defective", TicketKind::kDefective},
    {"not_as_described", TicketKind::kNotAsDescribed},
    {"wrong_item", TicketKind::kWrongItem},
    {"authenticity", TicketKind::kAuthenticity},
    {"question", TicketKind::kQuestion},
    {"other", TicketKind::kOther},
}};

const std::array<std::pair<const char*, TicketStatus>, 9> kTicketStatuses = {{
    {"open", TicketStatus::kOpen},
    {"escalated", TicketStatus::kEscalated},
    {"under_review", TicketStatus::kUnderReview},
    {"granted_seller_funded", TicketStatus::kGrantedSellerFunded},
    {"granted_operator_funded", TicketStatus::kGrantedOperatorFunded},
    {"refunded", TicketStatus::kRefunded},
    {"resolved", TicketStatus::kResolved},
    {"withdrawn", TicketStatus::kWithdrawn},
    {"refused", TicketStatus::kRefused},
}};

template <typename E, std::size_t N>
const char* nameOf(const std::array<std::pair<const char*, E>, N>& names, E value) {
  for (const auto& [text, v] : names) {
    if (v == value) return text;
  }
  return "?";
}

bool oneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::optional<CancelledBy> parseCancelledBy(std::string_view name) {
  static const std::array<std::pair<const char*, CancelledBy>, 3> kNames = {{
      {"seller", CancelledBy::kSeller},
      {"buyer", CancelledBy::kBuyer},
      {"operator", CancelledBy::kOperator},
  }};
  return lookup(kNames, name);
}

std::optional<FulfilledBy> parseFulfilledBy(std::string_view name) {
  static const std::array<std::pair<const char*, FulfilledBy>, 2> kNames = {{
      {"seller", FulfilledBy::kSeller},
      {"operator", FulfilledBy::kOperator},
  }};
  return lookup(kNames, name);
}

std::optional<TicketKind> parseTicketKind(std::string_view name) {
  return lookup(kTicketKinds, name);
}

std::optional<TicketStatus> parseTicketStatus(std::string_view name) {
  return lookup(kTicketStatuses, name);
}

std::optional<ReturnResolution> parseReturnResolution(std::string_view name) {
  static const std::array<std::pair<const char*, ReturnResolution>, 3> kNames = {{
      {"refund", ReturnResolution::kRefund},
      {"replacement", ReturnResolution::kReplacement},
      {"rejected", ReturnResolution::kRejected},
  }};
  return lookup(kNames, name);
}

std::optional<Liability> parseLiability(std::string_view name) {
  static const std::array<std::pair<const char*, Liability>, 2> kNames = {{
      {"service", Liability::kService},
      {"fraud", Liability::kFraud},
  }};
  return lookup(kNames, name);
}

bool isRefundMethod(std::string_view name) {
  return oneOf(name, {"original_payment", "bank_transfer", "store_credit", "promo_code"});
}

bool isRefundKind(std::string_view name) { return oneOf(name, {"full", "partial"}); }

bool isRefundReason(std::string_view name) {
  return oneOf(name, {"non_conforming", "defective", "late_delivery", "not_received", "price_match",
                      "return", "goodwill", "other"});
}

const char* toString(TicketKind kind) { return nameOf(kTicketKinds, kind); }
const char* toString(TicketStatus status) { return nameOf(kTicketStatuses, status); }

bool isClaim(TicketKind kind) {
  return kind != TicketKind::kQuestion && kind != TicketKind::kOther;
}

bool claimCountsAsDefect(TicketStatus status) {
  return status != TicketStatus::kWithdrawn && status != TicketStatus::kRefused &&
         status != TicketStatus::kGrantedOperatorFunded;
}

bool claimCountsForLadder(TicketStatus status) {
  return status != TicketStatus::kWithdrawn && status != TicketStatus::kRefused;
}

namespace {

// Removes the elements of `rows` for which problemOf returns a message,
// recording each under `table` with the key returned by keyOf.
template <typename Row, typename KeyOf, typename ProblemOf>
void dropImpossible(std::vector<Row>* rows, const char* table, KeyOf keyOf, ProblemOf problemOf,
                    std::vector<RowProblem>* problems) {
  auto kept = std::remove_if(rows->begin(), rows->end(), [&](const Row& row) {
    const char* problem = problemOf(row);
    if (problem == nullptr) return false;
    if (problems != nullptr) problems->push_back({table, keyOf(row), problem});
    return true;
  });
  rows->erase(kept, rows->end());
}

const char* orderProblem(const Order& o) {
  auto before = [&](const std::optional<Timestamp>& t) { return t && *t < o.orderedAt; };
  if (before(o.shippedAt)) return "shipped_at is before ordered_at";
  if (before(o.deliveredAt)) return "delivered_at is before ordered_at";
  if (before(o.cancelledAt)) return "cancelled_at is before ordered_at";
  if (before(o.shipByAt)) return "ship_by_at is before ordered_at";
  if (before(o.promisedAt)) return "promised_at is before ordered_at";
  if (o.shippedAt && o.deliveredAt && *o.deliveredAt < *o.shippedAt) {
    return "delivered_at is before shipped_at";
  }
  if (o.cancelledBy && !o.cancelledAt) return "cancelled_by is set but cancelled_at is NULL";
  if (o.cancelledAt && !o.cancelledBy) return "cancelled_at is set but cancelled_by is NULL";
  return nullptr;
}

}  // namespace

bool sanitizeOrder(Order& order, std::vector<RowProblem>* problems) {
  if (const char* problem = orderProblem(order)) {
    if (problems != nullptr) problems->push_back({"orders", order.orderId, problem});
    return false;
  }
  dropImpossible(
      &order.tickets, "tickets", [](const Ticket& t) { return t.ticketId; },
      [](const Ticket& t) -> const char* {
        auto before = [&](const std::optional<Timestamp>& x) { return x && *x < t.openedAt; };
        if (before(t.firstSellerResponseAt)) return "first_seller_response_at is before opened_at";
        if (before(t.escalatedAt)) return "escalated_at is before opened_at";
        if (before(t.closedAt)) return "closed_at is before opened_at";
        return nullptr;
      },
      problems);
  dropImpossible(
      &order.returns, "return_requests", [](const ReturnRequest& r) { return r.returnId; },
      [](const ReturnRequest& r) -> const char* {
        if (r.resolvedAt && *r.resolvedAt < r.requestedAt) {
          return "resolved_at is before requested_at";
        }
        if (r.resolvedAt.has_value() != r.resolution.has_value()) {
          return "resolved_at and resolution must be both NULL or both set";
        }
        return nullptr;
      },
      problems);
  dropImpossible(
      &order.ratings, "ratings", [](const Rating& r) { return r.ratingId; },
      [](const Rating& r) -> const char* {
        return r.stars < 1 || r.stars > 5 ? "stars is outside 1-5" : nullptr;
      },
      problems);
  return true;
}

}  // namespace sellertrust
