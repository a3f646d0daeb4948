// The badge SVG. It carries no element ids (so several inline copies on one
// page cannot clash) and no script; widths approximate 11px Verdana at 7px
// per glyph, which is close enough for the short texts a badge holds.
#include "daemon/badge_svg.h"

#include <cstdio>

namespace sellertrust {
namespace {

constexpr int kGlyphWidth = 7;
constexpr int kPadding = 10;

const char* colourOf(Badge badge) {
  switch (badge) {
    case Badge::kTop:
      return "#2e7d32";
    case Badge::kGood:
      return "#4c9a2a";
    case Badge::kFair:
      return "#c79100";
    case Badge::kAtRisk:
      return "#c62828";
    default:
      return "#757575";
  }
}

// Counts code points, not bytes, so a non-ASCII label is not drawn too wide.
int glyphs(const std::string& text) {
  int n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string renderBadgeSvg(const std::string& label, const std::string& message,
                           Badge colourBadge) {
  const int labelWidth = glyphs(label) * kGlyphWidth + kPadding;
  const int messageWidth = glyphs(message) * kGlyphWidth + kPadding;
  const std::string width = std::to_string(labelWidth + messageWidth);
  const std::string title = xmlEscape(label + ": " + message);
  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width +
         "\" height=\"20\" role=\"img\" aria-label=\"" + title + "\">";
  svg += "<title>" + title + "</title>";
  svg += "<rect width=\"" + width + "\" height=\"20\" rx=\"3\" fill=\"" + colourOf(colourBadge) +
         "\"/>";
  // The label's background: rounded on the left only.
  svg += "<path fill=\"#555\" d=\"M3 0h" + std::to_string(labelWidth - 3) +
         "v20H3a3 3 0 0 1-3-3V3a3 3 0 0 1 3-3z\"/>";
  svg +=
      "<g fill=\"#fff\" text-anchor=\"middle\" "
      "font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">";
  svg +=
      "<text x=\"" + std::to_string(labelWidth / 2) + "\" y=\"14\">" + xmlEscape(label) + "</text>";
  svg += "<text x=\"" + std::to_string(labelWidth + messageWidth / 2) + "\" y=\"14\">" +
         xmlEscape(message) + "</text>";
  svg += "</g></svg>";
  return svg;
}

std::string renderBadgeSvg(Badge badge, std::optional<double> score) {
  std::string message = badge == Badge::kAtRisk ? "at risk" : toString(badge);
  if (score) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " %.1f", *score);
    message += buf;
  }
  return renderBadgeSvg("sellertrust", message, badge);
}

}  // namespace sellertrust
