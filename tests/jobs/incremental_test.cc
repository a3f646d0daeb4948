// Incremental runs, read side by side, are exact on SQLite
// (incremental_property.h).
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/TemporaryFile.h>

#include "jobs/source/sqlite_source.h"
#include "tests/jobs/incremental_property.h"

namespace sellertrust::testing::incremental {
namespace {

class IncrementalRunTest : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(IncrementalRunTest, GivesWhatAFullRunGivesAfterEveryStep) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::TemporaryFile file;
  Poco::Data::Session session("SQLite", file.path());
  createSourceSchema(session);
  RandomMarketplace market(
      GetParam(), [&](const std::string& sql) { session << sql, Poco::Data::Keywords::now; });
  SqliteSource source(file.path(), sideBySide());
  expectIncrementalRunsEqualFullOnes(market, source);
}

INSTANTIATE_TEST_SUITE_P(Seeds, IncrementalRunTest, ::testing::Values(1u, 2u, 3u, 4u, 5u, 6u));

}  // namespace
}  // namespace sellertrust::testing::incremental
