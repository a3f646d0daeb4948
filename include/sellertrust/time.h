// UTC instants as whole seconds since the Unix epoch, and their text form
// "YYYY-MM-DD HH:MM:SS" used by the SQLite source and the API.
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sellertrust {

// Seconds since 1970-01-01 00:00:00 UTC. The core never reads a clock:
// every "now" is passed in as a Timestamp.
using Timestamp = std::int64_t;

inline constexpr Timestamp kSecondsPerHour = 3600;
inline constexpr Timestamp kSecondsPerDay = 86400;

// Returns the instant for "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DDTHH:MM:SS",
// optionally followed by "Z" or fractional seconds), or nullopt if the text is
// not a valid calendar time.
std::optional<Timestamp> parseUtc(std::string_view text);

// True iff text is exactly "YYYY-MM-DD HH:MM:SS" naming a real instant
// (what formatUtc returns): the one form the SQLite source stores times in.
bool isCanonicalUtc(std::string_view text);

// Returns "YYYY-MM-DD HH:MM:SS".
std::string formatUtc(Timestamp t);

// Returns "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339), the form the API uses.
std::string formatRfc3339(Timestamp t);

// Returns the start (00:00:00) of the UTC day containing t.
Timestamp startOfDay(Timestamp t);

}  // namespace sellertrust
