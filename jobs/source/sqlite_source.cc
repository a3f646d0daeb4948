// The SQLite source: the schema generated from the one definition, and the
// SqlSession that steps through query results with SQLite's own API on the
// connection Poco::Data opened.
#include "jobs/source/sqlite_source.h"

#include <Poco/File.h>

#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <utility>

#include "jobs/source/contract.h"
#include "jobs/source/definition.h"
#include "jobs/source/dialect.h"
#include "jobs/sqlite/sqlite_statement.h"
#include "sellertrust/time.h"

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

// Poco retries a failed open until its login timeout (60 s by default); a
// file that cannot be opened now will not open within a run, so fail at once.
constexpr std::size_t kOpenRetrySeconds = 0;
// How long a read waits for a writer of the operator's file to let go.
constexpr int kBusyTimeoutMs = 10000;
// SQLite virtual-machine steps between two looks at the cancel token.
constexpr int kStepsBetweenCancelChecks = 100000;
// The page cache of a source session, in KiB (SQLite's default is 2 MiB).
// A session lasts one run, which reads most pages once: the cache mostly
// holds the indexes' upper levels. Each page it fills is fresh memory,
// and on a virtual machine a page fault can cost 13 us: with 1 MiB an
// idle run at 10 M orders read in 113 ms against 124 ms, and a full run
// took as long.
constexpr int kSourceCacheKib = 1024;

// The SQLite dialect's time check (kSqliteBadTimeFunction).
void badTime(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  int bad = 0;
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL:
      break;
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
      const auto size = static_cast<std::size_t>(sqlite3_value_bytes(argv[0]));
      bad = isCanonicalUtc(std::string_view(text, size)) ? 0 : 1;
      break;
    }
    default:  // a number or a blob is no time
      bad = 1;
  }
  sqlite3_result_int(context, bad);
}

Session openReadOnly(const std::string& path) {
  registerSqliteConnector();
  try {
    Session session("SQLite", readOnlyUri(path), kOpenRetrySeconds);
    sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    const std::string cacheSize = "PRAGMA cache_size = -" + std::to_string(kSourceCacheKib);
    if (sqlite3_exec(db, cacheSize.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw SourceError("SQLite source, setting its page cache: " +
                        std::string(sqlite3_errmsg(db)));
    }
    if (sqlite3_create_function_v2(db, source::kSqliteBadTimeFunction, 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                   badTime, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw SourceError("SQLite source, registering the time check: " +
                        std::string(sqlite3_errmsg(db)));
    }
    return session;
  } catch (const Poco::Exception& e) {
    throw SourceError("SQLite source, opening " + path + ": " + e.displayText());
  }
}

// The source's view of a statement: columns from 0, and an interrupt the
// cancel token asked for is a cancelled run, not a database failure.
class SqliteRows : public source::SqlRows {
 public:
  SqliteRows(sqlite3* db, const std::string& what, const std::string& sql,
             const CancelToken* cancel)
      : statement_(db, "SQLite source, " + what, sql), cancel_(cancel) {}

  bool next() override {
    try {
      return statement_.next();
    } catch (const SqliteError& e) {
      if (e.code() == SQLITE_INTERRUPT && cancel_ != nullptr && cancel_->cancelled()) {
        throw RunCancelled();
      }
      throw;
    }
  }
  bool isNull(int column) const override {
    return statement_.isNull(static_cast<unsigned>(column) + 1);
  }
  std::int64_t getInt64(int column) const override {
    return statement_.getInt64(static_cast<unsigned>(column) + 1);
  }
  std::string getString(int column) const override {
    return statement_.getString(static_cast<unsigned>(column) + 1);
  }

 private:
  SqliteStatement statement_;
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
    SqliteRows rows(db_, what, sql, cancel_);
    while (rows.next()) {
    }
  }
  std::unique_ptr<source::SqlRows> query(const std::string& what, const std::string& sql) override {
    return std::make_unique<SqliteRows>(db_, what, sql, cancel_);
  }
  void beginRead() override { execute("starting the read transaction", "BEGIN"); }
  void endRead() override { execute("ending the read transaction", "COMMIT"); }

 private:
  Session session_;
  sqlite3* db_;
  const CancelToken* cancel_;
};

// The catalogue of the tables and views in the file.
source::SourceSchema readSchema(source::SqlSession& session) {
  source::SourceSchema schema;
  const auto each = [&](const std::string& what, const std::string& sql, auto onRow) {
    std::unique_ptr<source::SqlRows> rows = session.query(what, sql);
    while (rows->next()) onRow(*rows);
  };
  each("listing columns",
       "SELECT lower(m.name), m.type, lower(p.name), lower(p.type), p.pk\n"
       "FROM sqlite_master m JOIN pragma_table_info(m.name) p\n"
       "WHERE m.type IN ('table', 'view') ORDER BY m.name, p.cid",
       [&](source::SqlRows& row) {
         source::SourceSchema::Table& table = schema.tables[row.getString(0)];
         table.view = row.getString(1) == "view";
         table.columns[row.getString(2)] = row.getString(3);
         // Only an INTEGER PRIMARY KEY is the rowid's own index.
         if (row.getInt64(4) == 1 && row.getString(3) == "integer") {
           table.indexes["(rowid)"] = {row.getString(2)};
           table.unique.insert("(rowid)");
         }
       });
  each("listing indexes",
       "SELECT lower(m.name), il.name, lower(ii.name), il.\"unique\"\n"
       "FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii\n"
       "WHERE m.type = 'table' ORDER BY m.name, il.name, ii.seqno",
       [&](source::SqlRows& row) {
         source::SourceSchema::Table& table = schema.tables[row.getString(0)];
         table.indexes[row.getString(1)].push_back(row.getString(2));
         if (row.getInt64(3) != 0) table.unique.insert(row.getString(1));
       });
  return schema;
}

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
  for (const source::IndexDef& index : source::indexes()) {
    const source::TableDef& table = source::table(index.table);
    if (index.columns == std::vector<std::string>{table.key}) continue;  // the primary key
    std::string columns;
    for (const std::string& c : index.columns) columns += (columns.empty() ? "" : ", ") + c;
    session << "CREATE INDEX " + index.name() + " ON " + index.table + "(" + columns + ")", now;
  }
}

std::unique_ptr<source::SqlSession> openSqliteSession(const std::string& path,
                                                      const CancelToken* cancel) {
  return std::make_unique<SqliteSession>(path, cancel);
}

SqliteSource::SqliteSource(std::string path, source::ReadSettings settings)
    : path_(std::move(path)), settings_(std::move(settings)) {}

SourceData SqliteSource::read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                              const ChangeScope* changes, const CarriedState* buckets) {
  SqliteSession session(path_, &cancel);
  source::ReadOptions options;
  options.settings = settings_;
  // The catalogue of a file costs microseconds: read it every run.
  const source::SourceSchema schema = readSchema(session);
  options.mayRepeatKeys = source::tablesWithoutUniqueKey(schema);
  options.keyNeverNull = source::tablesKeyedByRowid(schema);
  options.windowIndexed = source::windowIndexed(schema);
  options.openSession = [this, &cancel] { return openSqliteSession(path_, &cancel); };
  return source::readSource(session, source::sqliteDialect(), now, rules, cancel, changes, buckets,
                            options);
}

void SqliteSource::requireFile() const {
  if (!Poco::File(path_).exists()) {
    throw SourceError("SQLite source " + path_ +
                      ": no such file (it must hold the SPEC §1 tables; --demo writes a demo "
                      "marketplace there)");
  }
}

void SqliteSource::probe() {
  requireFile();
  // The first query is what fails on a file that is not a database.
  SqliteSession session(path_, nullptr);
  source::probeTables(session);
}

ContractReport SqliteSource::checkContract() {
  requireFile();
  SqliteSession session(path_, nullptr);
  return source::checkContract(readSchema(session));
}

}  // namespace sellertrust
