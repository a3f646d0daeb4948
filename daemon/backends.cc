#include "daemon/backends.h"

#include "jobs/mysql/mysql_result_store.h"
#include "jobs/source/mysql_source.h"
#include "jobs/source/sqlite_source.h"
#include "jobs/sqlite/sqlite_result_store.h"

namespace sellertrust {
namespace {

std::string describe(const MysqlOptions& m) {
  return "mysql " + (m.unixSocket.empty() ? m.host + ":" + std::to_string(m.port) : m.unixSocket) +
         "/" + m.database;
}

}  // namespace

Backends openBackends(const DaemonConfig& config) {
  Backends b;
  if (config.sourceBackend == "mysql") {
    auto source = std::make_unique<MysqlSource>(config.mysqlSource);
    MysqlSource* raw = source.get();
    b.checkSourceContract = [raw] { return raw->checkSourceContract(); };
    b.source = std::move(source);
    b.description = "source " + describe(config.mysqlSource);
  } else {
    b.source = std::make_unique<SqliteSource>(config.sqliteSource);
    b.checkSourceContract = [] { return std::vector<std::string>{}; };
    b.description = "source sqlite " + config.sqliteSource;
  }
  if (config.resultsBackend == "mysql") {
    b.results = std::make_unique<MysqlResultStore>(config.mysqlResults, config.instanceName);
    b.description += ", results " + describe(config.mysqlResults);
  } else {
    b.results = std::make_unique<SqliteResultStore>(config.sqliteResults);
    b.description += ", results sqlite " + config.sqliteResults;
  }
  return b;
}

}  // namespace sellertrust
