// The badge SVG: every text escaped, the message per badge.
#include "daemon/badge_svg.h"

#include <gtest/gtest.h>

namespace sellertrust {
namespace {

TEST(BadgeSvgTest, XmlEscapeCoversTheFiveSpecialCharacters) {
  EXPECT_EQ(xmlEscape(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
  EXPECT_EQ(xmlEscape("plain \xc3\xa9"), "plain \xc3\xa9");
}

TEST(BadgeSvgTest, EveryTextIsEscaped) {
  const std::string svg = renderBadgeSvg("<script>", "a&b \"c\"", Badge::kGood);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_EQ(svg.find("a&b"), std::string::npos);
  EXPECT_NE(svg.find("<title>&lt;script&gt;: a&amp;b &quot;c&quot;</title>"), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"&lt;script&gt;: a&amp;b &quot;c&quot;\""), std::string::npos);
  EXPECT_NE(svg.find(">a&amp;b &quot;c&quot;</text>"), std::string::npos);
}

TEST(BadgeSvgTest, SellerBadgeShowsBadgeAndScore) {
  const std::string good = renderBadgeSvg(Badge::kGood, 87.3);
  EXPECT_EQ(good.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(good.find("<title>sellertrust: good 87.3</title>"), std::string::npos);
  EXPECT_NE(good.find("</svg>"), std::string::npos);
  EXPECT_NE(renderBadgeSvg(Badge::kAtRisk, 42.0).find(">at risk 42.0</text>"), std::string::npos);
  EXPECT_NE(renderBadgeSvg(Badge::kNew, std::nullopt).find(">new</text>"), std::string::npos);
  EXPECT_NE(renderBadgeSvg(Badge::kTop, 95).find("fill=\"#2e7d32\""), std::string::npos);
  EXPECT_NE(renderBadgeSvg(Badge::kAtRisk, 10).find("fill=\"#c62828\""), std::string::npos);
}

}  // namespace
}  // namespace sellertrust
