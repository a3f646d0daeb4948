// The statements that every results backend runs verbatim: standard SQL
// with `?` placeholders over the tables of the results schema (SPEC §6).
// Backend-specific statements (upserts, schema) stay beside their backend.
#pragma once

namespace sellertrust::results_sql {

inline constexpr const char* kInsertSeller =
    "INSERT INTO seller_results (seller_id, badge, score, computed_at, rules_version, report_json) "
    "VALUES (?, ?, ?, ?, ?, ?)";
inline constexpr const char* kInsertProduct =
    "INSERT INTO product_results (product_id, seller_id, report_json) VALUES (?, ?, ?)";
inline constexpr const char* kInsertBadgeChange =
    "INSERT INTO badge_changes (seller_id, from_badge, to_badge, score, changed_at, reason) "
    "VALUES (?, ?, ?, ?, ?, ?)";
inline constexpr const char* kInsertWarning =
    "INSERT INTO warnings (id, code, severity, seller_id, product_id, action, detail, "
    "evidence_json, raised_at, updated_at, cleared_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)";
inline constexpr const char* kUpdateActiveWarning =
    "UPDATE warnings SET detail = ?, evidence_json = ?, updated_at = ? WHERE id = ?";
inline constexpr const char* kClearWarning = "UPDATE warnings SET cleared_at = ? WHERE id = ?";

// Schema version bookkeeping (the version table itself is per backend).
inline constexpr const char* kSelectSchemaVersion =
    "SELECT COALESCE(MAX(version), 0) FROM schema_version";
inline constexpr const char* kInsertSchemaVersion =
    "INSERT INTO schema_version (version) VALUES (?)";

// Reading a snapshot back and pruning history.
inline constexpr const char* kPruneHistory = "DELETE FROM seller_history WHERE day < ?";
inline constexpr const char* kSelectRunMeta =
    "SELECT computed_at, rules_version, marketplace_odr FROM run_meta WHERE id = 1";
inline constexpr const char* kSelectSellers =
    "SELECT seller_id, badge, score, report_json FROM seller_results";
inline constexpr const char* kSelectProducts =
    "SELECT product_id, seller_id, report_json FROM product_results";
inline constexpr const char* kSelectActiveWarnings =
    "SELECT id, code, severity, seller_id, product_id, action, detail, evidence_json, raised_at, "
    "updated_at FROM warnings WHERE cleared_at IS NULL ORDER BY id";

}  // namespace sellertrust::results_sql
