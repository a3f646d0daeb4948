// The SQLite results store: the versioned schema, the one-transaction run
// write and the snapshot rebuild. Times are stored like the source's, as
// TEXT "YYYY-MM-DD HH:MM:SS" UTC, so the tables read well in the sqlite3
// shell; warning evidence is a JSON object in the evidence's order.
#include "jobs/sqlite/sqlite_result_store.h"

#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Nullable.h>
#include <Poco/Path.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <iterator>
#include <memory>
#include <sstream>

#include "jobs/result_codec.h"
#include "jobs/results_sql.h"
#include "jobs/source/source.h"
#include "jobs/sqlite/sqlite_statement.h"

namespace sellertrust {
namespace {

namespace kw = Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;
using Text = Poco::Nullable<std::string>;
using Real = Poco::Nullable<double>;
using Int = Poco::Nullable<Poco::Int64>;

// Long enough to outlast an API process's read, short enough that a stuck
// lock fails the run instead of hanging it.
constexpr int kBusyTimeoutMs = 10000;
// Poco retries a failed open until its login timeout (60 s by default); a
// path that cannot be opened now will not become openable by waiting.
constexpr std::size_t kOpenRetrySeconds = 0;

constexpr const char* kCreateSchemaVersion =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";

// Version 1 of the results schema. A later version appends a new list to
// kMigrations; released lists are never edited.
constexpr const char* kSchemaV1[] = {
    R"sql(CREATE TABLE seller_results (
  seller_id     INTEGER PRIMARY KEY,
  badge         TEXT NOT NULL,
  score         REAL,
  computed_at   TEXT NOT NULL,
  rules_version TEXT NOT NULL,
  report_json   TEXT NOT NULL
))sql",
    R"sql(CREATE TABLE product_results (
  product_id  INTEGER PRIMARY KEY,
  seller_id   INTEGER NOT NULL,
  report_json TEXT NOT NULL
))sql",
    "CREATE INDEX product_results_seller_id ON product_results(seller_id)",
    // One row: the last saved run. Its presence means "a run was saved".
    R"sql(CREATE TABLE run_meta (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  computed_at     TEXT NOT NULL,
  rules_version   TEXT NOT NULL,
  marketplace_odr REAL
))sql",
    R"sql(CREATE TABLE badge_changes (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  seller_id  INTEGER NOT NULL,
  from_badge TEXT,
  to_badge   TEXT NOT NULL,
  score      REAL,
  changed_at TEXT NOT NULL,
  reason     TEXT NOT NULL
))sql",
    "CREATE INDEX badge_changes_seller ON badge_changes(seller_id, changed_at)",
    // Ids come from the caller (the core assigns them at raise time), so
    // that the API's pagination order survives a restart.
    R"sql(CREATE TABLE warnings (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL,
  severity      TEXT NOT NULL,
  seller_id     INTEGER NOT NULL,
  product_id    INTEGER,
  action        TEXT NOT NULL,
  detail        TEXT NOT NULL,
  evidence_json TEXT NOT NULL,
  raised_at     TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  cleared_at    TEXT
))sql",
    "CREATE INDEX warnings_active ON warnings(id) WHERE cleared_at IS NULL",
    R"sql(CREATE TABLE seller_history (
  seller_id INTEGER NOT NULL,
  day       TEXT NOT NULL,
  score     REAL,
  badge     TEXT NOT NULL,
  PRIMARY KEY (seller_id, day)
))sql",
    "CREATE INDEX seller_history_day ON seller_history(day)",
};

// Version 2: results as data (see etc/sql/mysql/results/003_*.sql): a
// seller's tallies, score, badge and reason instead of a rendered report,
// keeping the badges (hysteresis needs them); products' ladder state; the
// ladder's claims.
constexpr const char* kSchemaV2[] = {
    "ALTER TABLE seller_results RENAME TO seller_results_v1",
    R"sql(CREATE TABLE seller_results (
  seller_id    INTEGER PRIMARY KEY,
  name         TEXT NOT NULL DEFAULT '',
  country      TEXT NOT NULL DEFAULT '',
  badge        TEXT NOT NULL,
  score        REAL,
  badge_reason TEXT NOT NULL DEFAULT '',
  answered     INTEGER NOT NULL DEFAULT 0,
  p50_seconds  INTEGER,
  p90_seconds  INTEGER,
  orders                    INTEGER NOT NULL DEFAULT 0,
  defect_orders             INTEGER NOT NULL DEFAULT 0,
  seller_cancelled_orders   INTEGER NOT NULL DEFAULT 0,
  open_orders               INTEGER NOT NULL DEFAULT 0,
  claimed_orders            INTEGER NOT NULL DEFAULT 0,
  ship_by_orders            INTEGER NOT NULL DEFAULT 0,
  late_shipments            INTEGER NOT NULL DEFAULT 0,
  promised_orders           INTEGER NOT NULL DEFAULT 0,
  late_deliveries           INTEGER NOT NULL DEFAULT 0,
  seller_shipped_orders     INTEGER NOT NULL DEFAULT 0,
  valid_tracking_orders     INTEGER NOT NULL DEFAULT 0,
  tickets                   INTEGER NOT NULL DEFAULT 0,
  response_due_tickets      INTEGER NOT NULL DEFAULT 0,
  responded_in_time_tickets INTEGER NOT NULL DEFAULT 0,
  escalated_tickets         INTEGER NOT NULL DEFAULT 0,
  delivered_orders          INTEGER NOT NULL DEFAULT 0,
  spontaneous_refund_orders INTEGER NOT NULL DEFAULT 0,
  returns_due               INTEGER NOT NULL DEFAULT 0,
  returns_resolved_in_time  INTEGER NOT NULL DEFAULT 0,
  ratings                   INTEGER NOT NULL DEFAULT 0,
  star_sum                  INTEGER NOT NULL DEFAULT 0
))sql",
    ("INSERT INTO seller_results (seller_id, badge, score) "
     "SELECT seller_id, badge, score FROM seller_results_v1"),
    "DROP TABLE seller_results_v1",
    "DROP TABLE product_results",
    R"sql(CREATE TABLE product_results (
  product_id       INTEGER PRIMARY KEY,
  seller_id        INTEGER NOT NULL,
  step             TEXT NOT NULL,
  counted_claims   INTEGER NOT NULL,
  first_claim_at   TEXT,
  second_claim_at  TEXT,
  delist_until     TEXT,
  delist_active    INTEGER NOT NULL,
  claims_in_window INTEGER NOT NULL
))sql",
    "CREATE INDEX product_results_seller_id ON product_results(seller_id)",
    R"sql(CREATE TABLE ladder_claims (
  ticket_id  INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL,
  seller_id  INTEGER NOT NULL,
  opened_at  TEXT NOT NULL,
  status     TEXT NOT NULL
))sql",
    "CREATE INDEX ladder_claims_product ON ladder_claims(product_id)",
};

// Version 3: incremental runs (see etc/sql/mysql/results/004_*.sql).
constexpr const char* kSchemaV3[] = {
    "ALTER TABLE seller_results ADD COLUMN due_at TEXT",
    "ALTER TABLE run_meta ADD COLUMN source_watermark TEXT",
    "ALTER TABLE run_meta ADD COLUMN full_run_at TEXT",
};

// Version 4: the rows behind each metric (see etc/sql/mysql/results/005_*.sql).
// The next run is a full one, which lists every seller's.
constexpr const char* kSchemaV4[] = {
    "ALTER TABLE seller_results ADD COLUMN defects TEXT",
    "UPDATE run_meta SET full_run_at = NULL",
};

// Version 5: defects by day (see etc/sql/mysql/results/006_*.sql). The
// next run is a full one, which lists every seller's.
constexpr const char* kSchemaV5[] = {
    R"sql(CREATE TABLE seller_defects (
  seller_id INTEGER NOT NULL,
  day       INTEGER NOT NULL,
  defects   TEXT NOT NULL,
  PRIMARY KEY (seller_id, day)
))sql",
    "ALTER TABLE seller_results DROP COLUMN defects",
    "UPDATE run_meta SET full_run_at = NULL",
};

struct Migration {
  int version;
  const char* const* begin;
  const char* const* end;
};
constexpr Migration kMigrations[] = {
    {1, std::begin(kSchemaV1), std::end(kSchemaV1)},
    {2, std::begin(kSchemaV2), std::end(kSchemaV2)},
    {3, std::begin(kSchemaV3), std::end(kSchemaV3)},
    {4, std::begin(kSchemaV4), std::end(kSchemaV4)},
    {5, std::begin(kSchemaV5), std::end(kSchemaV5)},
};

constexpr const char* kUpsertRunMeta =
    "INSERT INTO run_meta (id, computed_at, rules_version, marketplace_odr, source_watermark, "
    "full_run_at) VALUES (1, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET computed_at = excluded.computed_at, "
    "rules_version = excluded.rules_version, marketplace_odr = excluded.marketplace_odr, "
    "source_watermark = excluded.source_watermark, full_run_at = excluded.full_run_at";

constexpr const char* kUpsertHistory =
    "INSERT INTO seller_history (seller_id, day, score, badge) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (seller_id, day) DO UPDATE SET score = excluded.score, badge = excluded.badge";
constexpr const char* kChanges = "SELECT changes()";

constexpr const char* kSelectHistory =
    "SELECT seller_id, day, score, badge FROM seller_history WHERE day >= ? "
    "ORDER BY seller_id, day";
constexpr const char* kSelectBadgeChanges =
    "SELECT seller_id, from_badge, to_badge, score, changed_at, reason FROM badge_changes "
    "WHERE changed_at >= ? ORDER BY seller_id, changed_at, id";
constexpr const char* kSelectMaxWarningId = "SELECT COALESCE(MAX(id), 0) FROM warnings";

[[noreturn]] void fail(const std::string& what, const std::string& why) {
  throw SourceError("SQLite results store, " + what + ": " + why);
}

// Runs `body`, turning a Poco exception into a SourceError naming `what`.
template <typename F>
auto guarded(const std::string& what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Poco::Exception& e) {
    fail(what, e.displayText());
  }
}

// Why a file at schema version `found` cannot be used by this build.
std::string newerSchema(int found) {
  return "the database has schema version " + std::to_string(found) + ", newer than version " +
         std::to_string(SqliteResultStore::kSchemaVersion) +
         " that this build knows; upgrade sellertrustd";
}

Real nullable(const std::optional<double>& value) { return value ? Real(*value) : Real(); }

std::optional<double> optional(const Real& value) {
  return value.isNull() ? std::nullopt : std::optional<double>(value.value());
}

void execute(Session& session, const char* sql) { session << sql, kw::now; }

// A statement on the session's own sqlite3 handle (see sqlite_statement.h).
SqliteStatement statement(Session& session, const std::string& what, const std::string& sql,
                          const std::vector<results_sql::Value>& values = {}) {
  return SqliteStatement(Poco::Data::SQLite::Utility::dbHandle(session),
                         "SQLite results store, " + what, sql, values);
}

// Runs the statements of one write, each batch with the statement of the
// previous one when their text is the same: a table's batches are written
// one after the other, all but its last of the same length, and preparing
// each again took a third of the write (SQLite parses every placeholder of
// a batch). Only the last is kept, with its values: as much as one batch
// held before.
class PreparedStatements {
 public:
  explicit PreparedStatements(Session& session) : session_(session) {}

  void run(const std::string& what, const std::string& sql,
           const std::vector<results_sql::Value>& values) {
    if (last_ == nullptr || sql != lastSql_) {
      last_.reset();
      last_ = std::make_unique<SqliteStatement>(Poco::Data::SQLite::Utility::dbHandle(session_),
                                                "SQLite results store, " + what, sql);
      lastSql_ = sql;
    }
    last_->bind(values);
    last_->next();
  }

 private:
  Session& session_;
  std::string lastSql_;
  std::unique_ptr<SqliteStatement> last_;
};

}  // namespace

std::string SqliteResultStore::inspect(const std::string& path) {
  const std::string what = "checking " + path;
  Poco::File file(path);
  if (!file.exists()) {
    // The nearest directory that exists must let the daemon create the rest.
    Poco::Path dir = Poco::Path(path).makeAbsolute().parent();
    while (dir.depth() > 0 && !Poco::File(dir).exists()) dir = dir.parent();
    if (::access(dir.toString().c_str(), W_OK) != 0) {
      fail(what, "it does not exist and " + dir.toString() + " is not writable for this user");
    }
    return "absent: created at the first start";
  }
  registerSqliteConnector();
  return guarded(what, [&] {
    Session session("SQLite", readOnlyUri(path), kOpenRetrySeconds);
    int tables = 0;
    session << "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_version'", kw::into(tables),
        kw::now;
    int version = 0;
    if (tables > 0) session << results_sql::kSelectSchemaVersion, kw::into(version), kw::now;
    if (version > kSchemaVersion) fail(what, newerSchema(version));
    return results_sql::describeSchemaVersion(version, kSchemaVersion);
  });
}

SqliteResultStore::SqliteResultStore(const std::string& path) : path_(path) {
  registerSqliteConnector();
  guarded("opening " + path_, [&] {
    session_ = std::make_unique<Session>("SQLite", path_, kOpenRetrySeconds);
    // WAL lets API processes read the last committed run while a run writes;
    // NORMAL sync is safe from corruption in WAL and results are recomputed.
    std::string mode;
    *session_ << "PRAGMA journal_mode = WAL", kw::into(mode), kw::now;
    // An in-memory database (tests) has no other readers to protect.
    if (mode != "wal" && mode != "memory") {
      fail("opening " + path_, "journal mode is '" + mode + "', not 'wal'");
    }
    int timeout = 0;
    *session_ << "PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs), kw::into(timeout),
        kw::now;
    execute(*session_, "PRAGMA synchronous = NORMAL");
  });
}

SqliteResultStore::~SqliteResultStore() {
  if (lockFd_ >= 0) ::close(lockFd_);  // releases the flock
}

bool SqliteResultStore::acquireWriterLock() {
  if (lockFd_ >= 0 || path_ == ":memory:") return true;
  const std::string lockPath = path_ + ".lock";
  const int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  lockFd_ = fd;
  return true;
}

std::optional<Timestamp> SqliteResultStore::latestRunAt() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> computedAt;
  guarded("reading the latest run", [&] {
    *session_ << "SELECT computed_at FROM run_meta WHERE id = 1", kw::into(computedAt), kw::now;
  });
  if (computedAt.empty()) return std::nullopt;
  return storedTime(computedAt[0], "run_meta.computed_at");
}

template <typename F>
void SqliteResultStore::inTransaction(const std::string& what, F&& body) {
  guarded(what, [&] {
    execute(*session_, "BEGIN IMMEDIATE");
    try {
      body();
      execute(*session_, "COMMIT");
    } catch (...) {
      try {
        execute(*session_, "ROLLBACK");
      } catch (const Poco::Exception&) {
        // The original error says more; SQLite already rolled back if the
        // rollback itself failed.
      }
      throw;
    }
  });
}

int SqliteResultStore::readVersion() {
  int version = 0;
  execute(*session_, kCreateSchemaVersion);
  *session_ << results_sql::kSelectSchemaVersion, kw::into(version), kw::now;
  return version;
}

int SqliteResultStore::schemaVersion() {
  std::lock_guard<std::mutex> lock(mutex_);
  return guarded("reading the schema version", [&] { return readVersion(); });
}

void SqliteResultStore::migrate() {
  std::lock_guard<std::mutex> lock(mutex_);
  guarded("creating schema_version", [&] { execute(*session_, kCreateSchemaVersion); });
  // The version is read inside the write transaction, so that two daemons
  // starting together apply each migration once.
  inTransaction("migrating " + path_, [&] {
    const int current = readVersion();
    if (current > kSchemaVersion) {
      fail("migrating " + path_, newerSchema(current));
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      for (const char* const* sql = m.begin; sql != m.end; ++sql) execute(*session_, *sql);
      int version = m.version;
      *session_ << results_sql::kInsertSchemaVersion, kw::use(version), kw::now;
    }
  });
}

void SqliteResultStore::saveRun(const RunRecord& run) {
  std::lock_guard<std::mutex> lock(mutex_);
  Session& s = *session_;
  std::string computedAt = formatUtc(run.computedAt);
  std::string rulesVersion = run.rulesVersion;
  inTransaction("saving the run", [&] {
    PreparedStatements prepared(s);
    results_sql::writeRunRows(run, [&](const std::string& what, const std::string& sql,
                                       const std::vector<results_sql::Value>& values) {
      prepared.run(what, sql, values);
    });
    statement(
        s, "writing the run", kUpsertRunMeta,
        {computedAt, rulesVersion, results_sql::nullable(run.marketplaceOdr),
         results_sql::nullableTime(run.sourceWatermark), results_sql::nullableTime(run.fullRunAt)})
        .next();
  });
}

std::int64_t SqliteResultStore::saveHistory(
    Timestamp day, const std::vector<std::pair<std::int64_t, HistoryPoint>>& points,
    Timestamp pruneBefore) {
  std::lock_guard<std::mutex> lock(mutex_);
  Session& s = *session_;
  std::int64_t deleted = 0;
  inTransaction("saving history", [&] {
    Poco::Int64 sellerId = 0;
    std::string dayText = formatUtc(day);
    Real score;
    std::string badge;
    Statement upsert(s);
    upsert << kUpsertHistory, kw::use(sellerId), kw::use(dayText), kw::use(score), kw::use(badge);
    for (const auto& [id, point] : points) {
      sellerId = id;
      score = nullable(point.score);
      badge = toString(point.badge);
      upsert.execute();
    }
    std::string before = formatUtc(pruneBefore);
    s << results_sql::kPruneHistory, kw::use(before), kw::now;
    Poco::Int64 changes = 0;
    s << kChanges, kw::into(changes), kw::now;
    deleted = changes;
  });
  return deleted;
}

std::shared_ptr<Snapshot> SqliteResultStore::loadSnapshot(Timestamp historySince) {
  std::lock_guard<std::mutex> lock(mutex_);
  Session& s = *session_;
  auto snapshot = std::make_shared<Snapshot>();
  // A read transaction, so the pieces come from one committed run even if
  // another process writes meanwhile.
  bool found = false;
  guarded("loading the snapshot", [&] {
    execute(s, "BEGIN");
    try {
      {
        SqliteStatement meta = statement(s, "reading run_meta", results_sql::kSelectRunMeta);
        if (!meta.next()) {
          execute(s, "COMMIT");
          return;
        }
        found = true;
        snapshot->computedAt = storedTime(meta.getString(1), "run_meta.computed_at");
        snapshot->rulesVersion = meta.getString(2);
        snapshot->marketplaceOdr = results_sql::optionalDouble(meta, 3);
        snapshot->sourceWatermark = results_sql::optionalTime(meta, 4, "run_meta");
        snapshot->fullRunAt = results_sql::optionalTime(meta, 5, "run_meta");
      }

      {
        SqliteStatement days = statement(s, "reading defects", results_sql::selectDefectDays());
        std::unordered_map<std::int64_t, DefectList> defects = results_sql::readDefectDays(days);
        SqliteStatement rows = statement(s, "reading seller results", results_sql::selectSellers());
        results_sql::readSellers(rows, &defects, &snapshot->sellers);
      }
      {
        SqliteStatement rows =
            statement(s, "reading product results", results_sql::selectProducts());
        while (rows.next()) {
          ProductResult p = results_sql::productFromRow(rows);
          snapshot->products.emplace(p.productId(), p);
        }
      }
      {
        SqliteStatement rows = statement(s, "reading ladder claims", results_sql::selectClaims());
        while (rows.next()) {
          const AuthenticityClaim claim = results_sql::claimFromRow(rows);
          snapshot->claimsByProduct[claim.productId].push_back(claim);
        }
      }
      {
        std::vector<Poco::Int64> ids, sellerIds;
        std::vector<Int> productIds;
        std::vector<std::string> codes, severities, actions, details, evidence, raisedAt, updatedAt;
        s << results_sql::kSelectActiveWarnings, kw::into(ids), kw::into(codes),
            kw::into(severities), kw::into(sellerIds), kw::into(productIds), kw::into(actions),
            kw::into(details), kw::into(evidence), kw::into(raisedAt), kw::into(updatedAt), kw::now;
        for (std::size_t i = 0; i < ids.size(); ++i) {
          const std::string where = "warning " + std::to_string(ids[i]);
          Warning w;
          w.id = ids[i];
          w.firing.code = codes[i];
          w.firing.severity = storedSeverity(severities[i], where);
          w.firing.sellerId = sellerIds[i];
          if (!productIds[i].isNull()) w.firing.productId = productIds[i].value();
          w.firing.action = actions[i];
          w.firing.detail = details[i];
          w.firing.evidence = parseEvidenceJson(evidence[i], where);
          w.raisedAt = storedTime(raisedAt[i], where);
          w.updatedAt = storedTime(updatedAt[i], where);
          snapshot->warnings.add(std::make_shared<const Warning>(std::move(w)));
        }
      }
      std::string since = formatUtc(historySince);
      {
        std::vector<Poco::Int64> sellerIds;
        std::vector<std::string> days, badges;
        std::vector<Real> scores;
        s << kSelectHistory, kw::use(since), kw::into(sellerIds), kw::into(days), kw::into(scores),
            kw::into(badges), kw::now;
        HistoryBySeller history;
        for (std::size_t i = 0; i < sellerIds.size(); ++i) {
          const std::string where = "seller_history " + std::to_string(sellerIds[i]);
          HistoryPoint p;
          p.day = storedTime(days[i], where);
          p.score = optional(scores[i]);
          p.badge = storedBadge(badges[i], where);
          history[sellerIds[i]].push_back(p);
        }
        snapshot->history = std::make_shared<const HistoryBySeller>(std::move(history));
      }
      {
        std::vector<Poco::Int64> sellerIds;
        std::vector<Text> from;
        std::vector<std::string> to, at, reasons;
        std::vector<Real> scores;
        s << kSelectBadgeChanges, kw::use(since), kw::into(sellerIds), kw::into(from), kw::into(to),
            kw::into(scores), kw::into(at), kw::into(reasons), kw::now;
        for (std::size_t i = 0; i < sellerIds.size(); ++i) {
          const std::string where = "badge change of seller " + std::to_string(sellerIds[i]);
          BadgeChange c;
          c.sellerId = sellerIds[i];
          if (!from[i].isNull()) c.from = storedBadge(from[i].value(), where);
          c.to = storedBadge(to[i], where);
          c.score = optional(scores[i]);
          c.at = storedTime(at[i], where);
          c.reason = reasons[i];
          snapshot->badgeChanges[c.sellerId].push_back(c);
        }
      }
      Poco::Int64 maxId = 0;
      s << kSelectMaxWarningId, kw::into(maxId), kw::now;
      snapshot->nextWarningId = maxId + 1;
      execute(s, "COMMIT");
    } catch (...) {
      try {
        execute(s, "ROLLBACK");
      } catch (const Poco::Exception&) {
        // Nothing was written; the original error is the one to report.
      }
      throw;
    }
  });
  return found ? snapshot : nullptr;
}

}  // namespace sellertrust
