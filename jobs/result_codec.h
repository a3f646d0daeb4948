// How results are stored as text in a results database, shared by every
// ResultStore backend so they read and write the same forms: evidence as a
// JSON object of numbers, times as "YYYY-MM-DD HH:MM:SS" UTC, badges,
// severities, ladder steps and ticket statuses by name. Decoding failures throw SourceError naming
// the row. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sellertrust/rules.h"
#include "sellertrust/time.h"
#include "sellertrust/warnings.h"

namespace sellertrust {

// {"name":value,...} in the evidence's order.
std::string evidenceJson(const std::vector<Evidence>& evidence);
std::vector<Evidence> parseEvidenceJson(const std::string& json, const std::string& where);

Timestamp storedTime(const std::string& text, const std::string& where);
Badge storedBadge(const std::string& name, const std::string& where);
Severity storedSeverity(const std::string& name, const std::string& where);
LadderStep storedLadderStep(const std::string& name, const std::string& where);
TicketStatus storedTicketStatus(const std::string& name, const std::string& where);

}  // namespace sellertrust
