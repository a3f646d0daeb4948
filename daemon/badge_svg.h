// The storefront badge as a small flat SVG (GET /v1/sellers/{id}/badge.svg).
// Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "sellertrust/rules.h"

namespace sellertrust {

// Escapes the five XML special characters, for text and attribute values.
std::string xmlEscape(const std::string& text);

// A "label | message" badge coloured by `colourBadge`. Every text is
// XML-escaped, so any label or message is safe to pass.
std::string renderBadgeSvg(const std::string& label, const std::string& message, Badge colourBadge);

// The seller badge: "sellertrust | good 87.3", or "sellertrust | new" when
// there is no score.
std::string renderBadgeSvg(Badge badge, std::optional<double> score);

}  // namespace sellertrust
