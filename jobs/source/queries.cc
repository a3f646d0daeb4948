// SQL generation from the one definition.
#include "jobs/source/queries.h"

#include <map>
#include <set>
#include <stdexcept>

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
    if (check.kind == CheckKind::kCondition) {
      when = check.condition;
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

// The condition that keeps the sound rows of `table`, or "" when every row
// of it is known to be sound.
std::string soundRow(const Dialect& dialect, const TableDef& table, const KnownBadRows& knownBad) {
  auto known = knownBad.find(table.name);
  if (known == knownBad.end()) return badFlag(dialect, table) + " = 0";
  if (known->second.empty()) return "";
  return table.alias() + "." + table.key + " NOT IN (" + keyList(known->second) + ")";
}

std::string fromWindowRows(const TableDef& table) {
  if (!table.afterSales) return "orders o";
  return table.name + " c JOIN orders o ON o.order_id = c.order_id";
}

const char* const kWindow = "o.ordered_at BETWEEN {window_begin} AND {window_end}";

std::string orIfEmpty(const std::string& condition) {
  return condition.empty() ? "1 = 1" : "(" + condition + ")";
}

std::string tallyColumn(const TallyDef& t) {
  const std::string name = tallyName(t.id);
  switch (t.aggregate) {
    case Aggregate::kCountRows:
      if (t.where.empty()) return "COUNT(*) AS " + name;
      return "SUM(CASE WHEN " + orIfEmpty(t.where) + " THEN 1 ELSE 0 END) AS " + name;
    case Aggregate::kCountOrders:
      return "COUNT(DISTINCT CASE WHEN " + orIfEmpty(t.where) + " THEN o.order_id END) AS " + name;
    case Aggregate::kSum:
      return "COALESCE(SUM(CASE WHEN " + orIfEmpty(t.where) + " THEN " + t.sumOf +
             " ELSE 0 END), 0) AS " + name;
  }
  throw std::logic_error("unknown aggregate");
}

GrainQuery grainQuery(const Dialect& dialect, const TableDef& table,
                      const std::vector<const TallyDef*>& own, const KnownBadRows& knownBad) {
  const std::string a = table.alias();
  // Negative, so it cannot meet a seller id; signed first, or MySQL refuses
  // the subtraction on a view's BIGINT UNSIGNED key.
  const std::string badKey = "-1 - ABS(CAST(" + a + "." + table.key + " AS SIGNED))";
  std::string group = "CASE WHEN " + badFlag(dialect, table) + " = 1 THEN " + badKey;
  if (table.afterSales) {
    const std::string orderSound = soundRow(dialect, ordersTable(), knownBad);
    if (!orderSound.empty()) group += " WHEN NOT (" + orderSound + ") THEN NULL";
  }
  group += " ELSE o.seller_id END";
  GrainQuery q;
  q.table = table.name;
  q.sql = "SELECT " + group + " AS g, COUNT(*) AS n, MIN(" + a + "." + table.key + ") AS k";
  for (const TallyDef* t : own) {
    q.sql += ",\n  " + tallyColumn(*t);
    q.tallies.push_back(t->id);
  }
  q.sql += "\nFROM " + fromWindowRows(table) + "\nWHERE " + kWindow + "\nGROUP BY g";
  return q;
}

// The window rows of `table` that are sound, whose order is sound, and that
// satisfy `where`.
std::string soundWindowRows(const Dialect& dialect, const TableDef& table, const std::string& where,
                            const KnownBadRows& knownBad) {
  std::string sql =
      "FROM " + fromWindowRows(table) + "\nWHERE " + kWindow + " AND " + orIfEmpty(where);
  const auto keepSound = [&](const TableDef& t) {
    const std::string sound = soundRow(dialect, t, knownBad);
    if (!sound.empty()) sql += "\n  AND " + sound;
  };
  keepSound(ordersTable());
  if (table.afterSales) keepSound(table);
  return sql;
}

std::string histogramQuery(const Dialect& dialect, const HistogramDef& h,
                           const KnownBadRows& knownBad) {
  return "SELECT o.seller_id AS g, " + h.key + " AS k, COUNT(*) AS n\n" +
         soundWindowRows(dialect, table(h.table), h.where, knownBad) + "\nGROUP BY g, k";
}

Params runParams(const Dialect& dialect, Timestamp now, const Rules& rules) {
  const Window window = windowAt(now, rules);
  const Timestamp responseLimit = static_cast<Timestamp>(rules.responseHours) * kSecondsPerHour;
  const Timestamp grace = static_cast<Timestamp>(rules.lateDeliveryGraceDays) * kSecondsPerDay;
  const Timestamp refundLimit =
      static_cast<Timestamp>(rules.spontaneousRefundDays) * kSecondsPerDay;
  const Timestamp returnLimit = static_cast<Timestamp>(rules.returnResolveDays) * kSecondsPerDay;
  return {
      {"window_begin", dialect.timeLiteral(window.begin)},
      {"window_end", dialect.timeLiteral(window.end)},
      {"now", dialect.timeLiteral(now)},
      {"promise_cutoff", dialect.timeLiteral(now - grace)},
      {"response_cutoff", dialect.timeLiteral(now - responseLimit)},
      {"return_cutoff", dialect.timeLiteral(now - returnLimit)},
      {"response_limit", std::to_string(responseLimit)},
      {"refund_limit", std::to_string(refundLimit)},
      {"return_limit", std::to_string(returnLimit)},
  };
}

}  // namespace

std::string expand(const std::string& sql, const Dialect& dialect, const Params& params) {
  std::string out;
  out.reserve(sql.size());
  for (std::size_t i = 0; i < sql.size();) {
    if (sql[i] != '{') {
      out += sql[i++];
      continue;
    }
    const std::size_t close = sql.find('}', i);
    if (close == std::string::npos) throw std::logic_error("unterminated {name} in SQL");
    const std::string name = sql.substr(i + 1, close - i - 1);
    i = close + 1;
    const std::size_t colon = name.find(':');
    if (colon != std::string::npos) {
      const std::size_t comma = name.find(',', colon);
      if (comma == std::string::npos) throw std::logic_error("{" + name + "} needs two arguments");
      const std::string function = name.substr(0, colon);
      const std::string a = name.substr(colon + 1, comma - colon - 1);
      const std::string b = name.substr(comma + 1);
      if (function == "secs") {
        out += dialect.secondsBetween(a, b);
      } else if (function == "is") {
        out += dialect.isExactly(a, b);
      } else {
        throw std::logic_error("unknown SQL function {" + function + ":...}");
      }
      continue;
    }
    bool found = false;
    for (const auto& [key, value] : params) {
      if (key == name) {
        out += value;
        found = true;
        break;
      }
    }
    if (!found) throw std::logic_error("no value for SQL parameter {" + name + "}");
  }
  return out;
}

RunQueries buildRunQueries(const Dialect& dialect, Timestamp now, const Rules& rules,
                           const KnownBadRows& knownBad) {
  const std::vector<std::string> invalid = validateRules(rules);
  if (!invalid.empty()) throw std::invalid_argument("invalid rules: " + invalid[0]);
  const Params params = runParams(dialect, now, rules);
  auto sql = [&](const std::string& text) { return expand(text, dialect, params); };

  // A tally with parts on several tables is a union; the others are columns
  // of their table's grain query.
  std::map<TallyId, int> parts;
  for (const TallyDef& t : tallies()) ++parts[t.id];

  RunQueries q;
  q.sellers = "SELECT seller_id, name, country FROM sellers";
  for (const TableDef& table : tables()) {
    if (table.name == "sellers") continue;
    std::vector<const TallyDef*> own;
    for (const TallyDef& t : tallies()) {
      if (t.table == table.name && parts[t.id] == 1) own.push_back(&t);
    }
    GrainQuery grain = grainQuery(dialect, table, own, knownBad);
    grain.sql = sql(grain.sql);
    q.grains.push_back(std::move(grain));
  }
  for (const auto& [id, n] : parts) {
    if (n == 1) continue;
    std::string branches;
    for (const TallyDef& t : tallies()) {
      if (t.id != id) continue;
      if (t.aggregate != Aggregate::kCountOrders) {
        throw std::logic_error(std::string("tally ") + tallyName(id) +
                               " has parts on several tables but does not count orders");
      }
      if (!branches.empty()) branches += "\n  UNION ALL\n";
      branches += "SELECT o.seller_id AS seller, o.order_id AS order_id\n" +
                  soundWindowRows(dialect, table(t.table), t.where, knownBad);
    }
    q.unions.push_back({id, sql("SELECT u.seller AS g, COUNT(DISTINCT u.order_id) AS " +
                                std::string(tallyName(id)) + "\nFROM (\n" + branches +
                                "\n) u\nGROUP BY u.seller")});
  }
  q.responseHistogram = sql(histogramQuery(dialect, responseHistogram(), knownBad));
  q.productClaims = sql(histogramQuery(dialect, productClaims(), knownBad));
  const TableDef& tickets = table("tickets");
  q.authenticityClaims =
      sql("SELECT c.ticket_id, c.seller_id, " + claimProduct() + ", " +
          dialect.epochSeconds("c.opened_at") + ", c.status, " + badFlag(dialect, tickets) +
          ", CASE WHEN " + kWindow + " THEN 1 ELSE 0 END\nFROM tickets c LEFT JOIN orders o ON " +
          "o.order_id = c.order_id\nWHERE " + authenticityClaim());
  q.untimedOrders = "SELECT o.order_id FROM orders o WHERE " + dialect.untimed("o.ordered_at");
  return q;
}

std::string problemQuery(const Dialect& dialect, const TableDef& table,
                         const std::vector<std::int64_t>& keys) {
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
  const std::string list = keyList(keys);
  return "SELECT " + a + "." + table.key + ", " +
         (index.empty() ? "NULL" : "CASE" + index + " END") + values + "\nFROM " + table.name +
         " " + a + "\nWHERE " + a + "." + table.key + " IN (" + list + ")";
}

}  // namespace sellertrust::source
