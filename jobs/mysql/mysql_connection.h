// One MySQL / MariaDB session through Connector/C++ 1.1, opened with explicit
// connect, read and write timeouts, auto-reconnect off (a lost connection
// fails the caller's operation; reconnecting is the caller's decision), UTC
// as the session time zone, and the password read from a file when one is
// configured (systemd's LoadCredential=). Every Connector/C++ error leaves
// this class as a MysqlError naming the operation, never with the password.
// A MysqlConnection is used by one thread at a time; distinct connections
// may be used from distinct threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "jobs/source/source.h"

namespace sql {
class Connection;
class ResultSet;
class SQLException;
class Statement;
}  // namespace sql

namespace sellertrust {

struct MysqlOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  // When set, the server's unix socket, used instead of host and port.
  std::string unixSocket;
  std::string user;
  std::string password;
  // When set, the password is the file's content (one trailing newline
  // removed) and `password` is ignored, e.g. $CREDENTIALS_DIRECTORY/db-password.
  std::string passwordFile;
  std::string database;
  int connectTimeoutSeconds = 5;
  // Also the write timeout. It bounds every network read, so it must exceed
  // the longest query (the grouped window queries on a large source).
  int readTimeoutSeconds = 300;
};

// A database failure with the server's (or client library's) error code:
// e.g. 1045 access denied, 2002/2003 cannot connect, 1142 command denied.
class MysqlError : public SourceError {
 public:
  MysqlError(const std::string& message, int errorCode, std::string sqlState)
      : SourceError(message), errorCode_(errorCode), sqlState_(std::move(sqlState)) {}
  int errorCode() const { return errorCode_; }
  const std::string& sqlState() const { return sqlState_; }

 private:
  int errorCode_;
  std::string sqlState_;
};

class MysqlConnection;

// The rows of one streamed query, read in order with next(). Columns are
// numbered from 1. Every failure (a lost connection or a read timeout shows
// up in next()) is a MysqlError naming the query.
class MysqlRows {
 public:
  ~MysqlRows();
  MysqlRows(MysqlRows&&) noexcept;
  MysqlRows& operator=(MysqlRows&&) noexcept;

  // Advances to the next row; false after the last one.
  bool next();
  bool isNull(unsigned column) const;
  // 0 for NULL; numeric text (SUM() returns DECIMAL) is converted.
  std::int64_t getInt64(unsigned column) const;
  // "" for NULL.
  std::string getString(unsigned column) const;

 private:
  friend class MysqlConnection;
  MysqlRows(const MysqlConnection* connection, std::string what,
            std::unique_ptr<sql::Statement> statement, std::unique_ptr<sql::ResultSet> rows);

  const MysqlConnection* connection_;
  std::string what_;
  // Declared in this order so that the result set dies before its statement.
  std::unique_ptr<sql::Statement> statement_;
  std::unique_ptr<sql::ResultSet> rows_;
};

class MysqlConnection {
 public:
  // Connects and prepares the session. Throws MysqlError (or SourceError when
  // the password file cannot be read).
  explicit MysqlConnection(const MysqlOptions& options);
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  // Runs a statement that returns no rows. `what` names the operation in
  // error messages ("starting the read transaction").
  void execute(const std::string& what, const std::string& sql);

  // Runs a query on a plain statement whose rows stream from the server one
  // at a time (forward-only): memory does not grow with the result. The
  // rows must be read to the end or destroyed before the next statement.
  // `sql` must hold no outside data except validated integers and times this
  // process formatted itself.
  MysqlRows stream(const std::string& what, const std::string& sql);

  // A value put in place of a `?` (see withLiterals).
  using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

  // Runs a statement that returns no rows with `values` in place of its
  // `?`s, in order; returns the number of rows it changed.
  std::int64_t update(const std::string& what, const std::string& sql,
                      const std::vector<Value>& values);

  // Runs a query returning one integer (NULL: nullopt) with `values` in
  // place of its `?`s, e.g. SELECT GET_LOCK(?, 0).
  std::optional<std::int64_t> queryInt(const std::string& what, const std::string& sql,
                                       const std::vector<Value>& values);

  // Rethrows `e` as a MysqlError about `what`, with the password scrubbed.
  [[noreturn]] void fail(const std::string& what, const sql::SQLException& e) const;

  // The server endpoint as "host:port" or the socket path, for messages.
  const std::string& endpoint() const { return endpoint_; }

 private:
  std::string endpoint_;
  std::string password_;  // only to scrub it from messages
  std::unique_ptr<sql::Connection> connection_;
};

// `sql` with each `?` outside a quoted literal replaced by the literal of
// the value in its place: NULL, an integer's digits, a double's shortest
// digits that read back to the same double, a string between single quotes
// when it holds no ', \ or NUL, else as _utf8mb4 X'<hex>'. No value can end
// its literal or carry SQL, whatever its bytes and the server's sql_mode
// (the session's character set is utf8mb4). Not prepared statements:
// Connector/C++ spends a prepare, a parameter map and a close on each, and
// writing a run's 390 k result rows took 8.3 s instead of 5.4 s. Throws
// std::invalid_argument when the values do not match the placeholders or a
// double is not finite.
std::string withLiterals(const std::string& sql, const std::vector<MysqlConnection::Value>& values);

// Returns the password of `options`: the content of passwordFile (without
// its trailing newline) when set, else `password`. Throws SourceError naming
// the file (not its content) when it cannot be read.
std::string resolvePassword(const MysqlOptions& options);

}  // namespace sellertrust
