// What the core needs of SPEC §1 beyond the per-seller tallies: the ticket
// statuses the authenticity ladder reads, and the report of a skipped source
// row. Every other column, enum value and row check is defined once, as
// data, in jobs/source/definition.cc, which runs it in the database. Plain
// data and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sellertrust {

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

// The SPEC names of every ticket status, in enum order.
const std::vector<std::string>& ticketStatusNames();
// Returns nullopt for a name that is not a SPEC ticket status.
std::optional<TicketStatus> parseTicketStatus(std::string_view name);
const char* toString(TicketStatus status);

// True iff an authenticity claim in this status climbs the ladder (it is
// not withdrawn or refused).
bool claimCountsForLadder(TicketStatus status);

// A seller, product or other id (SPEC: a positive integer) from text:
// decimal digits only (no sign, exponent or spaces) that fit int64 and are
// not 0; nullopt otherwise.
std::optional<std::int64_t> parsePositiveId(std::string_view text);

// A source row that was skipped, with enough context to find it.
struct RowProblem {
  std::string table;     // SPEC §1 table name
  std::int64_t key = 0;  // the row's primary key; 0 for a summary line
  std::string problem;   // e.g. "delivered_at is before ordered_at", "unknown kind 'x'"
  // The problem without the row's value ("unknown kind"): a bounded set, for
  // the sellertrust_rows_skipped{reason} label. Follows from `problem`.
  std::string reason = {};
  std::int64_t rows = 1;  // a summary line (key 0): the rows it stands for

  bool operator==(const RowProblem& other) const {
    return table == other.table && key == other.key && problem == other.problem;
  }
};

}  // namespace sellertrust
