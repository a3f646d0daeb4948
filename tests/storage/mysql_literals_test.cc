// withLiterals: how values go into the MySQL results store's statements.
// The text of each literal is worked out by hand; that the server reads
// them back exactly is the integration test
// MysqlConnectionTest.ValuesReadBackExactlyAsWrittenWhateverTheirBytes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "jobs/mysql/mysql_connection.h"

namespace sellertrust {
namespace {

using Value = MysqlConnection::Value;

std::string literal(const Value& v) { return withLiterals("?", {v}); }

TEST(MysqlLiteralsTest, NumbersAreTheirDigits) {
  EXPECT_EQ(literal(nullptr), "NULL");
  EXPECT_EQ(literal(std::int64_t{-5}), "-5");
  EXPECT_EQ(literal(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  // The shortest digits that read back to the same double.
  EXPECT_EQ(literal(87.3), "87.3");
  EXPECT_EQ(literal(0.1), "0.1");
  EXPECT_EQ(literal(1e-300), "1e-300");
  EXPECT_EQ(literal(2.0), "2");
}

TEST(MysqlLiteralsTest, TextWithoutQuoteBackslashOrNulGoesBetweenQuotes) {
  EXPECT_EQ(literal(std::string("5002113:1843965:low_rating:1:,")),
            "'5002113:1843965:low_rating:1:,'");
  EXPECT_EQ(literal(std::string("caf\xc3\xa9")), "'caf\xc3\xa9'");
  EXPECT_EQ(literal(std::string()), "''");
}

TEST(MysqlLiteralsTest, TextWithAQuoteBackslashOrNulGoesAsHexadecimal) {
  EXPECT_EQ(literal(std::string("O'Brien")), "_utf8mb4 X'4F27427269656E'");
  EXPECT_EQ(literal(std::string("a\\b")), "_utf8mb4 X'615C62'");
  EXPECT_EQ(literal(std::string("a\0b", 3)), "_utf8mb4 X'610062'");
  EXPECT_EQ(literal(std::string("'); DROP TABLE t; --")),
            "_utf8mb4 X'27293B2044524F50205441424C4520743B202D2D'");
}

TEST(MysqlLiteralsTest, ReplacesThePlaceholdersInOrderButNotInsideQuotes) {
  EXPECT_EQ(withLiterals("INSERT INTO t (a, b, c) VALUES (?, 'x?''?', ?), (?, ?, ?)",
                         {std::int64_t{1}, std::string("?"), std::int64_t{2}, nullptr, 0.5}),
            "INSERT INTO t (a, b, c) VALUES (1, 'x?''?', '?'), (2, NULL, 0.5)");
}

TEST(MysqlLiteralsTest, RefusesValuesThatDoNotMatchThePlaceholders) {
  EXPECT_THROW(withLiterals("VALUES (?, ?)", {std::int64_t{1}}), std::invalid_argument);
  EXPECT_THROW(withLiterals("VALUES (?)", {std::int64_t{1}, std::int64_t{2}}),
               std::invalid_argument);
  EXPECT_THROW(literal(std::nan("")), std::invalid_argument);
  EXPECT_THROW(literal(std::numeric_limits<double>::infinity()), std::invalid_argument);
}

}  // namespace
}  // namespace sellertrust
