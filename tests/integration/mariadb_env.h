// Access to the throw-away MariaDB that scripts/mariadb-test-server.sh
// starts for the integration tests: the env file it writes (its path in
// SELLERTRUST_MYSQL_ENV_FILE, set by ctest), connection options for each
// account, and helpers that reset the source database and load the SQL files
// of etc/sql/mysql/. A missing env file is a test failure, never a skip: the
// fixture that starts the server must have run. Used from the test thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jobs/mysql/mysql_connection.h"

namespace sellertrust::testing {

class MariadbEnv {
 public:
  // Reads the env file; nullopt (with the reason in *error) if it is missing
  // or incomplete.
  static std::optional<MariadbEnv> load(std::string* error);

  // The read-only source account (what the daemon uses).
  MysqlOptions readOnly() const;
  // The results account.
  MysqlOptions readWrite() const;
  // The superuser through the unix socket, on the source database.
  MysqlOptions root() const;

  const std::string& sourceDb() const { return values_.at("SELLERTRUST_MYSQL_SOURCE_DB"); }
  const std::string& resultsDb() const { return values_.at("SELLERTRUST_MYSQL_RESULTS_DB"); }
  const std::string& value(const std::string& name) const { return values_.at(name); }

 private:
  std::map<std::string, std::string> values_;
};

// The path of a file in etc/sql/mysql/.
std::string sqlFile(const std::string& name);

// Runs the statements of an SQL file (full-line "--" comments, statements
// ending with ";" at the end of a line).
// Runs each statement of the file; `placeholders` (e.g. {"@MARKETPLACE_DB@",
// "shop"}) are replaced first.
void runSqlFile(MysqlConnection& db, const std::string& path,
                const std::map<std::string, std::string>& placeholders = {});

// Drops and recreates the source database and, unless `empty`, loads
// source_schema.sql into it. `db` must be a root connection; it is left
// using the source database.
void resetSourceDb(MysqlConnection& db, const MariadbEnv& env, bool empty = false);

// Turns the loaded source_schema.sql into what an operator's views may look
// like: required columns nullable, enum columns plain VARCHARs, and each
// SPEC table a view over a renamed raw_<table>.
void makeSourceLax(MysqlConnection& db);

}  // namespace sellertrust::testing
