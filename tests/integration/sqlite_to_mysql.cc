// The copy lets SQLite write the SQL literals: quote() renders a value as a
// standard SQL literal (NULL, an integer, a real, or a string with its
// quotes doubled), so no value is ever formatted or parsed here. MariaDB
// reads standard literals exactly once its backslash escapes are off, which
// the copy does for its own session and restores afterwards.
#include "tests/integration/sqlite_to_mysql.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <mutex>
#include <vector>

namespace sellertrust::testing {
namespace {

namespace kw = Poco::Data::Keywords;

constexpr const char* kTables[] = {"sellers",         "orders",  "tickets",    "refunds",
                                   "return_requests", "ratings", "chargebacks"};
constexpr std::size_t kRowsPerFetch = 20000;

std::vector<std::string> columnsOf(Poco::Data::Session& session, const std::string& table) {
  std::vector<std::string> columns;
  session << "SELECT name FROM pragma_table_info(?) ORDER BY cid", kw::useRef(table),
      kw::into(columns), kw::now;
  return columns;
}

// Copies one table; returns the number of rows.
std::int64_t copyTable(Poco::Data::Session& session, MysqlConnection& db, const std::string& table,
                       std::size_t rowsPerInsert) {
  std::string names;
  std::string literals;
  for (const std::string& c : columnsOf(session, table)) {
    names += names.empty() ? "" : ", ";
    names += c;
    literals += literals.empty() ? "quote(" : " || ',' || quote(";
    literals += c + ")";
  }
  const std::string head = "INSERT INTO " + table + " (" + names + ") VALUES ";
  const std::string what = "copying " + table;
  std::string sql;
  std::size_t pending = 0;
  auto flush = [&] {
    if (pending == 0) return;
    db.execute(what, sql);
    sql.clear();
    pending = 0;
  };

  std::int64_t copied = 0;
  std::vector<std::string> rows;
  Poco::Data::Statement select(session);
  select << "SELECT " + literals + " FROM " + table + " ORDER BY rowid", kw::into(rows),
      kw::limit(kRowsPerFetch);
  while (!select.done()) {
    rows.clear();
    select.execute();
    for (const std::string& row : rows) {
      sql += pending == 0 ? head : ",";
      sql += '(';
      sql += row;
      sql += ')';
      if (++pending == rowsPerInsert) flush();
    }
    copied += static_cast<std::int64_t>(rows.size());
  }
  flush();
  return copied;
}

}  // namespace

std::map<std::string, std::int64_t> copySqliteSource(const std::string& sqlitePath,
                                                     MysqlConnection& db,
                                                     std::size_t rowsPerInsert) {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
  Poco::Data::Session session("SQLite", sqlitePath);

  db.execute("saving the sql_mode", "SET @copy_sql_mode = @@SESSION.sql_mode");
  db.execute("turning backslash escapes off",
             "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')");
  std::map<std::string, std::int64_t> copied;
  for (const char* table : kTables) copied[table] = copyTable(session, db, table, rowsPerInsert);
  db.execute("restoring the sql_mode", "SET SESSION sql_mode = @copy_sql_mode");
  return copied;
}

}  // namespace sellertrust::testing
