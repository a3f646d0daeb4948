// Incremental runs, read side by side, are exact on MariaDB
// (tests/jobs/incremental_property.h):
// the same random change sequences as on SQLite, in the reference schema.
#include "jobs/source/mysql_source.h"
#include "tests/integration/mariadb_test.h"
#include "tests/jobs/incremental_property.h"

namespace sellertrust::testing {
namespace {

class MysqlIncrementalRunTest : public MariadbTest,
                                public ::testing::WithParamInterface<std::uint32_t> {};

TEST_P(MysqlIncrementalRunTest, GivesWhatAFullRunGivesAfterEveryStep) {
  incremental::RandomMarketplace market(
      GetParam(), [&](const std::string& sql) { root().execute("changing the source", sql); });
  MysqlSource source(env().readOnly(), incremental::sideBySide());
  incremental::expectIncrementalRunsEqualFullOnes(market, source);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MysqlIncrementalRunTest, ::testing::Values(1u, 2u, 3u));

}  // namespace
}  // namespace sellertrust::testing
