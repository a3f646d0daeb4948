// The env file of scripts/mariadb-test-server.sh ("export NAME=VALUE" lines,
// values quoted by bash's printf %q) and the SQL-file loader.
#include "tests/integration/mariadb_env.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#ifndef SELLERTRUST_SQL_DIR
#error "SELLERTRUST_SQL_DIR must name etc/sql/mysql"
#endif

namespace sellertrust::testing {
namespace {

constexpr const char* kEnvFileVariable = "SELLERTRUST_MYSQL_ENV_FILE";
constexpr const char* kRequired[] = {
    "SELLERTRUST_MYSQL_HOST",        "SELLERTRUST_MYSQL_PORT",
    "SELLERTRUST_MYSQL_SOURCE_DB",   "SELLERTRUST_MYSQL_RESULTS_DB",
    "SELLERTRUST_MYSQL_RO_USER",     "SELLERTRUST_MYSQL_RO_PASSWORD",
    "SELLERTRUST_MYSQL_RW_USER",     "SELLERTRUST_MYSQL_RW_PASSWORD",
    "SELLERTRUST_MYSQL_ROOT_SOCKET", "SELLERTRUST_MYSQL_ROOT_USER",
};

// Undoes bash's %q for the characters it escapes with a backslash or quotes.
std::string unquote(const std::string& text) {
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'') {
      quoted = !quoted;
    } else if (c == '\\' && !quoted && i + 1 < text.size()) {
      out += text[++i];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<MariadbEnv> MariadbEnv::load(std::string* error) {
  const char* path = std::getenv(kEnvFileVariable);
  if (path == nullptr || *path == '\0') {
    *error = std::string(kEnvFileVariable) +
             " is not set: run the integration tests through ctest, whose "
             "integration.mariadb_start fixture starts the server";
    return std::nullopt;
  }
  std::ifstream in(path);
  if (!in) {
    *error = std::string("cannot read ") + path +
             ": the integration.mariadb_start fixture did not run or failed";
    return std::nullopt;
  }
  MariadbEnv env;
  std::string line;
  while (std::getline(in, line)) {
    const std::string prefix = "export ";
    if (line.compare(0, prefix.size(), prefix) != 0) continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    env.values_[line.substr(prefix.size(), eq - prefix.size())] = unquote(line.substr(eq + 1));
  }
  for (const char* name : kRequired) {
    if (env.values_.count(name) == 0) {
      *error = std::string(path) + " lacks " + name;
      return std::nullopt;
    }
  }
  return env;
}

MysqlOptions MariadbEnv::readOnly() const {
  MysqlOptions o;
  o.host = value("SELLERTRUST_MYSQL_HOST");
  o.port = std::stoi(value("SELLERTRUST_MYSQL_PORT"));
  o.user = value("SELLERTRUST_MYSQL_RO_USER");
  o.password = value("SELLERTRUST_MYSQL_RO_PASSWORD");
  o.database = sourceDb();
  o.connectTimeoutSeconds = 5;
  o.readTimeoutSeconds = 120;
  return o;
}

MysqlOptions MariadbEnv::readWrite() const {
  MysqlOptions o = readOnly();
  o.user = value("SELLERTRUST_MYSQL_RW_USER");
  o.password = value("SELLERTRUST_MYSQL_RW_PASSWORD");
  o.database = resultsDb();
  return o;
}

MysqlOptions MariadbEnv::root() const {
  MysqlOptions o;
  o.unixSocket = value("SELLERTRUST_MYSQL_ROOT_SOCKET");
  o.user = value("SELLERTRUST_MYSQL_ROOT_USER");
  o.connectTimeoutSeconds = 5;
  o.readTimeoutSeconds = 600;
  return o;
}

std::string sqlFile(const std::string& name) {
  return std::string(SELLERTRUST_SQL_DIR) + "/" + name;
}

void runSqlFile(MysqlConnection& db, const std::string& path,
                const std::map<std::string, std::string>& placeholders) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string line;
  std::string statement;
  while (std::getline(in, line)) {
    for (const auto& [name, value] : placeholders) {
      for (std::size_t at = line.find(name); at != std::string::npos;
           at = line.find(name, at + value.size())) {
        line.replace(at, name.size(), value);
      }
    }
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, 2, "--") == 0) continue;
    statement += line + "\n";
    const std::size_t end = line.find_last_not_of(" \t\r");
    if (line[end] == ';') {
      db.execute("running " + path, statement);
      statement.clear();
    }
  }
  if (statement.find_first_not_of(" \t\r\n") != std::string::npos) {
    db.execute("running " + path, statement);
  }
}

void resetSourceDb(MysqlConnection& db, const MariadbEnv& env, bool empty) {
  // The grants of grants.sql name the database, not its objects: they
  // survive the drop.
  db.execute("dropping the source database", "DROP DATABASE IF EXISTS " + env.sourceDb());
  db.execute("creating the source database",
             "CREATE DATABASE " + env.sourceDb() + " CHARACTER SET utf8mb4");
  db.execute("using the source database", "USE " + env.sourceDb());
  if (!empty) runSqlFile(db, sqlFile("source_schema.sql"));
}

void makeSourceLax(MysqlConnection& db) {
  const char* kAlters[] = {
      "ALTER TABLE orders MODIFY seller_id BIGINT NULL, MODIFY product_id BIGINT NULL, "
      "MODIFY ordered_at DATETIME NULL, MODIFY cancelled_by VARCHAR(40) NULL, "
      "MODIFY fulfilled_by VARCHAR(40) NULL",
      "ALTER TABLE tickets MODIFY seller_id BIGINT NULL, MODIFY kind VARCHAR(40) NULL, "
      "MODIFY status VARCHAR(40) NULL, MODIFY opened_at DATETIME NULL",
      "ALTER TABLE refunds MODIFY seller_id BIGINT NULL, MODIFY created_at DATETIME NULL, "
      "MODIFY method VARCHAR(40) NULL, MODIFY kind VARCHAR(40) NULL, "
      "MODIFY reason VARCHAR(40) NULL",
      "ALTER TABLE return_requests MODIFY seller_id BIGINT NULL, "
      "MODIFY requested_at DATETIME NULL, MODIFY resolution VARCHAR(40) NULL",
      "ALTER TABLE ratings MODIFY seller_id BIGINT NULL, MODIFY stars INT NULL, "
      "MODIFY created_at DATETIME NULL",
      "ALTER TABLE chargebacks MODIFY seller_id BIGINT NULL, MODIFY created_at DATETIME NULL, "
      "MODIFY liability VARCHAR(40) NULL",
  };
  for (const char* sql : kAlters) db.execute("loosening the source schema", sql);
  for (const char* table :
       {"sellers", "orders", "tickets", "refunds", "return_requests", "ratings", "chargebacks"}) {
    const std::string name = table;
    db.execute("renaming " + name, "RENAME TABLE " + name + " TO raw_" + name);
    db.execute("creating the view " + name,
               "CREATE VIEW " + name + " AS SELECT * FROM raw_" + name);
  }
}

}  // namespace sellertrust::testing
