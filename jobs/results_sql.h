// What every results backend shares: the statements it runs verbatim
// (standard SQL with `?` placeholders over the tables of the results schema,
// SPEC §6), the columns of the result rows with their conversion to and from
// bound values, and the write of a run's changes in multi-row statements.
// Backend-specific statements (schema, run_meta, history upserts) stay
// beside their backend. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "jobs/result_codec.h"
#include "jobs/result_store.h"
#include "jobs/source/definition.h"
#include "jobs/source/source.h"

namespace sellertrust::results_sql {

// A value bound to one `?`.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
// Runs one statement with `values` bound in order; `what` names it in errors.
using Execute =
    std::function<void(const std::string& what, const std::string& sql, const std::vector<Value>&)>;

// A nullable number, or time, as a bound value.
Value nullable(const std::optional<double>& value);
Value nullableTime(const std::optional<Timestamp>& t);

// Writes the rows of `run` (everything but run_meta) through `execute`, in
// multi-row REPLACE and DELETE statements of bounded size. The caller owns
// the transaction.
void writeRunRows(const RunRecord& run, const Execute& execute);

// The columns of seller_results, product_results and ladder_claims, in the
// order sellerValues() etc. return and the *Select statements read them.
const std::vector<std::string>& sellerColumns();
const std::vector<std::string>& productColumns();
const std::vector<std::string>& claimColumns();
std::string selectSellers();
std::string selectProducts();
std::string selectClaims();
// seller_id, day, defects: every seller's defect rows, a day a row, in
// order of seller and day.
std::string selectDefectDays();

// Builds a result from one row of the select above. `Row` has isNull(i),
// getInt64(i) and getString(i) with columns numbered from 1.
template <typename Row>
SellerResult sellerFromRow(const Row& row);
// Every seller's defect rows, from the rows of selectDefectDays() (`Rows`
// has next() and the row's getters).
template <typename Rows>
std::unordered_map<std::int64_t, DefectList> readDefectDays(Rows& rows);
// Adds every seller of the rows of selectSellers() to `sellers`, each
// with its defect rows, taken from `defects` (readDefectDays).
template <typename Rows>
void readSellers(Rows& rows, std::unordered_map<std::int64_t, DefectList>* defects,
                 SharedTable<SharedSeller>* sellers);
template <typename Row>
ProductResult productFromRow(const Row& row);
template <typename Row>
AuthenticityClaim claimFromRow(const Row& row);
// Schema version bookkeeping (the version table itself is per backend).
inline constexpr const char* kSelectSchemaVersion =
    "SELECT COALESCE(MAX(version), 0) FROM schema_version";
inline constexpr const char* kInsertSchemaVersion =
    "INSERT INTO schema_version (version) VALUES (?)";
// What --check-config says of a results schema at version `found` when this
// build writes `latest` (found <= latest): "schema version 2, migrated to 4
// at the next start".
std::string describeSchemaVersion(int found, int latest);

// Reading a snapshot back and pruning history.
inline constexpr const char* kPruneHistory = "DELETE FROM seller_history WHERE day < ?";
inline constexpr const char* kSelectRunMeta =
    "SELECT computed_at, rules_version, marketplace_odr, source_watermark, full_run_at "
    "FROM run_meta WHERE id = 1";
inline constexpr const char* kSelectActiveWarnings =
    "SELECT id, code, severity, seller_id, product_id, action, detail, evidence_json, raised_at, "
    "updated_at FROM warnings WHERE cleared_at IS NULL ORDER BY id";

// Implementation of the row templates.

// A nullable number of a row (as the row templates read them).
template <typename Row>
std::optional<double> optionalDouble(const Row& row, unsigned column) {
  if (row.isNull(column)) return std::nullopt;
  return std::stod(row.getString(column));
}

template <typename Row>
std::optional<double> optionalHours(const Row& row, unsigned column) {
  if (row.isNull(column)) return std::nullopt;
  return static_cast<double>(row.getInt64(column)) / 3600.0;
}

template <typename Row>
std::optional<Timestamp> optionalTime(const Row& row, unsigned column, const std::string& where) {
  if (row.isNull(column)) return std::nullopt;
  return storedTime(row.getString(column), where);
}

template <typename Row>
SellerResult sellerFromRow(const Row& row) {
  SellerResult s;
  s.sellerId = row.getInt64(1);
  const std::string where = "seller_results " + std::to_string(s.sellerId);
  s.name = row.getString(2);
  s.country = row.getString(3);
  s.badge = storedBadge(row.getString(4), where);
  s.score = optionalDouble(row, 5);
  s.badgeReason = row.getString(6);
  s.responseTime.answered = row.getInt64(7);
  s.responseTime.p50Hours = optionalHours(row, 8);
  s.responseTime.p90Hours = optionalHours(row, 9);
  for (std::size_t i = 0; i < kTallyCount; ++i) {
    s.counts[i] = row.getInt64(static_cast<unsigned>(10 + i));
  }
  s.dueAt = optionalTime(row, static_cast<unsigned>(10 + kTallyCount), where);
  return s;
}

template <typename Rows>
std::unordered_map<std::int64_t, DefectList> readDefectDays(Rows& rows) {
  std::unordered_map<std::int64_t, DefectList> out;
  std::int64_t seller = 0;
  std::vector<DefectList> days;
  const auto finish = [&] {
    if (!days.empty()) out.emplace(seller, DefectList::joined(days));
    days.clear();
  };
  while (rows.next()) {
    const std::int64_t id = rows.getInt64(1);
    const std::int64_t day = rows.getInt64(2);
    const auto fail = [&](const std::string& why) {
      return SourceError("results database, seller_defects of seller " + std::to_string(id) +
                         ", day " + std::to_string(day) + ": " + why);
    };
    if (id != seller) {
      finish();
    } else if (!days.empty() && day <= days.back().days().back()) {
      // A day that is no whole number (SQLite keeps any type) reads back as
      // one that sorts out of place.
      throw fail("not after the seller's day before (is it a whole number?)");
    }
    seller = id;
    try {
      days.push_back(source::parseDefectList(rows.getString(3)));
    } catch (const std::invalid_argument& e) {
      throw fail(e.what());
    }
    if (days.back().days() != std::vector<std::int64_t>{day}) {
      throw fail("it holds rows of orders of another day");
    }
  }
  finish();
  return out;
}

template <typename Rows>
void readSellers(Rows& rows, std::unordered_map<std::int64_t, DefectList>* defects,
                 SharedTable<SharedSeller>* sellers) {
  while (rows.next()) {
    SellerResult s = sellerFromRow(rows);
    if (auto list = defects->find(s.sellerId); list != defects->end()) {
      s.defects = std::move(list->second);
    }
    const std::int64_t id = s.sellerId;
    sellers->emplace(id, std::make_shared<const SellerResult>(std::move(s)));
  }
}

template <typename Row>
ProductResult productFromRow(const Row& row) {
  ProductResult p;
  ProductLadder& l = p.ladder;
  l.productId = row.getInt64(1);
  const std::string where = "product_results " + std::to_string(l.productId);
  l.sellerId = row.getInt64(2);
  l.step = storedLadderStep(row.getString(3), where);
  l.countedClaims = static_cast<int>(row.getInt64(4));
  l.firstClaimAt = optionalTime(row, 5, where);
  l.secondClaimAt = optionalTime(row, 6, where);
  l.delistUntil = optionalTime(row, 7, where);
  l.delistActive = row.getInt64(8) != 0;
  p.claimsInWindow = row.getInt64(9);
  return p;
}

template <typename Row>
AuthenticityClaim claimFromRow(const Row& row) {
  AuthenticityClaim c;
  c.ticketId = row.getInt64(1);
  const std::string where = "ladder_claims " + std::to_string(c.ticketId);
  c.productId = row.getInt64(2);
  c.sellerId = row.getInt64(3);
  c.openedAt = storedTime(row.getString(4), where);
  c.status = storedTicketStatus(row.getString(5), where);
  return c;
}

}  // namespace sellertrust::results_sql
