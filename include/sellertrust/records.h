// The source rows of SPEC §1 as the core sees them: one Order with the
// after-sales rows that belong to it. Backends build these; the core reads
// them. Enum parsing lives here so that every backend rejects the same
// unknown values. Plain data; safe to share read-only between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sellertrust/time.h"

namespace sellertrust {

enum class CancelledBy { kSeller, kBuyer, kOperator };
enum class FulfilledBy { kSeller, kOperator };
enum class TicketKind {
  kNotReceived,
  kLateDelivery,
  kDamaged,
  kDefective,
  kNotAsDescribed,
  kWrongItem,
  kAuthenticity,
  kQuestion,
  kOther,
};
enum class TicketStatus {
  kOpen,
  kEscalated,
  kUnderReview,
  kGrantedSellerFunded,
  kGrantedOperatorFunded,
  kRefunded,
  kResolved,
  kWithdrawn,
  kRefused,
};
enum class ReturnResolution { kRefund, kReplacement, kRejected };
enum class Liability { kService, kFraud };

// Each returns nullopt for a name that is not one of the SPEC's enum values.
std::optional<CancelledBy> parseCancelledBy(std::string_view name);
std::optional<FulfilledBy> parseFulfilledBy(std::string_view name);
std::optional<TicketKind> parseTicketKind(std::string_view name);
std::optional<TicketStatus> parseTicketStatus(std::string_view name);
std::optional<ReturnResolution> parseReturnResolution(std::string_view name);
std::optional<Liability> parseLiability(std::string_view name);
// Refund method, kind and reason only need to be valid, not interpreted.
bool isRefundMethod(std::string_view name);
bool isRefundKind(std::string_view name);
bool isRefundReason(std::string_view name);

const char* toString(TicketKind kind);
const char* toString(TicketStatus status);

// A claim is a ticket whose kind is neither `question` nor `other`.
bool isClaim(TicketKind kind);
// True iff a claim in this status counts as an order defect (it is not
// withdrawn, refused, or granted at the operator's expense).
bool claimCountsAsDefect(TicketStatus status);
// True iff an authenticity claim in this status climbs the ladder.
bool claimCountsForLadder(TicketStatus status);

struct Ticket {
  std::int64_t ticketId = 0;
  std::optional<std::int64_t> productId;  // NULL: the order's product
  TicketKind kind = TicketKind::kQuestion;
  TicketStatus status = TicketStatus::kOpen;
  Timestamp openedAt = 0;
  std::optional<Timestamp> firstSellerResponseAt;
  std::optional<Timestamp> escalatedAt;
  std::optional<Timestamp> closedAt;
};

struct Refund {
  std::int64_t refundId = 0;
  std::optional<std::int64_t> ticketId;  // NULL: spontaneous
  Timestamp createdAt = 0;
};

struct ReturnRequest {
  std::int64_t returnId = 0;
  Timestamp requestedAt = 0;
  std::optional<Timestamp> resolvedAt;
  std::optional<ReturnResolution> resolution;
};

struct Rating {
  std::int64_t ratingId = 0;
  int stars = 0;
  Timestamp createdAt = 0;
};

struct Chargeback {
  std::int64_t chargebackId = 0;
  Liability liability = Liability::kFraud;
  Timestamp createdAt = 0;
};

struct Order {
  std::int64_t orderId = 0;
  std::int64_t sellerId = 0;
  std::int64_t productId = 0;
  Timestamp orderedAt = 0;
  std::optional<Timestamp> shipByAt;
  std::optional<Timestamp> shippedAt;
  std::optional<Timestamp> promisedAt;
  std::optional<Timestamp> deliveredAt;
  std::optional<Timestamp> cancelledAt;
  std::optional<CancelledBy> cancelledBy;
  std::optional<bool> trackingValid;
  FulfilledBy fulfilledBy = FulfilledBy::kSeller;
  std::vector<Ticket> tickets;
  std::vector<Refund> refunds;
  std::vector<ReturnRequest> returns;
  std::vector<Rating> ratings;
  std::vector<Chargeback> chargebacks;
};

// A source row that was skipped, with enough context to find it.
struct RowProblem {
  std::string table;     // SPEC §1 table name
  std::int64_t key = 0;  // the row's primary key
  std::string problem;   // e.g. "delivered_at is before ordered_at"
};

// Removes from `order` the after-sales rows holding impossible values and
// appends one RowProblem per removed row. Returns false iff the order row
// itself is impossible and must be skipped whole (its problem is appended).
bool sanitizeOrder(Order& order, std::vector<RowProblem>* problems);

}  // namespace sellertrust
