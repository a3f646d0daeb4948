// The shared result rows and the multi-row write of a run's changes.
#include "jobs/results_sql.h"

#include <algorithm>
#include <cmath>

namespace sellertrust::results_sql {
namespace {

// Rows per multi-row statement: one round trip per batch, and well under
// SQLite's limit on bound parameters (32766).
constexpr std::size_t kRowsPerStatement = 500;
// Text per statement: a seller's defect list can be long, and a statement
// must stay well under MySQL's max_allowed_packet (16 MB default), where
// text with a quote, a backslash or a NUL goes as hexadecimal, twice its
// size (withLiterals); and each statement's text is held twice while it is
// built.
constexpr std::size_t kTextBytesPerStatement = 1 << 20;

std::size_t textBytes(const std::vector<Value>& values) {
  std::size_t n = 0;
  for (const Value& v : values) {
    if (const auto* text = std::get_if<std::string>(&v)) n += text->size();
  }
  return n;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Percentiles are whole seconds (nearestRank of a histogram of seconds):
// stored as integers, they read back to the very same hours.
Value seconds(const std::optional<double>& hours) {
  return hours ? Value(static_cast<std::int64_t>(std::llround(*hours * 3600.0))) : Value(nullptr);
}

std::vector<Value> sellerValues(const SellerResult& s) {
  std::vector<Value> v = {s.sellerId,
                          s.name,
                          s.country,
                          std::string(toString(s.badge)),
                          nullable(s.score),
                          s.badgeReason,
                          s.responseTime.answered,
                          seconds(s.responseTime.p50Hours),
                          seconds(s.responseTime.p90Hours)};
  for (std::int64_t count : s.counts) v.emplace_back(count);
  v.push_back(nullableTime(s.dueAt));
  return v;
}

const std::vector<std::string> kDefectDayColumns = {"seller_id", "day", "defects"};

std::vector<Value> defectDayValues(const std::pair<const SellerResult*, std::int64_t>& day) {
  const auto& [seller, number] = day;
  return {seller->sellerId, number, source::formatDefectList(seller->defects.day(number))};
}

std::vector<Value> productValues(const ProductResult& p) {
  const ProductLadder& l = p.ladder;
  return {l.productId,
          l.sellerId,
          std::string(toString(l.step)),
          std::int64_t{l.countedClaims},
          nullableTime(l.firstClaimAt),
          nullableTime(l.secondClaimAt),
          nullableTime(l.delistUntil),
          std::int64_t{l.delistActive ? 1 : 0},
          p.claimsInWindow};
}

std::vector<Value> claimValues(const AuthenticityClaim& c) {
  return {c.ticketId, c.productId, c.sellerId, formatUtc(c.openedAt),
          std::string(toString(c.status))};
}

const std::vector<std::string> kBadgeChangeColumns = {"seller_id", "from_badge", "to_badge",
                                                      "score",     "changed_at", "reason"};
const std::vector<std::string> kWarningColumns = {
    "id",     "code",          "severity",  "seller_id",  "product_id", "action",
    "detail", "evidence_json", "raised_at", "updated_at", "cleared_at"};

std::vector<Value> badgeChangeValues(const BadgeChange& b) {
  return {b.sellerId,
          b.from ? Value(std::string(toString(*b.from))) : Value(nullptr),
          std::string(toString(b.to)),
          nullable(b.score),
          formatUtc(b.at),
          b.reason};
}

std::vector<Value> warningValues(const Warning& w) {
  const Firing& f = w.firing;
  return {w.id,
          f.code.str(),
          std::string(toString(f.severity)),
          f.sellerId,
          f.productId ? Value(*f.productId) : Value(nullptr),
          f.action.str(),
          f.detail.str(),
          evidenceJson(f.evidence),
          formatUtc(w.raisedAt),
          formatUtc(w.updatedAt),
          nullableTime(w.clearedAt)};
}

template <typename T>
const T& deref(const T& item) {
  return item;
}
template <typename T>
const T& deref(const T* item) {
  return *item;
}

// `verb` ("INSERT" or "REPLACE") INTO `table` every item (or pointed-to
// item), at most kRowsPerStatement rows and about kTextBytesPerStatement of
// text at a time.
template <typename T, typename ValuesOf>
void writeAll(const char* verb, const char* table, const std::vector<T>& items,
              const std::vector<std::string>& columns, ValuesOf valuesOf, const Execute& execute) {
  const std::string row = "(" + join(std::vector<std::string>(columns.size(), "?")) + ")";
  const std::string insert =
      std::string(verb) + " INTO " + table + " (" + join(columns) + ") VALUES ";
  std::string sql;
  std::vector<Value> values;
  std::size_t rows = 0;
  std::size_t bytes = 0;
  const auto flush = [&] {
    if (rows == 0) return;
    execute(std::string("writing ") + table, sql, values);
    sql.clear();
    values.clear();
    rows = 0;
    bytes = 0;
  };
  for (const T& item : items) {
    std::vector<Value> own = valuesOf(deref(item));
    const std::size_t size = textBytes(own);
    if (rows == kRowsPerStatement || (rows > 0 && bytes + size > kTextBytesPerStatement)) flush();
    sql += (rows == 0 ? insert : ", ") + row;
    for (Value& v : own) values.push_back(std::move(v));
    ++rows;
    bytes += size;
  }
  flush();
}

void deleteAll(const char* table, const char* key, const std::vector<std::int64_t>& keys,
               const Execute& execute) {
  for (std::size_t first = 0; first < keys.size(); first += kRowsPerStatement) {
    const std::size_t last = std::min(keys.size(), first + kRowsPerStatement);
    std::string sql = std::string("DELETE FROM ") + table + " WHERE " + key + " IN (";
    std::vector<Value> values;
    for (std::size_t i = first; i < last; ++i) {
      sql += (i == first ? "?" : ", ?");
      values.emplace_back(keys[i]);
    }
    execute(std::string("deleting from ") + table, sql + ")", values);
  }
}

// Deletes the (seller, day) rows of seller_defects, a few hundred a
// statement: each pair a lookup of the primary key (an OR chain, which
// both engines run as one range per pair and SQLite parses within its
// expression depth of 1000).
void deleteDays(const std::vector<std::pair<std::int64_t, std::int64_t>>& days,
                const Execute& execute) {
  constexpr std::size_t kPairsPerStatement = 200;
  for (std::size_t first = 0; first < days.size(); first += kPairsPerStatement) {
    const std::size_t last = std::min(days.size(), first + kPairsPerStatement);
    std::string sql = "DELETE FROM seller_defects WHERE ";
    std::vector<Value> values;
    for (std::size_t i = first; i < last; ++i) {
      sql += (i == first ? "" : " OR ") + std::string("(seller_id = ? AND day = ?)");
      values.emplace_back(days[i].first);
      values.emplace_back(days[i].second);
    }
    execute("deleting from seller_defects", sql, values);
  }
}

}  // namespace

Value nullable(const std::optional<double>& value) {
  return value ? Value(*value) : Value(nullptr);
}

Value nullableTime(const std::optional<Timestamp>& t) {
  return t ? Value(formatUtc(*t)) : Value(nullptr);
}

const std::vector<std::string>& sellerColumns() {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> c = {"seller_id",    "name",     "country",     "badge",      "score",
                                  "badge_reason", "answered", "p50_seconds", "p90_seconds"};
    for (std::size_t i = 0; i < kTallyCount; ++i) {
      c.emplace_back(tallyName(static_cast<TallyId>(i)));
    }
    c.emplace_back("due_at");
    return c;
  }();
  return kColumns;
}

const std::vector<std::string>& productColumns() {
  static const std::vector<std::string> kColumns = {
      "product_id",      "seller_id",    "step",          "counted_claims",  "first_claim_at",
      "second_claim_at", "delist_until", "delist_active", "claims_in_window"};
  return kColumns;
}

const std::vector<std::string>& claimColumns() {
  static const std::vector<std::string> kColumns = {"ticket_id", "product_id", "seller_id",
                                                    "opened_at", "status"};
  return kColumns;
}

std::string selectDefectDays() {
  return "SELECT seller_id, day, defects FROM seller_defects ORDER BY seller_id, day";
}

std::string selectSellers() { return "SELECT " + join(sellerColumns()) + " FROM seller_results"; }
std::string selectProducts() {
  return "SELECT " + join(productColumns()) + " FROM product_results";
}
std::string selectClaims() { return "SELECT " + join(claimColumns()) + " FROM ladder_claims"; }

void writeRunRows(const RunRecord& run, const Execute& execute) {
  writeAll("REPLACE", "seller_results", run.sellersChanged, sellerColumns(), sellerValues, execute);
  deleteAll("seller_results", "seller_id", run.sellersRemoved, execute);
  writeAll("REPLACE", "seller_defects", run.defectDaysChanged, kDefectDayColumns, defectDayValues,
           execute);
  deleteAll("seller_defects", "seller_id", run.sellersRemoved, execute);
  deleteDays(run.defectDaysRemoved, execute);
  writeAll("REPLACE", "product_results", run.productsChanged, productColumns(), productValues,
           execute);
  deleteAll("product_results", "product_id", run.productsRemoved, execute);
  writeAll("REPLACE", "ladder_claims", run.claimsChanged, claimColumns(), claimValues, execute);
  deleteAll("ladder_claims", "ticket_id", run.claimsRemoved, execute);
  writeAll("INSERT", "badge_changes", run.badgeChanges, kBadgeChangeColumns, badgeChangeValues,
           execute);
  // Raised warnings are new rows (a duplicate id is a bug and fails the
  // run); updated and cleared ones are rewritten whole.
  writeAll("INSERT", "warnings", run.warningsRaised, kWarningColumns, warningValues, execute);
  writeAll("REPLACE", "warnings", run.warningsUpdated, kWarningColumns, warningValues, execute);
  writeAll("REPLACE", "warnings", run.warningsCleared, kWarningColumns, warningValues, execute);
}

std::string describeSchemaVersion(int found, int latest) {
  return "schema version " + std::to_string(found) +
         (found < latest ? ", migrated to " + std::to_string(latest) + " at the next start" : "");
}

}  // namespace sellertrust::results_sql
