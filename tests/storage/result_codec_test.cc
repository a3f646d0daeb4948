// The stored forms of result_codec: a warning's evidence as JSON, written
// and read back exactly, the texts earlier versions wrote still read, and a
// damaged text refused with the row named.
#include "jobs/result_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "jobs/source/source.h"

namespace sellertrust {
namespace {

std::vector<std::pair<std::string, double>> named(const std::vector<Evidence>& evidence) {
  std::vector<std::pair<std::string, double>> out;
  out.reserve(evidence.size());
  for (const Evidence& e : evidence) out.emplace_back(e.name.str(), e.value);
  return out;
}

TEST(EvidenceJsonTest, WritesCountsAsWholeNumbersInTheEvidenceOrder) {
  EXPECT_EQ(evidenceJson({{"value", 0.25}, {"numerator", 2}, {"denominator", 8}}),
            R"({"value":0.25,"numerator":2,"denominator":8})");
  EXPECT_EQ(evidenceJson({{"claims", -3}, {"share", 0.5}}), R"({"claims":-3,"share":0.5})");
  EXPECT_EQ(evidenceJson({}), "{}");
}

TEST(EvidenceJsonTest, ReadsBackEveryValueExactly) {
  const double big = 1e17;  // whole, beyond 2^53: written as a double
  const std::vector<Evidence> evidence = {{"value", 1.0 / 11},
                                          {"judged", 0.1},
                                          {"tiny", 1e-300},
                                          {"third", -1.0 / 3},
                                          {"big", big},
                                          {"max", std::numeric_limits<double>::max()},
                                          {"infinite", INFINITY},
                                          {"min", std::numeric_limits<double>::denorm_min()},
                                          {"zero", 0},
                                          {"count", 9007199254740991.0}};
  const std::string text = evidenceJson(evidence);
  EXPECT_EQ(named(parseEvidenceJson(text, "warning 1")), named(evidence)) << text;

  const std::vector<Evidence> nan = parseEvidenceJson(evidenceJson({{"value", NAN}}), "warning 1");
  ASSERT_EQ(nan.size(), 1U);
  EXPECT_TRUE(std::isnan(nan[0].value));
}

TEST(EvidenceJsonTest, ReadsWhatEarlierVersionsWrote) {
  // Poco's JSON writer, up to version 0.1's results: shortest digits, and
  // an exponent with a two-digit power.
  const std::vector<Evidence> read = parseEvidenceJson(
      R"({"value":0.09090909090909091,"numerator":1,"denominator":11,"tiny":1e-07})", "warning 1");
  const std::vector<std::pair<std::string, double>> expected = {
      {"value", 1.0 / 11}, {"numerator", 1}, {"denominator", 11}, {"tiny", 1e-7}};
  EXPECT_EQ(named(read), expected);
}

TEST(EvidenceJsonTest, RefusesADamagedTextNamingTheRow) {
  for (const char* damaged : {"", "{", R"({"value":0.5)", "[1]", "7", R"({"value":"high"})",
                              R"({"value":null})", R"({"value":0.5}x)", R"({"a":{"b":1}})"}) {
    try {
      parseEvidenceJson(damaged, "warning 42");
      ADD_FAILURE() << "read: " << damaged;
    } catch (const SourceError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind("results database, warning 42: evidence_json is not ", 0), 0U) << what;
    }
  }
}

}  // namespace
}  // namespace sellertrust
