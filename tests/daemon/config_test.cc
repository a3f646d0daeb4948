#include "daemon/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>

namespace sellertrust {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  DaemonConfig load(std::initializer_list<std::pair<const char*, const char*>> keys) {
    Poco::AutoPtr<Poco::Util::MapConfiguration> map(new Poco::Util::MapConfiguration);
    for (const auto& [k, v] : keys) map->setString(k, v);
    errors_.clear();
    return loadConfig(*map, &errors_);
  }
  std::vector<std::string> errors_;
};

TEST_F(ConfigTest, DefaultsNeedNoKeys) {
  const DaemonConfig c = load({});
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(c.http.host, "127.0.0.1");
  EXPECT_EQ(c.http.port, 8080);
  EXPECT_EQ(c.sqliteSource, "/var/lib/sellertrust/source.db");
  EXPECT_EQ(c.sqliteResults, "/var/lib/sellertrust/results.db");
  EXPECT_TRUE(c.api.serveMetrics);
  EXPECT_EQ(rulesVersion(c.rules), rulesVersion(Rules()));
  // Incremental runs every minute, a full one a day (docs/incremental.md).
  EXPECT_EQ(c.scoreIntervalSeconds, 60);
  EXPECT_EQ(c.scoreFullIntervalSeconds, 86400);
  EXPECT_EQ(c.scoreChangeOverlapSeconds, 120);
  // Badges are public: any storefront page may fetch them.
  EXPECT_EQ(c.api.corsAllowOrigin, "*");
}

TEST_F(ConfigTest, CorsAllowOriginIsStarAnOriginOrEmpty) {
  for (const char* value : {"*", "", "https://shop.example", "http://127.0.0.1:8081",
                            "https://www.shop-1.example:443", "http://[::1]:3000"}) {
    EXPECT_EQ(load({{"api.cors_allow_origin", value}}).api.corsAllowOrigin, value);
    EXPECT_TRUE(errors_.empty()) << value;
  }
  // Browsers compare the header with their serialised origin byte for byte:
  // a path, upper case, a list or a stray character would match no page.
  for (const char* value :
       {"https://shop.example/", "https://Shop.example", "shop.example",
        "https://a.example https://b.example", "https://a.example,*", "ftp://shop.example",
        "https://shop.example:port", " *", "https://shop.example\r\nSet-Cookie: x=1"}) {
    load({{"api.cors_allow_origin", value}});
    EXPECT_EQ(errors_, std::vector<std::string>{
                           std::string("api.cors_allow_origin: expected *, an origin such as "
                                       "https://shop.example or empty, got '") +
                           value + "'"});
  }
}

// Every key of etc/sellertrustd.properties with its value, the commented-out
// ones ("#key = value") too: those document defaults and must be known keys
// as much as the others.
std::map<std::string, std::string> propertiesFileKeys() {
  std::ifstream in(SELLERTRUST_SOURCE_DIR "/etc/sellertrustd.properties");
  EXPECT_TRUE(in) << "cannot read etc/sellertrustd.properties";
  static const std::regex kKey(R"(^#?([a-z][a-z0-9_.]*)\s*=\s*(.*?)\s*$)");
  std::map<std::string, std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kKey)) keys[m[1]] = m[2];
  }
  return keys;
}

TEST_F(ConfigTest, EveryKeyOfThePropertiesFileIsKnown) {
  const std::map<std::string, std::string> keys = propertiesFileKeys();
  ASSERT_GT(keys.size(), 90u);
  Poco::AutoPtr<Poco::Util::MapConfiguration> map(new Poco::Util::MapConfiguration);
  for (const auto& [k, v] : keys) map->setString(k, v);
  std::vector<std::string> errors;
  const DaemonConfig c = loadConfig(*map, &errors);
  EXPECT_EQ(errors, std::vector<std::string>{});
  // The file shows the defaults.
  EXPECT_EQ(keys.at("api.cors_allow_origin"), "*");
  EXPECT_EQ(c.api.corsAllowOrigin, DaemonConfig().api.corsAllowOrigin);
  EXPECT_EQ(keys.at("jobs.score.max_shrink"), "0.5");
  EXPECT_EQ(c.scoreMaxShrink, DaemonConfig().scoreMaxShrink);
}

TEST_F(ConfigTest, FullRunIntervalAndChangeOverlap) {
  const DaemonConfig c = load(
      {{"jobs.score.full_interval_seconds", "3600"}, {"jobs.score.change_overlap_seconds", "0"}});
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(c.scoreFullIntervalSeconds, 3600);
  EXPECT_EQ(c.scoreChangeOverlapSeconds, 0);
  load({{"jobs.score.full_interval_seconds", "59"}, {"jobs.score.change_overlap_seconds", "-1"}});
  EXPECT_EQ(errors_,
            (std::vector<std::string>{
                "jobs.score.full_interval_seconds: expected an integer 60-2678400, got '59'",
                "jobs.score.change_overlap_seconds: expected an integer 0-86400, got '-1'"}));
}

// Two connections read unless set otherwise; 1 to 16.
TEST_F(ConfigTest, ReadSessions) {
  EXPECT_EQ(load({}).sourceReadSessions, 2);
  EXPECT_EQ(load({{"source.read_sessions", "16"}}).sourceReadSessions, 16);
  EXPECT_TRUE(errors_.empty());
  load({{"source.read_sessions", "0"}});
  EXPECT_EQ(errors_,
            (std::vector<std::string>{"source.read_sessions: expected an integer 1-16, got '0'"}));
  load({{"source.read_sessions", "17"}});
  EXPECT_EQ(errors_,
            (std::vector<std::string>{"source.read_sessions: expected an integer 1-16, got '17'"}));
}

// The guard against a vanishing source: half by default, 1 turns it off.
TEST_F(ConfigTest, MaxShrinkIsAShareFromZeroToOne) {
  EXPECT_EQ(load({}).scoreMaxShrink, 0.5);
  for (const char* value : {"0", "0.25", "1"}) {
    EXPECT_EQ(load({{"jobs.score.max_shrink", value}}).scoreMaxShrink, std::stod(value));
    EXPECT_TRUE(errors_.empty()) << value;
  }
  load({{"jobs.score.max_shrink", "50"}});
  EXPECT_EQ(errors_, std::vector<std::string>{
                         "jobs.score.max_shrink: expected a share from 0 to 1, got '50'"});
  load({{"jobs.score.max_shrink", "half"}});
  EXPECT_EQ(errors_,
            std::vector<std::string>{"jobs.score.max_shrink: expected a number, got 'half'"});
}

// Badge caps per critical warning code: a badge, or none; never `new`.
TEST_F(ConfigTest, BadgeCapsAreBadgesOrNone) {
  const std::map<std::string, Badge> defaults = {{"account_review", Badge::kAtRisk},
                                                 {"authenticity_repeat", Badge::kFair}};
  EXPECT_EQ(load({}).rules.badgeCaps, defaults);
  const DaemonConfig c = load({{"rules.badge.cap.account_review", "none"},
                               {"rules.badge.cap.authenticity_repeat", "good"}});
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(c.rules.badgeCaps,
            (std::map<std::string, Badge>{{"authenticity_repeat", Badge::kGood}}));
  load({{"rules.badge.cap.account_review", "new"}, {"rules.badge.cap.slow_responses", "fair"}});
  EXPECT_EQ(errors_, (std::vector<std::string>{
                         "rules.badge.cap.account_review: expected top, good, fair, at_risk or "
                         "none, got 'new'",
                         "rules.badge.cap.slow_responses: unknown key"}));
  EXPECT_EQ(load({{"rules.rating_warning_min_ratings", "5"}}).rules.ratingWarningMinRatings, 5);
}

TEST_F(ConfigTest, ReadsEveryKindOfKey) {
  const DaemonConfig c = load({{"data.dir", "/tmp/st"},
                               {"http.port", "9090"},
                               {"metrics.port", "9100"},
                               {"api.operator_token", "t0k"},
                               {"rules.window_days", "30"},
                               {"rules.metric.claim_rate.weight", "9.5"},
                               {"rules.badge.hysteresis", "1.5"}});
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(c.sqliteSource, "/tmp/st/source.db");
  EXPECT_EQ(c.http.port, 9090);
  EXPECT_EQ(c.metricsPort, 9100);
  EXPECT_FALSE(c.api.serveMetrics);
  EXPECT_EQ(c.api.operatorToken, "t0k");
  EXPECT_EQ(c.rules.windowDays, 30);
  EXPECT_EQ(c.rules.rule(MetricId::kClaimRate).weight, 9.5);
  EXPECT_EQ(c.rules.hysteresis, 1.5);
}

TEST_F(ConfigTest, OperatorTokenFromAFile) {
  const std::string path = ::testing::TempDir() + "sellertrust-token";
  { std::ofstream(path) << "s3cret\n"; }
  EXPECT_EQ(load({{"api.operator_token_file", path.c_str()}}).api.operatorToken, "s3cret");
  EXPECT_TRUE(errors_.empty());
  load({{"api.operator_token_file", "/nonexistent/token"}});
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].rfind(
                "api.operator_token_file: cannot read the secret file /nonexistent/token", 0),
            0u)
      << errors_[0];
  std::remove(path.c_str());
}

TEST_F(ConfigTest, BadValuesNameTheirKey) {
  load({{"http.port", "eighty"}, {"http.threads", "0"}, {"rules.wilson_z", "1.9x"}});
  EXPECT_EQ(errors_,
            (std::vector<std::string>{"http.port: expected an integer 0-65535, got 'eighty'",
                                      "http.threads: expected an integer 1-64, got '0'",
                                      "rules.wilson_z: expected a number, got '1.9x'"}));
}

TEST_F(ConfigTest, UnknownKeysAreErrors) {
  load({{"http.prot", "80"}, {"rules.metric.claim_rate.wieght", "1"}, {"logging.x", "y"}});
  EXPECT_EQ(errors_, (std::vector<std::string>{"http.prot: unknown key",
                                               "rules.metric.claim_rate.wieght: unknown key"}));
}

// A typo in the section is as much a typo as one in the key: it used to be
// ignored, so `sorce.backend = mysql` ran on the embedded default.
TEST_F(ConfigTest, UnknownSectionsAreErrors) {
  load({{"sorce.backend", "mysql"},
        {"htttp.port", "9090"},
        {"rule.window_days", "30"},
        {"verbose", "1"},
        {"system.anything", "Poco's own"},
        {"application.name", "Poco's own"}});
  EXPECT_EQ(errors_,
            (std::vector<std::string>{"htttp.port: unknown key", "rule.window_days: unknown key",
                                      "sorce.backend: unknown key", "verbose: unknown key"}));
}

TEST_F(ConfigTest, InvalidRulesAreReportedUnderTheirKeys) {
  load({{"rules.metric.order_defect_rate.full_loss_at", "0.005"}});
  EXPECT_EQ(errors_, std::vector<std::string>{
                         "rules.metric.order_defect_rate.full_loss_at must be above the target"});
}

TEST_F(ConfigTest, RejectsUnknownBackendsAndSharedFiles) {
  load({{"source.backend", "oracle"}});
  EXPECT_EQ(errors_, (std::vector<std::string>{
                         "source.backend: expected 'sqlite' or 'mysql', got 'oracle'",
                         "results.backend: expected 'sqlite' or 'mysql', got 'oracle'"}));
  load({{"source.sqlite.path", "/x.db"}, {"results.sqlite.path", "/x.db"}});
  EXPECT_EQ(errors_,
            std::vector<std::string>{"results.sqlite.path: must differ from source.sqlite.path"});
}

TEST_F(ConfigTest, MysqlBackendNeedsAUserAndTakesTheCredentialFile) {
  load({{"source.backend", "mysql"}});
  EXPECT_EQ(errors_, (std::vector<std::string>{
                         "source.mysql.user: required with source.backend = mysql",
                         "results.mysql.user: required with results.backend = mysql"}));
  const DaemonConfig c = load({{"source.backend", "mysql"},
                               {"results.backend", "sqlite"},
                               {"source.mysql.user", "ro"},
                               {"source.mysql.port", "3307"},
                               {"source.mysql.password_file", "/run/pw"}});
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(c.mysqlSource.user, "ro");
  EXPECT_EQ(c.mysqlSource.port, 3307);
  EXPECT_EQ(c.mysqlSource.passwordFile, "/run/pw");
  EXPECT_EQ(c.mysqlSource.database, "sellertrust_source");
  EXPECT_EQ(c.mysqlResults.database, "sellertrust_results");
  EXPECT_FALSE(c.instanceName.empty());
}

}  // namespace
}  // namespace sellertrust
