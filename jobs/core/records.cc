// Ticket status names and the ladder's status rule.
#include "sellertrust/records.h"

#include <algorithm>
#include <limits>

namespace sellertrust {

const std::vector<std::string>& ticketStatusNames() {
  static const std::vector<std::string> kNames = {"open",
                                                  "escalated",
                                                  "under_review",
                                                  "granted_seller_funded",
                                                  "granted_operator_funded",
                                                  "refunded",
                                                  "resolved",
                                                  "withdrawn",
                                                  "refused"};
  return kNames;
}

std::optional<TicketStatus> parseTicketStatus(std::string_view name) {
  const auto& names = ticketStatusNames();
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<TicketStatus>(it - names.begin());
}

const char* toString(TicketStatus status) {
  return ticketStatusNames().at(static_cast<std::size_t>(status)).c_str();
}

bool claimCountsForLadder(TicketStatus status) {
  return status != TicketStatus::kWithdrawn && status != TicketStatus::kRefused;
}

std::optional<std::int64_t> parsePositiveId(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (value == 0) return std::nullopt;
  return value;
}

}  // namespace sellertrust
