// MysqlConnection and the accounts of grants.sql: what the read-only account
// may not do, and how connection failures surface (quickly, as MysqlError,
// never with the password).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "jobs/source/mysql_source.h"
#include "tests/integration/mariadb_test.h"

namespace sellertrust::testing {
namespace {

constexpr int kErAccessDenied = 1045;       // wrong password
constexpr int kErDbAccessDenied = 1044;     // no rights on a database
constexpr int kErTableAccessDenied = 1142;  // command denied on a table
constexpr int kCrConnectionError = 2002;    // socket / refused
constexpr int kCrConnHostError = 2003;      // cannot connect over TCP
constexpr int kCrServerLost = 2013;         // lost during the handshake

// A TCP socket on 127.0.0.1 that listens (the kernel completes handshakes)
// but never accepts: a server that hangs before its greeting.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot open a listening socket");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A port on 127.0.0.1 with nothing listening (was bound a moment ago).
int closedPort() {
  SilentListener listener;
  const int port = listener.port();
  listener.close();
  return port;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

using MysqlConnectionTest = MariadbTest;

TEST_F(MysqlConnectionTest, ReadOnlyAccountCanReadTheSourceButNotWriteIt) {
  MysqlConnection ro(env().readOnly());
  MysqlRows rows = ro.stream("counting orders", "SELECT COUNT(*) FROM orders");
  ASSERT_TRUE(rows.next());
  EXPECT_EQ(rows.getInt64(1), 0);
  EXPECT_FALSE(rows.next());

  const char* writes[] = {
      // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one statement over two lines
      "INSERT INTO sellers (seller_id, name, country, created_at) "
      "VALUES (1, 'x', 'FR', '2026-01-01 00:00:00')",
      "UPDATE orders SET amount = 0",
      "DELETE FROM tickets",
      "CREATE TABLE sneaky (id INT)",
      "DROP TABLE ratings",
      "ALTER TABLE refunds ADD COLUMN x INT",
  };
  for (const char* sql : writes) {
    try {
      ro.execute("writing as the read-only account", sql);
      ADD_FAILURE() << "allowed: " << sql;
    } catch (const MysqlError& e) {
      EXPECT_EQ(e.errorCode(), kErTableAccessDenied) << sql << ": " << e.what();
    }
  }
  try {
    ro.execute("using the results database", "USE " + env().resultsDb());
    ADD_FAILURE() << "the read-only account may use the results database";
  } catch (const MysqlError& e) {
    EXPECT_EQ(e.errorCode(), kErDbAccessDenied) << e.what();
  }
}

TEST_F(MysqlConnectionTest, ReadWriteAccountOwnsTheResultsDatabaseOnly) {
  MysqlConnection rw(env().readWrite());
  rw.execute("creating a results table", "CREATE TABLE IF NOT EXISTS probe (id INT PRIMARY KEY)");
  rw.execute("writing a results table", "REPLACE INTO probe VALUES (1)");
  rw.execute("dropping a results table", "DROP TABLE probe");
  try {
    rw.execute("writing the source", "DELETE FROM " + env().sourceDb() + ".orders");
    ADD_FAILURE() << "the results account may write the source";
  } catch (const MysqlError& e) {
    EXPECT_EQ(e.errorCode(), kErTableAccessDenied) << e.what();
  }
}

// Values go into statements as literals (withLiterals): every one must read
// back as it went in, and none may change the statement, under the server's
// default sql_mode and under NO_BACKSLASH_ESCAPES alike.
TEST_F(MysqlConnectionTest, ValuesReadBackExactlyAsWrittenWhateverTheirBytes) {
  const std::vector<std::string> texts = {
      "",
      "plain:1,2,3",
      "O'Brien",
      "back\\slash\\",
      "quote at the end'",
      "'); DROP TABLE probe; --",
      "\\'); DROP TABLE probe; --",
      "question? mark",
      std::string("nul\0byte", 8),
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
  };
  const std::vector<double> doubles = {0.1, 87.3, -1e-300, 1.7976931348623157e308, 0.0};
  const std::vector<std::int64_t> ints = {std::numeric_limits<std::int64_t>::min(), -1, 0,
                                          std::numeric_limits<std::int64_t>::max()};
  MysqlConnection rw(env().readWrite());
  rw.execute("dropping the probe", "DROP TABLE IF EXISTS probe");
  rw.execute("creating the probe",
             "CREATE TABLE probe (id INT PRIMARY KEY, t TEXT, d DOUBLE, n BIGINT) "
             "DEFAULT CHARSET = utf8mb4");
  for (const char* mode : {"DEFAULT", "'NO_BACKSLASH_ESCAPES'"}) {
    SCOPED_TRACE(mode);
    rw.execute("setting sql_mode", std::string("SET SESSION sql_mode = ") + mode);
    rw.execute("emptying the probe", "DELETE FROM probe");
    int id = 0;
    for (const std::string& text : texts) {
      EXPECT_EQ(rw.update("writing text", "INSERT INTO probe (id, t) VALUES (?, ?)", {++id, text}),
                1);
    }
    for (double d : doubles) {
      rw.update("writing a double", "INSERT INTO probe (id, d) VALUES (?, ?)", {++id, d});
    }
    for (std::int64_t n : ints) {
      rw.update("writing an integer", "INSERT INTO probe (id, n, t) VALUES (?, ?, ?)",
                {++id, n, nullptr});
    }
    // A '?' inside a quoted literal of the statement is no placeholder.
    rw.update("writing a quoted mark", "INSERT INTO probe (id, t) VALUES (?, 'a ''?'' b')", {++id});
    EXPECT_EQ(rw.queryInt("counting", "SELECT COUNT(*) FROM probe WHERE t = ?", {texts[2]}), 1);

    MysqlRows rows = rw.stream(
        "reading the probe", "SELECT id, t, CAST(d AS CHAR), n, t IS NULL FROM probe ORDER BY id");
    for (const std::string& text : texts) {
      ASSERT_TRUE(rows.next());
      EXPECT_EQ(rows.getString(2), text);
    }
    for (double d : doubles) {
      ASSERT_TRUE(rows.next());
      EXPECT_EQ(std::stod(rows.getString(3)), d);
    }
    for (std::int64_t n : ints) {
      ASSERT_TRUE(rows.next());
      EXPECT_EQ(rows.getInt64(4), n);
      EXPECT_EQ(rows.getInt64(5), 1);  // NULL went in as NULL
    }
    ASSERT_TRUE(rows.next());
    EXPECT_EQ(rows.getString(2), "a '?' b");
    EXPECT_FALSE(rows.next());
  }
  rw.execute("dropping the probe", "DROP TABLE probe");
}

TEST_F(MysqlConnectionTest, SessionTimeZoneIsUtc) {
  MysqlConnection ro(env().readOnly());
  MysqlRows rows = ro.stream("reading the time zone", "SELECT @@session.time_zone");
  ASSERT_TRUE(rows.next());
  EXPECT_EQ(rows.getString(1), "+00:00");
}

TEST_F(MysqlConnectionTest, WrongPasswordFailsQuicklyWithoutRevealingIt) {
  MysqlOptions options = env().readOnly();
  options.password = "Wrong-Secret-4711";
  options.connectTimeoutSeconds = 2;
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): read after the try; FAIL() returns early
  const auto start = std::chrono::steady_clock::now();
  try {
    MysqlConnection db(options);
    FAIL() << "connected with a wrong password";
  } catch (const MysqlError& e) {
    EXPECT_EQ(e.errorCode(), kErAccessDenied) << e.what();
    EXPECT_EQ(std::string(e.what()).find(options.password), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("connecting to"), std::string::npos) << e.what();
  }
  EXPECT_LT(secondsSince(start), options.connectTimeoutSeconds);
  EXPECT_FALSE(MysqlSource(options).ping());
}

TEST_F(MysqlConnectionTest, ClosedPortFailsQuicklyWithoutRevealingThePassword) {
  MysqlOptions options = env().readOnly();
  options.port = closedPort();
  options.connectTimeoutSeconds = 2;
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): read after the try; FAIL() returns early
  const auto start = std::chrono::steady_clock::now();
  try {
    MysqlConnection db(options);
    FAIL() << "connected to a closed port";
  } catch (const MysqlError& e) {
    EXPECT_TRUE(e.errorCode() == kCrConnectionError || e.errorCode() == kCrConnHostError)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find(options.password), std::string::npos) << e.what();
  }
  EXPECT_LT(secondsSince(start), options.connectTimeoutSeconds);
  EXPECT_FALSE(MysqlSource(options).ping());
}

TEST_F(MysqlConnectionTest, SilentServerFailsWithinTheConnectTimeout) {
  SilentListener silent;
  MysqlOptions options = env().readOnly();
  options.port = silent.port();
  options.connectTimeoutSeconds = 1;
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): read after the try; FAIL() returns early
  const auto start = std::chrono::steady_clock::now();
  try {
    MysqlConnection db(options);
    FAIL() << "connected to a server that never spoke";
  } catch (const MysqlError& e) {
    EXPECT_TRUE(e.errorCode() == kCrServerLost || e.errorCode() == kCrConnHostError ||
                e.errorCode() == kCrConnectionError)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find(options.password), std::string::npos) << e.what();
  }
  // One connect timeout, and a read timeout must not stretch it.
  EXPECT_LT(secondsSince(start), options.connectTimeoutSeconds + 1.5);
}

TEST_F(MysqlConnectionTest, ReadsThePasswordFromItsFile) {
  const std::string path = ::testing::TempDir() + "/sellertrust-db-password";
  {
    std::ofstream out(path);
    out << env().readOnly().password << "\n";
  }
  MysqlOptions options = env().readOnly();
  options.password = "ignored-when-a-file-is-set";
  options.passwordFile = path;
  EXPECT_NO_THROW(MysqlConnection db(options));
  EXPECT_TRUE(MysqlSource(options).ping());
  std::remove(path.c_str());

  try {
    MysqlConnection db(options);
    FAIL() << "connected without the password file";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST_F(MysqlConnectionTest, FailedQueryNamesTheOperation) {
  MysqlConnection ro(env().readOnly());
  try {
    ro.stream("reading the unknown table", "SELECT * FROM no_such_table");
    FAIL() << "selected from a missing table";
  } catch (const MysqlError& e) {
    EXPECT_EQ(e.errorCode(), 1146) << e.what();
    EXPECT_EQ(e.sqlState(), "42S02");
    EXPECT_NE(std::string(e.what()).find("reading the unknown table"), std::string::npos);
  }
}

}  // namespace
}  // namespace sellertrust::testing
