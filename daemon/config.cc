#include "daemon/config.h"

#include "jobs/secret_file.h"
#include "jobs/source/source.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>

namespace sellertrust {
namespace {

// Reads typed keys and remembers which keys it knows, so that a typo in the
// file ("http.prot") is reported instead of silently ignored.
class Reader {
 public:
  Reader(const Poco::Util::AbstractConfiguration& config, std::vector<std::string>* errors)
      : config_(config), errors_(errors) {}

  void text(const std::string& key, std::string* out) {
    known_.insert(key);
    if (config_.hasProperty(key)) *out = config_.getString(key);
  }

  void integer(const std::string& key, int* out, long min, long max) {
    known_.insert(key);
    if (!config_.hasProperty(key)) return;
    const std::string raw = config_.getString(key);
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(raw.c_str(), &end, 10);
    if (raw.empty() || *end != '\0' || errno != 0 || value < min || value > max) {
      errors_->push_back(key + ": expected an integer " + std::to_string(min) + "-" +
                         std::to_string(max) + ", got '" + raw + "'");
      return;
    }
    *out = static_cast<int>(value);
  }

  void number(const std::string& key, double* out) {
    known_.insert(key);
    if (!config_.hasProperty(key)) return;
    const std::string raw = config_.getString(key);
    char* end = nullptr;
    const double value = std::strtod(raw.c_str(), &end);
    if (raw.empty() || *end != '\0' || value != value) {
      errors_->push_back(key + ": expected a number, got '" + raw + "'");
      return;
    }
    *out = value;
  }

  // A badge cap: a badge other than `new`, or `none` for no cap.
  void badgeCap(const std::string& key, const std::string& code,
                std::map<std::string, Badge>* caps) {
    known_.insert(key);
    if (!config_.hasProperty(key)) return;
    const std::string raw = config_.getString(key);
    Badge badge = Badge::kNew;
    if (raw == "none") {
      caps->erase(code);
    } else if (parseBadge(raw, &badge) && badge != Badge::kNew) {
      (*caps)[code] = badge;
    } else {
      errors_->push_back(key + ": expected top, good, fair, at_risk or none, got '" + raw + "'");
    }
  }

  // A share: a number from 0 to 1.
  void share(const std::string& key, double* out) {
    double value = *out;
    const std::size_t before = errors_->size();
    number(key, &value);
    if (errors_->size() != before) return;
    if (value < 0 || value > 1) {
      errors_->push_back(key + ": expected a share from 0 to 1, got '" + config_.getString(key) +
                         "'");
      return;
    }
    *out = value;
  }

  // Reports every key that no reader asked for (settingsOf: Poco's own
  // sections aside).
  void reportUnknown() {
    for (const auto& [key, value] : settingsOf(config_)) {
      if (known_.count(key) == 0) errors_->push_back(key + ": unknown key");
    }
  }

 private:
  const Poco::Util::AbstractConfiguration& config_;
  std::vector<std::string>* errors_;
  std::set<std::string> known_;
};

// True iff `value` may be sent as Access-Control-Allow-Origin: "*", or one
// origin as browsers serialise it (lower-case scheme and host, a port, no
// path), since they compare it with their own origin byte for byte.
bool validCorsOrigin(const std::string& value) {
  static const std::regex kOrigin(
      R"(https?://([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?)");
  return value.empty() || value == "*" || std::regex_match(value, kOrigin);
}

void readListener(Reader& r, const std::string& prefix, ListenerConfig* l) {
  r.text(prefix + ".host", &l->host);
  r.integer(prefix + ".port", &l->port, 0, 65535);
  r.integer(prefix + ".threads", &l->threads, 1, 64);
  r.integer(prefix + ".max_connections", &l->maxConnections, 1, 1000000);
  r.integer(prefix + ".backlog", &l->backlog, 1, 65535);
  r.integer(prefix + ".timeout_seconds", &l->timeoutSeconds, 1, 3600);
  r.integer(prefix + ".keep_alive_seconds", &l->keepAliveSeconds, 0, 3600);
  r.integer(prefix + ".keep_alive_requests", &l->keepAliveRequests, 0, 1000000);
}

// Without a configured password or file, systemd's LoadCredential= file
// (credential `credential`) is used when it exists.
void readMysql(Reader& r, const std::string& prefix, const char* database, const char* credential,
               MysqlOptions* m) {
  m->database = database;
  r.text(prefix + ".host", &m->host);
  r.integer(prefix + ".port", &m->port, 1, 65535);
  r.text(prefix + ".socket", &m->unixSocket);
  r.text(prefix + ".user", &m->user);
  r.text(prefix + ".password", &m->password);
  r.text(prefix + ".password_file", &m->passwordFile);
  r.text(prefix + ".database", &m->database);
  r.integer(prefix + ".connect_timeout_seconds", &m->connectTimeoutSeconds, 1, 3600);
  r.integer(prefix + ".read_timeout_seconds", &m->readTimeoutSeconds, 1, 86400);
  if (m->password.empty() && m->passwordFile.empty()) {
    m->passwordFile = systemdCredentialPath(credential);
  }
}

void readRules(Reader& r, Rules* rules) {
  r.integer("rules.window_days", &rules->windowDays, 1, 3650);
  r.integer("rules.lag_days", &rules->lagDays, 0, 365);
  r.integer("rules.clock_skew_seconds", &rules->clockSkewSeconds, 0, 86400);
  r.integer("rules.min_orders", &rules->minOrders, 1, 1000000);
  r.integer("rules.response_hours", &rules->responseHours, 1, 8760);
  r.integer("rules.late_delivery_grace_days", &rules->lateDeliveryGraceDays, 0, 365);
  r.integer("rules.spontaneous_refund_days", &rules->spontaneousRefundDays, 0, 365);
  r.integer("rules.return_resolve_days", &rules->returnResolveDays, 1, 365);
  r.number("rules.rating_prior_count", &rules->ratingPriorCount);
  r.number("rules.rating_prior_mean", &rules->ratingPriorMean);
  r.number("rules.wilson_z", &rules->wilsonZ);
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const std::string prefix = std::string("rules.metric.") + metricName(static_cast<MetricId>(i));
    r.number(prefix + ".target", &rules->metrics[i].target);
    r.number(prefix + ".full_loss_at", &rules->metrics[i].fullLossAt);
    r.number(prefix + ".weight", &rules->metrics[i].weight);
  }
  r.number("rules.badge.top_min", &rules->topMin);
  r.number("rules.badge.good_min", &rules->goodMin);
  r.number("rules.badge.fair_min", &rules->fairMin);
  r.number("rules.badge.hysteresis", &rules->hysteresis);
  r.number("rules.account_review_odr", &rules->accountReviewOdr);
  r.integer("rules.ladder.delist_days", &rules->delistDays, 1, 3650);
  r.integer("rules.ladder.repeat_window_days", &rules->repeatWindowDays, 1, 3650);
  r.integer("rules.product_complaint_claims", &rules->productComplaintClaims, 1, 1000000);
  r.integer("rules.rating_warning_min_ratings", &rules->ratingWarningMinRatings, 0, 1000000);
  for (const std::string& code : cappingWarningCodes()) {
    r.badgeCap("rules.badge.cap." + code, code, &rules->badgeCaps);
  }
}

}  // namespace

std::map<std::string, std::string> settingsOf(const Poco::Util::AbstractConfiguration& config) {
  std::map<std::string, std::string> out;
  std::function<void(const std::string&)> collect = [&](const std::string& key) {
    Poco::Util::AbstractConfiguration::Keys children;
    config.keys(key, children);
    if (children.empty() && config.hasProperty(key)) out[key] = config.getString(key);
    for (const std::string& child : children) collect(key + "." + child);
  };
  Poco::Util::AbstractConfiguration::Keys roots;
  config.keys(roots);
  for (const std::string& root : roots) {
    if (root != "system" && root != "application" && root != "logging") collect(root);
  }
  return out;
}

DaemonConfig loadConfig(const Poco::Util::AbstractConfiguration& config,
                        std::vector<std::string>* errors) {
  DaemonConfig c;
  Reader r(config, errors);
  r.text("data.dir", &c.dataDir);
  r.text("instance.name", &c.instanceName);
  r.text("source.backend", &c.sourceBackend);
  r.text("results.backend", &c.resultsBackend);
  r.integer("source.read_sessions", &c.sourceReadSessions, 1, 16);
  r.text("source.sqlite.path", &c.sqliteSource);
  r.text("results.sqlite.path", &c.sqliteResults);
  readMysql(r, "source.mysql", "sellertrust_source", "db-password", &c.mysqlSource);
  readMysql(r, "results.mysql", "sellertrust_results", "results-db-password", &c.mysqlResults);
  readListener(r, "http", &c.http);
  r.text("metrics.host", &c.metricsHost);
  r.integer("metrics.port", &c.metricsPort, -1, 65535);
  r.integer("api.badge_max_age_seconds", &c.api.badgeMaxAgeSeconds, 0, 86400);
  r.text("api.operator_token", &c.api.operatorToken);
  std::string tokenFile;
  r.text("api.operator_token_file", &tokenFile);
  if (c.api.operatorToken.empty() && tokenFile.empty()) {
    tokenFile = systemdCredentialPath("api-token");
  }
  if (!tokenFile.empty()) {
    try {
      c.api.operatorToken = readSecretFile(tokenFile);
      if (c.api.operatorToken.empty()) {
        errors->push_back("api.operator_token_file: " + tokenFile + " is empty");
      }
    } catch (const SourceError& e) {
      errors->push_back(std::string("api.operator_token_file: ") + e.what());
    }
  }
  r.integer("api.stale_after_seconds", &c.api.staleAfterSeconds, 1, 30L * 86400);
  r.text("api.cors_allow_origin", &c.api.corsAllowOrigin);
  if (!validCorsOrigin(c.api.corsAllowOrigin)) {
    errors->push_back(
        "api.cors_allow_origin: expected *, an origin such as https://shop.example or empty, "
        "got '" +
        c.api.corsAllowOrigin + "'");
  }
  r.integer("jobs.score.interval_seconds", &c.scoreIntervalSeconds, 1, 7L * 86400);
  r.integer("jobs.score.full_interval_seconds", &c.scoreFullIntervalSeconds, 60, 31L * 86400);
  r.integer("jobs.score.change_overlap_seconds", &c.scoreChangeOverlapSeconds, 0, 86400);
  r.integer("jobs.score.timeout_seconds", &c.scoreTimeoutSeconds, 1, 7L * 86400);
  r.share("jobs.score.max_shrink", &c.scoreMaxShrink);
  r.integer("jobs.history.interval_seconds", &c.historyIntervalSeconds, 1, 7L * 86400);
  r.integer("jobs.history.retention_days", &c.historyRetentionDays, 1, 36500);
  readRules(r, &c.rules);
  r.reportUnknown();

  if (c.resultsBackend.empty()) c.resultsBackend = c.sourceBackend;
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string&>{"source.backend", c.sourceBackend},
        {"results.backend", c.resultsBackend}}) {
    if (value != "sqlite" && value != "mysql") {
      errors->push_back(std::string(key) + ": expected 'sqlite' or 'mysql', got '" + value + "'");
    }
  }
  if (c.sourceBackend == "mysql" && c.mysqlSource.user.empty()) {
    errors->push_back("source.mysql.user: required with source.backend = mysql");
  }
  if (c.resultsBackend == "mysql" && c.mysqlResults.user.empty()) {
    errors->push_back("results.mysql.user: required with results.backend = mysql");
  }
  if (c.instanceName.empty()) {
    char host[256] = {};
    c.instanceName = ::gethostname(host, sizeof host - 1) == 0 ? host : "sellertrustd";
  }
  if (c.dataDir.empty()) errors->push_back("data.dir: must not be empty");
  if (c.sqliteSource.empty()) c.sqliteSource = c.dataDir + "/source.db";
  if (c.sqliteResults.empty()) c.sqliteResults = c.dataDir + "/results.db";
  if (c.sourceBackend == "sqlite" && c.resultsBackend == "sqlite" &&
      c.sqliteSource == c.sqliteResults) {
    errors->push_back("results.sqlite.path: must differ from source.sqlite.path");
  }
  for (const std::string& e : validateRules(c.rules)) errors->push_back("rules." + e);
  c.api.serveMetrics = c.metricsPort < 0;
  return c;
}

}  // namespace sellertrust
