// SQL generation from the one definition.
#include "jobs/source/queries.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "sellertrust/metrics.h"

namespace sellertrust::source {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

const TableDef& ordersTable() { return table("orders"); }

// CASE WHEN <first bad check> THEN 1 ... ELSE 0 END: 1 iff the row of
// `table` is bad. A CASE, not an OR chain, so a NULL comparison counts as
// "not bad" and evaluation stops at the first check that holds.
std::string badFlag(const Dialect& dialect, const TableDef& table) {
  std::string out;
  std::set<std::string> columnsDone;
  for (const RowCheck& check : table.checks) {
    std::string when;
    if (check.kind == CheckKind::kCondition || check.kind == CheckKind::kNoOrder) {
      when = dialect.condition(check, table.alias());
    } else if (columnsDone.insert(check.column).second) {
      for (const ColumnDef& column : table.columns) {
        if (column.name == check.column) when = dialect.columnBad(column, table.alias());
      }
    }
    if (!when.empty()) out += " WHEN " + when + " THEN 1";
  }
  return out.empty() ? "0" : "(CASE" + out + " ELSE 0 END)";
}

std::string keyList(const std::vector<std::int64_t>& keys) {
  std::string list;
  for (std::int64_t key : keys) list += (list.empty() ? "" : ", ") + std::to_string(key);
  return list;
}

// " AND <key> NOT IN (the table's repeated keys)", or "".
std::string notRepeated(const TableDef& table, const KnownRows& known) {
  auto repeated = known.repeated.find(table.name);
  if (repeated == known.repeated.end() || repeated->second.empty()) return "";
  return " AND " + table.alias() + "." + table.key + " NOT IN (" + keyList(repeated->second) + ")";
}

// The condition that keeps the sound rows of `table`, or "" when every row
// of it is known to be sound.
std::string soundRow(const Dialect& dialect, const TableDef& table, const KnownRows& known) {
  auto bad = known.bad.find(table.name);
  if (bad == known.bad.end()) return badFlag(dialect, table) + " = 0" + notRepeated(table, known);
  // The bad keys include the repeated ones; they are those of the share's
  // part of the sellers, which holds the order of every after-sales row it
  // reads but for an order without a seller (bad, in part 0): a row that
  // names a seller is read in that seller's part (see buildRunQueries).
  std::string sound = table.name == "orders" ? "o.seller_id IS NOT NULL" : "";
  if (bad->second.empty()) return sound;
  return (sound.empty() ? "" : sound + " AND ") + table.alias() + "." + table.key + " NOT IN (" +
         keyList(bad->second) + ")";
}

// The table as `alias`; an after-sales table with its order LEFT JOINed
// as o (NULL columns for an orphan).
std::string withOrder(const TableDef& table) {
  if (!table.afterSales) return table.name + " " + table.alias();
  return table.name + " c LEFT JOIN orders o ON o.order_id = c.order_id";
}

// True when the rows of an after-sales `table` are read first, their
// orders found by key: it is in known.scanFirst, on an engine told so.
bool readsFirst(const Dialect& dialect, const TableDef& table, const KnownRows& known) {
  return known.scanFirst.count(table.name) != 0 && !dialect.joinInOrder().empty();
}

// The rows of `table` with their order.
std::string fromWindowRows(const Dialect& dialect, const TableDef& table, const KnownRows& known) {
  if (!table.afterSales) return "orders o";
  const std::string join =
      readsFirst(dialect, table, known) ? dialect.joinInOrder() : std::string("JOIN");
  return table.name + " c " + join + " orders o ON o.order_id = c.order_id";
}

const char* const kWindow = "o.ordered_at BETWEEN {window_begin} AND {window_end}";

std::string orIfEmpty(const std::string& condition) {
  return condition.empty() ? "1 = 1" : "(" + condition + ")";
}

// A column of a grain query: `perRow` of each row in an inner query, and
// `aggregate` of it (by `name`) over the group in the outer one. So the
// engine groups a few small values per row rather than the columns they
// come from (SQLite sorts the rows it groups: a full read of 10 M orders
// took 53 s instead of 58 s).
struct GrainColumn {
  std::string name;
  std::string perRow;  // "": none (COUNT(*))
  std::string aggregate;
};

GrainColumn tallyColumn(const TallyDef& t) {
  const std::string name = tallyName(t.id);
  const std::string when = "CASE WHEN " + orIfEmpty(t.where) + " THEN ";
  switch (t.aggregate) {
    case Aggregate::kCountRows:
      if (t.where.empty()) return {name, "", "COUNT(*)"};
      // COUNT, not SUM: MariaDB sums integers as DECIMAL, and counted
      // 10 M orders' tallies in 12.5 s instead of 15.5 s.
      return {name, when + "1 END", "COUNT(" + name + ")"};
    case Aggregate::kCountOrders:
      return {name, when + "o.order_id END", "COUNT(DISTINCT " + name + ")"};
    case Aggregate::kSum:
      return {name, when + t.sumOf + " ELSE 0 END", "COALESCE(SUM(" + name + "), 0)"};
  }
  throw std::logic_error("unknown aggregate");
}

// The columns of `table` (as alias.column) that the kFuture check tests:
// the times of things that happened that a run reads.
std::vector<std::string> eventTimes(const TableDef& table) {
  std::vector<std::string> out;
  for (const ColumnDef& column : table.columns) {
    if (column.read && column.type == ColumnType::kTime) {
      out.push_back(table.alias() + "." + column.name);
    }
  }
  return out;
}

// When a row that is bad only for times in the future (kFuture) may come
// to be sound: the epoch seconds of the first such time minus the skew (the
// row is sound once every such time is; the first is no later than that),
// NULL for a row with no time in the future; "" for a table without times
// of things that happened.
std::string soundAt(const Dialect& dialect, const TableDef& table) {
  std::string out;
  for (const std::string& c : eventTimes(table)) {
    out +=
        " WHEN " + c + " > " + kLatestTime + " THEN " + dialect.epochSeconds(c) + " - {clock_skew}";
  }
  return out.empty() ? out : "CASE" + out + " END";
}

// What lists the defect rows of `table` for every metric with reasons on
// it: two columns per metric (the first of its reasons whose `when` holds,
// and that reason's value; each NULL unless the row is a defect row of the
// metric), and `any`, which holds iff the row is a defect row of any.
struct DefectColumns {
  std::vector<MetricId> metrics;
  std::vector<std::string> columns;
  std::string any;
};

DefectColumns defectColumns(const TableDef& table) {
  DefectColumns out;
  for (const DefectReasonDef& r : defectReasons()) {
    if (r.table != table.name) continue;
    if (out.metrics.empty() || out.metrics.back() != r.metric) out.metrics.push_back(r.metric);
  }
  for (MetricId metric : out.metrics) {
    std::string reason = "CASE";
    std::string value = "CASE";
    for (std::size_t i = 0; i < defectReasons().size(); ++i) {
      const DefectReasonDef& r = defectReasons()[i];
      if (r.metric != metric || r.table != table.name) continue;
      const std::string when = r.when.empty() ? "1 = 1" : "(" + r.when + ")";
      reason += " WHEN " + when + " THEN " + std::to_string(i);
      value += " WHEN " + when + " THEN " + (r.value.empty() ? "NULL" : r.value);
    }
    const std::string condition = defectCondition(metric, table.name);
    out.columns.push_back("CASE WHEN " + condition + " THEN " + reason + " END END");
    out.columns.push_back("CASE WHEN " + condition + " THEN " + value + " END END");
    out.any += (out.any.empty() ? "" : " OR ") + ("(" + condition + ")");
  }
  return out;
}

// `from` and `where` select the rows (see grainRows).
GrainQuery grainQuery(const Dialect& dialect, const TableDef& table,
                      const std::vector<const TallyDef*>& own, const KnownRows& known,
                      const std::string& from, const std::string& where, bool orphans,
                      const std::vector<GrainColumn>& dueColumns, const std::string& bucket,
                      bool listsDefects) {
  const std::string a = table.alias();
  // Negative, so it cannot meet a seller id; signed first, or MySQL refuses
  // the subtraction on a view's BIGINT UNSIGNED key.
  const std::string badKey = "-1 - ABS(CAST(" + a + "." + table.key + " AS SIGNED))";
  std::string group = "CASE";
  if (auto repeated = known.repeated.find(table.name);
      repeated != known.repeated.end() && !repeated->second.empty()) {
    group +=
        " WHEN " + a + "." + table.key + " IN (" + keyList(repeated->second) + ") THEN " + badKey;
  }
  group += " WHEN " + badFlag(dialect, table) + " = 1 THEN " + badKey;
  if (table.afterSales) {
    const std::string orderSound = soundRow(dialect, ordersTable(), known);
    if (!orderSound.empty()) group += " WHEN NOT (" + orderSound + ") THEN NULL";
  }
  group += " ELSE o.seller_id END";
  GrainQuery q;
  q.table = table.name;
  std::vector<GrainColumn> columns;
  for (const TallyDef* t : own) {
    columns.push_back(tallyColumn(*t));
    q.tallies.push_back(t->id);
  }
  columns.insert(columns.end(), dueColumns.begin(), dueColumns.end());
  q.dueColumns = dueColumns.size();
  std::string rows = "SELECT " + group + " AS g, " + a + "." + table.key + " AS k";
  q.sql = "SELECT g, COUNT(*) AS n, MIN(k) AS k";
  for (const GrainColumn& c : columns) {
    if (!c.perRow.empty()) rows += ",\n  " + c.perRow + " AS " + c.name;
    q.sql += ",\n  " + c.aggregate + " AS " + c.name;
  }
  rows += ",\n  " + bucket + " AS b";
  q.sql += ", b";
  q.listsOrphans = orphans;
  if (orphans) {
    rows += ",\n  CASE WHEN o.order_id IS NULL THEN 1 ELSE 0 END AS orphan";
    q.sql += ", MAX(orphan) AS orphan";
  }
  std::string groups = "g, b";
  if (listsDefects) {
    const DefectColumns d = defectColumns(table);
    q.defectMetrics = d.metrics;
    rows += ",\n  CASE WHEN " + d.any + " THEN " + a + "." + table.key +
            " END AS d,\n  o.order_id AS d_order, " + dialect.epochSeconds("o.ordered_at") +
            " AS d_ordered_at";
    q.sql += ", MIN(d_order), MIN(d_ordered_at)";
    for (std::size_t i = 0; i < d.columns.size(); ++i) {
      const std::string name = "d" + std::to_string(i);
      rows += ",\n  " + d.columns[i] + " AS " + name;
      q.sql += ", MIN(" + name + ")";
    }
    // A sound row's own group if it is a defect row: the groups of a seller
    // add up (its tallies count rows).
    groups += ", CASE WHEN g > 0 THEN d END";
  }
  rows += "\nFROM " + from + "\nWHERE " + where + dialect.keepApart();
  q.sql += "\nFROM (\n" + rows + "\n) r\nGROUP BY " + groups;
  return q;
}

// The rows of `table` in `window` (the window's condition on `o`) that are
// sound, whose order is sound, and that satisfy `where`.
std::string soundWindowRows(const Dialect& dialect, const TableDef& table, const std::string& where,
                            const KnownRows& known, const std::string& window) {
  std::string condition = orIfEmpty(where);
  if (table.afterSales && !where.empty() && !readsFirst(dialect, table, known)) {
    condition = dialect.onceJoined(condition);
  }
  std::string sql =
      "FROM " + fromWindowRows(dialect, table, known) + "\nWHERE " + window + " AND " + condition;
  const auto keepSound = [&](const TableDef& t) {
    const std::string sound = soundRow(dialect, t, known);
    if (!sound.empty()) sql += "\n  AND " + sound;
  };
  keepSound(ordersTable());
  if (table.afterSales) keepSound(table);
  return sql;
}

std::string histogramQuery(const Dialect& dialect, const HistogramDef& h, const KnownRows& known,
                           const std::string& window, const std::string& bucket) {
  return "SELECT o.seller_id AS g, " + h.key + " AS k, COUNT(*) AS n, " + bucket + " AS b\n" +
         soundWindowRows(dialect, table(h.table), h.where, known, window) +
         // In the order a Histogram appends fastest.
         "\nGROUP BY g, b, k ORDER BY g, b, k";
}

// True when the grain query of `table`, with `own` tallies, lists its
// defect rows too (GrainQuery::defectMetrics): in a read of listed sellers
// (`listed`), whose queries each walk their orders again, of a table whose
// key cannot be NULL (KnownRows::keyNeverNull). A read of every seller
// evaluates the defect columns on every row then, where the defect query
// keeps the defect rows first (10 M orders on SQLite: 46.9 s against
// 32.6 + 8.6 s).
bool listsDefects(const Dialect& dialect, const TableDef& table,
                  const std::vector<const TallyDef*>& own, const KnownRows& known, bool listed) {
  return listed && dialect.groupsDefectRows() && known.keyNeverNull.count(table.name) != 0 &&
         !defectColumns(table).metrics.empty() &&
         std::none_of(own.begin(), own.end(),
                      [](const TallyDef* t) { return t->aggregate == Aggregate::kCountOrders; });
}

// The defect rows of `table` for every metric with reasons on it: its
// window rows that are sound and a defect row of at least one of them.
DefectQuery defectQuery(const Dialect& dialect, const TableDef& table, const KnownRows& known,
                        const std::string& window) {
  const DefectColumns d = defectColumns(table);
  DefectQuery q;
  q.table = table.name;
  q.metrics = d.metrics;
  if (q.metrics.empty()) return q;
  std::string columns = "o.seller_id, " + table.alias() + "." + table.key + ", o.order_id, " +
                        dialect.epochSeconds("o.ordered_at");
  for (const std::string& c : d.columns) columns += ",\n  " + c;
  q.sql = "SELECT " + columns + "\n" + soundWindowRows(dialect, table, d.any, known, window);
  return q;
}

// How the macros of the definition's SQL expand for one run.
struct Expansion {
  const Dialect& dialect;
  Params params;
  Timestamp now = 0;
  // {passed:...} as TRUE: the condition as it will hold once the time has come.
  bool passedHolds = false;

  const std::string& param(const std::string& name) const {
    for (const auto& [key, value] : params) {
      if (key == name) return value;
    }
    throw std::logic_error("no value for SQL parameter {" + name + "}");
  }
  // The seconds of a {passed:time,limit} limit; no limit is 0.
  Timestamp limit(const std::string& name) const {
    return name.empty() ? 0 : static_cast<Timestamp>(std::stoll(param(name)));
  }
};

// One {function:a[,b]} macro.
struct Macro {
  std::string function;
  std::string a;
  std::string b;
};

Macro parseMacro(const std::string& name) {
  const std::size_t colon = name.find(':');
  Macro m;
  m.function = name.substr(0, colon);
  const std::size_t comma = name.find(',', colon);
  m.a = name.substr(colon + 1, comma == std::string::npos ? std::string::npos : comma - colon - 1);
  if (comma != std::string::npos) m.b = name.substr(comma + 1);
  if (m.function != "passed" && m.function != "epoch" && comma == std::string::npos) {
    throw std::logic_error("{" + name + "} needs two arguments");
  }
  return m;
}

// Calls onMacro(name) for every {name} of sql and returns sql with each
// replaced by what onMacro returns.
template <typename OnMacro>
std::string replaceMacros(const std::string& sql, OnMacro onMacro) {
  std::string out;
  out.reserve(sql.size());
  for (std::size_t i = 0; i < sql.size();) {
    if (sql[i] != '{') {
      out += sql[i++];
      continue;
    }
    const std::size_t close = sql.find('}', i);
    if (close == std::string::npos) throw std::logic_error("unterminated {name} in SQL");
    out += onMacro(sql.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  return out;
}

std::string expand(const std::string& sql, const Expansion& e) {
  return replaceMacros(sql, [&](const std::string& name) -> std::string {
    if (name.find(':') == std::string::npos) return e.param(name);
    const Macro m = parseMacro(name);
    if (m.function == "secs") return e.dialect.secondsBetween(m.a, m.b);
    if (m.function == "is") return e.dialect.isExactly(m.a, m.b);
    if (m.function == "epoch") return e.dialect.epochSeconds(m.a);
    if (m.function == "passed") {
      if (e.passedHolds) return "1 = 1";
      return m.a + " < " + e.dialect.timeLiteral(e.now - e.limit(m.b));
    }
    throw std::logic_error("unknown SQL function {" + m.function + ":...}");
  });
}

// The {passed:time,limit} macros of a condition.
std::vector<Macro> passedMacros(const std::string& sql) {
  std::vector<Macro> out;
  replaceMacros(sql, [&](const std::string& name) {
    if (name.rfind("passed:", 0) == 0) out.push_back(parseMacro(name));
    return std::string();
  });
  return out;
}

Params runParams(const Dialect& dialect, Timestamp now, const Rules& rules) {
  const Window window = windowAt(now, rules);
  const Timestamp responseLimit = static_cast<Timestamp>(rules.responseHours) * kSecondsPerHour;
  const Timestamp grace = static_cast<Timestamp>(rules.lateDeliveryGraceDays) * kSecondsPerDay;
  const Timestamp refundLimit =
      static_cast<Timestamp>(rules.spontaneousRefundDays) * kSecondsPerDay;
  const Timestamp returnLimit = static_cast<Timestamp>(rules.returnResolveDays) * kSecondsPerDay;
  return {
      {"latest_time", dialect.timeLiteral(now + rules.clockSkewSeconds)},
      {"clock_skew", std::to_string(rules.clockSkewSeconds)},
      {"window_begin", dialect.timeLiteral(window.begin)},
      {"window_end", dialect.timeLiteral(window.end)},
      {"grace", std::to_string(grace)},
      {"response_limit", std::to_string(responseLimit)},
      {"refund_limit", std::to_string(refundLimit)},
      {"return_limit", std::to_string(returnLimit)},
  };
}

// When a tally's {passed:...} condition next comes to hold on one of the
// rows: MIN, over the rows it does not count yet but will once the time has
// passed, of that time plus the limit plus one second (the condition is
// strict, and times are whole seconds); the column is NULL when there is
// none. nullopt for a tally that does not depend on the clock.
std::optional<GrainColumn> dueColumn(const TallyDef& t, const Expansion& e) {
  const std::vector<Macro> passed = passedMacros(t.where);
  if (passed.empty()) return std::nullopt;
  if (passed.size() > 1) {
    throw std::logic_error(std::string("tally ") + tallyName(t.id) +
                           " has more than one {passed:...} condition");
  }
  Expansion holds = e;
  holds.passedHolds = true;
  const Macro& m = passed[0];
  // Only a row whose time has not passed yet can come to count: the guard
  // spares every other row the two conditions (and gives the same MIN).
  const std::string name = std::string("due_") + tallyName(t.id);
  return GrainColumn{name,
                     "CASE WHEN " + m.a + " >= " + e.dialect.timeLiteral(e.now - e.limit(m.b)) +
                         " THEN CASE WHEN " + expand(orIfEmpty(t.where), e) + " THEN NULL WHEN " +
                         expand(orIfEmpty(t.where), holds) + " THEN " +
                         e.dialect.epochSeconds(m.a) + " + " + std::to_string(e.limit(m.b) + 1) +
                         " END END",
                     "MIN(" + name + ")"};
}

// The condition on a row of `table` (with its order, withOrder) that
// orphanQuery lists: its kNoOrder check, but for authenticity claims, which
// the run's claims query reports whatever their order. "" for a table whose
// rows have no order.
std::string orphanRow(const Dialect& dialect, const TableDef& table) {
  std::string orphan;
  for (const RowCheck& check : table.checks) {
    if (check.kind == CheckKind::kNoOrder) orphan = dialect.condition(check, table.alias());
  }
  if (orphan.empty()) return orphan;
  orphan = "(" + orphan + ")";
  if (table.name == "tickets") {
    orphan +=
        " AND (c.kind IS NULL OR NOT (" + expand(authenticityClaim(), {dialect, {}, 0}) + "))";
  }
  return orphan;
}

// orphanRow, of the rows updated at or after `since` or without an
// updated_at (see orphanQuery); "" for a table whose rows have no order.
std::string orphanSince(const Dialect& dialect, const TableDef& table,
                        std::optional<Timestamp> since) {
  std::string orphan = orphanRow(dialect, table);
  if (orphan.empty()) return orphan;
  if (since == kNoUpdatedAt) {
    orphan += " AND c.updated_at IS NULL";
  } else if (since) {
    orphan += " AND (c.updated_at >= " + dialect.timeLiteral(*since) + " OR c.updated_at IS NULL)";
  }
  return orphan;
}

// Whether a read of every seller lists the orphans of `table` in its
// grain query (see GrainQuery).
bool grainListsOrphans(const TableDef& table, const std::set<std::string>& scanFirst) {
  return table.afterSales && scanFirst.count(table.name) != 0 &&
         std::any_of(table.checks.begin(), table.checks.end(),
                     [](const RowCheck& check) { return check.kind == CheckKind::kNoOrder; });
}

}  // namespace

std::vector<WindowShare> splitSellers(int n, std::int64_t windowOrders,
                                      const std::vector<SellerOrders>& largest) {
  if (n < 1) throw std::invalid_argument("the sellers are dealt out in at least one share");
  std::vector<WindowShare> shares(static_cast<std::size_t>(n));
  std::map<std::int64_t, int> placed;
  if (n > 1) {
    std::vector<SellerOrders> bySize = largest;
    std::stable_sort(
        bySize.begin(), bySize.end(),
        [](const SellerOrders& x, const SellerOrders& y) { return x.orders > y.orders; });
    std::int64_t others = windowOrders;
    for (const SellerOrders& s : bySize) others -= s.orders;
    std::vector<std::int64_t> load(static_cast<std::size_t>(n),
                                   std::max<std::int64_t>(others, 0) / n);
    for (const SellerOrders& s : bySize) {
      const auto lightest = std::min_element(load.begin(), load.end());
      if (placed.emplace(s.seller, static_cast<int>(lightest - load.begin())).second) {
        *lightest += s.orders;
      }
    }
  }
  for (int k = 0; k < n; ++k) {
    WindowShare& share = shares[static_cast<std::size_t>(k)];
    share.parts = n;
    share.part = k;
    share.placed = placed;
  }
  return shares;
}

std::string windowSampleQuery(const Dialect& dialect, Timestamp now, const Rules& rules, int probes,
                              int rowsPerProbe) {
  if (probes < 1 || rowsPerProbe < 1) throw std::invalid_argument("an empty sample");
  const Window window = windowAt(now, rules);
  const std::string end = dialect.timeLiteral(window.end);
  std::string sql;
  for (int k = 0; k < probes; ++k) {
    // The middle of the k-th of `probes` equal spans of the window.
    const Timestamp at = window.begin + (window.end - window.begin) * (2 * Timestamp{k} + 1) /
                                            (2 * Timestamp{probes});
    sql += std::string(sql.empty() ? "" : "\nUNION ALL ") +
           "SELECT s.seller_id FROM (SELECT o.seller_id FROM orders o WHERE o.ordered_at >= " +
           dialect.timeLiteral(at) + " AND o.ordered_at <= " + end +
           " ORDER BY o.ordered_at LIMIT " + std::to_string(rowsPerProbe) + ") s";
  }
  return sql;
}

std::vector<SellerOrders> largestOf(std::vector<SellerOrders> sellers, std::size_t most) {
  const std::size_t n = std::min(most, sellers.size());
  std::partial_sort(sellers.begin(), sellers.begin() + static_cast<std::ptrdiff_t>(n),
                    sellers.end(), [](const SellerOrders& x, const SellerOrders& y) {
                      return x.orders != y.orders ? x.orders > y.orders : x.seller < y.seller;
                    });
  sellers.resize(n);
  return sellers;
}

std::vector<SellerOrders> largestInSample(const std::vector<std::int64_t>& sample,
                                          std::size_t most) {
  std::map<std::int64_t, std::int64_t> found;
  for (std::int64_t seller : sample) ++found[seller];
  std::vector<SellerOrders> out;
  out.reserve(found.size());
  for (const auto& [seller, n] : found) out.push_back({seller, n});
  return largestOf(std::move(out), most);
}

RunQueries buildRunQueries(const Dialect& dialect, Timestamp now, const Rules& rules,
                           const KnownRows& known, const std::vector<std::int64_t>* sellers,
                           const WindowShare& share, const BucketWidths* bucketed) {
  const std::vector<std::string> invalid = validateRules(rules);
  if (!invalid.empty()) throw std::invalid_argument("invalid rules: " + invalid[0]);
  const Expansion e{dialect, runParams(dialect, now, rules), now};
  auto sql = [&](const std::string& text) { return expand(text, e); };
  // " AND column IN (the sellers)", or "" for every seller.
  const std::string sellerList = sellers == nullptr ? "" : keyList(*sellers);
  const auto ofSellers = [&](const std::string& column) {
    return sellers == nullptr ? "" : " AND " + column + " IN (" + sellerList + ")";
  };
  // The window, or the share of it: one range, so that the engine's index
  // range is the share's (SQLite takes one of two ranges on a column, not
  // their intersection); with ranges, one for each.
  const Window whole = windowAt(now, rules);
  const auto range = [&](Timestamp from, std::optional<Timestamp> until) {
    std::string r = "o.ordered_at >= " + dialect.timeLiteral(std::max(whole.begin, from)) +
                    " AND o.ordered_at ";
    return r + (until && *until <= whole.end ? "< " + dialect.timeLiteral(*until)
                                             : "<= " + dialect.timeLiteral(whole.end));
  };
  std::string window = kWindow;
  if (!share.ranges.empty()) {
    std::string any;
    for (const SellersInRange& r : share.ranges) {
      if (r.sellers.empty() || r.until <= whole.begin || r.from > whole.end) continue;
      any += std::string(any.empty() ? "" : "\n    OR ") + "(o.seller_id IN (" +
             keyList(r.sellers) + ") AND " + range(r.from, r.until) + ")";
    }
    window = any.empty() ? "1 = 0" : "(" + any + ")";
  } else {
    if (share.from || share.until) window = range(share.from.value_or(whole.begin), share.until);
    window += ofSellers("o.seller_id");
  }
  // The share's rows of `table`: those of its part of the sellers. An
  // after-sales row is dealt out by its own seller_id, which its checks
  // hold to its order's (a row whose two differ is bad, and reported by
  // the part of its own): the engine drops the other parts' rows before it
  // looks their orders up (on MariaDB at 10 M orders, one part's 3.4 M
  // ratings took 5.2-6.0 s instead of 8.0-11.1 s).
  // Part k > 0 keeps the remainders k and -k (the remainder has the sign
  // of the id on both engines); part 0 every other row: NULL, and an id
  // that is no integer (a MySQL view's DECIMAL or text), whatever its
  // remainder. No ABS: it overflows on the smallest integer.
  // A seller that `placed` lists is in the part it names (a CASE, so that a
  // NULL falls through to the remainder's part 0).
  std::string ofPart;  // follows the part of "<seller id>"; "" for one part
  std::map<int, std::vector<std::int64_t>> placedIn;
  if (share.parts > 1) {
    std::string others;
    for (int k = 1; k < share.parts; ++k) {
      others += (others.empty() ? "" : ", ") + std::to_string(k) + ", " + std::to_string(-k);
    }
    ofPart = share.part == 0
                 ? " NOT IN (" + others + ")"
                 : " IN (" + std::to_string(share.part) + ", " + std::to_string(-share.part) + ")";
    for (const auto& [seller, part] : share.placed) placedIn[part].push_back(seller);
  }
  const auto partOf = [&](const TableDef& table) {
    if (ofPart.empty()) return std::string();
    const std::string id = std::string(table.afterSales ? "c" : "o") + ".seller_id";
    std::string part = "COALESCE(" + id + " % " + std::to_string(share.parts) + ", 0)";
    if (!placedIn.empty()) {
      std::string placed = "CASE";
      for (const auto& [k, listed] : placedIn) {
        placed += " WHEN " + id + " IN (" + keyList(listed) + ") THEN " + std::to_string(k);
      }
      part = placed + " ELSE " + part + " END";
    }
    return " AND " + part + ofPart;
  };
  const auto windowOf = [&](const TableDef& table) { return window + partOf(table); };
  // A read of every seller finds the orphans of an after-sales table it
  // reads whole anyway (known.scanFirst: no larger than the window) in the
  // same pass as its window rows, instead of a pass of orphanQuery's: each
  // part lists those of its own sellers, as bad rows. The orphans it looks
  // for are those a full read's orphanQuery looks for.
  const bool everySeller =
      sellers == nullptr && share.ranges.empty() && !share.from && !share.until;
  const auto listsOrphans = [&](const TableDef& table) {
    return everySeller && grainListsOrphans(table, known.scanFirst);
  };
  const auto grainRows = [&](const TableDef& table) -> std::pair<std::string, std::string> {
    if (!listsOrphans(table)) return {fromWindowRows(dialect, table, known), windowOf(table)};
    const std::string orphan =
        orphanSince(dialect, table, fullReadOrphansSince(dialect, now, rules));
    return {withOrder(table), "(" + window + " OR " + orphan + ")" + partOf(table)};
  };
  // The bucket of a row's order, for the sellers tallied in buckets, by
  // the width of each. Only those read are listed (every query parses the
  // lists, and looks them up for every row), and the last list is left out
  // when all of them are. The sellers of buckets narrower than a day (the
  // largest, few) come first in one list: a row of any other seller looks
  // up two lists at most, not one per width.
  std::string bucket = "NULL";
  if (bucketed != nullptr && !bucketed->empty()) {
    std::map<Timestamp, std::vector<std::int64_t>> byWidth;  // narrowest first
    bool all = false;
    if (sellers == nullptr) {
      for (const auto& [seller, width] : *bucketed) byWidth[width].push_back(seller);
    } else {
      std::vector<std::int64_t> read = *sellers;
      std::sort(read.begin(), read.end());
      read.erase(std::unique(read.begin(), read.end()), read.end());
      std::size_t listed = 0;
      for (std::int64_t seller : read) {
        if (auto it = bucketed->find(seller); it != bucketed->end()) {
          byWidth[it->second].push_back(seller);
          ++listed;
        }
      }
      all = !read.empty() && listed == read.size();
    }
    // (sellers, value) arms: CASE WHEN o.seller_id IN (sellers) THEN value
    // ..., the last arm's list left out if `whole` (every row is one of
    // them).
    using Arm = std::pair<std::vector<std::int64_t>, std::string>;
    const auto cases = [](const std::vector<Arm>& arms, bool whole) {
      if (arms.size() == 1 && whole) return arms[0].second;
      std::string out = "CASE";
      for (std::size_t i = 0; i < arms.size(); ++i) {
        out += whole && i + 1 == arms.size()
                   ? " ELSE " + arms[i].second
                   : " WHEN o.seller_id IN (" + keyList(arms[i].first) + ") THEN " + arms[i].second;
      }
      return out + " END";
    };
    std::vector<Arm> narrower;
    std::vector<std::int64_t> ofNarrower;
    std::vector<Arm> arms;
    for (const auto& [width, listed] : byWidth) {
      Arm arm{listed, dialect.bucketStart("o.ordered_at", width)};
      if (width == kSecondsPerDay) {
        arms.push_back(std::move(arm));
        continue;
      }
      ofNarrower.insert(ofNarrower.end(), listed.begin(), listed.end());
      narrower.push_back(std::move(arm));
    }
    if (!narrower.empty()) {
      std::sort(ofNarrower.begin(), ofNarrower.end());
      arms.insert(arms.begin(), Arm{ofNarrower, cases(narrower, true)});
    }
    if (!arms.empty()) bucket = cases(arms, all);
  }

  // A tally with parts on several tables is counted from defect rows
  // (DefectCount); the others are columns of their table's grain query.
  std::map<TallyId, int> parts;
  for (const TallyDef& t : tallies()) ++parts[t.id];

  RunQueries q;
  q.sellers = "SELECT seller_id, name, country FROM sellers WHERE 1 = 1" + ofSellers("seller_id");
  for (const TableDef& table : tables()) {
    if (table.name == "sellers") continue;
    std::vector<const TallyDef*> own;
    std::vector<GrainColumn> dues;
    for (const TallyDef& t : tallies()) {
      if (t.table != table.name || parts[t.id] != 1) continue;
      own.push_back(&t);
      if (std::optional<GrainColumn> due = dueColumn(t, e)) dues.push_back(std::move(*due));
    }
    const auto [from, where] = grainRows(table);
    GrainQuery grain =
        grainQuery(dialect, table, own, known, from, where, listsOrphans(table), dues, bucket,
                   listsDefects(dialect, table, own, known, sellers != nullptr));
    grain.sql = sql(grain.sql);
    q.grains.push_back(std::move(grain));
  }
  for (const auto& [id, n] : parts) {
    if (n == 1) continue;
    for (const TallyDef& t : tallies()) {
      if (t.id == id &&
          (t.aggregate != Aggregate::kCountOrders || !passedMacros(t.where).empty())) {
        throw std::logic_error(std::string("tally ") + tallyName(id) +
                               " has parts on several tables but does not count orders, or "
                               "depends on the clock");
      }
    }
    q.fromDefects.push_back({id, metricCountedByDefects(id)});
  }
  for (const TableDef& t : tables()) {
    const auto grain = std::find_if(q.grains.begin(), q.grains.end(),
                                    [&](const GrainQuery& g) { return g.table == t.name; });
    if (grain != q.grains.end() && !grain->defectMetrics.empty()) continue;
    DefectQuery defects = defectQuery(dialect, t, known, windowOf(t));
    if (defects.metrics.empty()) continue;
    defects.sql = sql(defects.sql);
    q.defects.push_back(std::move(defects));
  }
  q.responseHistogram = sql(histogramQuery(dialect, responseHistogram(), known,
                                           windowOf(table(responseHistogram().table)), bucket));
  q.productClaims = sql(histogramQuery(dialect, productClaims(), known,
                                       windowOf(table(productClaims().table)), bucket));
  const TableDef& tickets = table("tickets");
  q.authenticityClaims =
      sql("SELECT c.ticket_id, c.seller_id, " + claimProduct() + ", " +
          dialect.epochSeconds("c.opened_at") + ", c.status, " + badFlag(dialect, tickets) +
          ", CASE WHEN " + kWindow + " THEN 1 ELSE 0 END, " + soundAt(dialect, tickets) +
          "\nFROM tickets c LEFT JOIN orders o ON " + "o.order_id = c.order_id\nWHERE " +
          authenticityClaim() + ofSellers("c.seller_id"));
  for (const std::string& range : dialect.untimed("o.ordered_at")) {
    q.untimedOrders += std::string(q.untimedOrders.empty() ? "" : "\nUNION ALL ") +
                       "SELECT o.order_id FROM orders o WHERE " + range + ofSellers("o.seller_id");
  }
  q.sizes = "SELECT (SELECT COUNT(*) FROM orders o WHERE " + std::string(kWindow) + ")";
  for (const TableDef& t : tables()) {
    if (t.afterSales) q.sizes += ", (SELECT COUNT(*) FROM " + t.name + ")";
  }
  q.sizes = sql(q.sizes);
  for (const TableDef& t : tables()) {
    const std::string sound = soundAt(dialect, t);
    if (sound.empty()) continue;
    std::string future;
    for (const std::string& c : eventTimes(t)) {
      future += (future.empty() ? "" : " OR ") + c + " > " + kLatestTime;
    }
    q.futureRows[t.name] =
        sql("SELECT o.seller_id, MIN(" + sound + ")\nFROM " + fromWindowRows(dialect, t, known) +
            "\nWHERE " + windowOf(t) + " AND (" + future + ")\nGROUP BY o.seller_id");
  }
  for (const TableDef& t : tables()) {
    if (t.name == "sellers") continue;
    std::string rows = "SELECT " + t.alias() + "." + t.key + ", COUNT(*)\nFROM " +
                       fromWindowRows(dialect, t, known) + "\nWHERE " + windowOf(t);
    if (t.afterSales) {
      const std::string orderSound = soundRow(dialect, ordersTable(), known);
      if (!orderSound.empty()) rows += " AND " + orderSound;
    }
    q.repeatedKeys[t.name] =
        sql(rows + "\nGROUP BY " + t.alias() + "." + t.key + " HAVING COUNT(*) > 1");
  }
  return q;
}

std::set<std::string> tablesToScanFirst(const std::vector<std::int64_t>& sizes) {
  std::set<std::string> out;
  std::size_t i = 1;
  for (const TableDef& t : tables()) {
    if (!t.afterSales) continue;
    if (i < sizes.size() && sizes[i] <= sizes[0]) out.insert(t.name);
    ++i;
  }
  return out;
}

std::string changedRowsQuery(const Dialect& dialect, const TableDef& table, Timestamp since) {
  const std::string a = table.alias();
  const bool ofOrder = table.name == "orders" || table.afterSales;
  std::string ownSeller = "NULL";
  for (const ColumnDef& column : table.columns) {
    // The ladder counts a claim for the ticket's own seller; an after-sales
    // row whose own seller is not its order's is bad for both.
    if (column.name == "seller_id" && column.read && table.name != "orders") {
      ownSeller = a + ".seller_id";
    }
  }
  std::string sql = "SELECT " + dialect.epochSeconds(a + ".updated_at") + ", " + a + "." +
                    table.key + ", " + (ofOrder ? "o.seller_id, " : "NULL, ") +
                    (ofOrder ? dialect.epochSeconds("o.ordered_at") : "NULL") + ", " + ownSeller;
  for (const ColumnDef& column : table.columns) sql += ", " + a + "." + column.name;
  const std::string orphan = orphanRow(dialect, table);
  sql += orphan.empty() ? ", 0" : ", CASE WHEN " + orphan + " THEN 1 ELSE 0 END";
  return sql + "\nFROM " + withOrder(table) + "\nWHERE " + a +
         ".updated_at >= " + dialect.timeLiteral(since);
}

std::string windowEdgesQuery(const Dialect& dialect, const Window& previous,
                             const Window& current) {
  const auto at = [&](Timestamp t) { return dialect.timeLiteral(t); };
  const auto select = [&](const char* left) {
    return "SELECT o.seller_id, " + dialect.epochSeconds("o.ordered_at") + ", " + left +
           " FROM orders o WHERE o.ordered_at ";
  };
  return select("1") + ">= " + at(previous.begin) + " AND o.ordered_at < " + at(current.begin) +
         "\nUNION\n" + select("0") + "> " + at(previous.end) +
         " AND o.ordered_at <= " + at(current.end);
}

std::string watermarkQuery(const Dialect& dialect, Timestamp now) {
  std::string sql;
  for (const TableDef& t : tables()) {
    sql += std::string(sql.empty() ? "SELECT " : ",\n  ") + "(SELECT " +
           dialect.epochSeconds("MAX(updated_at)") + " FROM " + t.name +
           " WHERE updated_at <= " + dialect.timeLiteral(now) + ")";
  }
  return sql;
}

std::string probeQuery(const TableDef& table) {
  std::string columns;
  for (const ColumnDef& c : table.columns) columns += (columns.empty() ? "" : ", ") + c.name;
  return "SELECT " + columns + " FROM " + table.name + " WHERE 1 = 0";
}

std::string problemQuery(const Dialect& dialect, const TableDef& table,
                         const std::vector<std::int64_t>& keys, Timestamp now, const Rules& rules) {
  const std::string a = table.alias();
  std::string index;
  std::string values;
  for (std::size_t i = 0; i < table.checks.size(); ++i) {
    const RowCheck& check = table.checks[i];
    const std::string when = dialect.condition(check, a);
    if (!when.empty()) index += " WHEN " + when + " THEN " + std::to_string(i);
    values += ", ";
    values += check.showsValue ? dialect.asText(a + "." + check.column) : "NULL";
  }
  const std::string sound = soundAt(dialect, table);
  values += ", o.seller_id, " + (sound.empty() ? std::string("NULL") : sound);
  const std::string list = keyList(keys);
  const Expansion e{dialect, runParams(dialect, now, rules), now};
  return expand("SELECT " + a + "." + table.key + ", " +
                    (index.empty() ? "NULL" : "CASE" + index + " END") + values + "\nFROM " +
                    withOrder(table) + "\nWHERE " + a + "." + table.key + " IN (" + list + ")",
                e);
}

std::optional<Timestamp> fullReadOrphansSince(const Dialect& dialect, Timestamp now,
                                              const Rules& rules) {
  if (dialect.scansWholeTablesForOrphans()) return std::nullopt;
  return windowAt(now, rules).begin;
}

std::string orphanQuery(const Dialect& dialect, const TableDef& table,
                        std::optional<Timestamp> since) {
  const std::string orphan = orphanSince(dialect, table, since);
  if (orphan.empty()) throw std::logic_error(table.name + " rows have no order to miss");
  return "SELECT c." + table.key + " FROM " + withOrder(table) + "\nWHERE " + orphan;
}

}  // namespace sellertrust::source
