// One SQLite statement on a connection that Poco::Data opened, stepped with
// SQLite's own API: values bound by type (a multi-row write binds a
// different number each time), exact integers read back, and rows streamed
// rather than loaded. Shared by the SQLite source and results store. Used
// by one thread at a time, like its connection.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "jobs/source/source.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sellertrust {

// Registers Poco::Data's SQLite connector, once per process; any thread.
void registerSqliteConnector();

// The URI that opens the SQLite file at `path` read-only, never creating it
// ("file:<path>?mode=ro", with the characters URIs treat specially escaped).
std::string readOnlyUri(const std::string& path);

// An SQLite failure; code() is SQLite's result code (e.g. SQLITE_INTERRUPT).
class SqliteError : public SourceError {
 public:
  SqliteError(const std::string& message, int code) : SourceError(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class SqliteStatement {
 public:
  using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

  // Prepares `sql` on `db` and binds `values` in order. `what` names the
  // statement in errors ("SQLite source, reading sellers"). Throws
  // SqliteError.
  SqliteStatement(sqlite3* db, std::string what, const std::string& sql,
                  const std::vector<Value>& values = {});
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Resets the statement and binds `values` in order, so that it runs again
  // from its first row with them, without being prepared again. Throws
  // SqliteError.
  void bind(const std::vector<Value>& values);

  // Steps to the next row; false after the last one. Throws SqliteError.
  bool next();
  // Columns are numbered from 1, as MysqlRows numbers them.
  bool isNull(unsigned column) const;
  std::int64_t getInt64(unsigned column) const;  // 0 for NULL
  std::string getString(unsigned column) const;  // "" for NULL

 private:
  [[noreturn]] void fail(int code) const;

  sqlite3* db_;
  std::string what_;
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace sellertrust
