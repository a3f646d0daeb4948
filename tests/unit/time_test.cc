#include "sellertrust/time.h"

#include <gtest/gtest.h>

namespace sellertrust {
namespace {

TEST(TimeTest, ParsesKnownInstant) {
  // 56 years of 365 days plus 14 leap days since 1970.
  EXPECT_EQ(parseUtc("2026-01-01 00:00:00"), 20454 * kSecondsPerDay);
  EXPECT_EQ(parseUtc("1970-01-01 00:00:01"), 1);
  EXPECT_EQ(parseUtc("2024-02-29 23:59:59"), *parseUtc("2024-03-01 00:00:00") - 1);
}

TEST(TimeTest, AcceptsIsoForms) {
  const Timestamp t = *parseUtc("2026-03-01 12:34:56");
  EXPECT_EQ(parseUtc("2026-03-01T12:34:56"), t);
  EXPECT_EQ(parseUtc("2026-03-01T12:34:56Z"), t);
  EXPECT_EQ(parseUtc("2026-03-01 12:34:56.250"), t);
}

TEST(TimeTest, RejectsInvalidText) {
  for (const char* bad :
       {"", "2026-01-01", "2026-13-01 00:00:00", "2026-02-29 00:00:00", "2026-01-01 24:00:00",
        "2026-01-01 00:60:00", "2026-01-32 00:00:00", "2026/01/01 00:00:00",
        "2026-01-01 00:00:00+02", "2026-01-01 00:00:0x", "2026-01-01 00:00:00."}) {
    EXPECT_FALSE(parseUtc(bad).has_value()) << bad;
  }
}

TEST(TimeTest, CanonicalIsExactlyWhatFormatUtcWrites) {
  EXPECT_TRUE(isCanonicalUtc("2026-03-01 12:00:00"));
  EXPECT_TRUE(isCanonicalUtc("2024-02-29 23:59:59"));  // a leap day
  EXPECT_TRUE(isCanonicalUtc("0000-01-01 00:00:00"));
  EXPECT_FALSE(isCanonicalUtc("2023-02-29 00:00:00"));  // no leap day that year
  EXPECT_FALSE(isCanonicalUtc("2026-04-31 00:00:00"));
  EXPECT_FALSE(isCanonicalUtc("2026-03-01 24:00:00"));
  EXPECT_FALSE(isCanonicalUtc("2026-03-01 12:00:60"));
  EXPECT_FALSE(isCanonicalUtc("2026-03-01T12:00:00"));  // parseUtc takes it; SPEC's form does not
  EXPECT_FALSE(isCanonicalUtc("2026-03-01 12:00:00Z"));
  EXPECT_FALSE(isCanonicalUtc("2026-03-01 12:00"));
  EXPECT_FALSE(isCanonicalUtc("2026-3-01 12:00:00 "));
  EXPECT_FALSE(isCanonicalUtc(""));
}

TEST(TimeTest, FormatsRoundTrip) {
  for (const char* text : {"1970-01-01 00:00:00", "2000-02-29 13:14:15", "2026-12-31 23:59:59"}) {
    EXPECT_EQ(formatUtc(*parseUtc(text)), text);
  }
  EXPECT_EQ(formatRfc3339(*parseUtc("2026-03-01 12:34:56")), "2026-03-01T12:34:56Z");
}

TEST(TimeTest, StartOfDayTruncates) {
  EXPECT_EQ(startOfDay(*parseUtc("2026-03-01 12:34:56")), *parseUtc("2026-03-01 00:00:00"));
  EXPECT_EQ(startOfDay(-1), -kSecondsPerDay);
}

}  // namespace
}  // namespace sellertrust
