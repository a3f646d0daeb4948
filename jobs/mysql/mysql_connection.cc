// Connector/C++ 1.1 session setup: the option map (whose values must have
// the exact types the driver expects: int, bool, SQLString), the password
// file, and the translation of sql::SQLException into MysqlError.
#include "jobs/mysql/mysql_connection.h"

#include "jobs/secret_file.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace sellertrust {
namespace {

// The driver instance is created lazily by a function that is not safe to
// call from two threads at once the first time.
sql::mysql::MySQL_Driver* driver() {
  static std::once_flag once;
  static sql::mysql::MySQL_Driver* instance = nullptr;
  std::call_once(once, [] { instance = sql::mysql::get_mysql_driver_instance(); });
  return instance;
}

// Passwords this short would be scrubbed out of ordinary words.
constexpr std::size_t kMinScrubbedLength = 4;

std::string scrub(std::string text, const std::string& secret) {
  if (secret.size() < kMinScrubbedLength) return text;
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

}  // namespace

std::string resolvePassword(const MysqlOptions& options) {
  if (options.passwordFile.empty()) return options.password;
  return readSecretFile(options.passwordFile);
}

MysqlConnection::MysqlConnection(const MysqlOptions& options)
    : endpoint_(options.unixSocket.empty() ? options.host + ":" + std::to_string(options.port)
                                           : options.unixSocket),
      password_(resolvePassword(options)) {
  sql::ConnectOptionsMap properties;
  if (options.unixSocket.empty()) {
    properties["hostName"] = sql::SQLString(options.host);
    properties["port"] = options.port;
  } else {
    properties["hostName"] = sql::SQLString("localhost");
    properties["socket"] = sql::SQLString(options.unixSocket);
  }
  properties["userName"] = sql::SQLString(options.user);
  properties["password"] = sql::SQLString(password_);
  if (!options.database.empty()) properties["schema"] = sql::SQLString(options.database);
  properties["OPT_CONNECT_TIMEOUT"] = options.connectTimeoutSeconds;
  properties["OPT_READ_TIMEOUT"] = options.readTimeoutSeconds;
  properties["OPT_WRITE_TIMEOUT"] = options.readTimeoutSeconds;
  // A silent reconnect would lose the session's time zone and transaction.
  properties["OPT_RECONNECT"] = false;
  properties["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  try {
    connection_.reset(driver()->connect(properties));
  } catch (const sql::SQLException& e) {
    fail("connecting to " + endpoint_ + " as " + options.user, e);
  }
  // Times are UTC DATETIMEs; TIMESTAMP columns of an operator's views and
  // any NOW() must read as UTC too.
  execute("setting the session time zone", "SET time_zone = '+00:00'");
}

MysqlConnection::~MysqlConnection() = default;

void MysqlConnection::execute(const std::string& what, const std::string& sql) {
  try {
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    statement->execute(sql);
  } catch (const sql::SQLException& e) {
    fail(what, e);
  }
}

MysqlRows MysqlConnection::stream(const std::string& what, const std::string& sql) {
  try {
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    // Forward-only plain statements use mysql_use_result; any other kind,
    // and every prepared statement, buffers the whole result in memory.
    statement->setResultSetType(sql::ResultSet::TYPE_FORWARD_ONLY);
    std::unique_ptr<sql::ResultSet> rows(statement->executeQuery(sql));
    return MysqlRows(this, what, std::move(statement), std::move(rows));
  } catch (const sql::SQLException& e) {
    fail(what, e);
  }
}

namespace {

// Whether `text` can go between single quotes as it is: it holds neither of
// the two bytes a '...' literal gives a meaning to (in utf8mb4, the
// session's character set, no multibyte character holds either), nor a NUL.
// Three passes of the vectorised memchr (find_first_of calls memchr once
// per byte of the text).
bool quotable(const std::string& text) {
  const char* data = text.data();
  const std::size_t n = text.size();
  return std::memchr(data, '\'', n) == nullptr && std::memchr(data, '\\', n) == nullptr &&
         std::memchr(data, '\0', n) == nullptr;
}

}  // namespace

std::string withLiterals(const std::string& sql,
                         const std::vector<MysqlConnection::Value>& values) {
  // Reserved whole: a statement can carry megabytes of text.
  std::size_t size = sql.size();
  for (const MysqlConnection::Value& v : values) {
    const auto* text = std::get_if<std::string>(&v);
    size += text == nullptr ? 24 : quotable(*text) ? text->size() + 2 : 2 * text->size() + 12;
  }
  std::string out;
  out.reserve(size);
  std::size_t next = 0;
  bool quoted = false;
  for (const char c : sql) {
    if (c == '\'') quoted = !quoted;  // '' inside a literal toggles twice
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    if (next == values.size()) {
      throw std::invalid_argument("more placeholders than values in: " + sql.substr(0, 80));
    }
    const MysqlConnection::Value& v = values[next++];
    if (std::holds_alternative<std::nullptr_t>(v)) {
      out += "NULL";
    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
      out += std::to_string(*n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      if (!std::isfinite(*d)) throw std::invalid_argument("not a finite number");
      char digits[32];
      const std::to_chars_result r = std::to_chars(std::begin(digits), std::end(digits), *d);
      out.append(digits, r.ptr);
    } else if (const std::string& text = std::get<std::string>(v); quotable(text)) {
      out += '\'';
      out += text;
      out += '\'';
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "_utf8mb4 X'";
      for (const unsigned char byte : text) {
        out += kHex[byte >> 4];
        out += kHex[byte & 0xF];
      }
      out += '\'';
    }
  }
  if (next != values.size()) {
    throw std::invalid_argument("more values than placeholders in: " + sql.substr(0, 80));
  }
  return out;
}

std::int64_t MysqlConnection::update(const std::string& what, const std::string& sql,
                                     const std::vector<Value>& values) {
  try {
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    return statement->executeUpdate(withLiterals(sql, values));
  } catch (const sql::SQLException& e) {
    fail(what, e);
  }
}

std::optional<std::int64_t> MysqlConnection::queryInt(const std::string& what,
                                                      const std::string& sql,
                                                      const std::vector<Value>& values) {
  try {
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    std::unique_ptr<sql::ResultSet> rows(statement->executeQuery(withLiterals(sql, values)));
    if (!rows->next() || rows->isNull(1)) return std::nullopt;
    return rows->getInt64(1);
  } catch (const sql::SQLException& e) {
    fail(what, e);
  }
}

MysqlRows::MysqlRows(const MysqlConnection* connection, std::string what,
                     std::unique_ptr<sql::Statement> statement,
                     std::unique_ptr<sql::ResultSet> rows)
    : connection_(connection),
      what_(std::move(what)),
      statement_(std::move(statement)),
      rows_(std::move(rows)) {}

MysqlRows::~MysqlRows() = default;
MysqlRows::MysqlRows(MysqlRows&&) noexcept = default;
MysqlRows& MysqlRows::operator=(MysqlRows&&) noexcept = default;

bool MysqlRows::next() {
  try {
    return rows_->next();
  } catch (const sql::SQLException& e) {
    connection_->fail(what_, e);
  }
}

bool MysqlRows::isNull(unsigned column) const {
  try {
    return rows_->isNull(column);
  } catch (const sql::SQLException& e) {
    connection_->fail(what_, e);
  }
}

std::int64_t MysqlRows::getInt64(unsigned column) const {
  try {
    return rows_->getInt64(column);
  } catch (const sql::SQLException& e) {
    connection_->fail(what_, e);
  }
}

std::string MysqlRows::getString(unsigned column) const {
  try {
    return rows_->getString(column).asStdString();
  } catch (const sql::SQLException& e) {
    connection_->fail(what_, e);
  }
}

void MysqlConnection::fail(const std::string& what, const sql::SQLException& e) const {
  std::ostringstream message;
  message << "MySQL " << what << ": " << e.what() << " (error " << e.getErrorCode() << ", SQLSTATE "
          << e.getSQLState() << ")";
  throw MysqlError(scrub(message.str(), password_), e.getErrorCode(), e.getSQLState());
}

}  // namespace sellertrust
