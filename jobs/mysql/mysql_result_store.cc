// SQL of the results database. The schema comes from the migration files
// (etc/sql/mysql/results/NNN_*.sql, compiled in as kMigrations); the queries
// below are the only other SQL, and every outside value goes in as a
// literal that cannot carry SQL (withLiterals).
#include "jobs/mysql/mysql_result_store.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "jobs/result_codec.h"
#include "jobs/results_sql.h"

namespace sellertrust {
namespace {

// kMigrations[i] brings the schema from version i to i + 1.
const char* const kMigrations[] = {
#include "mysql_results_migrations.inc"
};
constexpr int kLatestVersion = static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL) ENGINE=InnoDB";

constexpr const char* kWriteRunMeta =
    "REPLACE INTO run_meta (id, computed_at, rules_version, marketplace_odr, written_by, "
    "source_watermark, full_run_at) VALUES (1, ?, ?, ?, ?, ?, ?)";
constexpr const char* kUpsertHistory =
    "INSERT INTO seller_history (seller_id, day, score, badge) VALUES (?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE score = VALUES(score), badge = VALUES(badge)";

constexpr const char* kReadNextWarningId = "SELECT COALESCE(MAX(id), 0) + 1 FROM warnings";

std::string dayText(Timestamp day) { return formatUtc(day).substr(0, 10); }

// The statements of one migration file: each ends with ';' at the end of a
// line (the files' one rule). Anything but comments after the last one is a
// malformed file, not something to drop silently.
std::vector<std::string> statementsOf(const std::string& script, int version) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t end = script.find(";\n"); end != std::string::npos;
       end = script.find(";\n", start)) {
    out.push_back(script.substr(start, end - start));
    start = end + 2;
  }
  std::istringstream rest(script.substr(start));
  for (std::string line; std::getline(rest, line);) {
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line.compare(first, 2, "--") != 0) {
      throw SourceError("results migration " + std::to_string(version) +
                        " has text after its last statement: '" + line + "'");
    }
  }
  return out;
}

// MySQL DDL commits by itself, so a migration that failed half-way left its
// first steps applied. On the next start those steps fail with these codes
// (table, column or index already there, or already dropped) and are taken
// as done.
bool alreadyApplied(const MysqlError& e) {
  return e.errorCode() == 1050 || e.errorCode() == 1060 || e.errorCode() == 1061 ||
         e.errorCode() == 1091;
}

// Why a results database at schema version `found` cannot be used.
SourceError newerSchema(const std::string& database, int found) {
  return SourceError("the results database " + database + " has schema version " +
                     std::to_string(found) + ", newer than this sellertrustd understands (" +
                     std::to_string(kLatestVersion) +
                     "): upgrade sellertrustd or point it at another results database");
}

}  // namespace

int MysqlResultStore::latestSchemaVersion() { return kLatestVersion; }

MysqlResultStore::MysqlResultStore(MysqlOptions options, std::string instance)
    : options_(std::move(options)),
      instance_(std::move(instance)),
      // MySQL lock names are at most 64 characters.
      lockName_(("sellertrust.writer." + options_.database).substr(0, 64)) {}

MysqlResultStore::~MysqlResultStore() = default;

MysqlConnection& MysqlResultStore::connection() {
  if (!connection_) connection_ = std::make_unique<MysqlConnection>(options_);
  return *connection_;
}

template <typename F>
auto MysqlResultStore::withConnection(F&& body)
    -> decltype(body(std::declval<MysqlConnection&>())) {
  try {
    return body(connection());
  } catch (...) {
    connection_.reset();
    throw;
  }
}

int MysqlResultStore::schemaVersion() {
  return withConnection([](MysqlConnection& c) {
    c.execute("creating schema_version", kCreateVersionTable);
    MysqlRows rows = c.stream("reading the schema version", results_sql::kSelectSchemaVersion);
    rows.next();
    return static_cast<int>(rows.getInt64(1));
  });
}

std::string MysqlResultStore::inspect() {
  return withConnection([&](MysqlConnection& c) {
    const auto tables = c.queryInt("looking for schema_version",
                                   "SELECT COUNT(*) FROM information_schema.TABLES WHERE "
                                   "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'schema_version'",
                                   {});
    if (!tables || *tables == 0) return std::string("absent: created at the first start");
    const auto version =
        c.queryInt("reading the schema version", results_sql::kSelectSchemaVersion, {});
    const int found = version ? static_cast<int>(*version) : 0;
    if (found > kLatestVersion) throw newerSchema(options_.database, found);
    return results_sql::describeSchemaVersion(found, kLatestVersion);
  });
}

void MysqlResultStore::migrate() {
  withConnection([&](MysqlConnection& c) {
    // Two daemons starting together must not both apply a migration.
    const std::string lock = lockName_.substr(0, 50) + ".migrate";
    const auto got = c.queryInt("taking the migration lock", "SELECT GET_LOCK(?, 60)", {lock});
    if (!got || *got != 1) throw SourceError("MySQL: timed out waiting for the migration lock");
    try {
      c.execute("creating schema_version", kCreateVersionTable);
      MysqlRows rows = c.stream("reading the schema version", results_sql::kSelectSchemaVersion);
      rows.next();
      const int found = static_cast<int>(rows.getInt64(1));
      while (rows.next()) {
      }
      if (found > kLatestVersion) throw newerSchema(options_.database, found);
      for (int v = found; v < kLatestVersion; ++v) {
        for (const std::string& statement : statementsOf(kMigrations[v], v + 1)) {
          try {
            c.execute("migrating the results schema to version " + std::to_string(v + 1),
                      statement);
          } catch (const MysqlError& e) {
            if (!alreadyApplied(e)) throw;
          }
        }
        c.update("recording schema version " + std::to_string(v + 1),
                 results_sql::kInsertSchemaVersion, {std::int64_t{v + 1}});
      }
    } catch (...) {
      c.queryInt("releasing the migration lock", "SELECT RELEASE_LOCK(?)", {lock});
      throw;
    }
    c.queryInt("releasing the migration lock", "SELECT RELEASE_LOCK(?)", {lock});
  });
}

void MysqlResultStore::saveRun(const RunRecord& run) {
  withConnection([&](MysqlConnection& c) {
    c.execute("starting the run transaction", "START TRANSACTION");
    results_sql::writeRunRows(
        run, [&](const std::string& what, const std::string& sql,
                 const std::vector<results_sql::Value>& values) { c.update(what, sql, values); });
    c.update(
        "writing the run", kWriteRunMeta,
        {formatUtc(run.computedAt), run.rulesVersion, results_sql::nullable(run.marketplaceOdr),
         instance_, results_sql::nullableTime(run.sourceWatermark),
         results_sql::nullableTime(run.fullRunAt)});
    checkStillWriter(c);
    c.execute("committing the run", "COMMIT");
  });
}

std::int64_t MysqlResultStore::saveHistory(
    Timestamp day, const std::vector<std::pair<std::int64_t, HistoryPoint>>& points,
    Timestamp pruneBefore) {
  return withConnection([&](MysqlConnection& c) {
    c.execute("starting the history transaction", "START TRANSACTION");
    for (const auto& [sellerId, p] : points) {
      c.update(
          "writing history", kUpsertHistory,
          {sellerId, dayText(day), results_sql::nullable(p.score), std::string(toString(p.badge))});
    }
    const std::int64_t pruned =
        c.update("pruning history", results_sql::kPruneHistory, {dayText(pruneBefore)});
    checkStillWriter(c);
    c.execute("committing history", "COMMIT");
    return pruned;
  });
}

std::optional<Timestamp> MysqlResultStore::latestRunAt() {
  return withConnection([](MysqlConnection& c) -> std::optional<Timestamp> {
    MysqlRows rows = c.stream("reading the latest run", results_sql::kSelectRunMeta);
    if (!rows.next()) return std::nullopt;
    const Timestamp at = storedTime(rows.getString(1), "run_meta");
    while (rows.next()) {
    }
    return at;
  });
}

std::shared_ptr<Snapshot> MysqlResultStore::loadSnapshot(Timestamp historySince) {
  return withConnection([&](MysqlConnection& c) -> std::shared_ptr<Snapshot> {
    // One consistent view even while a writer commits a new run.
    c.execute("starting the snapshot read",
              "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    auto snapshot = std::make_shared<Snapshot>();
    {
      MysqlRows rows = c.stream("reading run_meta", results_sql::kSelectRunMeta);
      if (!rows.next()) {
        c.execute("ending the snapshot read", "COMMIT");
        return nullptr;
      }
      snapshot->computedAt = storedTime(rows.getString(1), "run_meta");
      snapshot->rulesVersion = rows.getString(2);
      snapshot->marketplaceOdr = results_sql::optionalDouble(rows, 3);
      snapshot->sourceWatermark = results_sql::optionalTime(rows, 4, "run_meta");
      snapshot->fullRunAt = results_sql::optionalTime(rows, 5, "run_meta");
      while (rows.next()) {
      }
    }
    {
      std::unordered_map<std::int64_t, DefectList> defects;
      {
        MysqlRows days = c.stream("reading defects", results_sql::selectDefectDays());
        defects = results_sql::readDefectDays(days);
      }
      MysqlRows rows = c.stream("reading seller results", results_sql::selectSellers());
      results_sql::readSellers(rows, &defects, &snapshot->sellers);
    }
    {
      MysqlRows rows = c.stream("reading product results", results_sql::selectProducts());
      while (rows.next()) {
        ProductResult p = results_sql::productFromRow(rows);
        snapshot->products.emplace(p.productId(), p);
      }
    }
    {
      MysqlRows rows = c.stream("reading ladder claims", results_sql::selectClaims());
      while (rows.next()) {
        const AuthenticityClaim claim = results_sql::claimFromRow(rows);
        snapshot->claimsByProduct[claim.productId].push_back(claim);
      }
    }
    {
      MysqlRows rows = c.stream("reading active warnings", results_sql::kSelectActiveWarnings);
      while (rows.next()) {
        Warning w;
        w.id = rows.getInt64(1);
        const std::string where = "warning " + std::to_string(w.id);
        w.firing.code = rows.getString(2);
        w.firing.severity = storedSeverity(rows.getString(3), where);
        w.firing.sellerId = rows.getInt64(4);
        if (!rows.isNull(5)) w.firing.productId = rows.getInt64(5);
        w.firing.action = rows.getString(6);
        w.firing.detail = rows.getString(7);
        w.firing.evidence = parseEvidenceJson(rows.getString(8), where);
        w.raisedAt = storedTime(rows.getString(9), where);
        w.updatedAt = storedTime(rows.getString(10), where);
        snapshot->warnings.add(std::make_shared<const Warning>(std::move(w)));
      }
    }
    {
      MysqlRows rows = c.stream("reading the next warning id", kReadNextWarningId);
      rows.next();
      snapshot->nextWarningId = rows.getInt64(1);
      while (rows.next()) {
      }
    }
    // Values are times this process formats itself, safe to inline.
    const std::string since = "'" + formatUtc(historySince) + "'";
    {
      MysqlRows rows = c.stream("reading history",
                                "SELECT seller_id, day, score, badge FROM seller_history WHERE day "
                                ">= DATE(" +
                                    since + ") ORDER BY seller_id, day");
      HistoryBySeller history;
      while (rows.next()) {
        const std::int64_t id = rows.getInt64(1);
        const std::string where = "seller_history " + std::to_string(id);
        history[id].push_back({storedTime(rows.getString(2), where),
                               results_sql::optionalDouble(rows, 3),
                               storedBadge(rows.getString(4), where)});
      }
      snapshot->history = std::make_shared<const HistoryBySeller>(std::move(history));
    }
    {
      MysqlRows rows = c.stream("reading badge changes",
                                "SELECT seller_id, from_badge, to_badge, score, changed_at, reason "
                                "FROM badge_changes WHERE changed_at >= " +
                                    since + " ORDER BY seller_id, changed_at, id");
      while (rows.next()) {
        BadgeChange b;
        b.sellerId = rows.getInt64(1);
        const std::string where = "badge_changes " + std::to_string(b.sellerId);
        if (!rows.isNull(2)) b.from = storedBadge(rows.getString(2), where);
        b.to = storedBadge(rows.getString(3), where);
        b.score = results_sql::optionalDouble(rows, 4);
        b.at = storedTime(rows.getString(5), where);
        b.reason = rows.getString(6);
        snapshot->badgeChanges[b.sellerId].push_back(b);
      }
    }
    c.execute("ending the snapshot read", "COMMIT");
    return snapshot;
  });
}

bool MysqlResultStore::acquireWriterLock() {
  try {
    if (!lockConnection_) {
      lockConnectionId_.reset();
      lockConnection_ = std::make_unique<MysqlConnection>(options_);
    }
    const auto held = lockConnection_->queryInt(
        "checking the writer lock", "SELECT IS_USED_LOCK(?) = CONNECTION_ID()", {lockName_});
    if (!held || *held != 1) {
      const auto got =
          lockConnection_->queryInt("taking the writer lock", "SELECT GET_LOCK(?, 0)", {lockName_});
      if (!got || *got != 1) {
        lockConnectionId_.reset();
        return false;
      }
    }
    lockConnectionId_ =
        lockConnection_->queryInt("reading the lock's connection id", "SELECT CONNECTION_ID()", {});
    return true;
  } catch (const SourceError&) {
    lockConnection_.reset();  // the server released the lock with the connection
    lockConnectionId_.reset();
    return false;
  }
}

void MysqlResultStore::checkStillWriter(MysqlConnection& c) {
  if (!lockConnectionId_) return;  // not elected through the lock (--check-config, tests)
  const auto still = c.queryInt("checking the writer lock before commit",
                                "SELECT IS_USED_LOCK(?) = ?", {lockName_, *lockConnectionId_});
  if (!still || *still != 1) {
    throw SourceError("lost the writer lock of " + options_.database +
                      " during the run; its results were discarded");
  }
}

}  // namespace sellertrust
