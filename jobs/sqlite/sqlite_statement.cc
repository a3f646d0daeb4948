#include "jobs/sqlite/sqlite_statement.h"

#include <Poco/Data/SQLite/Connector.h>
#include <sqlite3.h>

#include <mutex>

#include <utility>

namespace sellertrust {

void registerSqliteConnector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

std::string readOnlyUri(const std::string& path) {
  // SQLite URI filenames treat '?', '#' and '%' specially.
  std::string out = "file:";
  for (char c : path) {
    if (c == '%') {
      out += "%25";
    } else if (c == '?') {
      out += "%3F";
    } else if (c == '#') {
      out += "%23";
    } else {
      out += c;
    }
  }
  return out + "?mode=ro";
}

SqliteStatement::SqliteStatement(sqlite3* db, std::string what, const std::string& sql,
                                 const std::vector<Value>& values)
    : db_(db), what_(std::move(what)) {
  const int rc =
      sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &statement_, nullptr);
  if (rc != SQLITE_OK) fail(rc);
  bind(values);
}

void SqliteStatement::bind(const std::vector<Value>& values) {
  // The result of the previous step was reported by next().
  sqlite3_reset(statement_);
  int i = 1;
  for (const Value& v : values) {
    int bound = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(v)) {
      bound = sqlite3_bind_null(statement_, i);
    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
      bound = sqlite3_bind_int64(statement_, i, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      bound = sqlite3_bind_double(statement_, i, *d);
    } else {
      const std::string& text = std::get<std::string>(v);
      bound = sqlite3_bind_text(statement_, i, text.data(), static_cast<int>(text.size()),
                                SQLITE_TRANSIENT);
    }
    if (bound != SQLITE_OK) fail(bound);
    ++i;
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

bool SqliteStatement::next() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) fail(rc);
  return false;
}

bool SqliteStatement::isNull(unsigned column) const {
  return sqlite3_column_type(statement_, static_cast<int>(column) - 1) == SQLITE_NULL;
}

std::int64_t SqliteStatement::getInt64(unsigned column) const {
  return sqlite3_column_int64(statement_, static_cast<int>(column) - 1);
}

std::string SqliteStatement::getString(unsigned column) const {
  const unsigned char* text = sqlite3_column_text(statement_, static_cast<int>(column) - 1);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

void SqliteStatement::fail(int code) const {
  throw SqliteError(what_ + ": " + sqlite3_errmsg(db_), code);
}

}  // namespace sellertrust
