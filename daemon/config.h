// sellertrustd's configuration: every key of etc/sellertrustd.properties
// with its default, parsed from a Poco configuration and validated, with
// messages that name the bad key. Built once at start-up; read-only after.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <Poco/Util/AbstractConfiguration.h>

#include "daemon/api.h"
#include "jobs/mysql/mysql_connection.h"
#include "sellertrust/rules.h"

namespace sellertrust {

struct ListenerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: pick a free port (tests)
  int threads = 2;  // event loops: one per core serves thousands of connections
  int maxConnections = 4096;
  int backlog = 256;
  int timeoutSeconds = 10;  // a whole request, and its answer
  int keepAliveSeconds = 5;
  int keepAliveRequests = 100;
};

struct DaemonConfig {
  std::string dataDir = "/var/lib/sellertrust";
  // "sqlite" (embedded) or "mysql"; results default to the source's backend.
  std::string sourceBackend = "sqlite";
  std::string resultsBackend;
  int sourceReadSessions = 2;  // connections a run reads the source on
  std::string sqliteSource;    // default: <dataDir>/source.db
  std::string sqliteResults;   // default: <dataDir>/results.db
  MysqlOptions mysqlSource;    // database default: sellertrust_source
  MysqlOptions mysqlResults;   // database default: sellertrust_results
  // Names this daemon in the results database and /v1/status (default: the
  // host name).
  std::string instanceName;

  ListenerConfig http;
  // A separate listener for /metrics; port -1 serves /metrics on the API port.
  std::string metricsHost = "127.0.0.1";
  int metricsPort = -1;
  ApiOptions api;

  int scoreIntervalSeconds = 60;
  int scoreFullIntervalSeconds = 86400;
  int scoreChangeOverlapSeconds = 120;
  int scoreTimeoutSeconds = 900;
  // A score run losing more than this share of the sellers or window orders
  // of the previous results is refused (ScoreJob::Options::maxShrink).
  double scoreMaxShrink = 0.5;
  int historyIntervalSeconds = 86400;
  int historyRetentionDays = 400;

  Rules rules;
};

// Every key of `config` with its value, outside the sections that belong to
// Poco (its own system.* and application.*, and logging.*).
std::map<std::string, std::string> settingsOf(const Poco::Util::AbstractConfiguration& config);

// Reads every key, falling back to defaults. Appends one message per bad or
// unknown key ("http.port: expected an integer 0-65535, got 'x'") and per
// invalid rule; the config is usable iff `errors` stays empty.
DaemonConfig loadConfig(const Poco::Util::AbstractConfiguration& config,
                        std::vector<std::string>* errors);

}  // namespace sellertrust
