// Incremental runs, read side by side, are exact on MariaDB
// (tests/jobs/incremental_property.h):
// the same random change sequences as on SQLite, in the reference schema.
#include "jobs/source/mysql_source.h"
#include "tests/integration/mariadb_test.h"
#include "tests/jobs/incremental_property.h"

namespace sellertrust::testing {
namespace {

// A seed, and whether the incremental job tallies sellers in buckets.
class MysqlIncrementalRunTest
    : public MariadbTest,
      public ::testing::WithParamInterface<std::tuple<std::uint32_t, bool>> {};

TEST_P(MysqlIncrementalRunTest, GivesWhatAFullRunGivesAfterEveryStep) {
  incremental::RandomMarketplace market(std::get<0>(GetParam()), [&](const std::string& sql) {
    root().execute("changing the source", sql);
  });
  MysqlSource source(env().readOnly(), incremental::sideBySide());
  incremental::expectIncrementalRunsEqualFullOnes(market, source, std::get<1>(GetParam()),
                                                  // Even seeds: every bucket the narrowest.
                                                  std::get<0>(GetParam()) % 2 == 0 ? 0 : 1);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MysqlIncrementalRunTest,
                         ::testing::Values(std::make_tuple(1u, false), std::make_tuple(2u, false),
                                           std::make_tuple(3u, false), std::make_tuple(1u, true),
                                           std::make_tuple(2u, true), std::make_tuple(3u, true)));

}  // namespace
}  // namespace sellertrust::testing
