// The SQLite source: the schema generated from the one definition, and the
// SqlSession that steps through query results with SQLite's own API on the
// connection Poco::Data opened.
#include "jobs/source/sqlite_source.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <mutex>
#include <utility>

#include "jobs/source/definition.h"

namespace sellertrust {
namespace {

using Poco::Data::Session;
using Poco::Data::Keywords::now;

// Beyond primary keys the schema declares no NOT NULL or CHECK constraints
// on purpose: it mirrors what an operator's tables or views may hold, and
// the row checks of the one definition are the one place values are judged.
const char* sqliteType(source::ColumnType type) {
  switch (type) {
    case source::ColumnType::kKey:
      return "INTEGER PRIMARY KEY";
    case source::ColumnType::kId:
    case source::ColumnType::kInt:
    case source::ColumnType::kBool:
      return "INTEGER";
    case source::ColumnType::kAmount:
      return "REAL";
    default:
      return "TEXT";
  }
}

// orders(ordered_at) carries the window range; the after-sales order_id
// indexes the joins to window orders; tickets(kind) the authenticity
// claims; every updated_at index is for readers of changes only (SPEC §1).
constexpr const char* kIndexes[] = {
    "CREATE INDEX orders_ordered_at ON orders(ordered_at)",
    "CREATE INDEX orders_seller_id ON orders(seller_id)",
    "CREATE INDEX tickets_order_id ON tickets(order_id)",
    "CREATE INDEX tickets_kind ON tickets(kind)",
    "CREATE INDEX refunds_order_id ON refunds(order_id)",
    "CREATE INDEX return_requests_order_id ON return_requests(order_id)",
    "CREATE INDEX ratings_order_id ON ratings(order_id)",
    "CREATE INDEX chargebacks_order_id ON chargebacks(order_id)",
    "CREATE INDEX sellers_updated_at ON sellers(updated_at)",
    "CREATE INDEX orders_updated_at ON orders(updated_at)",
    "CREATE INDEX tickets_updated_at ON tickets(updated_at)",
    "CREATE INDEX refunds_updated_at ON refunds(updated_at)",
    "CREATE INDEX return_requests_updated_at ON return_requests(updated_at)",
    "CREATE INDEX ratings_updated_at ON ratings(updated_at)",
    "CREATE INDEX chargebacks_updated_at ON chargebacks(updated_at)",
};

void registerSqlite() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

// SQLite URI filenames treat '?', '#' and '%' specially.
std::string uriPath(const std::string& path) {
  std::string out;
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
  return out;
}

// Poco retries a failed open until its login timeout (60 s by default); a
// file that cannot be opened now will not open within a run, so fail at once.
constexpr std::size_t kOpenRetrySeconds = 0;
// How long a read waits for a writer of the operator's file to let go.
constexpr int kBusyTimeoutMs = 10000;
// SQLite virtual-machine steps between two looks at the cancel token.
constexpr int kStepsBetweenCancelChecks = 100000;

Session openReadOnly(const std::string& path) {
  registerSqlite();
  try {
    Session session("SQLite", "file:" + uriPath(path) + "?mode=ro", kOpenRetrySeconds);
    sqlite3_busy_timeout(Poco::Data::SQLite::Utility::dbHandle(session), kBusyTimeoutMs);
    return session;
  } catch (const Poco::Exception& e) {
    throw SourceError("SQLite source, opening " + path + ": " + e.displayText());
  }
}

class SqliteRows : public source::SqlRows {
 public:
  SqliteRows(sqlite3* db, sqlite3_stmt* statement, std::string what, const CancelToken* cancel)
      : db_(db), statement_(statement), what_(std::move(what)), cancel_(cancel) {}
  ~SqliteRows() override { sqlite3_finalize(statement_); }
  SqliteRows(const SqliteRows&) = delete;
  SqliteRows& operator=(const SqliteRows&) = delete;

  bool next() override {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    if (rc == SQLITE_INTERRUPT && cancel_ != nullptr && cancel_->cancelled()) throw RunCancelled();
    throw SourceError("SQLite source, " + what_ + ": " + sqlite3_errmsg(db_));
  }
  bool isNull(int column) const override {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
  }
  std::int64_t getInt64(int column) const override {
    return sqlite3_column_int64(statement_, column);
  }
  std::string getString(int column) const override {
    const unsigned char* text = sqlite3_column_text(statement_, column);
    return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_;
  std::string what_;
  const CancelToken* cancel_;
};

class SqliteSession : public source::SqlSession {
 public:
  SqliteSession(const std::string& path, const CancelToken* cancel)
      : session_(openReadOnly(path)),
        db_(Poco::Data::SQLite::Utility::dbHandle(session_)),
        cancel_(cancel) {
    // A long aggregate returns no row for seconds: the progress handler
    // interrupts it as soon as the run is cancelled.
    if (cancel_ != nullptr) {
      sqlite3_progress_handler(
          db_, kStepsBetweenCancelChecks,
          [](void* token) { return static_cast<const CancelToken*>(token)->cancelled() ? 1 : 0; },
          const_cast<CancelToken*>(cancel_));
    }
  }
  ~SqliteSession() override {
    if (cancel_ != nullptr) sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  }
  SqliteSession(const SqliteSession&) = delete;
  SqliteSession& operator=(const SqliteSession&) = delete;

  void execute(const std::string& what, const std::string& sql) override {
    SqliteRows rows(db_, prepare(what, sql), what, cancel_);
    while (rows.next()) {
    }
  }
  std::unique_ptr<source::SqlRows> query(const std::string& what, const std::string& sql) override {
    return std::make_unique<SqliteRows>(db_, prepare(what, sql), what, cancel_);
  }
  void beginRead() override { execute("starting the read transaction", "BEGIN"); }
  void endRead() override { execute("ending the read transaction", "COMMIT"); }

 private:
  sqlite3_stmt* prepare(const std::string& what, const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &statement, nullptr) !=
        SQLITE_OK) {
      throw SourceError("SQLite source, " + what + ": " + sqlite3_errmsg(db_));
    }
    return statement;
  }

  Session session_;
  sqlite3* db_;
  const CancelToken* cancel_;
};

}  // namespace

void createSourceSchema(Session& session) {
  for (const source::TableDef& table : source::tables()) {
    std::string sql = "CREATE TABLE " + table.name + " (";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const source::ColumnDef& column = table.columns[i];
      sql += (i == 0 ? "\n  " : ",\n  ") + column.name + " " + sqliteType(column.type);
    }
    session << sql + "\n)", now;
  }
  for (const char* sql : kIndexes) session << sql, now;
}

SqliteSource::SqliteSource(std::string path, std::int64_t problemKeysPerTable)
    : path_(std::move(path)), problemKeysPerTable_(problemKeysPerTable) {}

SourceData SqliteSource::read(Timestamp now, const Rules& rules, const CancelToken& cancel) {
  SqliteSession session(path_, &cancel);
  return source::readSource(session, source::sqliteDialect(), now, rules, cancel,
                            problemKeysPerTable_);
}

bool SqliteSource::ping() {
  try {
    SqliteSession session(path_, nullptr);
    std::unique_ptr<source::SqlRows> rows = session.query("ping", "SELECT 1");
    return rows->next() && rows->getInt64(0) == 1;
  } catch (const SourceError&) {
    return false;
  }
}

}  // namespace sellertrust
