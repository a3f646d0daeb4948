#include "daemon/backends.h"

#include <Poco/Logger.h>

#include <cstdio>

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

std::unique_ptr<Source> makeSource(const DaemonConfig& config) {
  source::ReadSettings settings;
  settings.sessions = config.sourceReadSessions;
  // With logging.loggers.root.level = debug (or a logger named "source"):
  // which query of a run's read takes the time.
  settings.onQuery = [](const std::string& what, double seconds, std::int64_t rows) {
    Poco::Logger& log = Poco::Logger::get("source");
    if (!log.debug()) return;
    char figures[64];
    std::snprintf(figures, sizeof figures, ": %.3f s, %lld rows", seconds,
                  static_cast<long long>(rows));
    log.debug(what + figures);
  };
  if (config.sourceBackend == "mysql") {
    return std::make_unique<MysqlSource>(config.mysqlSource, settings);
  }
  return std::make_unique<SqliteSource>(config.sqliteSource, settings);
}

std::string describeSource(const DaemonConfig& config) {
  return "source " + (config.sourceBackend == "mysql" ? describe(config.mysqlSource)
                                                      : "sqlite " + config.sqliteSource);
}

std::string describeResults(const DaemonConfig& config) {
  return "results " + (config.resultsBackend == "mysql" ? describe(config.mysqlResults)
                                                        : "sqlite " + config.sqliteResults);
}

}  // namespace

Backends openBackends(const DaemonConfig& config) {
  Backends b;
  b.source = makeSource(config);
  if (config.resultsBackend == "mysql") {
    b.results = std::make_unique<MysqlResultStore>(config.mysqlResults, config.instanceName);
  } else {
    b.results = std::make_unique<SqliteResultStore>(config.sqliteResults);
  }
  b.description = describeSource(config) + ", " + describeResults(config);
  // Measured at 10 M orders: an incremental read of 28 % of the window's
  // orders took 33 s on SQLite, where a full run took 37 s; one of 31 % took
  // 56 s on MariaDB, where a full run took 40 s (its reads through an index
  // cost more against its scans).
  b.fullReadShare = config.sourceBackend == "mysql" ? 5 : 3;
  return b;
}

BackendCheck checkBackends(const DaemonConfig& config) {
  BackendCheck check;
  const std::string source = describeSource(config);
  try {
    const std::unique_ptr<Source> s = makeSource(config);
    // The catalogue names every gap; then a read must really start (a
    // view's own errors, privileges).
    const ContractReport contract = s->checkContract();
    for (const std::string& p : contract.problems) check.problems.push_back(source + ": " + p);
    for (const std::string& n : contract.notes) check.findings.push_back(source + ": note: " + n);
    if (contract.problems.empty()) {
      s->probe();
      check.findings.push_back(source + ": reachable, meets the contract of SPEC §1");
    }
  } catch (const SourceError& e) {
    check.problems.push_back(source + ": " + e.what());
  }
  const std::string results = describeResults(config);
  try {
    const std::string state =
        config.resultsBackend == "mysql"
            ? MysqlResultStore(config.mysqlResults, config.instanceName).inspect()
            : SqliteResultStore::inspect(config.sqliteResults);
    check.findings.push_back(results + ": " + state);
  } catch (const SourceError& e) {
    check.problems.push_back(results + ": " + e.what());
  }
  return check;
}

}  // namespace sellertrust
