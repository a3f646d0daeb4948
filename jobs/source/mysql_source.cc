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
#include <stdexcept>
#include <utility>

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
  explicit MysqlSqlSession(MysqlConnection* db) : db_(db) {}
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
  MysqlConnection* db_;
};

constexpr const char* kPing = "SELECT 1";

// The indexes (leading columns) the queries need, with the reason.
struct IndexNeed {
  const char* table;
  std::vector<std::string> columns;  // the index's leading columns, in order
  const char* why;
};

const std::vector<IndexNeed>& indexNeeds() {
  static const std::vector<IndexNeed> kNeeds = {
      {"orders", {"order_id"}, "the joins of after-sales rows to their order"},
      {"orders", {"ordered_at"}, "the window range"},
      {"tickets", {"order_id"}, "the joins to window orders"},
      {"tickets", {"kind"}, "the authenticity claims"},
      {"refunds", {"order_id"}, "the joins to window orders"},
      {"return_requests", {"order_id"}, "the joins to window orders"},
      {"ratings", {"order_id"}, "the joins to window orders"},
      {"chargebacks", {"order_id"}, "the joins to window orders"},
  };
  return kNeeds;
}

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
    "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS "
    "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

}  // namespace

MysqlSource::MysqlSource(MysqlOptions options, std::int64_t problemKeysPerTable)
    : options_(std::move(options)), problemKeysPerTable_(problemKeysPerTable) {}

SourceData MysqlSource::read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                             const ChangeScope* changes) {
  if (cancel.cancelled()) throw RunCancelled();
  MysqlConnection db(options_);
  MysqlSqlSession session(&db);
  return source::readSource(session, source::mysqlDialect(), now, rules, cancel, changes,
                            problemKeysPerTable_);
}

bool MysqlSource::ping() {
  try {
    MysqlConnection db(options_);
    bool one = false;
    MysqlRows rows = db.stream("ping", kPing);
    while (rows.next()) one = rows.getInt64(1) == 1;
    return one;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::string> MysqlSource::checkSourceContract() {
  MysqlConnection db(options_);
  std::map<std::string, std::string> tableTypes;  // lower-case name -> TABLE_TYPE
  {
    MysqlRows rows = db.stream("listing tables", kSchemaTables);
    while (rows.next()) tableTypes[lower(rows.getString(1))] = rows.getString(2);
  }
  std::map<std::string, std::map<std::string, std::string>> columns;  // table -> column -> type
  {
    MysqlRows rows = db.stream("listing columns", kSchemaColumns);
    while (rows.next()) {
      columns[lower(rows.getString(1))][lower(rows.getString(2))] = lower(rows.getString(3));
    }
  }
  // table -> index -> columns in order
  std::map<std::string, std::map<std::string, std::vector<std::string>>> indexes;
  {
    MysqlRows rows = db.stream("listing indexes", kSchemaIndexes);
    while (rows.next()) {
      indexes[lower(rows.getString(1))][rows.getString(2)].push_back(lower(rows.getString(4)));
    }
  }

  std::vector<std::string> problems;
  for (const source::TableDef& contract : source::tables()) {
    const std::string& table = contract.name;
    if (tableTypes.count(table) == 0) {
      problems.push_back("table " + table + ": missing");
      continue;
    }
    const auto& have = columns[table];
    for (const source::ColumnDef& column : contract.columns) {
      auto it = have.find(column.name);
      if (it == have.end()) {
        problems.push_back("table " + table + ": missing column " + column.name);
      } else if (column.type == source::ColumnType::kTime && it->second != "datetime" &&
                 it->second != "timestamp") {
        problems.push_back("table " + table + ": column " + column.name + " is " + it->second +
                           ", not DATETIME");
      }
    }
  }
  for (const IndexNeed& need : indexNeeds()) {
    const std::string table = need.table;
    auto type = tableTypes.find(table);
    if (type == tableTypes.end() || type->second != "BASE TABLE") continue;
    bool covered = false;
    for (const auto& [name, indexColumns] : indexes[table]) {
      if (indexColumns.size() >= need.columns.size() &&
          std::equal(need.columns.begin(), need.columns.end(), indexColumns.begin())) {
        covered = true;
      }
    }
    if (!covered) {
      std::string list;
      for (const std::string& c : need.columns) list += (list.empty() ? "" : ", ") + c;
      problems.push_back("table " + table + ": missing index on (" + list + "), needed by " +
                         need.why);
    }
  }
  return problems;
}

}  // namespace sellertrust
