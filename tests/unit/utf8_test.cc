// validUtf8 (sellertrust/utf8.h): each byte that starts no valid sequence
// becomes U+FFFD (EF BF BD), worked out by hand from RFC 3629's table.
#include "sellertrust/utf8.h"

#include <gtest/gtest.h>

namespace sellertrust {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(Utf8Test, ValidTextIsKeptAsItIs) {
  EXPECT_EQ(validUtf8(""), "");
  EXPECT_EQ(validUtf8("plain"), "plain");
  // 2, 3 and 4 bytes: é, €, U+10FFFF (the last code point).
  EXPECT_EQ(validUtf8("\xC3\xA9\xE2\x82\xAC\xF4\x8F\xBF\xBF"),
            "\xC3\xA9\xE2\x82\xAC\xF4\x8F\xBF\xBF");
}

TEST(Utf8Test, EachByteThatStartsNoSequenceIsReplaced) {
  EXPECT_EQ(validUtf8("a\xFF"
                      "b"),
            "a" + kReplacement + "b");
  // Overlong "/" (C0 AF): C0 never starts a sequence, AF is a lone
  // continuation byte.
  EXPECT_EQ(validUtf8("\xC0\xAF"), kReplacement + kReplacement);
  // A surrogate (U+D800 as ED A0 80): ED may not be followed by A0.
  EXPECT_EQ(validUtf8("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);
  // Above U+10FFFF (F4 90 80 80).
  EXPECT_EQ(validUtf8("\xF4\x90\x80\x80"),
            kReplacement + kReplacement + kReplacement + kReplacement);
  // € cut short at the end; then a valid é after a cut one.
  EXPECT_EQ(validUtf8("x\xE2\x82"), "x" + kReplacement + kReplacement);
  EXPECT_EQ(validUtf8("\xC3\xC3\xA9"), kReplacement + "\xC3\xA9");
}

}  // namespace
}  // namespace sellertrust
