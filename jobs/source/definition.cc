// The SPEC §1 tables and the SPEC §2 tallies, as data. Conditions are SQL
// that SQLite and MySQL/MariaDB read alike; {name} is a run parameter,
// {secs:a,b} the seconds from time a to time b, {is:column,name} an exact
// comparison and {passed:time,limit} "more than the limit (a parameter, in
// seconds) has passed since time" at the run's now, the one way a condition
// may depend on the clock (see queries.cc).
#include "jobs/source/definition.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <tuple>

#include "sellertrust/records.h"

namespace sellertrust::source {
namespace {

// The conditions that more than one tally reads.
const std::string kNotCancelled = "o.cancelled_at IS NULL";
const std::string kSellerFulfilled = "o.fulfilled_by = 'seller'";
const std::string kClaim = "c.kind NOT IN ('question', 'other')";
const std::string kDefectClaim =
    kClaim + " AND c.status NOT IN ('withdrawn', 'refused', 'granted_operator_funded')";
const std::string kShipByCounted =
    kSellerFulfilled + " AND " + kNotCancelled + " AND o.ship_by_at IS NOT NULL";
const std::string kPromiseCounted =
    kSellerFulfilled + " AND " + kNotCancelled + " AND o.promised_at IS NOT NULL";
const std::string kSellerShipped = kSellerFulfilled + " AND o.shipped_at IS NOT NULL";

ColumnDef key(const char* name) { return {name, ColumnType::kKey, true, {}, true}; }
// A column the run never reads (descriptive, or for readers of changes).
ColumnDef unread(const char* name, ColumnType type) { return {name, type, false, {}, false}; }
ColumnDef required(const char* name, ColumnType type) { return {name, type, true, {}, true}; }
ColumnDef optional(const char* name, ColumnType type) { return {name, type, false, {}, true}; }
ColumnDef oneOf(const char* name, bool isRequired, std::vector<std::string> names) {
  return {name, ColumnType::kEnum, isRequired, std::move(names), true};
}

RowCheck before(const std::string& alias, const char* column, const char* reference) {
  RowCheck check;
  check.condition = alias + "." + column + " < " + alias + "." + reference;
  check.problem = std::string(column) + " is before " + reference;
  return check;
}

RowCheck condition(std::string when, std::string problem) {
  RowCheck check;
  check.condition = std::move(when);
  check.problem = std::move(problem);
  return check;
}

// A column's own checks, from its type.
void addColumnChecks(const ColumnDef& column, std::vector<RowCheck>* checks) {
  const std::string& name = column.name;
  auto add = [&](CheckKind kind, std::string problem, bool showsValue) {
    RowCheck check;
    check.kind = kind;
    check.column = name;
    check.problem = std::move(problem);
    check.showsValue = showsValue;
    if (kind == CheckKind::kUnknownName) check.names = column.names;
    checks->push_back(std::move(check));
  };
  switch (column.type) {
    case ColumnType::kKey:
    case ColumnType::kText:
    case ColumnType::kAmount:
      return;
    default:
      break;
  }
  if (column.required) add(CheckKind::kNull, name + " is NULL", false);
  switch (column.type) {
    case ColumnType::kId:
      add(CheckKind::kNotInteger, name + " is not an integer:", true);
      add(CheckKind::kNotPositive, name + " is not a positive id:", true);
      break;
    case ColumnType::kInt:
      add(CheckKind::kNotInteger, name + " is not an integer:", true);
      break;
    case ColumnType::kBool:
      add(CheckKind::kNotBool, name + " is not 0 or 1:", true);
      break;
    case ColumnType::kTime:
      add(CheckKind::kBadTime, name + " is not a valid time:", true);
      add(CheckKind::kFuture, name + " is in the future:", true);
      break;
    case ColumnType::kDeadline:
      add(CheckKind::kBadTime, name + " is not a valid time:", true);
      break;
    case ColumnType::kEnum:
      add(CheckKind::kUnknownName, "unknown " + name, true);
      break;
    default:
      break;
  }
}

// The checks of the columns the run reads, in column order, then the
// impossible combinations.
TableDef makeTable(const char* name, const char* keyColumn, bool afterSales,
                   std::vector<ColumnDef> columns, std::vector<RowCheck> conditions) {
  TableDef t;
  t.name = name;
  t.key = keyColumn;
  t.afterSales = afterSales;
  t.columns = std::move(columns);
  for (const ColumnDef& column : t.columns) {
    if (column.read) addColumnChecks(column, &t.checks);
  }
  for (RowCheck& check : conditions) t.checks.push_back(std::move(check));
  if (afterSales) {
    // The row counts for its order's seller, and a full read deals the
    // rows out to its sessions by their own seller_id (see
    // buildRunQueries): they must be one. The ladder counts a claim for
    // the ticket's own seller too.
    t.checks.push_back(
        condition("c.seller_id <> o.seller_id", "seller_id is not its order's seller"));
    RowCheck orphan;
    orphan.kind = CheckKind::kNoOrder;
    orphan.column = "order_id";
    orphan.problem = "order_id names no order:";
    orphan.showsValue = true;
    t.checks.push_back(std::move(orphan));
  }
  return t;
}

std::vector<TableDef> makeTables() {
  using T = ColumnType;
  std::vector<TableDef> out;
  out.push_back(makeTable("sellers", "seller_id", false,
                          {key("seller_id"), unread("name", T::kText), unread("country", T::kText),
                           unread("created_at", T::kTime), unread("updated_at", T::kTime)},
                          {}));
  out.push_back(makeTable(
      "orders", "order_id", false,
      {key("order_id"), required("seller_id", T::kId), required("product_id", T::kId),
       required("ordered_at", T::kTime), optional("ship_by_at", T::kDeadline),
       optional("shipped_at", T::kTime), optional("promised_at", T::kDeadline),
       optional("delivered_at", T::kTime), optional("cancelled_at", T::kTime),
       oneOf("cancelled_by", false, {"seller", "buyer", "operator"}),
       optional("tracking_valid", T::kBool), oneOf("fulfilled_by", true, {"seller", "operator"}),
       unread("amount", T::kAmount), unread("currency", T::kText), unread("updated_at", T::kTime)},
      {before("o", "shipped_at", "ordered_at"), before("o", "delivered_at", "ordered_at"),
       before("o", "cancelled_at", "ordered_at"), before("o", "ship_by_at", "ordered_at"),
       before("o", "promised_at", "ordered_at"), before("o", "delivered_at", "shipped_at"),
       condition("o.cancelled_by IS NOT NULL AND o.cancelled_at IS NULL",
                 "cancelled_by is set but cancelled_at is NULL"),
       condition("o.cancelled_at IS NOT NULL AND o.cancelled_by IS NULL",
                 "cancelled_at is set but cancelled_by is NULL")}));
  out.push_back(
      makeTable("tickets", "ticket_id", true,
                {key("ticket_id"), unread("order_id", T::kId), required("seller_id", T::kId),
                 optional("product_id", T::kId),
                 oneOf("kind", true,
                       {"not_received", "late_delivery", "damaged", "defective", "not_as_described",
                        "wrong_item", "authenticity", "question", "other"}),
                 oneOf("status", true, ticketStatusNames()), required("opened_at", T::kTime),
                 optional("first_seller_response_at", T::kTime), optional("escalated_at", T::kTime),
                 optional("closed_at", T::kTime), unread("updated_at", T::kTime)},
                {before("c", "first_seller_response_at", "opened_at"),
                 before("c", "escalated_at", "opened_at"), before("c", "closed_at", "opened_at")}));
  out.push_back(makeTable(
      "refunds", "refund_id", true,
      {key("refund_id"), unread("order_id", T::kId), required("seller_id", T::kId),
       optional("ticket_id", T::kInt), required("created_at", T::kTime),
       unread("amount", T::kAmount),
       oneOf("method", true, {"original_payment", "bank_transfer", "store_credit", "promo_code"}),
       oneOf("kind", true, {"full", "partial"}),
       oneOf("reason", true,
             {"non_conforming", "defective", "late_delivery", "not_received", "price_match",
              "return", "goodwill", "other"}),
       unread("updated_at", T::kTime)},
      {}));
  out.push_back(makeTable("return_requests", "return_id", true,
                          {key("return_id"), unread("order_id", T::kId),
                           required("seller_id", T::kId), required("requested_at", T::kTime),
                           optional("received_at", T::kTime), optional("resolved_at", T::kTime),
                           oneOf("resolution", false, {"refund", "replacement", "rejected"}),
                           unread("updated_at", T::kTime)},
                          {before("c", "resolved_at", "requested_at"),
                           condition("(c.resolved_at IS NULL) <> (c.resolution IS NULL)",
                                     "resolved_at and resolution must be both NULL or both set")}));
  out.push_back(
      makeTable("ratings", "rating_id", true,
                {key("rating_id"), unread("order_id", T::kId), required("seller_id", T::kId),
                 unread("product_id", T::kId), required("stars", T::kInt),
                 required("created_at", T::kTime), unread("updated_at", T::kTime)},
                {condition("c.stars NOT BETWEEN 1 AND 5", "stars is outside 1-5")}));
  out.push_back(
      makeTable("chargebacks", "chargeback_id", true,
                {key("chargeback_id"), unread("order_id", T::kId), required("seller_id", T::kId),
                 required("created_at", T::kTime), oneOf("liability", true, {"service", "fraud"}),
                 unread("updated_at", T::kTime)},
                {}));
  return out;
}

std::vector<TallyDef> makeTallies() {
  using A = Aggregate;
  using I = TallyId;
  return {
      {I::kOrders, "orders", A::kCountRows, "", ""},
      {I::kDefectOrders, "ratings", A::kCountOrders, "c.stars <= 2", ""},
      {I::kDefectOrders, "tickets", A::kCountOrders, kDefectClaim, ""},
      {I::kDefectOrders, "chargebacks", A::kCountOrders, "c.liability = 'service'", ""},
      {I::kSellerCancelledOrders, "orders", A::kCountRows, "o.cancelled_by = 'seller'", ""},
      {I::kOpenOrders, "orders", A::kCountRows, kNotCancelled, ""},
      {I::kClaimedOrders, "tickets", A::kCountOrders, kNotCancelled + " AND " + kClaim, ""},
      {I::kShipByOrders, "orders", A::kCountRows, kShipByCounted, ""},
      {I::kLateShipments, "orders", A::kCountRows,
       kShipByCounted +
           " AND (o.shipped_at > o.ship_by_at OR (o.shipped_at IS NULL AND {passed:o.ship_by_at}))",
       ""},
      {I::kPromisedOrders, "orders", A::kCountRows, kPromiseCounted, ""},
      {I::kLateDeliveries, "orders", A::kCountRows,
       kPromiseCounted + " AND (o.delivered_at > o.promised_at OR (o.delivered_at IS NULL AND "
                         "{passed:o.promised_at,grace}))",
       ""},
      {I::kSellerShippedOrders, "orders", A::kCountRows, kSellerShipped, ""},
      {I::kValidTrackingOrders, "orders", A::kCountRows,
       kSellerShipped + " AND o.tracking_valid = 1", ""},
      {I::kTickets, "tickets", A::kCountRows, "", ""},
      {I::kResponseDueTickets, "tickets", A::kCountRows,
       "c.first_seller_response_at IS NOT NULL OR {passed:c.opened_at,response_limit}", ""},
      {I::kRespondedInTimeTickets, "tickets", A::kCountRows,
       "{secs:c.opened_at,c.first_seller_response_at} <= {response_limit}", ""},
      {I::kEscalatedTickets, "tickets", A::kCountRows, "c.escalated_at IS NOT NULL", ""},
      {I::kDeliveredOrders, "orders", A::kCountRows, "o.delivered_at IS NOT NULL", ""},
      {I::kSpontaneousRefundOrders, "refunds", A::kCountOrders,
       "o.delivered_at IS NOT NULL AND c.ticket_id IS NULL AND "
       "{secs:o.delivered_at,c.created_at} <= {refund_limit}",
       ""},
      {I::kReturnsDue, "return_requests", A::kCountRows,
       "c.resolved_at IS NOT NULL OR {passed:c.requested_at,return_limit}", ""},
      {I::kReturnsResolvedInTime, "return_requests", A::kCountRows,
       "c.resolution <> 'rejected' AND {secs:c.requested_at,c.resolved_at} <= {return_limit}", ""},
      {I::kRatings, "ratings", A::kCountRows, "", ""},
      {I::kStarSum, "ratings", A::kSum, "", "c.stars"},
  };
}

DefectReasonDef reason(MetricId metric, const char* table, const char* name, const char* when,
                       const char* valueName = "", std::string value = "",
                       bool valueIsTime = false) {
  return {metric, table, name, when, valueName, std::move(value), valueIsTime};
}

std::vector<DefectReasonDef> makeDefectReasons() {
  using M = MetricId;
  const bool kTime = true;
  return {
      reason(M::kOrderDefectRate, "ratings", "low_rating", "", "stars", "c.stars"),
      reason(M::kOrderDefectRate, "tickets", "defect_claim", "", "product_id", claimProduct()),
      reason(M::kOrderDefectRate, "chargebacks", "service_chargeback", ""),
      reason(M::kClaimRate, "tickets", "claim", "", "product_id", claimProduct()),
      reason(M::kLateShipmentRate, "orders", "shipped_late", "o.shipped_at IS NOT NULL",
             "seconds_late", "{secs:o.ship_by_at,o.shipped_at}"),
      reason(M::kLateShipmentRate, "orders", "unshipped", "", "ship_by_at", "{epoch:o.ship_by_at}",
             kTime),
      reason(M::kLateDeliveryRate, "orders", "delivered_late", "o.delivered_at IS NOT NULL",
             "seconds_late", "{secs:o.promised_at,o.delivered_at}"),
      reason(M::kLateDeliveryRate, "orders", "undelivered", "", "promised_at",
             "{epoch:o.promised_at}", kTime),
      reason(M::kSellerCancelRate, "orders", "seller_cancelled", "", "cancelled_at",
             "{epoch:o.cancelled_at}", kTime),
      reason(M::kValidTrackingRate, "orders", "tracking_invalid", "o.tracking_valid = 0"),
      reason(M::kValidTrackingRate, "orders", "tracking_missing", ""),
      reason(M::kResponseWithin48hRate, "tickets", "answered_late",
             "c.first_seller_response_at IS NOT NULL", "response_seconds",
             "{secs:c.opened_at,c.first_seller_response_at}"),
      reason(M::kResponseWithin48hRate, "tickets", "unanswered", "", "opened_at",
             "{epoch:c.opened_at}", kTime),
      reason(M::kEscalationRate, "tickets", "escalated", "", "escalated_at",
             "{epoch:c.escalated_at}", kTime),
      reason(M::kSpontaneousRefundRate, "refunds", "spontaneous_refund", "",
             "seconds_after_delivery", "{secs:o.delivered_at,c.created_at}"),
      reason(M::kReturnResolved15dRate, "return_requests", "return_rejected",
             "c.resolution = 'rejected'"),
      reason(M::kReturnResolved15dRate, "return_requests", "resolved_late",
             "c.resolved_at IS NOT NULL", "resolve_seconds", "{secs:c.requested_at,c.resolved_at}"),
      reason(M::kReturnResolved15dRate, "return_requests", "unresolved", "", "requested_at",
             "{epoch:c.requested_at}", kTime),
  };
}

// The part of tally `id` on `table`, or nullptr.
const TallyDef* tallyPart(TallyId id, const std::string& table) {
  for (const TallyDef& t : tallies()) {
    if (t.id == id && t.table == table) return &t;
  }
  return nullptr;
}

std::string whereOf(const TallyDef& t) { return t.where.empty() ? "1 = 1" : "(" + t.where + ")"; }

// The tally whose rows are a metric's defect rows, or the superset of them.
TallyId defectTally(MetricId metric) {
  const MetricTallies m = metricTallies(metric);
  return higherIsBetter(metric) ? m.denominator : m.numerator;
}

}  // namespace

const std::vector<TableDef>& tables() {
  static const std::vector<TableDef> kTables = makeTables();
  return kTables;
}

const TableDef& table(const std::string& name) {
  for (const TableDef& t : tables()) {
    if (t.name == name) return t;
  }
  throw std::logic_error("no source table " + name);
}

std::string IndexDef::name() const {
  std::string out = table;
  for (const std::string& column : columns) out += "_" + column;
  return out;
}

const std::vector<IndexDef>& indexes() {
  static const std::vector<IndexDef> kIndexes = [] {
    std::vector<IndexDef> out = {
        {"orders", {"order_id"}, "the joins of after-sales rows to their order"},
        {"orders", {"ordered_at"}, "the window range"},
        {"orders", {"seller_id", "ordered_at"}, "the reads of changed sellers and of their days"},
        {"tickets", {"order_id"}, "the joins to window orders"},
        {"tickets", {"kind", "seller_id"}, "the authenticity claims of the sellers read"},
        {"refunds", {"order_id"}, "the joins to window orders"},
        {"return_requests", {"order_id"}, "the joins to window orders"},
        {"ratings", {"order_id"}, "the joins to window orders"},
        {"chargebacks", {"order_id"}, "the joins to window orders"},
    };
    // Incremental runs find changed rows by updated_at in every table.
    for (const TableDef& t : tables()) out.push_back({t.name, {"updated_at"}, "incremental runs"});
    std::stable_sort(out.begin(), out.end(), [](const IndexDef& a, const IndexDef& b) {
      auto rank = [](const std::string& name) {
        for (std::size_t i = 0; i < tables().size(); ++i) {
          if (tables()[i].name == name) return i;
        }
        return tables().size();
      };
      return rank(a.table) < rank(b.table);
    });
    return out;
  }();
  return kIndexes;
}

const std::vector<TallyDef>& tallies() {
  static const std::vector<TallyDef> kTallies = makeTallies();
  return kTallies;
}

const HistogramDef& responseHistogram() {
  static const HistogramDef kDef = {"response_seconds", "tickets",
                                    "{secs:c.opened_at,c.first_seller_response_at}",
                                    "c.first_seller_response_at IS NOT NULL"};
  return kDef;
}

const HistogramDef& productClaims() {
  static const HistogramDef kDef = {"product_claims", "tickets", claimProduct(), kClaim};
  return kDef;
}

const std::vector<DefectReasonDef>& defectReasons() {
  static const std::vector<DefectReasonDef> kReasons = makeDefectReasons();
  return kReasons;
}

std::optional<std::size_t> defectReasonIndex(std::string_view name) {
  for (std::size_t i = 0; i < defectReasons().size(); ++i) {
    if (defectReasons()[i].name == name) return i;
  }
  return std::nullopt;
}

bool hasDefects(MetricId metric) { return metric != MetricId::kRatingAverage; }

std::string defectCondition(MetricId metric, const std::string& table) {
  const MetricTallies m = metricTallies(metric);
  const TallyDef* numerator = hasDefects(metric) ? tallyPart(m.numerator, table) : nullptr;
  const TallyDef* denominator = tallyPart(m.denominator, table);
  if (numerator == nullptr || (higherIsBetter(metric) && denominator == nullptr)) {
    throw std::logic_error(std::string(metricName(metric)) + " counts no defect rows of " + table);
  }
  if (!higherIsBetter(metric)) return whereOf(*numerator);
  // A NULL verdict of the numerator is "not counted": a defect.
  return whereOf(*denominator) + " AND CASE WHEN " + whereOf(*numerator) + " THEN 0 ELSE 1 END = 1";
}

MetricId metricCountedByDefects(TallyId tally) {
  for (std::size_t m = 0; m < kMetricCount; ++m) {
    const auto metric = static_cast<MetricId>(m);
    if (hasDefects(metric) && !higherIsBetter(metric) && metricTallies(metric).numerator == tally &&
        defectUnit(metric) == "orders") {
      return metric;
    }
  }
  throw std::logic_error(std::string("tally ") + tallyName(tally) +
                         " has parts on several tables but is the numerator of no metric whose "
                         "defect rows count orders: nothing would count it");
}

namespace {

const std::string& findDefectUnit(MetricId metric) {
  const TallyId id = defectTally(metric);
  for (const TallyDef& t : tallies()) {
    if (t.id == id && (t.aggregate == Aggregate::kCountOrders || t.table == "orders")) {
      return table("orders").name;
    }
  }
  for (const TallyDef& t : tallies()) {
    if (t.id == id) return table(t.table).name;
  }
  throw std::logic_error(std::string(metricName(metric)) + " has no tally");
}

// defectUnit of every metric with defects, found once: it is asked per
// defect, and a run has millions.
const std::array<const std::string*, kMetricCount>& defectUnits() {
  static const std::array<const std::string*, kMetricCount> kUnits = [] {
    std::array<const std::string*, kMetricCount> out{};
    for (std::size_t m = 0; m < kMetricCount; ++m) {
      const auto metric = static_cast<MetricId>(m);
      if (hasDefects(metric)) out[m] = &findDefectUnit(metric);
    }
    return out;
  }();
  return kUnits;
}

}  // namespace

const std::string& defectUnit(MetricId metric) {
  const std::string* unit = defectUnits()[static_cast<std::size_t>(metric)];
  if (unit == nullptr) throw std::logic_error(std::string(metricName(metric)) + " has no defects");
  return *unit;
}

MetricId defectMetric(const Defect& defect) { return defectReasons().at(defect.reason).metric; }

std::int64_t countedId(const Defect& defect) {
  static const std::string* const kOrders = &table("orders").name;
  return &defectUnit(defectMetric(defect)) == kOrders ? defect.orderId : defect.rowId;
}

DefectRange defectsOf(const std::vector<Defect>& defects, MetricId metric) {
  const auto first = std::find_if(defects.begin(), defects.end(),
                                  [&](const Defect& d) { return defectMetric(d) == metric; });
  const auto last = std::find_if(first, defects.end(),
                                 [&](const Defect& d) { return defectMetric(d) != metric; });
  return {first, last};
}

std::int64_t countedIds(const DefectRange& range) {
  std::int64_t n = 0;
  for (auto it = range.first; it != range.second; ++it) {
    if (it == range.first || countedId(*it) != countedId(*std::prev(it))) ++n;
  }
  return n;
}

void sortDefects(std::vector<Defect>* defects) {
  const auto key = [](const Defect& d) {
    return std::make_tuple(defectMetric(d), countedId(d), d.reason, d.rowId);
  };
  std::sort(defects->begin(), defects->end(),
            [&](const Defect& a, const Defect& b) { return key(a) < key(b); });
}

std::vector<Defect> sortedDefects(const DefectList& defects) {
  std::vector<Defect> out = defects.decode();
  sortDefects(&out);
  return out;
}

std::string formatDefectList(const DefectList& defects) {
  std::string out;
  for (const Defect& d : defects.decode()) {
    const DefectReasonDef& r = defectReasons().at(d.reason);
    out += (out.empty() ? "" : ",") + std::to_string(d.orderId) + ":" + std::to_string(d.rowId) +
           ":" + std::to_string(d.orderedAt) + ":" + r.name + ":" +
           (r.value.empty() ? "" : std::to_string(d.value)) + ":";
  }
  return out;
}

DefectList parseDefectList(const std::string& text) {
  const auto bad = [&]() {
    return std::invalid_argument("a defect list is not whole (cut short?): '" +
                                 text.substr(0, std::min<std::size_t>(text.size(), 80)) + "'");
  };
  // Parsed in place and encoded as it is read: a restart reads millions of
  // these fields, so no copy of the text or list of Defects beside it.
  const std::string_view all(text);
  std::size_t at = 0;
  // The text up to the next ':', which it skips.
  const auto field = [&]() {
    const std::size_t colon = all.find(':', at);
    if (colon == std::string_view::npos) throw bad();
    const std::string_view part = all.substr(at, colon - at);
    at = colon + 1;
    return part;
  };
  // A whole number, nullopt for an empty field.
  const auto number = [&](std::string_view part) -> std::optional<std::int64_t> {
    if (part.empty()) return std::nullopt;
    std::int64_t value = 0;
    const char* end = part.data() + part.size();
    const auto [stop, error] = std::from_chars(part.data(), end, value);
    if (error != std::errc() || stop != end) throw bad();
    return value;
  };
  DefectList::Builder out;
  while (true) {
    // order:row:ordered_at:reason:value: (the value may be empty)
    const std::optional<std::int64_t> order = number(field());
    const std::optional<std::int64_t> row = number(field());
    const std::optional<std::int64_t> orderedAt = number(field());
    const std::optional<std::size_t> index = defectReasonIndex(field());
    const std::optional<std::int64_t> value = number(field());
    if (!order || !row || !orderedAt || !index) throw bad();
    const auto reasonIndex = static_cast<std::uint16_t>(*index);
    if (defectReasons()[reasonIndex].value.empty() == value.has_value()) throw bad();
    out.add({*order, *row, *orderedAt, value.value_or(0), reasonIndex});
    if (at == all.size()) return std::move(out).finish();
    if (all[at] != ',') throw bad();
    ++at;
  }
}

const std::string& authenticityClaim() {
  static const std::string kCondition = "{is:c.kind,authenticity}";
  return kCondition;
}

const std::string& claimProduct() {
  static const std::string kProduct = "COALESCE(c.product_id, o.product_id)";
  return kProduct;
}

}  // namespace sellertrust::source
