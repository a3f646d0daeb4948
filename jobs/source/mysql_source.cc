// The MySQL / MariaDB source: the SqlSession over Connector/C++ that runs
// the queries generated from the one definition (streamed, forward-only),
// and the information_schema check of the contract.
//
// Every query holds only SQL generated from the definition, integers and
// times this process formats itself: no outside data is ever spliced into
// SQL, which is what lets every query run on a plain streaming statement.
#include "jobs/source/mysql_source.h"

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>

#include "jobs/source/contract.h"
#include "jobs/source/definition.h"

namespace sellertrust {
namespace {

class MysqlSqlRows : public source::SqlRows {
 public:
  explicit MysqlSqlRows(MysqlRows rows) : rows_(std::move(rows)) {}
  bool next() override { return rows_.next(); }
  bool isNull(int column) const override { return rows_.isNull(static_cast<unsigned>(column) + 1); }
  std::int64_t getInt64(int column) const override {
    return rows_.getInt64(static_cast<unsigned>(column) + 1);
  }
  std::string getString(int column) const override {
    return rows_.getString(static_cast<unsigned>(column) + 1);
  }

 private:
  MysqlRows rows_;
};

constexpr std::int64_t kTempTableBytes = 256LL << 20;

class MysqlSqlSession : public source::SqlSession {
 public:
  explicit MysqlSqlSession(std::unique_ptr<MysqlConnection> db) : db_(std::move(db)) {}
  void execute(const std::string& what, const std::string& sql) override {
    db_->execute(what, sql);
  }
  std::unique_ptr<source::SqlRows> query(const std::string& what, const std::string& sql) override {
    return std::make_unique<MysqlSqlRows>(db_->stream(what, sql));
  }
  void beginRead() override {
    db_->execute("setting the isolation level",
                 "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    // A grouped aggregate holds one row per seller in a temporary table: at
    // 100k sellers that outgrows the 16 MB default, and the table then
    // moves to disk mid-query. This session may keep it in memory.
    db_->execute("sizing the session's temporary tables",
                 "SET SESSION tmp_table_size = " + std::to_string(kTempTableBytes) +
                     ", max_heap_table_size = " + std::to_string(kTempTableBytes));
    db_->execute("starting the read transaction",
                 "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  }
  void endRead() override { db_->execute("ending the read transaction", "COMMIT"); }

 private:
  const std::unique_ptr<MysqlConnection> db_;
};

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

constexpr const char* kSchemaTables =
    "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = DATABASE()";
constexpr const char* kSchemaColumns =
    "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
    "WHERE TABLE_SCHEMA = DATABASE()";
constexpr const char* kSchemaIndexes =
    "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE "
    "FROM information_schema.STATISTICS "
    "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

// The catalogue of the tables and views of the connection's database.
source::SourceSchema readSchema(MysqlConnection& db) {
  source::SourceSchema schema;
  schema.typed = true;
  {
    MysqlRows rows = db.stream("listing tables", kSchemaTables);
    while (rows.next()) {
      schema.tables[lower(rows.getString(1))].view = rows.getString(2) != "BASE TABLE";
    }
  }
  {
    MysqlRows rows = db.stream("listing columns", kSchemaColumns);
    while (rows.next()) {
      schema.tables[lower(rows.getString(1))].columns[lower(rows.getString(2))] =
          lower(rows.getString(3));
    }
  }
  {
    MysqlRows rows = db.stream("listing indexes", kSchemaIndexes);
    while (rows.next()) {
      source::SourceSchema::Table& table = schema.tables[lower(rows.getString(1))];
      table.indexes[rows.getString(2)].push_back(lower(rows.getString(4)));
      if (rows.getInt64(5) == 0) table.unique.insert(rows.getString(2));
    }
  }
  return schema;
}

}  // namespace

MysqlSource::MysqlSource(MysqlOptions options, source::ReadSettings settings)
    : options_(std::move(options)), settings_(std::move(settings)) {}

std::unique_ptr<MysqlConnection> MysqlSource::connect() const {
  try {
    return std::make_unique<MysqlConnection>(options_);
  } catch (const MysqlError& e) {
    if (!options_.password.empty() || !options_.passwordFile.empty()) throw;
    throw MysqlError(std::string(e.what()) +
                         "; no password was given (a password_file key, or under systemd the "
                         "LoadCredential= of the unit)",
                     e.errorCode(), e.sqlState());
  }
}

SourceData MysqlSource::read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                             const ChangeScope* changes, const CarriedState* buckets) {
  if (cancel.cancelled()) throw RunCancelled();
  std::unique_ptr<MysqlConnection> db = connect();
  // The catalogue costs a few queries of information_schema: read at every
  // full read, kept for the incremental ones between.
  if (!changes || !schema_) schema_ = readSchema(*db);
  MysqlSqlSession session(std::move(db));
  source::ReadOptions options;
  options.settings = settings_;
  options.mayRepeatKeys = source::tablesWithoutUniqueKey(*schema_);
  options.windowIndexed = source::windowIndexed(*schema_);
  options.openSession = [this] { return std::make_unique<MysqlSqlSession>(connect()); };
  return source::readSource(session, source::mysqlDialect(), now, rules, cancel, changes, buckets,
                            options);
}

void MysqlSource::probe() {
  MysqlSqlSession session(connect());
  source::probeTables(session);
}

ContractReport MysqlSource::checkContract() {
  const std::unique_ptr<MysqlConnection> db = connect();
  return source::checkContract(readSchema(*db));
}

}  // namespace sellertrust
