// JSON renderings of results, at the edge: the API renders a stored result
// when it is asked for, recomputing the metrics, intervals and explanation
// from the result's tallies with the snapshot's rules. Field names are the
// API contract. Pure; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobs/snapshot.h"
#include "jobs/source/source.h"
#include "sellertrust/seller.h"
#include "sellertrust/warnings.h"

namespace sellertrust {

// {"id","code","severity","seller_id","product_id"(null),"action","detail",
//  "evidence":{name:number...},"raised_at","updated_at"} with RFC 3339 times.
std::string renderWarning(const Warning& warning);

// The full seller report (GET /v1/sellers/{id}):
// {"seller_id","name","country","computed_at","rules_version",
//  "window":{"from","to","days"},"orders","score"(null),"badge","badge_reason",
//  "no_score_reason"(only when score is null),
//  "metrics":{<metric>:{"value"(null),"numerator","denominator",
//             "wilson":{"lower","upper"}(rates only),"target","judged"(null),
//             "recommendation":{"fewer"(null),"more"(null),"points_lost",
//               "oldest_leaves_window_at"(null),"text"} (ToTarget, score.h;
//               null when the metric loses no points)},
//             ..., "response_time_hours":{"answered","p50"(null),"p90"(null)}},
//  "explanation":[{"metric","value","judged","target","points_lost"}...]
//                 (largest loss first; empty when there is no score),
//  "warnings":[renderWarning...]}
// `defects` (SellerResult::defects) date each metric's oldest counted row.
std::string renderSellerReport(const SellerInfo& seller, const SellerEvaluation& evaluation,
                               const std::vector<Warning>& activeWarnings, Timestamp computedAt,
                               const std::string& rulesVersion, const Rules& rules,
                               const std::vector<Defect>& defects = {});

// The product report (GET /v1/products/{id}):
// {"product_id","seller_id","computed_at","rules_version","claims_in_window",
//  "ladder":{"step","counted_claims","first_claim_at","second_claim_at",
//            "delist_until","delist_active"},
//  "recommended_action":"remove_product"|"delist_product"|"review_product"|"none",
//  "authenticity_claims":[{"ticket_id","opened_at","status","counted"}...],
//  "warnings":[renderWarning...]}
std::string renderProductReport(const ProductLadder& ladder,
                                const std::vector<AuthenticityClaim>& authenticityClaims,
                                std::int64_t claimsInWindow,
                                const std::vector<Warning>& activeWarnings, Timestamp computedAt,
                                const std::string& rulesVersion);

// The reports of a stored seller or product result of `snapshot`.
std::string renderSellerReport(const SellerResult& result, const Snapshot& snapshot);
std::string renderProductReport(const ProductResult& product, const Snapshot& snapshot);

// The rows behind a seller's metrics (GET /v1/sellers/{id}/defects).
// Without a metric, a summary:
// {"seller_id","computed_at","window":{"from","to","days"},
//  "metrics":[{"metric","counts","defects"}...] (every rate, SPEC order),
//  "products":[{"product_id","claims_in_window"}...] (most claims first)}.
// With one, a page of what it counts against the seller, ascending id:
// {"seller_id","metric","counts":"orders"|"tickets"|"return_requests",
//  "total","computed_at","window":{...},
//  "defects":[{"id","order_id","ordered_at",
//              "reasons":[{"reason","table","row_id",<value name>:<value>}...]}...],
//  "next_after"(null on the last page)}: up to `limit` ids after `after`.
std::string renderDefectSummary(const SellerResult& seller, const Snapshot& snapshot);
std::string renderDefectPage(const SellerResult& seller, const Snapshot& snapshot, MetricId metric,
                             std::size_t limit, std::int64_t after);

// Escapes a string as a JSON string literal, quotes included.
std::string jsonString(const std::string& text);

// A time as an RFC 3339 string in UTC ("2026-03-01T12:00:00Z"), or null.
std::string jsonTime(std::optional<Timestamp> t);

// true or false.
const char* jsonBool(bool b);

// A JSON number in its shortest form that reads back to the same double;
// null if the value is not finite (JSON has no NaN or infinity).
std::string jsonNumber(double value);

// A score as the API reports it: one decimal, or null when there is none.
std::string jsonScore(std::optional<double> score);

}  // namespace sellertrust
